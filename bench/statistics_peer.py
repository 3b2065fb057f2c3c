"""The peer of the statistics benchmark: the dashboard's figures worked out the way Chatwoot's reports do, with
GROUP BY queries over the messages (and the conversations and reporting events) of the period each time a manager
looks, no counts kept.

Hours are grouped in UTC in SQL and folded into the tenant's local days and hours in Python (SQLite has no time zones;
this is what a careful naive report does), response and resolution times are read span by span and their median and
90th percentile taken in Python. It computes the same figures as `core.figures_query.dashboard` for the volumes, so
the benchmark checks that both agree on them.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from citymes_app.core.figures import Filters
from citymes_app.core.routing import AnswerOutcome
from citymes_app.models import Conversation, Message, ReportingEvent, table_of

_MESSAGE = table_of(Message)
_CONVERSATION = table_of(Conversation)
_EVENT = table_of(ReportingEvent)
_AUTOMATIC = {outcome.value for outcome in AnswerOutcome if outcome.automatic}


def _hour(connection: Connection, column: sa.Column) -> Any:
    if connection.dialect.name == "postgresql":
        return sa.func.date_trunc("hour", column)
    return sa.func.strftime("%Y-%m-%d %H:00:00", column)


def _local(value: Any, zone: ZoneInfo) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)


def _percentiles(values: list[int]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    values.sort()
    n = len(values)
    median = float(values[n // 2]) if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    return median, float(values[math.ceil(0.9 * n) - 1])


def dashboard(connection: Connection, *, tenant_id: int, timezone: str, filters: Filters) -> dict[str, Any]:
    """The dashboard's figures for `filters`, each grouped from the records of the period."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(filters.first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(filters.last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    in_period = [_MESSAGE.c.tenant_id == tenant_id, _MESSAGE.c.created_at >= start, _MESSAGE.c.created_at < end]
    hour = _hour(connection, _MESSAGE.c.created_at)
    by_day: Counter[tuple[date, str]] = Counter()
    heatmap: Counter[tuple[int, int]] = Counter()
    outcomes: Counter[str] = Counter()
    query = (
        sa.select(hour, _MESSAGE.c.direction, _MESSAGE.c.author, _MESSAGE.c.outcome, sa.func.count())
        .where(*in_period)
        .group_by(hour, _MESSAGE.c.direction, _MESSAGE.c.author, _MESSAGE.c.outcome)
    )
    for at, direction, author, outcome, n in connection.execute(query):
        local = _local(at, zone)
        by_day[(local.date(), f"{direction}:{author}")] += n
        if direction == "in":
            heatmap[(local.weekday(), local.hour)] += n
            outcomes[outcome or "unknown"] += n
    by_channel = connection.execute(
        sa.select(_MESSAGE.c.channel_id, _MESSAGE.c.direction, sa.func.count())
        .where(*in_period)
        .group_by(_MESSAGE.c.channel_id, _MESSAGE.c.direction)
    ).all()
    operators = connection.execute(
        sa.select(_MESSAGE.c.operator_id, sa.func.count())
        .where(*in_period, _MESSAGE.c.author == "operator")
        .group_by(_MESSAGE.c.operator_id)
    ).all()
    before = filters.previous()
    previous_start = datetime.combine(before.first, time(0), tzinfo=zone).astimezone(UTC)
    keywords = connection.execute(
        sa.select(_MESSAGE.c.keyword_id, sa.func.count())
        .where(_MESSAGE.c.tenant_id == tenant_id, _MESSAGE.c.created_at >= previous_start, _MESSAGE.c.created_at < end)
        .where(_MESSAGE.c.keyword_id.is_not(None))
        .group_by(_MESSAGE.c.keyword_id, _MESSAGE.c.created_at >= start)
    ).all()
    unanswered = connection.execute(
        sa.select(sa.func.lower(_MESSAGE.c.text), sa.func.count().label("n"))
        .where(*in_period, _MESSAGE.c.outcome == AnswerOutcome.OPERATOR, _MESSAGE.c.kind == "text")
        .group_by(sa.func.lower(_MESSAGE.c.text))
        .order_by(sa.desc("n"))
        .limit(10)
    ).all()
    places = connection.execute(
        sa.select(sa.func.round(_MESSAGE.c.latitude * 200), sa.func.round(_MESSAGE.c.longitude * 200), sa.func.count())
        .where(*in_period, _MESSAGE.c.latitude.is_not(None))
        .group_by(sa.func.round(_MESSAGE.c.latitude * 200), sa.func.round(_MESSAGE.c.longitude * 200))
    ).all()
    opened = connection.execute(
        sa.select(sa.func.count()).where(
            _CONVERSATION.c.tenant_id == tenant_id, _CONVERSATION.c.created_at >= start, _CONVERSATION.c.created_at < end
        )
    ).scalar()
    open_now = connection.execute(
        sa.select(_CONVERSATION.c.awaiting_operator, sa.func.count())
        .where(_CONVERSATION.c.tenant_id == tenant_id, _CONVERSATION.c.status != "resolved")
        .group_by(_CONVERSATION.c.awaiting_operator)
    ).all()
    spans: dict[tuple[str, bool], list[int]] = {}
    for kind, first, office in connection.execute(
        sa.select(_EVENT.c.kind, _EVENT.c.first, _EVENT.c.office_seconds).where(
            _EVENT.c.tenant_id == tenant_id, _EVENT.c.ended_at >= start, _EVENT.c.ended_at < end
        )
    ):
        spans.setdefault((kind, bool(first)), []).append(office)
    asked = outcomes[AnswerOutcome.OPERATOR] + outcomes[AnswerOutcome.AMBIGUOUS] + sum(outcomes[o] for o in _AUTOMATIC)
    return {
        "messages_in": sum(n for (_, who), n in by_day.items() if who.startswith("in:")),
        "by_day": by_day,
        "heatmap": heatmap,
        "automatic_share": sum(outcomes[o] for o in _AUTOMATIC) / asked if asked else None,
        "by_channel": by_channel,
        "operators": operators,
        "keywords": keywords,
        "unanswered": unanswered,
        "places": places,
        "opened": opened,
        "open_now": open_now,
        "durations": {key: _percentiles(values) for key, values in spans.items()},
    }
