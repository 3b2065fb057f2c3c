"""Canned responses (administrators only): the organisation's ready texts, added, edited and deleted.

Every handler resolves the session cookie again and calls `core.canned_desk.CannedResponseDesk`, which acts only for
an administrator, on the administrator's own tenant's canned responses. A refused form says why beside the field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import reflex as rx

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.canned_responses import CannedListing, Placeholder
from citymes_app.i18n import N_, Words, words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.admin_form import AdminForm
from citymes_app.state.language import on_language_switch

log = logging.getLogger(__name__)

ONLY_ADMINISTRATORS = N_("Only an administrator can change canned responses.")
# What each placeholder becomes, for the form's hint (msgids: the page translates them).
PLACEHOLDER_HINTS = {
    Placeholder.NAME: N_("the citizen's name"),
    Placeholder.OPERATOR: N_("your name as the operator"),
    Placeholder.TOWN: N_("the organisation's name"),
}


@dataclass(frozen=True)
class CannedRow:
    """One canned response as the page lists it."""

    id: int
    shortcut: str
    text: str
    changed: str  # "Jordi (admin), 24 de nov. 2026, 10:00", or the date alone when no one is named


@dataclass(frozen=True)
class PlaceholderHint:
    """A placeholder the text may use, and what it becomes."""

    written: str
    meaning: str


def _row(listing: CannedListing, words: Words) -> CannedRow:
    when = words.moment(listing.updated_at)
    return CannedRow(listing.id, listing.shortcut, listing.text, f"{listing.updated_by}, {when}" if listing.updated_by else when)


class CannedResponsesState(AdminForm, rx.State):
    """The canned responses page of one administrator's tab (the form's handling: `state/admin_form.py`)."""

    canned: list[CannedRow] = []
    # The form: a new canned response (`editing_id` 0) or the one being edited.
    form_shortcut: str = ""
    form_text: str = ""
    # Deleting asks first.
    delete_shortcut: str = ""

    @rx.var
    def placeholder_hints(self) -> list[PlaceholderHint]:
        """The placeholders a text may use."""
        return [PlaceholderHint(p.written, PLACEHOLDER_HINTS[p]) for p in Placeholder]

    def _only_administrators(self) -> str:
        return ONLY_ADMINISTRATORS

    async def _reload(self, admin: SignedInOperator) -> None:
        words = words_for(admin.language)
        self.canned = [_row(listing, words) for listing in await get_runtime().canned_desk.list(by=admin)]

    def _forget_fields(self) -> None:
        self.form_shortcut, self.form_text = "", ""

    def _forget_delete(self) -> None:
        self.delete_shortcut = ""

    @rx.event
    async def open_canned_page(self):
        """Page load: only an administrator gets the page (others see why); load the organisation's canned responses."""
        return await self._visit()

    @rx.event
    def set_form_shortcut(self, value: str):
        """The shortcut being typed."""
        if value != self.form_shortcut:  # an input echoing the value just set is not the person typing
            self.form_shortcut = value
            self._clear_error("shortcut")

    @rx.event
    def set_form_text(self, value: str):
        """The text being typed."""
        if value != self.form_text:  # an input echoing the value just set is not the person typing
            self.form_text = value
            self._clear_error("text")

    @rx.event
    async def edit(self, canned_id: int):
        """Put a listed canned response in the form."""
        if await self._admin() is None:
            return
        chosen = next((row for row in self.canned if row.id == canned_id), None)
        if chosen is not None:
            self.editing_id, self.form_shortcut, self.form_text = chosen.id, chosen.shortcut, chosen.text
            self.form_error, self.form_error_field, self.notice = "", "", ""

    @rx.event
    async def save(self, form_data: dict[str, str]):
        """Add or change the canned response in the form; a refusal shows beside the field to correct."""
        if (admin := await self._admin()) is None:
            return
        if not self._start_saving(form_data, {"shortcut": "form_shortcut", "text": "form_text"}):
            return
        yield
        saved = await self._attempt(
            admin,
            get_runtime().canned_desk.save(
                by=admin, canned_id=self.editing_id or None, shortcut=self.form_shortcut, text=self.form_text
            ),
        )
        if saved is None:
            return
        log.info("operator %s saved canned response %s", admin.operator_id, saved.id)
        words = words_for(admin.language)
        self.notice = (
            words.t("/{shortcut} saved.", shortcut=saved.shortcut)
            if self.editing_id
            else words.t("/{shortcut} added.", shortcut=saved.shortcut)
        )
        self._clear_form()
        await self._reload(admin)

    @rx.event
    def ask_delete(self, canned_id: int, shortcut: str):
        """Deleting asks first."""
        self.delete_id, self.delete_shortcut = canned_id, shortcut

    @rx.event
    async def confirm_delete(self):
        """Delete the canned response asked about."""
        canned_id = self._take_delete()
        if (admin := await self._admin()) is None:
            return
        shortcut = await self._attempt(admin, get_runtime().canned_desk.delete(by=admin, canned_id=canned_id), in_form=False)
        if shortcut is None:
            return
        log.info("operator %s deleted canned response %s", admin.operator_id, canned_id)
        self._deleted(canned_id)
        self.notice = words_for(admin.language).t("/{shortcut} deleted.", shortcut=shortcut)
        await self._reload(admin)

    @rx.event
    async def relabel(self):
        """The administrator switched language: the list's dates again, without the messages worded before."""
        await self._relabel(bool(self.canned))


on_language_switch(CannedResponsesState.relabel)
