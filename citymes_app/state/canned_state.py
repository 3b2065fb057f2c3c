"""Canned responses (administrators only): the organisation's ready texts, added, edited and deleted.

Every handler resolves the session cookie again and calls `core.canned_desk.CannedResponseDesk`, which acts only for
an administrator, on the administrator's own tenant's canned responses. A refused form says why beside the field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import reflex as rx

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.canned_responses import CannedListing, CannedResponseError, Placeholder
from citymes_app.core.tenants import TenantError
from citymes_app.i18n import N_, Words, words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import admin_page_visit, signed_in_admin
from citymes_app.state.language import on_language_switch
from citymes_app.state.wording import sentence, tab_words

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


class CannedResponsesState(rx.State):
    """The canned responses page of one administrator's tab."""

    canned: list[CannedRow] = []
    notice: str = ""
    # The form: a new canned response (editing_id 0) or the one being edited.
    editing_id: int = 0
    form_shortcut: str = ""
    form_text: str = ""
    form_error: str = ""
    form_error_field: str = ""  # shortcut | text | "" (the whole form)
    saving: bool = False
    # Deleting asks first.
    delete_id: int = 0
    delete_shortcut: str = ""

    @rx.var
    def placeholder_hints(self) -> list[PlaceholderHint]:
        """The placeholders a text may use."""
        return [PlaceholderHint(p.written, PLACEHOLDER_HINTS[p]) for p in Placeholder]

    async def _reload(self, admin: SignedInOperator) -> None:
        words = words_for(admin.language)
        self.canned = [_row(listing, words) for listing in await get_runtime().canned_desk.list(by=admin)]

    async def _refuse(self) -> None:
        """A tab that is no longer an administrator's: say so in its language."""
        self.form_error, self.form_error_field = (await tab_words(self)).translate(ONLY_ADMINISTRATORS), ""

    def _clear_form(self) -> None:
        self.editing_id, self.form_shortcut, self.form_text = 0, "", ""
        self.form_error, self.form_error_field = "", ""

    @rx.event
    async def open_canned_page(self):
        """Page load: only an administrator gets the page (others see why); load the organisation's canned responses."""
        admin, instead = await admin_page_visit(self)
        if admin is None:
            return instead
        self._clear_form()
        self.notice, self.saving, self.delete_id, self.delete_shortcut = "", False, 0, ""
        await self._reload(admin)

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

    def _clear_error(self, field_name: str) -> None:
        self.notice = ""
        if self.form_error_field in (field_name, ""):
            self.form_error, self.form_error_field = "", ""

    @rx.event
    async def edit(self, canned_id: int):
        """Put a listed canned response in the form."""
        if await signed_in_admin(self) is None:
            await self._refuse()
            return
        chosen = next((row for row in self.canned if row.id == canned_id), None)
        if chosen is not None:
            self.editing_id, self.form_shortcut, self.form_text = chosen.id, chosen.shortcut, chosen.text
            self.form_error, self.form_error_field, self.notice = "", "", ""

    @rx.event
    def cancel_edit(self):
        """Back to adding a new one."""
        self._clear_form()

    @rx.event
    async def save(self, form_data: dict[str, str]):
        """Add or change the canned response in the form; a refusal shows beside the field to correct."""
        if self.saving:
            return
        admin = await signed_in_admin(self)
        if admin is None:
            await self._refuse()
            return
        words = words_for(admin.language)
        if type(form_data) is dict:  # the fields as submitted: a key pressed just before may not have reached us yet
            self.form_shortcut = str(form_data.get("shortcut", self.form_shortcut))
            self.form_text = str(form_data.get("text", self.form_text))
        self.saving, self.notice = True, ""
        yield
        try:
            saved = await get_runtime().canned_desk.save(
                by=admin, canned_id=self.editing_id or None, shortcut=self.form_shortcut, text=self.form_text
            )
        except CannedResponseError as exc:
            self.form_error, self.form_error_field = sentence(exc, words), exc.field
            return
        except TenantError as exc:
            self.form_error, self.form_error_field = sentence(exc, words), ""
            return
        finally:
            self.saving = False
        log.info("operator %s saved canned response %s", admin.operator_id, saved.id)
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
    def set_delete_dialog(self, value: bool):
        """The confirmation was dismissed."""
        if not value:
            self.delete_id, self.delete_shortcut = 0, ""

    @rx.event
    async def confirm_delete(self):
        """Delete the canned response asked about."""
        canned_id = self.delete_id
        self.delete_id, self.delete_shortcut = 0, ""
        admin = await signed_in_admin(self)
        if admin is None:
            await self._refuse()
            return
        words = words_for(admin.language)
        try:
            shortcut = await get_runtime().canned_desk.delete(by=admin, canned_id=canned_id)
        except CannedResponseError as exc:
            self.form_error, self.form_error_field = sentence(exc, words), ""
            return
        log.info("operator %s deleted canned response %s", admin.operator_id, canned_id)
        if self.editing_id == canned_id:
            self._clear_form()
        self.notice = words.t("/{shortcut} deleted.", shortcut=shortcut)
        await self._reload(admin)

    @rx.event
    async def relabel(self):
        """The administrator switched language: the list's dates again, without the messages worded before."""
        admin = await signed_in_admin(self)
        if admin is not None and self.canned:
            self.notice, self.form_error, self.form_error_field = "", "", ""
            await self._reload(admin)


on_language_switch(CannedResponsesState.relabel)
