"""The live path from the event bus to the managers' open dashboards: today's figures move as messages arrive.

The `bridge` lifespan task gathers inbox events for about a second, then, once per tenant that had any:

1. reads the tenant's `StatisticsShared` (under its secret token): the open dashboards whose period includes today,
   each with its own selection; tabs whose session ended are cut first, and a tenant with none costs nothing more;
2. reads the figures once per distinct selection (two managers looking at the last 7 days cost one read);
3. writes them into each of those tabs that is still connected, still shows the same selection of the same tenant,
   and whose browser is still signed in as a manager or administrator of it.

A delivery status changes no figure and is ignored. With several workers each bridge handles its own worker's events;
the states live in Redis and Reflex sends each tab's delta to the worker holding its websocket (as for the inbox).
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx
from reflex.state import BaseState

from citymes_app.core.events import EventBus, InboxEventKind, bus
from citymes_app.core.figures import Dashboard, FiguresError, Filters
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import STATISTICS_ROLES, AuthState
from citymes_app.state.live import tab_is_open
from citymes_app.state.statistics_rows import StatisticsView, statistics_view
from citymes_app.state.statistics_state import (
    Selection,
    StatisticsShared,
    StatisticsState,
    includes_today,
    selection_filters,
    statistics_token,
)
from citymes_app.state.tenant_shared import cut_ended_viewers

log = logging.getLogger(__name__)

# How long the bridge gathers events before refreshing: a burst costs one read per selection, and the open
# dashboards still move well within the two seconds a manager may wait.
STATISTICS_DEBOUNCE_SECONDS = 0.8
COUNTING_KINDS = frozenset({InboxEventKind.MESSAGE, InboxEventKind.CONVERSATION})


async def live_selections(app: rx.App, tenant_id: int) -> dict[str, Selection]:
    """The tenant's open dashboards that show today (client token → selection), ended sessions cut."""
    async with app.modify_state(rx.BaseStateToken(ident=statistics_token(tenant_id), cls=StatisticsShared)) as root:
        shared = await root.get_state(StatisticsShared)
        if not shared._live:
            return {}
        await cut_ended_viewers(shared, tenant_id)
        live = {client: selection for client, selection in shared._live.items() if client in shared._linked_from}
        if live != shared._live:
            shared._live = live
        return live


async def _still_allowed(root: BaseState, tenant_id: int) -> bool:
    """Whether the tab's browser is still signed in as a manager or administrator of `tenant_id`."""
    auth = await root.get_state(AuthState)
    if not auth.session_token:
        return False
    operator = await get_runtime().signin.operator_for(token=auth.session_token)
    return operator is not None and operator.tenant_id == tenant_id and operator.role in STATISTICS_ROLES


async def refresh_dashboards(app: rx.App, tenant_id: int) -> int:
    """Redraw the tenant's open dashboards that show today; returns how many tabs were redrawn."""
    live = await live_selections(app, tenant_id)
    if not live:
        return 0
    desk = get_runtime().statistics
    today = (await desk.choices(tenant_id=tenant_id)).today
    figures: dict[Selection, tuple[Filters, Dashboard]] = {}
    for selection in set(live.values()):
        try:
            filters = selection_filters(selection, today=today)
        except FiguresError:
            continue
        if includes_today(filters, today):
            figures[selection] = (filters, await desk.dashboard(tenant_id=tenant_id, filters=filters))
    views: dict[tuple[Selection, str], StatisticsView] = {}  # each selection worded once per language
    redrawn = 0
    for client, selection in live.items():
        if selection not in figures or not await tab_is_open(client):
            continue
        async with app.modify_state(rx.BaseStateToken(ident=client, cls=StatisticsState)) as root:
            state = await root.get_state(StatisticsState)
            if state._tenant_id != tenant_id or not state.live or state.selection() != selection:
                continue
            if not await _still_allowed(root, tenant_id):
                continue
            state._filters, dashboard = figures[selection]
            view = views.get((selection, state._language))
            if view is None:
                view = views[(selection, state._language)] = statistics_view(dashboard, state.words())
            state.show(view)
            redrawn += 1
    return redrawn


async def bridge(app: rx.App, events: EventBus = bus) -> None:
    """Lifespan task: refresh the open dashboards of the tenants whose figures changed, a burst at a time."""
    queue = events.subscribe()
    try:
        while True:
            batch = [await queue.get()]
            await asyncio.sleep(STATISTICS_DEBOUNCE_SECONDS)
            while not queue.empty():
                batch.append(queue.get_nowait())
            for tenant_id in sorted({event.tenant_id for event in batch if event.kind in COUNTING_KINDS}):
                try:
                    await refresh_dashboards(app, tenant_id)
                except asyncio.CancelledError:
                    raise
                except Exception:  # one tenant's failure must not stop the others' live figures
                    log.exception("could not refresh the live statistics of tenant %s", tenant_id)
    finally:
        events.unsubscribe(queue)
