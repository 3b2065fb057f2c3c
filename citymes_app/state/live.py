"""The live path from the event bus to the operators' tabs, and the app handle background events need.

The pipeline, the outbox dispatcher and the inbox actions publish `InboxEvent`s on `core.events.bus`. The
`bridge` lifespan task drains them in batches and, once per tenant per batch, rewrites the tenant's shared
inbox state (`InboxShared` under its secret token, `inbox_token`); Reflex sends the change to every tab linked to it, and
each tab's thread var recomputes from the new version. A burst of events costs one write per tenant.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx
from sqlmodel import Session

from citymes_app.core import auth
from citymes_app.core.events import EventBus, bus
from citymes_app.runtime import get_runtime
from citymes_app.state.inbox_state import InboxShared, inbox_token, load_queue

log = logging.getLogger(__name__)

_app: rx.App | None = None


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


def _open_sessions(tenant_id: int, digests: set[str]) -> set[str]:
    with Session(get_runtime().engine) as session:
        return auth.sessions_still_open(session, tenant_id=tenant_id, digests=digests)


async def _cut_ended_viewers(shared: InboxShared, tenant_id: int) -> None:
    """Unlink the tabs whose session ended (or that never said which session they had) before anything is written."""
    viewers = {client: digest for client, digest in shared._viewers.items() if client in shared._linked_from}
    still_open = await asyncio.to_thread(_open_sessions, tenant_id, set(viewers.values()))
    for client in list(shared._linked_from):
        if viewers.get(client) not in still_open:
            shared._linked_from.discard(client)
            viewers.pop(client, None)
    if viewers != shared._viewers:
        shared._viewers = viewers


async def publish_queue(app: rx.App, tenant_id: int) -> None:
    """Write the tenant's current queue into its shared inbox and bump its version (for signed-in tabs only)."""
    lines = await asyncio.to_thread(load_queue, tenant_id)
    async with app.modify_state(rx.BaseStateToken(ident=inbox_token(tenant_id), cls=InboxShared)) as root:
        shared = await root.get_state(InboxShared)
        await _cut_ended_viewers(shared, tenant_id)
        shared.queue = lines
        shared.version += 1


async def bridge(app: rx.App, events: EventBus = bus) -> None:
    """Lifespan task: forward inbox events to the tenants' shared states, batching bursts, forever."""
    queue = events.subscribe()
    try:
        while True:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            for tenant_id in dict.fromkeys(event.tenant_id for event in batch):
                try:
                    await publish_queue(app, tenant_id)
                except asyncio.CancelledError:
                    raise
                except Exception:  # one tenant's failure must not stop the others' live updates
                    log.exception("could not update the live inbox of tenant %s", tenant_id)
    finally:
        events.unsubscribe(queue)


class DropSharedTokenDeltaWarning(logging.Filter):
    """Writing a shared token with `app.modify_state` also tries to send its delta to the token itself, which has
    no browser behind it, so Reflex warns on every write. Drop exactly that warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Attempting to send delta to disconnected client 'inbox-")


def quiet_shared_token_warnings() -> None:
    """Install the filter on Reflex's app logger (idempotent)."""
    logger = logging.getLogger("reflex.app")
    if not any(isinstance(f, DropSharedTokenDeltaWarning) for f in logger.filters):
        logger.addFilter(DropSharedTokenDeltaWarning())
