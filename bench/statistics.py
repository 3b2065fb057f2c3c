"""The managers' dashboard on a busy town's year: a fresh SQLite database filled by the demo-history generator with
1,000,000 messages in 100,000 conversations (`BENCH_STATISTICS_MESSAGES` makes it smaller for a quick try), then

* the generator's time and the statistics rebuild's time;
* a full refresh of the dashboard — every figure and chart the page shows, through `StatisticsDesk.dashboard` (the
  call the dashboard's state makes) and the display rows the page draws — for the last 30 days and for the whole year,
  median and 90th percentile over repeated runs;
* each CSV export of the page (`state/statistics_csv.EXPORTS`, as the download button calls it) on the year's view;
* the same figures the naive way (`bench/statistics_peer.py`: GROUP BY over the messages, as Chatwoot's reports do),
  measured in the same run, and whether both agree on the volumes.

Writes `results/statistics.json`. Goals: 30-day refresh < 200 ms, year < 500 ms (medians), the generator in minutes.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics as stats
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlmodel import Session

from bench import statistics_peer
from citymes_app import demo
from citymes_app.core import figures_query, tenants, vault
from citymes_app.core import statistics as counts
from citymes_app.core.db import make_engine, migrate
from citymes_app.core.figures import Dashboard, Filters
from citymes_app.core.statistics_desk import StatisticsDesk
from citymes_app.demo_history import HistoryPlan, write_history
from citymes_app.i18n import words_for
from citymes_app.models import Tenant, row_id
from citymes_app.state.statistics_csv import EXPORTS
from citymes_app.state.statistics_rows import StatisticsView, statistics_view

RESULTS = Path(__file__).parent / "results"
MESSAGES = int(os.environ.get("BENCH_STATISTICS_MESSAGES", "1000000"))
CONVERSATIONS = max(1, MESSAGES // 10)
SEED = 20261202
RUNS = 20
PEER_RUNS = 5
GOAL_30_DAYS_MS = 200
GOAL_YEAR_MS = 500
GOALS = {"refresh_30_days_median_ms": GOAL_30_DAYS_MS, "refresh_year_median_ms": GOAL_YEAR_MS, "generator": "in minutes"}


ENGLISH = words_for("en")  # the figures as an English reader gets them


def _summary(samples: list[float], digits: int = 1) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median": round(stats.median(ordered), digits),
        "p90": round(ordered[max(0, round(0.9 * len(ordered)) - 1)], digits),
        "runs": len(ordered),
    }


def _timed_ms(action: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


async def _refreshes(desk: StatisticsDesk, tenant_id: int, periods: dict[str, Filters]) -> dict[str, Any]:
    """Each period's dashboard as a tab refreshes it: the figures through the desk, then the rows the page draws."""
    timings: dict[str, list[float]] = {}
    views: dict[str, tuple[Dashboard, StatisticsView]] = {}
    for name, filters in periods.items():
        timings[name] = []
        for _ in range(RUNS):
            started = time.perf_counter()
            dashboard = await desk.dashboard(tenant_id=tenant_id, filters=filters)
            view = statistics_view(dashboard, ENGLISH)
            timings[name].append((time.perf_counter() - started) * 1000)
        views[name] = (dashboard, view)
    return {"timings": timings, "views": views}


def _agrees(ours: Dashboard, peer: dict[str, Any]) -> bool:
    """Both ways count the same citizens' messages, day by day, and the same conversations opened."""
    peer_days: dict[date, int] = {}
    for (day, who), n in peer["by_day"].items():
        if who.startswith("in:"):
            peer_days[day] = peer_days.get(day, 0) + n
    our_days = {row.day: row.messages_in for row in ours.by_day if row.messages_in}
    return our_days == peer_days and ours.totals.opened == peer["opened"]


def measure(folder: Path) -> dict[str, Any]:
    url = f"sqlite:///{folder / 'statistics.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        demo.load_demo(session, queue=False)  # a year of history alone: the figures the peer is compared on
        session.commit()
        tenant = tenants.require_tenant(session, slug=demo.DEMO_SLUG)
        tenant_id, timezone = row_id(tenant), tenant.timezone
        today = figures_query.today(tenant)
    started = time.perf_counter()
    report = write_history(engine, tenant_id=tenant_id, plan=HistoryPlan(MESSAGES, CONVERSATIONS, seed=SEED))
    generator_s = time.perf_counter() - started
    print(f"generator: {report.messages} messages, {report.conversations} conversations in {generator_s:.1f} s", flush=True)
    started = time.perf_counter()
    with Session(engine) as session:
        counted = counts.rebuild(session, tenant_id=row_id(session.get_one(Tenant, tenant_id)))
        session.commit()
    rebuild_s = time.perf_counter() - started
    print(f"rebuild: {counted} events counted in {rebuild_s:.1f} s", flush=True)
    periods = {
        "30_days": Filters(first=today - timedelta(days=29), last=today),
        "year": Filters(first=today - timedelta(days=364), last=today),
    }
    ours = asyncio.run(_refreshes(StatisticsDesk(engine), tenant_id, periods))
    year_view = ours["views"]["year"][1]
    export_ms = {
        name: _summary(_timed_ms(partial(export, year_view, ENGLISH), RUNS)[0], digits=3) for name, export in EXPORTS.items()
    }
    peer_ms, agrees = {}, True
    with engine.connect() as connection:
        for name, filters in periods.items():
            peer_dashboard = partial(
                statistics_peer.dashboard, connection, tenant_id=tenant_id, timezone=timezone, filters=filters
            )
            samples, peer = _timed_ms(peer_dashboard, PEER_RUNS)
            peer_ms[name] = _summary(samples)
            agrees = agrees and _agrees(ours["views"][name][0], peer)
    engine.dispose()
    refresh_ms = {name: _summary(samples) for name, samples in ours["timings"].items()}
    return {
        "benchmark": "statistics dashboard",
        "database": "sqlite",
        "messages": report.messages,
        "conversations": report.conversations,
        "citizens": report.citizens,
        "reporting_events": report.reporting_events,
        "generator_s": round(generator_s, 1),
        "rebuild_s": round(rebuild_s, 1),
        "refresh_ms": refresh_ms,
        "peer_refresh_ms": peer_ms,
        "peer": "GROUP BY over the messages of the period (Chatwoot's reports)",
        "peer_agrees_on_volumes": agrees,
        "export_ms": export_ms,
        "goal": GOALS,
        "meets_goal": refresh_ms["30_days"]["median"] < GOAL_30_DAYS_MS and refresh_ms["year"]["median"] < GOAL_YEAR_MS,
    }


def main() -> dict:
    os.environ.setdefault("CITYMES_ENCRYPTION_KEYS", vault.new_key())  # a throwaway database: a throwaway key
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(Path(folder))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "statistics.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
