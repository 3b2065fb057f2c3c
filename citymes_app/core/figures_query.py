"""The dashboard's figures read from the daily and hourly counts and the reporting events (`core.statistics`): a
year's dashboard reads thousands of rows, not a million messages. Only three things are read from the records
themselves, each bounded: the conversations open now (from the queue's index), the questions no keyword answered
(grouped over at most `UNANSWERED_DAYS`) and the places citizens sent (gathered by place in SQL).

Response and resolution times come from `core.service_times`, correct to the minute.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from citymes_app.core import clock
from citymes_app.core.figures import (
    ChannelRow,
    Choice,
    Choices,
    Dashboard,
    DayRow,
    FiguresError,
    Filters,
    HeatCell,
    HourRow,
    KeywordRow,
    OperatorRow,
    Pin,
    Totals,
    UnansweredRow,
)
from citymes_app.core.routing import AnswerOutcome
from citymes_app.core.service_times import Spans, durations_of, spans_of
from citymes_app.models import (
    LOCATIONS_SENT_BY_CITIZENS,
    Channel,
    Conversation,
    ConversationStatus,
    DailyCount,
    HourlyCount,
    Keyword,
    Measure,
    Message,
    Operator,
    ReportingEventKind,
    Tenant,
    UnmatchedQuery,
    row_id,
    table_of,
)

TOP_KEYWORDS = 15
TOP_UNANSWERED = 10
UNANSWERED_DAYS = 30  # the unanswered questions of a longer period: its last 30 days (the report has them all)
PIN_GRID = 200  # locations gathered in cells of 1/200 of a degree (about 550 m north–south)
MAX_PINS = 500
_DAILY = table_of(DailyCount)
_HOURLY = table_of(HourlyCount)
_AUTOMATIC = frozenset(outcome.value for outcome in AnswerOutcome if outcome.automatic)
_VOLUMES = (Measure.MESSAGES_IN, Measure.MESSAGES_OUT_BOT, Measure.MESSAGES_OUT_OPERATOR)


def today(tenant: Tenant) -> date:
    return clock.now().astimezone(ZoneInfo(tenant.timezone)).date()


def choices(session: Session, tenant_id: int) -> Choices:
    """What the filters offer."""
    tenant = session.get_one(Tenant, tenant_id)
    channels = _channels(session, tenant_id)
    operators = session.exec(select(Operator).where(Operator.tenant_id == tenant_id).order_by(col(Operator.display_name))).all()
    return Choices(
        today=today(tenant),
        timezone=tenant.timezone,
        channels=channels,
        platforms=sorted({c.platform for c in channels}),
        operators=[Choice(row_id(o), o.display_name or o.email) for o in operators],
    )


def _bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a run of local days starts and ends (a day of 23 or 25 hours is just that long)."""
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def _channels(session: Session, tenant_id: int) -> list[Choice]:
    """The tenant's channels (their names: the credentials stay sealed)."""
    rows = session.exec(
        select(col(Channel.id), col(Channel.name), col(Channel.platform))
        .where(Channel.tenant_id == tenant_id)
        .order_by(col(Channel.id))
    )
    return [Choice(channel_id or 0, name or platform, platform) for channel_id, name, platform in rows]


def _channel_ids(session: Session, tenant_id: int, filters: Filters) -> tuple[list[Choice], list[int] | None]:
    """The tenant's channels, and the ids the filters keep (None: all of them)."""
    channels = _channels(session, tenant_id)
    if filters.channel_id is None and filters.platform is None:
        return channels, None
    kept = [c.id for c in channels if filters.channel_id in (None, c.id) and filters.platform in (None, c.platform)]
    if filters.channel_id is not None and not kept:
        raise FiguresError("this channel is not one of yours")
    return channels, kept


def _where(table: sa.Table, tenant_id: int, channel_ids: list[int] | None, first: date, last: date) -> list[Any]:
    conditions = [table.c.tenant_id == tenant_id, table.c.local_day >= first, table.c.local_day <= last]
    if channel_ids is not None:
        conditions.append(table.c.channel_id.in_(channel_ids))
    return conditions


def _daily(session: Session, tenant_id: int, channel_ids: list[int] | None, filters: Filters) -> dict[tuple[date, str, str], int]:
    """(day, measure, subject) → count, for every measure but the keyword hits."""
    total = sa.func.sum(_DAILY.c.count)
    query = (
        sa.select(_DAILY.c.local_day, _DAILY.c.measure, _DAILY.c.subject, total)
        .where(*_where(_DAILY, tenant_id, channel_ids, filters.first, filters.last), _DAILY.c.measure != Measure.KEYWORD_HITS)
        .group_by(_DAILY.c.local_day, _DAILY.c.measure, _DAILY.c.subject)
    )
    return {(row[0], row[1], row[2]): int(row[3]) for row in session.connection().execute(query)}


