"""A tenant's shared inbox (`InboxShared`): one instance per tenant under the shared token `inbox-<digest>`, linked by
every operator tab of that tenant, which Reflex keeps in step.

What every tab sees: the queue summary with its version, and who is here — each colleague with the inbox open, the
conversation they have open and whether they are writing a reply in it (`presence`, no client tokens in it). What only
the server sees: which tab has which conversation open (so the bridge redraws a thread only where it is shown), the
session each tab linked with (to cut the tabs whose session ended), and which tabs read their own lines.

A tab says where it is (`place`) when it links, opens or closes a conversation and starts or stops writing; a closed
tab is dropped by the bridge's presence sweep (`state/live.py`), as Reflex tells a state nothing when a browser goes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import reflex as rx

from citymes_app.runtime import get_runtime
from citymes_app.state.inbox_format import QueueLine, queue_lines
from citymes_app.state.tenant_shared import shared_token

# The tenants with an inbox tab linked through this worker: the presence sweep looks at these only.
present_tenants: set[int] = set()


@dataclass(frozen=True)
class Presence:
    """An operator's inbox, as their colleagues see it: who, the conversation open (0: none) and whether they are
    writing a reply in it."""

    operator_id: int
    name: str
    conversation_id: int = 0
    typing: bool = False


def inbox_token(tenant_id: int) -> str:
    """The shared token of a tenant's inbox (secret-derived: see `state/tenant_shared.py`)."""
    return shared_token("inbox", tenant_id)


async def load_queue(tenant_id: int) -> list[QueueLine]:
    """The tenant's queue as the shared state holds it."""
    return queue_lines(await get_runtime().inbox.queue(tenant_id=tenant_id))


def who_is_where(tabs: dict[str, Presence]) -> list[Presence]:
    """One entry per operator and open conversation (an operator with two tabs on one conversation is there once,
    writing if either tab is), by name."""
    merged: dict[tuple[int, int], Presence] = {}
    for tab in tabs.values():
        key = (tab.operator_id, tab.conversation_id)
        seen = merged.get(key)
        merged[key] = tab if seen is None else replace(seen, typing=seen.typing or tab.typing)
    return sorted(merged.values(), key=lambda p: (p.name.casefold(), p.operator_id, p.conversation_id))


class InboxShared(rx.SharedState):
    """A tenant's queue summary and who is here, shared by every operator tab of that tenant."""

    queue: list[QueueLine] = []
    version: int = 0
    presence: list[Presence] = []
    # The tabs linked here (client token) and the digest of the session each linked with: the bridge cuts a tab
    # whose session ended (signed out elsewhere, expired, operator disabled) before it writes anything new.
    _viewers: dict[str, str] = {}
    # Where each linked tab is (client token → its operator, open conversation, writing or not): the bridge redraws a
    # thread only in the tabs that show it, and `presence` is made from it.
    _tabs: dict[str, Presence] = {}
    # Set when the bridge skipped a change because no tab was linked: the next tab to link reads the queue again.
    _stale: bool = False
    # The linked tabs that show lines they read themselves (a search, resolved conversations): the bridge has them
    # read again when the queue changes.
    _reading: set[str] = set()

    def _place(self, client: str, where: Presence | None) -> None:
        """Record where a tab is (None: gone) and tell every tab, when that changes who is where."""
        if self._tabs.get(client) == where:
            return
        tabs = {token: tab for token, tab in self._tabs.items() if token != client}
        if where is not None:
            tabs[client] = where
        self._keep(tabs)

    def _keep_only(self, clients: set[str]) -> None:
        """Forget the tabs that are not among `clients` (closed, or unlinked)."""
        if not self._tabs.keys() <= clients:
            self._keep({token: tab for token, tab in self._tabs.items() if token in clients})

    def _keep(self, tabs: dict[str, Presence]) -> None:
        self._tabs = tabs
        listed = who_is_where(tabs)
        if listed != self.presence:
            self.presence = listed

    def _watching(self) -> dict[str, int]:
        """Which conversation each tab has open (those with one)."""
        return {token: tab.conversation_id for token, tab in self._tabs.items() if tab.conversation_id}
