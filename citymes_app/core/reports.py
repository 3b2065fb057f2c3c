"""Reports for managers and administrators: what citizens ask that no keyword answers.

Routing records every message no keyword answered in `unmatched_query` (normalized text, channel, the hour it came
in). Here those rows are grouped by text so that the most asked gaps come first: the keywords worth writing next.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from citymes_app.core import clock
from citymes_app.core.clock import tenant_timezone
from citymes_app.core.keyword_teaching import taught_questions
from citymes_app.models import UnmatchedQuery

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class UnmatchedLine:
    """One question no keyword answered: its normalized text, how often and when it was last asked, on how many
    channels."""

    text: str
    times_asked: int
    last_asked: datetime  # timezone-aware UTC, truncated to the hour
    channels: int
    taught_keyword: str = ""  # the keyword that has the question among its examples ("" while none has)
    taught_language: str = ""


def _window(tenant_id: int, since: datetime):  # noqa: ANN202 - a list of SQL conditions
    return [UnmatchedQuery.tenant_id == tenant_id, col(UnmatchedQuery.hour) >= since]


def unmatched_report(session: Session, *, tenant_id: int, since: datetime, limit: int = DEFAULT_LIMIT) -> list[UnmatchedLine]:
    """The questions of tenant `tenant_id` asked at or after `since` that no keyword answered, grouped by normalized
    text: most asked first, then most recently asked; at most `limit` lines."""
    if since.tzinfo is None:
        raise ValueError("unmatched_report() needs a timezone-aware `since`")
    times = func.count(col(UnmatchedQuery.id)).label("times")
    last = func.max(col(UnmatchedQuery.hour)).label("last")
    channels = func.count(func.distinct(col(UnmatchedQuery.channel_id))).label("channels")
    statement = (
        select(col(UnmatchedQuery.normalized), times, last, channels)
        .where(*_window(tenant_id, since))
        .group_by(col(UnmatchedQuery.normalized))
        .order_by(times.desc(), last.desc(), col(UnmatchedQuery.normalized))
        .limit(max(0, limit))
    )
    return [
        UnmatchedLine(text=text, times_asked=int(count), last_asked=when, channels=int(spread))
        for text, count, when, spread in session.exec(statement)
    ]


def unmatched_total(session: Session, *, tenant_id: int, since: datetime) -> int:
    """How many messages of tenant `tenant_id` since `since` no keyword answered (every time asked counts)."""
    if since.tzinfo is None:
        raise ValueError("unmatched_total() needs a timezone-aware `since`")
    statement = select(func.count(col(UnmatchedQuery.id))).where(*_window(tenant_id, since))
    return int(session.exec(statement).one())


@dataclass(frozen=True)
class UnmatchedReport:
    """The unanswered questions of a period, the count of every time one was asked, and the tenant's clock."""

    timezone: ZoneInfo
    lines: list[UnmatchedLine]
    total: int


@dataclass(frozen=True)
class ReportDesk:
    """The managers' reports, built once by the wiring."""

    engine: Engine

    async def unmatched(self, *, tenant_id: int, days: int) -> UnmatchedReport:
        """What no keyword answered in the last `days` days, most asked first."""
        return await asyncio.to_thread(self._unmatched, tenant_id, days)

    def _unmatched(self, tenant_id: int, days: int) -> UnmatchedReport:
        since = clock.now() - timedelta(days=days)
        with Session(self.engine) as session:
            taught = taught_questions(session, tenant_id=tenant_id)
            lines = [
                replace(line, taught_keyword=keyword.keyword, taught_language=keyword.language)
                if (keyword := taught.get(line.text))
                else line
                for line in unmatched_report(session, tenant_id=tenant_id, since=since)
            ]
            return UnmatchedReport(
                timezone=tenant_timezone(session, tenant_id=tenant_id),
                lines=lines,
                total=unmatched_total(session, tenant_id=tenant_id, since=since),
            )
