"""The live path from the event bus to the operators' tabs, and the app handle background events need.

The pipeline, the outbox dispatcher and the inbox's use cases publish `InboxEvent`s on `core.events.bus`. The
`bridge` lifespan task drains them in batches and, once per tenant per batch:

1. rewrites the tenant's shared inbox state (`InboxShared` under its secret token, `inbox_token`) with the new queue;
   Reflex sends the change to every tab linked to it (the queue is on every tab);
2. redraws the conversations that changed, and only in the tabs that have them open: a new message or a change of
   the conversation reloads that thread once and writes it into those tabs (so does an internal note, without reading
   the queue, which does not show notes); a delivery status redraws one bubble
   (and reads no queue: the queue does not show statuses — a send that finds the citizen unreachable is a change of
   the conversation).

A tab that shows another conversation loads nothing. Events are gathered for `BRIDGE_DEBOUNCE_SECONDS`, so a burst
costs one queue write per tenant; a tenant with no tab open costs no read at all; the queue is read from its index, so
its cost does not grow with the number of conversations.

With several workers each bridge handles its own worker's events; the states live in Redis, and Reflex sends a
tab's delta to the worker holding its websocket (`RedisTokenManager`'s per-worker pub/sub channel), so every
operator sees every worker's events (`tests/system/test_several_workers.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind, bus
from citymes_app.core.inbox_desk import ThreadSnapshot
from citymes_app.runtime import get_runtime
from citymes_app.state.inbox_shared import InboxShared, inbox_token, load_queue, present_tenants
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.tenant_shared import SHARED_KINDS, cut_ended_viewers

log = logging.getLogger(__name__)

_app: rx.App | None = None
# How long the bridge gathers events before writing: well inside the second an operator may wait for a new message.
BRIDGE_DEBOUNCE_SECONDS = 0.2


def bind(app: rx.App) -> None:
    """Remember the app (the wiring calls this once) so background events can ask about connections."""
    global _app
    _app = app


async def tab_is_open(client_token: str) -> bool:
    """Whether the browser tab behind `client_token` still has a live connection to this app."""
    if _app is None or _app.event_namespace is None:
        return True  # cannot tell: assume open rather than stopping someone's live view
    manager = getattr(_app.event_namespace, "_token_manager", None)
    if manager is not None and hasattr(manager, "is_token_connected"):
        return await manager.is_token_connected(client_token)
    return client_token in _app.event_namespace.token_to_sid


@dataclass
class Changes:
    """What a batch of one tenant's events changed: threads to reload (with the queue), threads whose notes alone
    changed (reloaded without the queue: it does not show notes), and bubbles whose status alone changed."""

    threads: set[int] = field(default_factory=set)
    notes: set[int] = field(default_factory=set)
    statuses: dict[int, set[int]] = field(default_factory=dict)  # conversation id → message ids
    catalog: bool = False  # the organisation's labels or departments: every tab's menus and filters

    @classmethod
    def of(cls, events: Iterable[InboxEvent]) -> Changes:
        changes = cls()
        for event in events:
            if event.kind == InboxEventKind.STATUS and event.message_id is not None:
                changes.statuses.setdefault(event.conversation_id, set()).add(event.message_id)
            elif event.kind == InboxEventKind.NOTE:
                changes.notes.add(event.conversation_id)
            elif event.kind == InboxEventKind.CATALOG:
                changes.catalog = True
            else:
                changes.threads.add(event.conversation_id)
        for conversation_id in changes.threads | changes.notes:
            changes.statuses.pop(conversation_id, None)  # the reload shows the statuses too
        return changes


async def publish_queue(app: rx.App, tenant_id: int, *, reload: bool = True) -> tuple[dict[str, int], set[str], set[str]]:
    """Write the tenant's current queue into its shared inbox and bump its version (for signed-in tabs only);
    returns which conversation each still-linked tab has open. With no tab linked nothing is read: the queue is marked
    stale, and the next tab that links loads it itself. `reload=False` (delivery statuses only: the queue does not
    show them) only says which conversation each tab has open. Also returns the linked tabs that read their own lines
    (a search, resolved conversations), to read again after a reload, and every linked tab."""
    async with app.modify_state(rx.BaseStateToken(ident=inbox_token(tenant_id), cls=InboxShared)) as root:
        shared = await root.get_state(InboxShared)
        if shared._linked_from:
            await cut_ended_viewers(shared, tenant_id)
        if not shared._linked_from:
            if reload and not shared._stale:
                shared._stale = True  # read by the next tab that links, not now
            return {}, set(), set()
        if reload:
            shared.queue = await load_queue(tenant_id)
            shared.version += 1
        shared._keep_only(shared._linked_from)
        watching = shared._watching()
        reading = shared._reading & shared._linked_from
        if reading != shared._reading:
            shared._reading = reading
        return watching, (reading if reload else set()), set(shared._linked_from)


async def _redraw(app: rx.App, client: str, tenant_id: int, conversation_id: int, draw) -> None:  # noqa: ANN001
    """Apply `draw` to a tab's inbox state if the tab is open and still shows that conversation of that tenant."""
    if not await tab_is_open(client):
        return
    async with app.modify_state(rx.BaseStateToken(ident=client, cls=InboxState)) as root:
        state = await root.get_state(InboxState)
        if state.selected_id == conversation_id and state._tenant_id == tenant_id:
            draw(state)


