"""The queue as one tab shows it (mixed into `InboxState`): mine / unassigned / all, a channel, a state, a label, a
department, the order (newest first, or waiting longest first), and a search across the organisation's conversations.

The filters narrow, on the server, the lines the tab may see anyway: the tenant's live queue (`InboxShared`), or, while
searching or looking at resolved conversations, the lines the desk read for this tab's signed-in operator's
organisation. The live queue stays live under any filter; a search's or the resolved list's lines are read when the
search or the filter changes, and again by the bridge each time the live queue changes (the shared inbox remembers
which tabs read their own lines).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import reflex as rx

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_queue import MIN_SEARCH_LENGTH
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE
from citymes_app.state.inbox_format import QueueLine, queue_lines

VIEWS = ("all", "mine", "unassigned")
STATES = ("active", "open", "pending", "snoozed", "resolved")  # active: open and pending (not snoozed, not resolved)
SORTS = ("recent", "waiting")
ALL = "all"
NO_DEPARTMENT = "none"
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class ChannelChoice:
    """A channel in the queue's channel filter."""

    id: str
    name: str


def _is_id(value: object) -> bool:
    return type(value) is str and (value == ALL or (value.isdigit() and len(value) < 12))


def filtered(
    lines: list[QueueLine], *, view: str, me: int, channel: str, state: str, label: str, sort: str, department: str = ALL
) -> list[QueueLine]:
    """The lines a tab's filters let through, in the order it chose (`state` "any": every state, for a search;
    `department` "none": the lines of no department)."""
    chosen = []
    for line in lines:
        if view == "mine" and line.assignee_id != me:
            continue
        if view == "unassigned" and line.assignee_id:
            continue
        if channel != ALL and str(line.channel_id) != channel:
            continue
        if state == "active" and line.status not in ("open", "pending"):
            continue
        if state in STATES[1:] and line.status != state:
            continue
        if label != ALL and not any(str(chip.id) == label for chip in line.labels):
            continue
        if department == NO_DEPARTMENT and line.department_id:
            continue
        if department not in (ALL, NO_DEPARTMENT) and str(line.department_id) != department:
            continue
        chosen.append(line)
    if sort == "waiting":  # those waiting longest first, then the others as they were
        # The platforms date a message to the second: of two that began waiting in the same second, the one that
        # reached us first (the older conversation) comes first.
        chosen.sort(key=lambda line: (line.waiting_since == 0, line.waiting_since, line.id if line.waiting_since else 0))
    return chosen


class QueueFilters(rx.State, mixin=True):
    """One tab's filters and search over the queue; needs `me_id` and `_operator()`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        me_id: int

        async def _operator(self) -> SignedInOperator | None: ...

        async def _note_reading(self, reading: bool) -> None: ...

    queue_view: str = ALL
    channel_filter: str = ALL
    state_filter: str = "active"
    label_filter: str = ALL
    department_filter: str = ALL
    sort_by: str = "recent"
    search: str = ""
    channel_choices: list[ChannelChoice] = []
    # The lines read for this tab while it searches or shows resolved conversations.
    found: list[QueueLine] = []

    @rx.var
    def filtering(self) -> bool:
        """Whether anything narrows the queue (then an empty queue says so, rather than "nothing waiting")."""
        return (
            bool(self.search.strip())
            or self.queue_view != ALL
            or self.channel_filter != ALL
            or self.state_filter != "active"
            or self.label_filter != ALL
            or self.department_filter != ALL
        )

    async def _load_channels(self, operator: SignedInOperator) -> None:
        found = [ChannelChoice(str(c.id), c.name) for c in await get_runtime().inbox.channels(tenant_id=operator.tenant_id)]
        if found != self.channel_choices:
            self.channel_choices = found

    async def read_lines(self, tenant_id: int, *, note: bool = True) -> None:
        """Read the lines this tab shows itself (a search's, the resolved ones), if it shows any; also called by the
        bridge (`state/live.py`) when the live queue changed, for the tabs that read their own lines."""
        desk, words = get_runtime().inbox, self.search.strip()
        if len(words) >= MIN_SEARCH_LENGTH:
            self.found = queue_lines(await desk.search(tenant_id=tenant_id, words=words))
        elif self.state_filter == "resolved":
            self.found = queue_lines(await desk.resolved(tenant_id=tenant_id))
        elif self.found:
            self.found = []
        if note:  # (the bridge's refresh changes nothing of it)
            await self._note_reading(self._reads_lines())

    def _reads_lines(self) -> bool:
        return len(self.search.strip()) >= MIN_SEARCH_LENGTH or self.state_filter == "resolved"

    async def _refilter(self, **changes: str):  # noqa: ANN202
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        for name, value in changes.items():
            setattr(self, name, value)
        await self.read_lines(operator.tenant_id)
        return None

    @rx.event
    async def set_queue_view(self, value: str | list[str]):
        """Mine / unassigned / all."""
        if type(value) is str and value in VIEWS:
            return await self._refilter(queue_view=value)
        return None

    @rx.event
    async def set_channel_filter(self, value: str):
        """One of the organisation's channels, or all."""
        if _is_id(value):
            return await self._refilter(channel_filter=value)
        return None

    @rx.event
    async def set_state_filter(self, value: str):
        """Active (open and pending), open, pending, snoozed or resolved."""
        if value in STATES:
            return await self._refilter(state_filter=value)
        return None

    @rx.event
    async def set_label_filter(self, value: str):
        """One of the organisation's labels, or all."""
        if _is_id(value):
            return await self._refilter(label_filter=value)
        return None

    @rx.event
    async def set_department_filter(self, value: str):
        """One of the organisation's departments, none, or all."""
        if _is_id(value) or value == NO_DEPARTMENT:
            return await self._refilter(department_filter=value)
        return None

    @rx.event
    async def set_sort(self, value: str):
        """Newest first, or waiting longest first."""
        if value in SORTS:
            return await self._refilter(sort_by=value)
        return None

    @rx.event
    async def set_search(self, value: str):
        """Search the organisation's conversations: citizen's name, phone, or a message's words."""
        if type(value) is not str:
            return None
        return await self._refilter(search=value[:MAX_SEARCH_LENGTH])

    @rx.event
    async def refresh_found(self):
        """Read the search's (or the resolved list's) lines again."""
        return await self._refilter()
