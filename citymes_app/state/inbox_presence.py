"""Who else is here (mixed into `InboxState`): the colleagues with the inbox open, the conversation each has open and
whether they are writing a reply in it — so two operators never answer the same citizen unknowingly.

The tab tells its tenant's shared inbox (`state/inbox_shared.py`) where it is when it links, opens or closes a
conversation, and when its reply box starts or stops holding a draft: the first keystroke says "writing", and the box
saying nothing more for `TYPING_IDLE_SECONDS` (`components/presence.py` watches it in the browser), a sent reply, an
emptied box or another conversation say it stopped. So a reply being written costs two shared writes, not one per
keystroke. Who the tab is comes from the signed-in operator on the server; nothing the browser sends names anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import reflex as rx

from citymes_app.core.auth import SignedInOperator
from citymes_app.state.inbox_shared import InboxShared, Presence, present_tenants

# How long a reply box may rest before its colleagues stop seeing "writing…".
TYPING_IDLE_SECONDS = 4


class ConversationPresence(rx.State, mixin=True):
    """Where this tab is, told to its colleagues, and where they are; needs the tab's `selected_id` and `me_id`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int
        me_id: int

        async def _operator(self) -> SignedInOperator | None: ...

    _me_name: str = ""
    _typing: bool = False

    async def _here(self, operator: SignedInOperator, linked: InboxShared) -> None:
        """The tab linked to its tenant's shared inbox: say who it is and what it has open."""
        self._me_name = operator.display_name
        present_tenants.add(operator.tenant_id)
        await self._tell_where(linked)

    async def _tell_where(self, shared: InboxShared | None = None) -> None:
        """Tell the shared inbox where this tab is now (nothing when it has not linked as an operator yet)."""
        if not self.me_id:
            return
        if shared is None:
            shared = await self.get_state(InboxShared)
        where = Presence(self.me_id, self._me_name, self.selected_id, self._typing and bool(self.selected_id))
        shared._place(self.router.session.client_token, where)

    async def _writing(self, writing: bool) -> None:
        """The reply box started (or stopped) holding a draft."""
        writing = writing and bool(self.selected_id)
        if writing != self._typing:
            self._typing = writing
            await self._tell_where()

    @rx.event
    async def stopped_writing(self):
        """The reply box has rested for a while (said by the browser): colleagues stop seeing "writing…"."""
        if await self._operator() is None:
            return
        await self._writing(False)

    async def _others(self) -> list[Presence]:
        shared = await self.get_state(InboxShared)
        return [p for p in shared.presence if p.operator_id != self.me_id]

    @rx.var
    async def colleagues_here(self) -> list[Presence]:
        """The colleagues with the inbox open, once each (on the conversation they have open, if any)."""
        seen: dict[int, Presence] = {}
        for presence in await self._others():
            if presence.operator_id not in seen or presence.conversation_id:
                seen[presence.operator_id] = presence
        return sorted(seen.values(), key=lambda p: p.name.casefold())

    @rx.var
    async def colleagues_reading(self) -> list[Presence]:
        """The colleagues with a conversation open (for the queue lines: who is on which)."""
        return [p for p in await self._others() if p.conversation_id]

    @rx.var
    async def colleagues_on_this(self) -> list[Presence]:
        """The colleagues who have the open conversation open too, writing or not."""
        if not self.selected_id:
            return []
        return [p for p in await self._others() if p.conversation_id == self.selected_id]