def _weekday(session: Session) -> Any:
    """The weekday of `local_day` in SQL, 0 = Sunday (both dialects agree on that)."""
    if session.connection().dialect.name == "postgresql":
        return sa.cast(sa.extract("dow", _HOURLY.c.local_day), sa.Integer)
    return sa.cast(sa.func.strftime("%w", _HOURLY.c.local_day), sa.Integer)


def _hourly(session: Session, tenant_id: int, channel_ids: list[int] | None, filters: Filters) -> list[tuple[int, int, str, int]]:
    """(weekday 0 = Monday, local hour, measure, count) over the period."""
    weekday = _weekday(session)
    query = (
        sa.select(weekday, _HOURLY.c.local_hour, _HOURLY.c.measure, sa.func.sum(_HOURLY.c.count))
        .where(*_where(_HOURLY, tenant_id, channel_ids, filters.first, filters.last))
        .group_by(weekday, _HOURLY.c.local_hour, _HOURLY.c.measure)
    )
    return [((int(w) + 6) % 7, int(h), m, int(n)) for w, h, m, n in session.connection().execute(query)]


def _week(hourly: list[tuple[int, int, str, int]]) -> tuple[Counter[tuple[int, int]], Counter[int]]:
    """Citizens' messages by (weekday, hour), and messages out by hour."""
    week_in: Counter[tuple[int, int]] = Counter()
    hours_out: Counter[int] = Counter()
    for weekday, hour, measure, n in hourly:
        if measure == Measure.MESSAGES_IN:
            week_in[(weekday, hour)] += n
        else:
            hours_out[hour] += n
    return week_in, hours_out


def _by_channel(session: Session, tenant_id: int, channel_ids: list[int] | None, filters: Filters) -> dict[tuple[int, str], int]:
    query = (
        sa.select(_DAILY.c.channel_id, _DAILY.c.measure, sa.func.sum(_DAILY.c.count))
        .where(*_where(_DAILY, tenant_id, channel_ids, filters.first, filters.last), _DAILY.c.measure.in_(_VOLUMES))
        .group_by(_DAILY.c.channel_id, _DAILY.c.measure)
    )
    return {(c, m): int(n) for c, m, n in session.connection().execute(query)}


def _keywords(session: Session, tenant_id: int, channel_ids: list[int] | None, filters: Filters) -> list[KeywordRow]:
    """The most hit keywords of the period, with their hits in the period before."""
    before = filters.previous()
    current = sa.func.sum(sa.case((_DAILY.c.local_day >= filters.first, _DAILY.c.count), else_=0)).label("current")
    previous = sa.func.sum(sa.case((_DAILY.c.local_day < filters.first, _DAILY.c.count), else_=0))
    query = (
        sa.select(_DAILY.c.subject, current, previous)
        .where(*_where(_DAILY, tenant_id, channel_ids, before.first, filters.last), _DAILY.c.measure == Measure.KEYWORD_HITS)
        .group_by(_DAILY.c.subject)
        .order_by(current.desc(), _DAILY.c.subject)
    )
    hits = [(int(s), int(c), int(p)) for s, c, p in session.connection().execute(query) if c]
    top = hits[:TOP_KEYWORDS]
    names = {
        row_id(k): k
        for k in session.exec(select(Keyword).where(Keyword.tenant_id == tenant_id, col(Keyword.id).in_([h[0] for h in top])))
    }
    return [
        KeywordRow(
            keyword_id=keyword_id,
            keyword=names[keyword_id].keyword if keyword_id in names else "",
            language=names[keyword_id].language if keyword_id in names else "",
            hits=current_hits,
            previous_hits=previous_hits,
        )
        for keyword_id, current_hits, previous_hits in top
    ]


def _now_open(session: Session, tenant_id: int, channel_ids: list[int] | None) -> tuple[int, int, Counter[int]]:
    """Conversations not resolved now: how many, how many wait for an operator, how many each operator holds."""
    conditions: list[Any] = [Conversation.tenant_id == tenant_id, Conversation.status != ConversationStatus.RESOLVED]
    if channel_ids is not None:
        conditions.append(col(Conversation.channel_id).in_(channel_ids))
    rows = session.exec(
        select(col(Conversation.awaiting_operator), col(Conversation.assigned_operator_id), sa.func.count())
        .where(*conditions)
        .group_by(col(Conversation.awaiting_operator), col(Conversation.assigned_operator_id))
    ).all()
    held: Counter[int] = Counter()
    for _, operator_id, n in rows:
        if operator_id is not None:
            held[operator_id] += int(n)
    return sum(int(n) for *_, n in rows), sum(int(n) for waiting, _, n in rows if waiting), held