async def _reread(app: rx.App, client: str, tenant_id: int) -> None:
    """Have a tab that shows lines it read itself (a search, resolved conversations) read them again."""
    if not await tab_is_open(client):
        return
    async with app.modify_state(rx.BaseStateToken(ident=client, cls=InboxState)) as root:
        state = await root.get_state(InboxState)
        if state._tenant_id == tenant_id:
            await state.read_lines(tenant_id, note=False)


async def _offer_catalogs(app: rx.App, clients: set[str], tenant_id: int) -> None:
    """Have the tabs offer the organisation's labels and departments as they are now (in their menus and filters):
    read once for all of them."""
    if not clients:
        return
    desk = get_runtime().inbox
    labels, departments = await desk.tenant_labels(tenant_id=tenant_id), await desk.tenant_departments(tenant_id=tenant_id)
    for client in clients:
        if not await tab_is_open(client):
            continue
        async with app.modify_state(rx.BaseStateToken(ident=client, cls=InboxState)) as root:
            state = await root.get_state(InboxState)
            if state._tenant_id == tenant_id:
                state.show_catalogs(labels, departments)


async def publish_changes(app: rx.App, tenant_id: int, events: list[InboxEvent]) -> None:
    """Everything one batch of a tenant's events changed, drawn where it is seen."""
    changes = Changes.of(events)
    watching, reading, linked = await publish_queue(app, tenant_id, reload=bool(changes.threads))
    watched = set(watching.values())
    desk = get_runtime().inbox
    threads: dict[int, ThreadSnapshot] = {}
    for conversation_id in (changes.threads | changes.notes) & watched:
        try:
            threads[conversation_id] = await desk.thread(tenant_id=tenant_id, conversation_id=conversation_id)
        except inbox.InboxError:
            continue
    statuses: dict[int, tuple[ZoneInfo, list[inbox.ThreadMessage]]] = {}
    for conversation_id in changes.statuses.keys() & watched:
        ids = sorted(changes.statuses[conversation_id])
        statuses[conversation_id] = await desk.messages(tenant_id=tenant_id, message_ids=ids)
    for client in reading:  # the tabs that show a search's or the resolved lines: read them again
        await _reread(app, client, tenant_id)
    if changes.catalog:
        await _offer_catalogs(app, linked, tenant_id)
    for client, conversation_id in watching.items():
        if conversation_id in threads:
            snapshot = threads[conversation_id]
            await _redraw(app, client, tenant_id, conversation_id, lambda state, s=snapshot: state.show_thread(s))
        elif conversation_id in statuses:
            tz, found = statuses[conversation_id]
            await _redraw(app, client, tenant_id, conversation_id, lambda state, f=found, z=tz: state.show_statuses(f, z))


async def bridge(app: rx.App, events: EventBus = bus) -> None:
    """Lifespan task: forward inbox events to the tenants' shared states and the tabs concerned, batching bursts."""
    queue = events.subscribe()
    try:
        while True:
            batch = [await queue.get()]
            # A burst (a storm of messages, a broadcast's statuses) becomes one write per tenant, a few times a second.
            await asyncio.sleep(BRIDGE_DEBOUNCE_SECONDS)
            while not queue.empty():
                batch.append(queue.get_nowait())
            by_tenant: dict[int, list[InboxEvent]] = {}
            for event in batch:
                by_tenant.setdefault(event.tenant_id, []).append(event)
            for tenant_id, tenant_events in by_tenant.items():
                try:
                    await publish_changes(app, tenant_id, tenant_events)
                except asyncio.CancelledError:
                    raise
                except Exception:  # one tenant's failure must not stop the others' live updates
                    log.exception("could not update the live inbox of tenant %s", tenant_id)
    finally:
        events.unsubscribe(queue)


# How often the tabs that went (closed, asleep, offline) are taken out of who is here.
PRESENCE_SWEEP_SECONDS = 3.0


async def sweep_presence(app: rx.App, tenant_id: int) -> bool:
    """Take the tabs that are no longer connected out of a tenant's shared inbox; whether any tab is left."""
    async with app.modify_state(rx.BaseStateToken(ident=inbox_token(tenant_id), cls=InboxShared)) as root:
        shared = await root.get_state(InboxShared)
        connected = {client for client in shared._tabs if client in shared._linked_from and await tab_is_open(client)}
        shared._keep_only(connected)
        return bool(shared._tabs)


async def presence_sweep(app: rx.App, interval: float = PRESENCE_SWEEP_SECONDS) -> None:
    """Lifespan task: every `interval` seconds, drop the closed tabs of the tenants with an inbox linked here, so a
    colleague who left stops showing as here (a browser that goes tells no state)."""
    while True:
        await asyncio.sleep(interval)
        for tenant_id in list(present_tenants):
            try:
                if not await sweep_presence(app, tenant_id):
                    present_tenants.discard(tenant_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # one tenant's failure must not stop the others' presence
                log.exception("could not sweep the inbox presence of tenant %s", tenant_id)


DISCONNECTED_WARNING = "Attempting to send delta to disconnected client "


class DropSharedTokenDeltaWarning(logging.Filter):
    """Writing a shared token with `app.modify_state` also tries to send its delta to the token itself, which has
    no browser behind it, so Reflex warns on every write. Drop exactly that warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(message.startswith(f"{DISCONNECTED_WARNING}'{kind}-") for kind in SHARED_KINDS)


def quiet_shared_token_warnings() -> None:
    """Install the filter on Reflex's app logger (idempotent)."""
    logger = logging.getLogger("reflex.app")
    if not any(isinstance(f, DropSharedTokenDeltaWarning) for f in logger.filters):
        logger.addFilter(DropSharedTokenDeltaWarning())
