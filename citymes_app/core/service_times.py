"""Response and resolution times for the dashboard. Each reporting event keeps its span rounded down to a bucket:
the whole minute under 4 hours, 10 minutes under 2 days, the hour under 2 weeks, the day beyond (at most 4 % off,
where nobody reads minutes). A period's events are counted by bucket in SQL, streaming through an index ordered that
way, so a year of a busy town (hundreds of thousands of events) is read as a few thousand rows; a period of up to
three months reads just its own days' events instead, through an index by day. The median of an even
number of spans is the mean of the two middle ones; the 90th percentile is the nearest rank (the smallest span that
at least 90 % of them do not exceed)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from citymes_app.core.figures import Durations, Filters
from citymes_app.models import ReportingEvent, ReportingEventKind, table_of

_EVENTS = table_of(ReportingEvent)


def bucket(seconds: float) -> int:
    """A span's bucket, in minutes (its start)."""
    minutes = int(seconds) // 60
    for below, step in ((240, 1), (2880, 10), (20160, 60)):
        if minutes < below:
            return minutes - minutes % step
    return minutes - minutes % 1440


def _rank(minutes: Counter[int], rank: int) -> int:
    """The `rank`-th smallest (from 1) of the spans counted by minute."""
    seen = 0
    for minute in sorted(minutes):
        seen += minutes[minute]
        if seen >= rank:
            return minute
    raise ValueError("rank beyond the count")


def quantiles(minutes: Counter[int]) -> tuple[float | None, float | None]:
    """Median and 90th percentile, in seconds, of spans counted by bucket (None, None when there are none)."""
    n = sum(minutes.values())
    if not n:
        return None, None
    if n % 2:
        median = float(_rank(minutes, (n + 1) // 2))
    else:
        median = (_rank(minutes, n // 2) + _rank(minutes, n // 2 + 1)) / 2
    return median * 60, float(_rank(minutes, math.ceil(0.9 * n)) * 60)


def durations(office: Counter[int], wall: Counter[int]) -> Durations:
    """Spans counted by bucket of office time and of clock time → how many, medians and 90th percentiles."""
    median_office, p90_office = quantiles(office)
    median_wall, p90_wall = quantiles(wall)
    return Durations(sum(office.values()), median_office, p90_office, median_wall, p90_wall)


# A period up to this long reads its events by day (`ix_reporting_event_day`); a longer one counts them by bucket in
# SQL, streaming through the bucket-ordered indexes (the whole year's events, but no sort and few rows out).
SHORT_PERIOD_DAYS = 92
KINDS = (ReportingEventKind.RESPONSE.value, ReportingEventKind.RESOLUTION.value)

# (kind, first, operator) → spans counted by bucket
Spans = dict[tuple[str, bool, int | None], Counter[int]]


def spans_of(session: Session, tenant_id: int, channel_ids: list[int] | None, filters: Filters) -> tuple[Spans, Spans]:
    """The period's reporting events counted by bucket, of office time and of clock time."""
    conditions = [_EVENTS.c.tenant_id == tenant_id, _EVENTS.c.local_day >= filters.first, _EVENTS.c.local_day <= filters.last]
    if channel_ids is not None:
        conditions.append(_EVENTS.c.channel_id.in_(channel_ids))
    if filters.operator_id is not None:
        conditions.append(_EVENTS.c.operator_id == filters.operator_id)
    if filters.days <= SHORT_PERIOD_DAYS:
        return _spans_by_day(session, conditions)
    conditions.append(_EVENTS.c.kind.in_(KINDS))
    found: list[Spans] = []
    for minute in (_EVENTS.c.office_bucket, _EVENTS.c.bucket):
        query = (
            sa.select(_EVENTS.c.kind, _EVENTS.c.first, _EVENTS.c.operator_id, minute, sa.func.count())
            .where(*conditions)
            .group_by(_EVENTS.c.kind, _EVENTS.c.first, _EVENTS.c.operator_id, minute)
        )
        spans: Spans = defaultdict(Counter)
        for kind, first, operator_id, at_minute, n in session.connection().execute(query):
            spans[(kind, bool(first), operator_id)][int(at_minute)] += int(n)
        found.append(spans)
    return found[0], found[1]


def _spans_by_day(session: Session, conditions: list[Any]) -> tuple[Spans, Spans]:
    """A short period's events read from the index by day and counted here, both buckets in one pass. (With no
    grouping and no condition on the kind, a bucket-ordered index has nothing to offer: the planner takes this one.)"""
    office: Spans = defaultdict(Counter)
    wall: Spans = defaultdict(Counter)
    query = sa.select(_EVENTS.c.kind, _EVENTS.c.first, _EVENTS.c.operator_id, _EVENTS.c.office_bucket, _EVENTS.c.bucket)
    for kind, first, operator_id, office_minute, wall_minute in session.connection().execute(query.where(*conditions)).all():
        if kind in KINDS:
            key = (kind, bool(first), operator_id)
            office[key][office_minute] += 1
            wall[key][wall_minute] += 1
    return office, wall


def _summed(spans: Spans, kind: ReportingEventKind, *, first_only: bool = False, operator_id: int | None = None) -> Counter[int]:
    total: Counter[int] = Counter()
    for (k, first, operator), minutes in spans.items():
        if k == kind and (first or not first_only) and (operator_id is None or operator == operator_id):
            total.update(minutes)
    return total


def durations_of(office: Spans, wall: Spans, kind: ReportingEventKind, **which: Any) -> Durations:
    return durations(_summed(office, kind, **which), _summed(wall, kind, **which))