def _unanswered(
    session: Session, tenant_id: int, channel_ids: list[int] | None, filters: Filters, zone: ZoneInfo
) -> tuple[list[UnansweredRow], int]:
    # The last 30 days of the period that have happened: a year that runs on past today ends today.
    last = max(filters.first, min(filters.last, clock.now().astimezone(zone).date()))
    first = max(filters.first, last - timedelta(days=UNANSWERED_DAYS - 1))
    start, end = _bounds(first, filters.last, zone)
    conditions: list[Any] = [
        UnmatchedQuery.tenant_id == tenant_id,
        col(UnmatchedQuery.hour) >= start,
        col(UnmatchedQuery.hour) < end,
    ]
    if channel_ids is not None:
        conditions.append(col(UnmatchedQuery.channel_id).in_(channel_ids))
    times = sa.func.count().label("times")
    top = session.exec(
        select(col(UnmatchedQuery.normalized), times)
        .where(*conditions)
        .group_by(col(UnmatchedQuery.normalized))
        .order_by(times.desc(), col(UnmatchedQuery.normalized))
        .limit(TOP_UNANSWERED)
    ).all()
    total = session.exec(select(sa.func.count()).select_from(UnmatchedQuery).where(*conditions)).one()
    return [UnansweredRow(text, int(n)) for text, n in top], int(total)


def locations_query(tenant_id: int, channel_ids: list[int] | None, start: datetime, end: datetime) -> sa.Select:
    """The places citizens sent in the period, gathered by cell of the grid (the pin is the cell's mean place)."""
    message = table_of(Message)
    row_cell = sa.func.round(message.c.latitude * PIN_GRID)
    col_cell = sa.func.round(message.c.longitude * PIN_GRID)
    conditions = [
        message.c.tenant_id == tenant_id,
        # Spelt as the partial index is, so the planner sees that it holds every row asked for.
        sa.text(LOCATIONS_SENT_BY_CITIZENS).self_group(),
        message.c.created_at >= start,
        message.c.created_at < end,
    ]
    if channel_ids is not None:
        conditions.append(message.c.channel_id.in_(channel_ids))
    many = sa.func.count().label("many")
    return (
        sa.select(sa.func.avg(message.c.latitude), sa.func.avg(message.c.longitude), many)
        .where(*conditions)
        .group_by(row_cell, col_cell)
        .order_by(many.desc())
        .limit(MAX_PINS)
    )


def _locations(session: Session, tenant_id: int, channel_ids: list[int] | None, start: datetime, end: datetime) -> list[Pin]:
    query = locations_query(tenant_id, channel_ids, start, end)
    return [Pin(round(float(lat), 5), round(float(lon), 5), int(n)) for lat, lon, n in session.connection().execute(query)]


