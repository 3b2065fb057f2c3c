"""The CityMes app: pages, the HTTP API and the background tasks — wiring only."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.api.routes import create_api
from citymes_app.api.webhooks import webhooks_first
from citymes_app.pages import (
    canned_responses,
    channels,
    citizen,
    conversation_print,
    departments,
    inbox,
    index,
    keywords,
    labels,
    lists,
    login,
    office_hours,
    operators,
    statistics,
    statistics_report,
    unmatched,
)
from citymes_app.runtime import get_runtime
from citymes_app.state import guard, live, statistics_live


async def outbox_dispatcher() -> None:
    """Send what the outbox holds, for as long as the app runs."""
    await get_runtime().dispatcher().run()


async def snooze_alarm() -> None:
    """Open again the snoozed conversations whose time has come, for as long as the app runs."""
    await get_runtime().inbox.snooze_alarm()


async def polling_supervisor() -> None:
    """Long-poll the channels configured for polling (the ones this worker holds the lease of)."""
    await get_runtime().pollers().run()


app = rx.App(api_transformer=[create_api(), webhooks_first], style=styles.BASE_STYLE)
guard.install(app)
live.bind(app)
live.quiet_shared_token_warnings()

for page in (
    index,
    login,
    inbox,
    citizen,
    keywords,
    canned_responses,
    labels,
    departments,
    lists,
    office_hours,
    channels,
    operators,
    unmatched,
    statistics,
    statistics_report,
    conversation_print,
):
    app.add_page(page.page, route=page.ROUTE, title=page.TITLE, on_load=page.ON_LOAD)

app.register_lifespan_task(outbox_dispatcher)
app.register_lifespan_task(polling_supervisor)
app.register_lifespan_task(snooze_alarm)
app.register_lifespan_task(live.bridge)
app.register_lifespan_task(live.presence_sweep)
app.register_lifespan_task(statistics_live.bridge)
