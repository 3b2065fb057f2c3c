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

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.labels import MAX_LABEL_LENGTH, LabelColor
from citymes_app.i18n import N_, words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.admin_form import AdminForm
from citymes_app.state.language import on_language_switch

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


class LabelsState(AdminForm, rx.State):
    """The labels page of one administrator's tab (the form's handling: `state/admin_form.py`)."""

    labels: list[LabelRow] = []
    # Renaming: the name being typed (the label being renamed: `editing_id`).
    form_name: str = ""
    # Deleting asks first, saying how many conversations carry it.
    delete_name: str = ""
    delete_used: int = 0

    @rx.var
    def color_choices(self) -> list[ColorChoice]:
        """The colours a label may take."""
        return [ColorChoice(color.value, COLOR_NAMES[color]) for color in LabelColor]

    def _only_administrators(self) -> str:
        return ONLY_ADMINISTRATORS

    async def _reload(self, admin: SignedInOperator) -> None:
        listed = await get_runtime().label_desk.list(by=admin)
        self.labels = [LabelRow(use.id, use.name, use.conversations, use.color) for use in listed]

    def _forget_fields(self) -> None:
        self.form_name = ""

    def _forget_delete(self) -> None:
        self.delete_name, self.delete_used = "", 0

    @rx.event
    async def open_labels_page(self):
        """Page load: only an administrator gets the page (others see why); load the organisation's labels."""
        return await self._visit()

    @rx.event
    async def edit(self, label_id: int):
        """Rename a listed label: its name goes into a field in its row."""
        if await self._admin() is None:
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
            self.form_name = value
            self._clear_error("name")

    @rx.event
    async def save(self, form_data: dict[str, str]):
        """Rename the label being edited; a refusal shows beside the field."""
        if not self.editing_id or (admin := await self._admin()) is None:
            return
        if not self._start_saving(form_data, {"name": "form_name"}):
            return
        yield
        change = await self._attempt(
            admin, get_runtime().label_desk.rename(by=admin, label_id=self.editing_id, name=self.form_name)
        )
        if change is None:
            return
        log.info("operator %s renamed label %s", admin.operator_id, self.editing_id)
        self.notice = words_for(admin.language).t("Label renamed to {name}.", name=change.name)
        self._clear_form()
        await self._reload(admin)

    @rx.event
    async def set_color(self, label_id: int, color: str):
        """Give a listed label another colour."""
        if (admin := await self._admin()) is None:
            return
        change = await self._attempt(
            admin, get_runtime().label_desk.recolor(by=admin, label_id=label_id, color=color), in_form=False
        )
        if change is None:
            return
        log.info("operator %s recoloured label %s", admin.operator_id, label_id)
        self.notice = words_for(admin.language).t("Label {name} recoloured.", name=change.name)
        await self._reload(admin)

    @rx.event
    def ask_delete(self, label_id: int):
        """Deleting asks first (the dialog says how many conversations carry it)."""
        chosen = next((row for row in self.labels if row.id == label_id), None)
        if chosen is not None:
            self.delete_id, self.delete_name, self.delete_used = chosen.id, chosen.name, chosen.conversations

    @rx.event
    async def confirm_delete(self):
        """Delete the label asked about, taking it off its conversations."""
        label_id = self._take_delete()
        if not label_id or (admin := await self._admin()) is None:
            return
        change = await self._attempt(admin, get_runtime().label_desk.delete(by=admin, label_id=label_id), in_form=False)
        if change is None:
            return
        log.info("operator %s deleted label %s", admin.operator_id, label_id)
        self._deleted(label_id)
        self.notice = words_for(admin.language).t("Label {name} deleted.", name=change.name)
        await self._reload(admin)

    @rx.event
    async def relabel(self):
        """The administrator switched language: without the messages worded before."""
        await self._relabel(bool(self.labels))


on_language_switch(LabelsState.relabel)