def dashboard(session: Session, tenant_id: int, filters: Filters) -> Dashboard:
    """Every figure the dashboard shows for `filters`."""
    tenant = session.get_one(Tenant, tenant_id)
    zone = ZoneInfo(tenant.timezone)
    channels, channel_ids = _channel_ids(session, tenant_id, filters)
    staff = session.exec(select(Operator).where(Operator.tenant_id == tenant_id))
    operators = {row_id(o): o.display_name or o.email for o in staff}
    if filters.operator_id is not None and filters.operator_id not in operators:
        raise FiguresError("this operator is not one of yours")
    daily = _daily(session, tenant_id, channel_ids, filters)
    by_day = _day_rows(daily, filters)
    office, wall = spans_of(session, tenant_id, channel_ids, filters)
    open_now, waiting_now, held = _now_open(session, tenant_id, channel_ids)
    unanswered, unanswered_total = _unanswered(session, tenant_id, channel_ids, filters, zone)
    start, end = _bounds(filters.first, filters.last, zone)
    week_in, hours_out = _week(_hourly(session, tenant_id, channel_ids, filters))
    hours_in: Counter[int] = Counter()
    for (_, hour), n in week_in.items():
        hours_in[hour] += n
    volumes = _by_channel(session, tenant_id, channel_ids, filters)
    kept = [c for c in channels if channel_ids is None or c.id in channel_ids]
    automatic = sum(r.automatic for r in by_day)
    clarified = sum(n for (_, m, s), n in daily.items() if m == Measure.MESSAGES_IN and s == AnswerOutcome.AMBIGUOUS)
    to_operator = sum(r.to_operator for r in by_day)
    asked = automatic + clarified + to_operator
    return Dashboard(
        filters=filters,
        timezone=tenant.timezone,
        computed_at=clock.now(),
        totals=Totals(
            messages_in=sum(r.messages_in for r in by_day),
            messages_out_bot=sum(r.messages_out_bot for r in by_day),
            messages_out_operator=sum(r.messages_out_operator for r in by_day),
            opened=sum(r.opened for r in by_day),
            resolved=sum(r.resolved for r in by_day),
            waiting_now=waiting_now,
            open_now=open_now,
            automatic=automatic,
            clarified=clarified,
            to_operator=to_operator,
            automatic_share=automatic / asked if asked else None,
        ),
        by_day=by_day,
        by_hour=[HourRow(hour=hour, messages_in=hours_in[hour], messages_out=hours_out[hour]) for hour in range(24)],
        by_channel=[
            ChannelRow(
                channel_id=c.id,
                name=c.name,
                platform=c.platform,
                messages_in=volumes.get((c.id, Measure.MESSAGES_IN), 0),
                messages_out=volumes.get((c.id, Measure.MESSAGES_OUT_BOT), 0)
                + volumes.get((c.id, Measure.MESSAGES_OUT_OPERATOR), 0),
            )
            for c in kept
        ],
        first_response=durations_of(office, wall, ReportingEventKind.RESPONSE, first_only=True),
        responses=durations_of(office, wall, ReportingEventKind.RESPONSE),
        resolution=durations_of(office, wall, ReportingEventKind.RESOLUTION),
        operators=_operator_rows(operators, daily, (office, wall), held, filters),
        keywords=_keywords(session, tenant_id, channel_ids, filters),
        unanswered=unanswered,
        unanswered_total=unanswered_total,
        heatmap=[HeatCell(weekday, hour, week_in[(weekday, hour)]) for weekday in range(7) for hour in range(24)],
        locations=_locations(session, tenant_id, channel_ids, start, end),
    )


def _day_rows(daily: dict[tuple[date, str, str], int], filters: Filters) -> list[DayRow]:
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for (day, measure, subject), n in daily.items():
        counts = per_day[day]
        if measure == Measure.MESSAGES_IN:
            counts[Measure.MESSAGES_IN] += n
            if subject == AnswerOutcome.OPERATOR:
                counts["to_operator"] += n
            elif subject in _AUTOMATIC:
                counts["automatic"] += n
        elif filters.operator_id is None or measure not in (Measure.MESSAGES_OUT_OPERATOR, Measure.RESOLVED):
            counts[measure] += n
        elif subject == str(filters.operator_id):
            counts[measure] += n
    rows = []
    for offset in range(filters.days):
        day = filters.first + timedelta(days=offset)
        counts = per_day.get(day, Counter())
        rows.append(
            DayRow(
                day=day,
                messages_in=counts[Measure.MESSAGES_IN],
                messages_out_bot=counts[Measure.MESSAGES_OUT_BOT],
                messages_out_operator=counts[Measure.MESSAGES_OUT_OPERATOR],
                opened=counts[Measure.OPENED],
                resolved=counts[Measure.RESOLVED],
                automatic=counts["automatic"],
                to_operator=counts["to_operator"],
            )
        )
    return rows


def _operator_rows(
    operators: dict[int, str],
    daily: dict[tuple[date, str, str], int],
    spans: tuple[Spans, Spans],
    held: Counter[int],
    filters: Filters,
) -> list[OperatorRow]:
    replies: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    for (_, measure, subject), n in daily.items():
        if measure == Measure.MESSAGES_OUT_OPERATOR:
            replies[subject] += n
        elif measure == Measure.RESOLVED:
            resolved[subject] += n
    rows = []
    for operator_id, name in sorted(operators.items(), key=lambda item: item[1].lower()):
        if filters.operator_id is not None and operator_id != filters.operator_id:
            continue
        key = str(operator_id)
        firsts = durations_of(*spans, ReportingEventKind.RESPONSE, first_only=True, operator_id=operator_id)
        if not (replies[key] or resolved[key] or firsts.count or held[operator_id]):
            continue  # nothing to show for someone who did nothing in the period
        rows.append(OperatorRow(operator_id, name, replies[key], resolved[key], firsts, held[operator_id]))
    return rows
