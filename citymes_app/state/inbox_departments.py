"""The department the open conversation is with (mixed into `InboxState`): giving it to one of the organisation's
departments, transferring it to another, or taking it off — beside who has it (`state/inbox_work.py`).

The change is one call to the inbox's use cases (`InboxDesk.set_department`), which checks the conversation and the
department are of the signed-in operator's organisation, records the change in the conversation's version and tells
every tab: their queue lines and open threads show it within a moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.departments import DepartmentInfo
from citymes_app.core.inbox_desk import ThreadSnapshot
from citymes_app.i18n import Words
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE
from citymes_app.state.wording import sentence


@dataclass(frozen=True)
class DepartmentChoice:
    """A department of the organisation, offered in the "Department" menu and the queue's filter."""

    id: int
    name: str


class ConversationDepartments(rx.State, mixin=True):
    """The open conversation's department; needs the tab's `selected_id`, `reply_error` and `_operator()`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int
        reply_error: str
        _seen_version: int

        async def _operator(self) -> SignedInOperator | None: ...

        def _words(self) -> Words: ...

    department_id: int = 0  # the open conversation's department (0: none), live
    department_name: str = ""
    tenant_departments: list[DepartmentChoice] = []  # the organisation's, offered in the menu and the filter

    def _show_department(self, snapshot: ThreadSnapshot) -> None:
        header = snapshot.header
        self.department_id, self.department_name = header.department_id or 0, header.department_name

    def _forget_department(self) -> None:
        self.department_id, self.department_name = 0, ""

    async def _load_departments(self, tenant_id: int) -> None:
        self._show_departments(await get_runtime().inbox.tenant_departments(tenant_id=tenant_id))

    def _show_departments(self, found: list[DepartmentInfo]) -> None:
        choices = [DepartmentChoice(d.id, d.name) for d in found]
        if choices != self.tenant_departments:
            self.tenant_departments = choices

    @rx.event
    async def open_departments(self, opened: bool):
        """The department menu opened (or closed): the organisation's departments as they are now."""
        if opened is not True:
            return None
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        await self._load_departments(operator.tenant_id)
        return None

    @rx.event
    async def set_selected_department(self, department_id: int):
        """Give the open conversation to a department, transfer it to another, or take it off (0); the server checks
        both are of this organisation."""
        if type(department_id) is not int:  # a raw client may send anything
            return None
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return None
        try:
            self._seen_version = await get_runtime().inbox.set_department(
                operator=operator, conversation_id=self.selected_id, department_id=department_id or None
            )
        except inbox.InboxError as exc:
            self.reply_error = sentence(exc, self._words())
            await self._load_departments(operator.tenant_id)  # one of them may have just been deleted
            return None
        self.department_id = department_id
        self.department_name = next((d.name for d in self.tenant_departments if d.id == department_id), "")
        return None
