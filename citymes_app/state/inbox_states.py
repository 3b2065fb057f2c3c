"""The open conversation's state and labels (mixed into `InboxState`): make it open or pending, snooze it until a
time (chosen among times the server works out on the organisation's clock, or a day and time the operator types in a
dialog), add and remove labels.

Every handler checks the signed-in operator and acts on the conversation the tab has open, through the desk, which
checks it is of the operator's organisation; a typed snooze's day and time are checked by the core
(`core.inbox_states.typed_snooze_end`), and anything else the browser sends is refused beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_desk import ThreadSnapshot
from citymes_app.core.labels import MAX_LABEL_LENGTH, LabelInfo
from citymes_app.i18n import Words
from citymes_app.models import ConversationStatus, utcnow
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE
from citymes_app.state.inbox_format import LabelChip, moment_label
from citymes_app.state.wording import sentence

MORNING = time(8, 0)  # when "tomorrow" and "next Monday" snoozes end, on the organisation's clock


def snooze_end(choice: str, *, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The end of a snooze offered in the menu ("hour", "tomorrow", "monday"), in UTC; None for an unknown choice."""
    local = now.astimezone(tz)
    if choice == "hour":
        return now + timedelta(hours=1)
    if choice == "tomorrow":
        day = local.date() + timedelta(days=1)
    elif choice == "monday":
        day = local.date() + timedelta(days=7 - local.weekday())
    else:
        return None
    return datetime.combine(day, MORNING, tzinfo=tz).astimezone(now.tzinfo)


@dataclass(frozen=True)
class StateView:
    """The open conversation's state as the header says it."""

    status: str  # open | pending | snoozed | resolved
    snoozed_label: str  # "tomorrow at 08:00" while snoozed, else ""


