"""Labels (administrators only): the organisation's labels with how many conversations carry each, renamed in place
and deleted after a confirmation.

Every handler resolves the session cookie again and calls `core.label_desk.LabelDesk`, which acts only for an
administrator, on the administrator's own tenant's labels (another tenant's label id is "not found"). A refused name
says why beside the field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import reflex as rx

from citymes_app.core.administration import NotAnAdministrator
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.labels import MAX_LABEL_LENGTH, LabelColor, LabelError
from citymes_app.core.tenants import TenantError
from citymes_app.i18n import N_, words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import admin_page_visit, signed_in_admin
from citymes_app.state.language import on_language_switch
from citymes_app.state.wording import sentence, tab_words

log = logging.getLogger(__name__)

ONLY_ADMINISTRATORS = N_("Only an administrator can change labels.")
# Each colour's name in the colour menu (msgids: the page translates them).
COLOR_NAMES = {
    LabelColor.CYAN: N_("Cyan"),
    LabelColor.GRAY: N_("Grey"),
    LabelColor.RED: N_("Red"),
    LabelColor.ORANGE: N_("Orange"),
    LabelColor.AMBER: N_("Amber"),
    LabelColor.GRASS: N_("Green"),
    LabelColor.BLUE: N_("Blue"),
    LabelColor.VIOLET: N_("Violet"),
    LabelColor.PINK: N_("Pink"),
}


@dataclass(frozen=True)
class LabelRow:
    """One label as the page lists it."""

    id: int
    name: str
    conversations: int
    color: str


@dataclass(frozen=True)
class ColorChoice:
    """A colour a label may take, and its name (a msgid)."""

    value: str
    name: str


class LabelsState(rx.State):
    """The labels page of one administrator's tab."""

    labels: list[LabelRow] = []
    notice: str = ""
    # Renaming: the label being renamed (0: none), the name being typed, and why it was refused.
    editing_id: int = 0
    form_name: str = ""
    form_error: str = ""
    form_error_field: str = ""  # name | "" (the page as a whole)
    saving: bool = False
    # Deleting asks first.
    delete_id: int = 0
    delete_name: str = ""
    delete_used: int = 0

    @rx.var
    def color_choices(self) -> list[ColorChoice]:
        """The colours a label may take."""
        return [ColorChoice(color.value, COLOR_NAMES[color]) for color in LabelColor]

    async def _reload(self, admin: SignedInOperator) -> None:
        listed = await get_runtime().label_desk.list(by=admin)
        self.labels = [LabelRow(use.id, use.name, use.conversations, use.color) for use in listed]

    async def _refuse(self) -> None:
        """A tab that is no longer an administrator's: say so in its language."""
        self.form_error, self.form_error_field = (await tab_words(self)).translate(ONLY_ADMINISTRATORS), ""

    def _clear_form(self) -> None:
        self.editing_id, self.form_name, self.form_error, self.form_error_field = 0, "", "", ""

    @rx.event
    async def open_labels_page(self):
        """Page load: only an administrator gets the page (others see why); load the organisation's labels."""
        admin, instead = await admin_page_visit(self)
        if admin is None:
            return instead
        self._clear_form()
        self.notice, self.saving, self.delete_id, self.delete_name, self.delete_used = "", False, 0, "", 0
        await self._reload(admin)
        return None

    @rx.event
    async def edit(self, label_id: int):
        """Rename a listed label: its name goes into a field in its row."""
        if await signed_in_admin(self) is None:
            await self._refuse()
            return
        chosen = next((row for row in self.labels if row.id == label_id), None)
        if chosen is not None:
            self.editing_id, self.form_name, self.form_error, self.form_error_field = chosen.id, chosen.name, "", ""
            self.notice = ""

    @rx.event
    def set_form_name(self, value: str):
        """The new name being typed."""
        value = (value if type(value) is str else "")[: MAX_LABEL_LENGTH + 10]
        if value != self.form_name:  # an input echoing the value just set is not the person typing
            self.form_name, self.form_error, self.form_error_field, self.notice = value, "", "", ""

    @rx.event
    def cancel_edit(self):
        """Keep the name as it was."""
        self._clear_form()

    @rx.event
    async def save(self, form_data: dict[str, str]):
        """Rename the label being edited; a refusal shows beside the field."""
        if self.saving or not self.editing_id:
            return
        admin = await signed_in_admin(self)
        if admin is None:
            await self._refuse()
            return
        words = words_for(admin.language)
        if type(form_data) is dict:  # the field as submitted: a key pressed just before may not have reached us yet
            self.form_name = str(form_data.get("name", self.form_name))
        self.saving, self.notice = True, ""
        yield
        try:
            change = await get_runtime().label_desk.rename(by=admin, label_id=self.editing_id, name=self.form_name)
        except LabelError as exc:
            self.form_error, self.form_error_field = sentence(exc, words), exc.field
            return
        except (TenantError, NotAnAdministrator) as exc:
            self.form_error, self.form_error_field = sentence(exc, words), ""
            return
        finally:
            self.saving = False
        log.info("operator %s renamed label %s", admin.operator_id, self.editing_id)
        self.notice = words.t("Label renamed to {name}.", name=change.name)
        self._clear_form()
        await self._reload(admin)

    @rx.event
    async def set_color(self, label_id: int, color: str):
        """Give a listed label another colour."""
        admin = await signed_in_admin(self)
        if admin is None:
            await self._refuse()
            return
        words = words_for(admin.language)
        try:
            change = await get_runtime().label_desk.recolor(by=admin, label_id=label_id, color=color)
        except (LabelError, TenantError, NotAnAdministrator) as exc:
            self.form_error, self.form_error_field = sentence(exc, words), ""
            return
        log.info("operator %s recoloured label %s", admin.operator_id, label_id)
        self.notice = words.t("Label {name} recoloured.", name=change.name)
        await self._reload(admin)

    @rx.event
    def ask_delete(self, label_id: int):
        """Deleting asks first (the dialog says how many conversations carry it)."""
        chosen = next((row for row in self.labels if row.id == label_id), None)
        if chosen is not None:
            self.delete_id, self.delete_name, self.delete_used = chosen.id, chosen.name, chosen.conversations

    @rx.event
    def set_delete_dialog(self, value: bool):
        """The confirmation was dismissed."""
        if not value:
            self.delete_id, self.delete_name, self.delete_used = 0, "", 0

    @rx.event
    async def confirm_delete(self):
        """Delete the label asked about, taking it off its conversations."""
        label_id = self.delete_id
        self.delete_id, self.delete_name, self.delete_used = 0, "", 0
        if not label_id:
            return
        admin = await signed_in_admin(self)
        if admin is None:
            await self._refuse()
            return
        words = words_for(admin.language)
        try:
            change = await get_runtime().label_desk.delete(by=admin, label_id=label_id)
        except (LabelError, TenantError, NotAnAdministrator) as exc:
            self.form_error, self.form_error_field = sentence(exc, words), ""
            return
        log.info("operator %s deleted label %s", admin.operator_id, label_id)
        if self.editing_id == label_id:
            self._clear_form()
        self.notice = words.t("Label {name} deleted.", name=change.name)
        await self._reload(admin)

    @rx.event
    async def relabel(self):
        """The administrator switched language: without the messages worded before."""
        admin = await signed_in_admin(self)
        if admin is not None and self.labels:
            self.notice, self.form_error, self.form_error_field = "", "", ""
            await self._reload(admin)


on_language_switch(LabelsState.relabel)
