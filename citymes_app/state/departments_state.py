"""Departments (administrators only): the organisation's departments with how many open conversations each has,
added, renamed and deleted after a confirmation.

Every handler resolves the session cookie again and calls `core.department_desk.DepartmentDesk`, which acts only for
an administrator, on the administrator's own tenant's departments (another tenant's department id is "not found"). A
refused form says why beside the field (`state/admin_form.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import reflex as rx

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.departments import MAX_DEPARTMENT_DESCRIPTION, MAX_DEPARTMENT_NAME
from citymes_app.i18n import N_, words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.admin_form import AdminForm
from citymes_app.state.language import on_language_switch

log = logging.getLogger(__name__)

ONLY_ADMINISTRATORS = N_("Only an administrator can change departments.")


@dataclass(frozen=True)
class DepartmentRow:
    """One department as the page lists it."""

    id: int
    name: str
    description: str
    open_conversations: int


class DepartmentsState(AdminForm, rx.State):
    """The departments page of one administrator's tab (the form's handling: `state/admin_form.py`)."""

    departments: list[DepartmentRow] = []
    # The form: a new department (`editing_id` 0) or the one being edited.
    form_name: str = ""
    form_description: str = ""
    # Deleting asks first, saying how many open conversations are left with no department.
    delete_name: str = ""
    delete_used: int = 0

    def _only_administrators(self) -> str:
        return ONLY_ADMINISTRATORS

    async def _reload(self, admin: SignedInOperator) -> None:
        listed = await get_runtime().department_desk.list(by=admin)
        self.departments = [DepartmentRow(d.id, d.name, d.description, d.open_conversations) for d in listed]

    def _forget_fields(self) -> None:
        self.form_name, self.form_description = "", ""

    def _forget_delete(self) -> None:
        self.delete_name, self.delete_used = "", 0

    @rx.event
    async def open_departments_page(self):
        """Page load: only an administrator gets the page (others see why); load the organisation's departments."""
        return await self._visit()

    @rx.event
    def set_form_name(self, value: str):
        """The name being typed."""
        value = (value if type(value) is str else "")[: MAX_DEPARTMENT_NAME + 10]
        if value != self.form_name:  # an input echoing the value just set is not the person typing
            self.form_name = value
            self._clear_error("name")

    @rx.event
    def set_form_description(self, value: str):
        """The description being typed."""
        value = (value if type(value) is str else "")[: MAX_DEPARTMENT_DESCRIPTION + 10]
        if value != self.form_description:
            self.form_description = value
            self._clear_error("description")

    @rx.event
    async def edit(self, department_id: int):
        """Put a listed department in the form."""
        if await self._admin() is None:
            return
        chosen = next((row for row in self.departments if row.id == department_id), None)
        if chosen is not None:
            self.editing_id, self.form_name, self.form_description = chosen.id, chosen.name, chosen.description
            self.form_error, self.form_error_field, self.notice = "", "", ""

    @rx.event
    async def save(self, form_data: dict[str, str]):
        """Add or change the department in the form; a refusal shows beside the field to correct."""
        if (admin := await self._admin()) is None:
            return
        if not self._start_saving(form_data, {"name": "form_name", "description": "form_description"}):
            return
        yield
        saved = await self._attempt(
            admin,
            get_runtime().department_desk.save(
                by=admin, department_id=self.editing_id or None, name=self.form_name, description=self.form_description
            ),
        )
        if saved is None:
            return
        log.info("operator %s saved department %s", admin.operator_id, saved.id)
        words = words_for(admin.language)
        self.notice = (
            words.t("Department {name} saved.", name=saved.name)
            if self.editing_id
            else words.t("Department {name} added.", name=saved.name)
        )
        self._clear_form()
        await self._reload(admin)

    @rx.event
    def ask_delete(self, department_id: int):
        """Deleting asks first (the dialog says how many open conversations it has)."""
        chosen = next((row for row in self.departments if row.id == department_id), None)
        if chosen is not None:
            self.delete_id, self.delete_name, self.delete_used = chosen.id, chosen.name, chosen.open_conversations

    @rx.event
    async def confirm_delete(self):
        """Delete the department asked about; its conversations are left with none."""
        department_id = self._take_delete()
        if not department_id or (admin := await self._admin()) is None:
            return
        change = await self._attempt(
            admin, get_runtime().department_desk.delete(by=admin, department_id=department_id), in_form=False
        )
        if change is None:
            return
        log.info("operator %s deleted department %s", admin.operator_id, department_id)
        self._deleted(department_id)
        self.notice = words_for(admin.language).t("Department {name} deleted.", name=change.name)
        await self._reload(admin)

    @rx.event
    async def relabel(self):
        """The administrator switched language: without the messages worded before."""
        await self._relabel(bool(self.departments))


on_language_switch(DepartmentsState.relabel)
