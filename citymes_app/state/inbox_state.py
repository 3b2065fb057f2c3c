"""The operators' live inbox.

Two states:

* `InboxShared` — one instance per tenant, under the shared token `inbox-<tenant_id>`: the queue summary and a
  version number, nothing more. The bridge (`state/live.py`) rewrites it after every inbox event and Reflex
  fans the change out to every tab linked to the token.
* `InboxState` — per tab: which conversation is open, its thread (a computed var that reads the shared
  version, so every linked tab redraws its open thread when anything in the tenant's inbox changes), the reply
  being written and the reason a reply was refused.

The tenant always comes from the signed-in session (`AuthState`), never from the URL.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx
from sqlmodel import Session

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.db import session_scope
from citymes_app.core.events import InboxEvent
from citymes_app.core.inbox_display import Bubble, QueueLine, queue_lines, thread_bubbles
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE, AuthState

log = logging.getLogger(__name__)


def inbox_token(tenant_id: int) -> str:
    """The shared token of a tenant's inbox (Reflex forbids `_` in it)."""
    return f"inbox-{tenant_id}"


def load_queue(tenant_id: int) -> list[QueueLine]:
    """The tenant's queue as the shared state holds it (blocking: call in a thread)."""
    with Session(get_runtime().engine) as session:
        return queue_lines(session, tenant_id=tenant_id)


def _load_thread(tenant_id: int, conversation_id: int) -> list[Bubble]:
    with Session(get_runtime().engine) as session:
        try:
            return thread_bubbles(session, tenant_id=tenant_id, conversation_id=conversation_id)
        except inbox.InboxError:
            return []


def _open_conversation(tenant_id: int, conversation_id: int) -> str:
    with session_scope(get_runtime().engine) as session:
        inbox.mark_read(session, tenant_id=tenant_id, conversation_id=conversation_id)
        return inbox.conversation_title(session, tenant_id=tenant_id, conversation_id=conversation_id)


def _reply(operator: SignedInOperator, conversation_id: int, text: str) -> int:
    with session_scope(get_runtime().engine) as session:
        return inbox.reply(session, operator=operator, conversation_id=conversation_id, text=text).id


def _resolve(tenant_id: int, conversation_id: int) -> None:
    with session_scope(get_runtime().engine) as session:
        inbox.resolve(session, tenant_id=tenant_id, conversation_id=conversation_id)


def _sentence(reason: str) -> str:
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


class InboxShared(rx.SharedState):
    """A tenant's queue summary, shared by every operator tab of that tenant."""

    queue: list[QueueLine] = []
    version: int = 0


class InboxState(rx.State):
    """One operator tab: the open conversation and the reply box."""

    selected_id: int = 0
    selected_title: str = ""
    draft: str = ""
    reply_error: str = ""
    sending: bool = False
    _tenant_id: int = 0

    @rx.var
    async def thread(self) -> list[Bubble]:
        """The open conversation's messages, redrawn whenever the tenant's inbox changes."""
        shared = await self.get_state(InboxShared)
        _ = shared.version  # the dependency that makes every linked tab recompute
        if not self.selected_id or not self._tenant_id:
            return []
        return await asyncio.to_thread(_load_thread, self._tenant_id, self.selected_id)

    @rx.var
    async def selected_in_queue(self) -> bool:
        """Whether the open conversation is still open (another operator may have resolved it)."""
        shared = await self.get_state(InboxShared)
        return any(line.id == self.selected_id for line in shared.queue)

    @rx.var
    async def waiting_count(self) -> int:
        """How many conversations wait for an operator."""
        shared = await self.get_state(InboxShared)
        return sum(1 for line in shared.queue if line.awaiting_operator)

    async def _operator(self) -> SignedInOperator | None:
        """The signed-in operator, or None if signed out or now signed in for another tenant than this tab shows
        (the login page then unlinks the tab and sends it back to the right inbox)."""
        auth = await self.get_state(AuthState)
        operator = await auth._signed_in()
        if operator is not None and self._tenant_id and operator.tenant_id != self._tenant_id:
            return None
        return operator

    def _publish(self, conversation_id: int, kind: str, message_id: int | None = None) -> None:
        get_runtime().bus.publish(InboxEvent(self._tenant_id, conversation_id, kind, message_id))

    @rx.event
    async def open_inbox(self):
        """Page load: check the session, then link this tab to its tenant's shared inbox."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        self._tenant_id = operator.tenant_id
        self.sending = False
        shared = await self.get_state(InboxShared)
        linked = await shared._link_to(inbox_token(operator.tenant_id))
        if linked.version == 0:  # nothing written since the server started: seed it from the database
            linked.queue = await asyncio.to_thread(load_queue, operator.tenant_id)
            linked.version += 1

    @rx.event
    async def leave_inbox(self):
        """Signed out (the login page): stop receiving this tenant's live queue and forget the open conversation."""
        self.selected_id, self.selected_title, self.draft, self.reply_error = 0, "", "", ""
        self._tenant_id = 0
        shared = await self.get_state(InboxShared)
        if shared._linked_to:
            return await shared._unlink()

    @rx.event
    async def select(self, conversation_id: int):
        """Open a conversation and mark it read (every tab's unread badge updates)."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if conversation_id != self.selected_id:
            self.draft, self.reply_error = "", ""
        try:
            title = await asyncio.to_thread(_open_conversation, operator.tenant_id, conversation_id)
        except inbox.InboxError:
            self.selected_id, self.selected_title = 0, ""
            return
        self.selected_id, self.selected_title = conversation_id, title
        shared = await self.get_state(InboxShared)
        if any(line.id == conversation_id and line.unread_count for line in shared.queue):
            self._publish(conversation_id, "conversation")

    @rx.event
    def close_conversation(self):
        """Back to the empty thread panel."""
        self.selected_id, self.selected_title, self.draft, self.reply_error = 0, "", "", ""

    @rx.event
    def set_draft(self, value: str):
        """The reply box changed."""
        self.draft = value
        if self.reply_error:
            self.reply_error = ""

    @rx.event
    async def send_reply(self, form_data: dict[str, str]):
        """Put the reply in the outbox, wake the dispatcher and tell every tab."""
        text = form_data.get("reply", self.draft) or ""
        if self.sending or not self.selected_id:
            return
        operator = await self._operator()
        if operator is None:
            yield rx.redirect(LOGIN_ROUTE)
            return
        self.sending = True
        yield
        try:
            message_id = await asyncio.to_thread(_reply, operator, self.selected_id, text)
        except inbox.InboxError as exc:
            self.reply_error, self.draft = _sentence(str(exc)), text
            return
        except Exception as exc:
            log.error("reply to conversation %s failed: %s", self.selected_id, type(exc).__name__)
            self.reply_error, self.draft = "The reply could not be saved. Try again in a moment.", text
            return
        finally:
            self.sending = False
        self.draft, self.reply_error = "", ""
        get_runtime().bus.wake_outbox()
        self._publish(self.selected_id, "message", message_id)

    @rx.event
    async def resolve_selected(self):
        """Close the open conversation; the citizen's next message opens a new one."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return
        conversation_id = self.selected_id
        try:
            await asyncio.to_thread(_resolve, operator.tenant_id, conversation_id)
        except inbox.InboxError as exc:
            self.reply_error = _sentence(str(exc))
            return
        self.selected_id, self.selected_title, self.draft, self.reply_error = 0, "", "", ""
        self._publish(conversation_id, "conversation")