class ConversationStates(rx.State, mixin=True):
    """The open conversation's state and labels; needs the tab's `selected_id`, `reply_error` and `_operator()`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int
        reply_error: str
        _seen_version: int

        async def _operator(self) -> SignedInOperator | None: ...

        def _words(self) -> Words: ...

    state_view: StateView = StateView("open", "")
    labels: list[LabelChip] = []  # on the open conversation
    tenant_labels: list[LabelChip] = []  # the organisation's, offered when adding one
    label_draft: str = ""
    label_error: str = ""
    # "Choose a date and time…": the dialog, its fields (on the organisation's clock, named by `snooze_zone`), and why
    # the time was refused.
    snooze_open: bool = False
    snooze_day: str = ""
    snooze_time: str = ""
    snooze_first_day: str = ""  # today on the organisation's clock: the date field offers no earlier day
    snooze_zone: str = ""
    snooze_error: str = ""

    def _show_state(self, snapshot: ThreadSnapshot) -> None:
        header = snapshot.header
        until = header.snoozed_until
        snoozed = header.status == ConversationStatus.SNOOZED and until is not None
        label = moment_label(until, tz=snapshot.timezone, now=utcnow(), words=self._words()) if snoozed and until else ""
        self.state_view = StateView(header.status.value, label)
        chips = [LabelChip(found.id, found.name, found.color) for found in header.labels]
        if chips != self.labels:
            self.labels = chips

    def _forget_states(self) -> None:
        self.state_view, self.labels, self.label_draft, self.label_error = StateView("open", ""), [], "", ""
        self.snooze_open, self.snooze_error = False, ""

    async def _load_labels(self, tenant_id: int) -> None:
        self._show_labels(await get_runtime().inbox.tenant_labels(tenant_id=tenant_id))

    def _show_labels(self, labels: list[LabelInfo]) -> None:
        found = [LabelChip(label.id, label.name, label.color) for label in labels]
        if found != self.tenant_labels:
            self.tenant_labels = found

    async def _set_state(self, state: ConversationStatus, until: datetime | None = None):  # noqa: ANN202
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return None
        try:
            self._seen_version = await get_runtime().inbox.set_state(
                operator=operator, conversation_id=self.selected_id, state=state, until=until
            )
        except inbox.InboxError as exc:
            self.reply_error = sentence(exc, self._words())
        return None

    @rx.event
    async def mark_open(self):
        """Make the open conversation open again (from pending or snoozed)."""
        return await self._set_state(ConversationStatus.OPEN)

    @rx.event
    async def mark_pending(self):
        """The office waits on something: the conversation is pending."""
        return await self._set_state(ConversationStatus.PENDING)

    @rx.event
    async def snooze(self, choice: str):
        """Snooze the open conversation until a time offered in the menu, worked out on the organisation's clock."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        tz = await get_runtime().inbox.timezone(tenant_id=operator.tenant_id)
        until = snooze_end(choice if type(choice) is str else "", tz=tz, now=utcnow())
        if until is None:
            return None
        return await self._set_state(ConversationStatus.SNOOZED, until)

    @rx.event
    async def open_snooze_dialog(self):
        """ "Choose a date and time…": the dialog opens on tomorrow at 08:00, on the organisation's clock."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return None
        tz = await get_runtime().inbox.timezone(tenant_id=operator.tenant_id)
        today = utcnow().astimezone(tz).date()
        self.snooze_first_day, self.snooze_zone = today.isoformat(), str(tz)
        self.snooze_day, self.snooze_time = (today + timedelta(days=1)).isoformat(), MORNING.strftime("%H:%M")
        self.snooze_error, self.snooze_open = "", True
        return None

    @rx.event
    def set_snooze_open(self, value: bool):
        """The dialog closed (its ✕, Escape, a click outside); it opens only through `open_snooze_dialog`."""
        if value is not True:
            self.snooze_open, self.snooze_error = False, ""

    @rx.event
    def set_snooze_day(self, value: str):
        """The dialog's day changed."""
        self.snooze_day, self.snooze_error = (value if type(value) is str else "")[:32], ""

    @rx.event
    def set_snooze_time(self, value: str):
        """The dialog's time changed."""
        self.snooze_time, self.snooze_error = (value if type(value) is str else "")[:32], ""

    @rx.event
    async def snooze_until_typed(self, form_data: dict[str, object]):
        """Snooze the open conversation until the day and time typed in the dialog (the core checks them: a real time
        on the organisation's clock, to come, a year ahead at most); a refusal is shown beside the fields."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return None
        fields: dict[str, object] = form_data if type(form_data) is dict else {}  # a forged event may send anything
        day, at = fields.get("day", self.snooze_day), fields.get("time", self.snooze_time)
        try:
            self._seen_version = await get_runtime().inbox.snooze_typed(
                operator=operator, conversation_id=self.selected_id, day=day, at=at
            )
        except inbox.InboxError as exc:
            self.snooze_error = sentence(exc, self._words())
            if isinstance(day, str) and isinstance(at, str):
                self.snooze_day, self.snooze_time = day[:32], at[:32]
            return None
        self.snooze_open, self.snooze_error = False, ""
        return None

    @rx.event
    async def open_labels(self, opened: bool):
        """The label menu opened (or closed): the organisation's labels as they are now."""
        if opened is not True:
            return None
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        self.label_error = ""
        await self._load_labels(operator.tenant_id)
        return None

    @rx.event
    def set_label_draft(self, value: str):
        """The new label's name changed."""
        self.label_draft, self.label_error = (value if type(value) is str else "")[: MAX_LABEL_LENGTH + 10], ""

    async def _add(self, name: str):  # noqa: ANN202
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return None
        try:
            await get_runtime().inbox.add_label(operator=operator, conversation_id=self.selected_id, name=name)
        except inbox.InboxError as exc:
            self.label_error = sentence(exc, self._words())
            return None
        self.label_draft, self.label_error = "", ""
        await self._load_labels(operator.tenant_id)
        return None

    @rx.event
    async def add_label(self, form_data: dict[str, str]):
        """Put the label written in the menu on the open conversation (a new name makes a new label)."""
        return await self._add(str(form_data.get("label", self.label_draft) or ""))

    @rx.event
    async def add_existing_label(self, name: str):
        """Put one of the organisation's labels on the open conversation."""
        return await self._add(name if type(name) is str else "")

    @rx.event
    async def remove_label(self, label_id: int):
        """Take a label off the open conversation."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id or type(label_id) is not int:
            return None
        try:
            await get_runtime().inbox.remove_label(operator=operator, conversation_id=self.selected_id, label_id=label_id)
        except inbox.InboxError as exc:
            self.reply_error = sentence(exc, self._words())
        return None
