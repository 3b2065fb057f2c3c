"""An in-process event bus: the pipeline publishes after each commit, the web layer fans out to operator tabs.

Publishers may run in worker threads (the database work runs off the event loop), so `publish` hands each
event to every subscriber's own loop thread-safely.

The bus stays inside one process on purpose, also with several workers: each event is handled once, by the bridge
of the worker that did the work, and Reflex (with `REFLEX_REDIS_URL`) relays the resulting tab updates to whichever
worker holds each tab's websocket. A bus over Redis pub/sub would hand every event to every worker's bridge and
write each update once per worker. Likewise each worker runs a dispatcher, so waking the local one is enough.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class InboxEventKind(StrEnum):
    """What changed in a conversation; a tab redraws only what the kind touches."""

    MESSAGE = "message"  # a message was added (inbound, automatic answer, operator's reply)
    STATUS = "status"  # a message's delivery status changed: one bubble
    CONVERSATION = "conversation"  # the conversation itself: read, resolved, its citizen linked
    NOTE = "note"  # an operator's note on the conversation or its citizen: the thread and its citizen panel only (the queue
    # and the statistics do not show notes)
    CATALOG = "catalog"  # the organisation's labels or departments (conversation 0): every tab's menus and filters


@dataclass(frozen=True)
class InboxEvent:
    """Something changed in a tenant's inbox: a conversation's messages or state."""

    tenant_id: int
    conversation_id: int
    kind: InboxEventKind
    message_id: int | None = None


class EventBus:
    """Fan-out of `InboxEvent`s to asyncio subscribers, safe to publish from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[InboxEvent]]] = []
        self._outbox_wakers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def subscribe(self) -> asyncio.Queue[InboxEvent]:
        """A queue receiving every event published from now on (call from inside a running loop)."""
        queue: asyncio.Queue[InboxEvent] = asyncio.Queue()
        with self._lock:
            self._subscribers.append((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[InboxEvent]) -> None:
        """Stop delivering to `queue`."""
        with self._lock:
            self._subscribers = [(loop, q) for loop, q in self._subscribers if q is not queue]

    def publish(self, event: InboxEvent) -> None:
        """Deliver `event` to every subscriber."""
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            _call_in_loop(loop, queue.put_nowait, event)

    def outbox_waker(self) -> asyncio.Event:
        """An event set whenever something is enqueued in the outbox, so the dispatcher need not wait its poll."""
        waker = asyncio.Event()
        with self._lock:
            self._outbox_wakers.append((asyncio.get_running_loop(), waker))
        return waker

    def wake_outbox(self) -> None:
        """Tell the dispatchers there is something to send."""
        with self._lock:
            wakers = list(self._outbox_wakers)
        for loop, waker in wakers:
            _call_in_loop(loop, waker.set)


def _call_in_loop(loop: asyncio.AbstractEventLoop, fn, *args) -> None:  # noqa: ANN001
    if loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        fn(*args)
    else:
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop closed meanwhile
            pass


bus = EventBus()


def announce_catalog_change(bus: EventBus | None, tenant_id: int, conversation_ids: Iterable[int]) -> None:
    """The organisation's labels or departments changed: the conversations that show the one changed are redrawn, and
    every tab offers the new names in its menus and filters. (One event per conversation: the bridge gathers them into
    one queue write per tenant and redraws only the threads that are open.)"""
    if bus is None:
        return
    for conversation_id in conversation_ids:
        bus.publish(InboxEvent(tenant_id, conversation_id, InboxEventKind.CONVERSATION))
    bus.publish(InboxEvent(tenant_id, 0, InboxEventKind.CATALOG))
