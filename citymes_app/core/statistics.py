"""Counting as we go: the hourly counts and reporting events the managers' dashboard reads, kept in the same
transaction as the activity they count, so they are exact after a crash (what was not committed was not counted).

Whoever stores a message, opens or resolves a conversation calls `count` (or `message_stored`); the counts gather in
the session and are written once, as upserts, just before it commits (`_write_tally`): a batch of a hundred messages
costs a few statements, not a hundred. A rollback forgets them with the rest. `rebuild` recomputes a tenant's counts
from the messages, conversations and reporting events, and must agree with what was kept live.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, delete, select

from citymes_app.core.office_time import office_seconds
from citymes_app.core.service_times import bucket
from citymes_app.models import (
    Author,
    Conversation,
    DailyCount,
    Direction,
    HourlyCount,
    Measure,
    Message,
    ReportingEvent,
    ReportingEventKind,
    Tenant,
    row_id,
    table_of,
)

TALLY = "citymes.statistics_tally"
UNKNOWN_OUTCOME = "unknown"  # citizens' messages stored before their routing outcome was kept
_DAILY = table_of(DailyCount)
_HOURLY = table_of(HourlyCount)
_DAY_KEY = ("tenant_id", "local_day", "measure", "channel_id", "subject")
_HOUR_KEY = ("tenant_id", "hour", "measure", "channel_id")
_CHUNK = 2000

# (tenant, UTC hour, channel, measure, subject) → how many
Key = tuple[int, datetime, int, str, str]


def hour_of(at: datetime) -> datetime:
    """The UTC hour `at` (aware) falls in."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def count(
    session: Session, *, tenant_id: int, channel_id: int, at: datetime, measure: Measure, subject: str = "", n: int = 1
) -> None:
    """Count `n` of `measure` at `at`; written when `session` commits, forgotten if it rolls back."""
    tally: Counter[Key] = session.info.setdefault(TALLY, Counter())
    tally[(tenant_id, hour_of(at), channel_id, measure.value, subject)] += n


def message_counts(
    *, direction: str, author: str, operator_id: int | None, outcome: str | None, keyword_id: int | None
) -> list[tuple[Measure, str]]:
    """What one stored message counts towards (the live path and the rebuild share this)."""
    if direction == Direction.INBOUND:
        counts = [(Measure.MESSAGES_IN, outcome or UNKNOWN_OUTCOME)]
        if keyword_id is not None:
            counts.append((Measure.KEYWORD_HITS, str(keyword_id)))
        return counts
    if author == Author.OPERATOR:
        return [(Measure.MESSAGES_OUT_OPERATOR, str(operator_id or ""))]
    return [(Measure.MESSAGES_OUT_BOT, "")]


def message_stored(
    session: Session,
    *,
    tenant_id: int,
    channel_id: int,
    at: datetime,
    direction: str,
    author: str,
    operator_id: int | None = None,
    outcome: str | None = None,
    keyword_id: int | None = None,
) -> None:
    """Count a message just stored (`at` is its `created_at`)."""
    for measure, subject in message_counts(
        direction=direction, author=author, operator_id=operator_id, outcome=outcome, keyword_id=keyword_id
    ):
        count(session, tenant_id=tenant_id, channel_id=channel_id, at=at, measure=measure, subject=subject)


# --- Response and resolution times ------------------------------------------------------------------------


def _span(
    session: Session,
    *,
    tenant: Tenant,
    conversation: Conversation,
    kind: ReportingEventKind,
    started_at: datetime,
    ended_at: datetime,
    operator_id: int | None,
    first: bool = False,
) -> ReportingEvent:
    seconds = max(0, int((ended_at - started_at).total_seconds()))
    office = int(office_seconds(session, tenant=tenant, start=started_at, end=ended_at))
    span = ReportingEvent(
        tenant_id=conversation.tenant_id,
        conversation_id=row_id(conversation),
        channel_id=conversation.channel_id,
        operator_id=operator_id,
        kind=kind,
        first=first,
        started_at=started_at,
        ended_at=ended_at,
        local_day=ended_at.astimezone(ZoneInfo(tenant.timezone)).date(),
        seconds=seconds,
        office_seconds=office,
        bucket=bucket(seconds),
        office_bucket=bucket(office),
    )
    session.add(span)
    return span


def operator_answered(session: Session, *, tenant: Tenant, conversation: Conversation, operator_id: int, at: datetime) -> None:
    """An operator answered: the wait it ends is a response time (the conversation's first one, if it is)."""
    if conversation.awaiting_since is None:
        return  # nobody was waiting: a message the operator started
    first = conversation.first_response_at is None
    _span(
        session,
        tenant=tenant,
        conversation=conversation,
        kind=ReportingEventKind.RESPONSE,
        started_at=conversation.awaiting_since,
        ended_at=at,
        operator_id=operator_id,
        first=first,
    )
    if first:
        conversation.first_response_at = at
    conversation.awaiting_since = None


def conversation_resolved(
    session: Session, *, tenant: Tenant, conversation: Conversation, operator_id: int | None, at: datetime
) -> None:
    """A conversation was resolved: its resolution time, and one more resolved in the counts."""
    _span(
        session,
        tenant=tenant,
        conversation=conversation,
        kind=ReportingEventKind.RESOLUTION,
        started_at=conversation.created_at,
        ended_at=at,
        operator_id=operator_id,
    )
    conversation.awaiting_since = None
    count(
        session,
        tenant_id=conversation.tenant_id,
        channel_id=conversation.channel_id,
        at=at,
        measure=Measure.RESOLVED,
        subject=str(operator_id or ""),
    )


# --- Writing the counts ------------------------------------------------------------------------------------

# The measures also counted by hour (volumes; their subjects are summed).
HOURLY = frozenset({Measure.MESSAGES_IN, Measure.MESSAGES_OUT_BOT, Measure.MESSAGES_OUT_OPERATOR})
DayKey = tuple[int, date, str, int, str]  # tenant, local day, measure, channel, subject
HourKey = tuple[int, datetime, str, int]  # tenant, UTC hour, measure, channel


@dataclass
class Counts:
    """Counts as the two tables hold them."""

    daily: Counter[DayKey] = field(default_factory=Counter)
    hourly: Counter[HourKey] = field(default_factory=Counter)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Counts):
            return NotImplemented
        return +self.daily == +other.daily and +self.hourly == +other.hourly  # zeros are no rows


def _zones(connection: Connection, tenant_ids: set[int]) -> dict[int, ZoneInfo]:
    table = table_of(Tenant)
    query = sa.select(table.c.id, table.c.timezone).where(table.c.id.in_(tenant_ids))
    return {row.id: ZoneInfo(row.timezone) for row in connection.execute(query)}


def by_table(tally: Counter[Key], zones: dict[int, ZoneInfo]) -> Counts:
    """A tally split into daily rows (days on each tenant's clock) and hourly rows."""
    counts = Counts()
    for (tenant_id, hour, channel_id, measure, subject), n in tally.items():
        counts.daily[(tenant_id, hour.astimezone(zones[tenant_id]).date(), measure, channel_id, subject)] += n
        if measure in HOURLY:
            counts.hourly[(tenant_id, hour, measure, channel_id)] += n
    return counts


def _upsert(connection: Connection, table: Table, key: tuple[str, ...]):  # noqa: ANN202 - INSERT … ON CONFLICT
    return _upsert_for(connection.dialect.name == "postgresql", table, key)


@functools.cache
def _upsert_for(on_postgresql: bool, table: Table, key: tuple[str, ...]):  # noqa: ANN202
    # Built once: composing the statement cost as much as running it, once per batch of messages (py-spy).
    dialect = postgresql if on_postgresql else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(index_elements=list(key), set_={"count": table.c.count + statement.excluded.count})


def _execute_in_chunks(connection: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        connection.execute(statement, rows[start : start + _CHUNK])


def write_counts(connection: Connection, tally: Counter[Key]) -> None:
    """Add `tally` to the stored counts (in key order, so two workers adding to the same rows never deadlock)."""
    zones = _zones(connection, {key[0] for key in tally})
    counts = by_table(tally, zones)
    daily = [
        {"tenant_id": t, "local_day": d, "measure": m, "channel_id": c, "subject": s, "count": n}
        for (t, d, m, c, s), n in sorted(counts.daily.items())
        if n
    ]
    _execute_in_chunks(connection, _upsert(connection, _DAILY, _DAY_KEY), daily)
    hourly = []
    for (t, hour, m, c), n in sorted(counts.hourly.items()):
        local = hour.astimezone(zones[t])
        hourly.append(
            {
                "tenant_id": t,
                "hour": hour,
                "local_day": local.date(),
                "local_hour": local.hour,
                "measure": m,
                "channel_id": c,
                "count": n,
            }
        )
    _execute_in_chunks(connection, _upsert(connection, _HOURLY, _HOUR_KEY), hourly)


@event.listens_for(OrmSession, "before_commit")
def _write_tally(session: OrmSession) -> None:
    tally = session.info.pop(TALLY, None)
    if tally:
        write_counts(session.connection(), tally)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_tally(session: OrmSession, transaction: Any) -> None:
    """A transaction that ended without committing (rolled back, closed) takes its counts with it."""
    if transaction.parent is None:
        session.info.pop(TALLY, None)


# --- Rebuilding from the records ---------------------------------------------------------------------------


def recount(session: Session, *, tenant_id: int) -> Counter[Key]:
    """A tenant's counts worked out from its messages, conversations and resolutions (nothing is written)."""
    tally: Counter[Key] = Counter()

    def add(channel_id: int, at: datetime, measure: Measure | str, subject: str) -> None:
        tally[(tenant_id, hour_of(at), channel_id, str(measure), subject)] += 1

    message = table_of(Message)
    query = sa.select(
        message.c.channel_id,
        message.c.created_at,
        message.c.direction,
        message.c.author,
        message.c.operator_id,
        message.c.outcome,
        message.c.keyword_id,
    ).where(message.c.tenant_id == tenant_id)
    # Streamed in chunks (a server-side cursor on PostgreSQL): a million messages are never all in memory.
    rows: Iterable[Any] = session.connection().execute(query.execution_options(yield_per=_CHUNK))
    for row in rows:
        at = _aware(row.created_at)
        for measure, subject in message_counts(
            direction=row.direction,
            author=row.author,
            operator_id=row.operator_id,
            outcome=row.outcome,
            keyword_id=row.keyword_id,
        ):
            add(row.channel_id, at, measure, subject)
    for channel_id, created_at in session.exec(
        select(Conversation.channel_id, Conversation.created_at).where(Conversation.tenant_id == tenant_id)
    ):
        add(channel_id, _aware(created_at), Measure.OPENED, "")
    for channel_id, ended_at, operator_id in session.exec(
        select(ReportingEvent.channel_id, ReportingEvent.ended_at, ReportingEvent.operator_id).where(
            ReportingEvent.tenant_id == tenant_id, ReportingEvent.kind == ReportingEventKind.RESOLUTION
        )
    ):
        add(channel_id, _aware(ended_at), Measure.RESOLVED, str(operator_id or ""))
    return tally


def stored_counts(session: Session, *, tenant_id: int) -> Counts:
    """A tenant's counts as kept."""
    counts = Counts()
    for d in session.exec(select(DailyCount).where(DailyCount.tenant_id == tenant_id)):
        counts.daily[(tenant_id, d.local_day, d.measure, d.channel_id, d.subject)] += d.count
    for h in session.exec(select(HourlyCount).where(HourlyCount.tenant_id == tenant_id)):
        counts.hourly[(tenant_id, _aware(h.hour), h.measure, h.channel_id)] += h.count
    return counts


def recounted(session: Session, *, tenant_id: int) -> Counts:
    """A tenant's counts as a rebuild would write them."""
    return by_table(recount(session, tenant_id=tenant_id), _zones(session.connection(), {tenant_id}))


def rebuild(session: Session, *, tenant_id: int) -> int:
    """Replace a tenant's counts with a recount of its records (the caller commits); how many events it counted.

    What this session wrote and counted before is in the recount already (flushed first), so its counts waiting for
    the commit are dropped: counted twice otherwise."""
    session.flush()
    waiting: Counter[Key] = session.info.get(TALLY) or Counter()
    for key in [key for key in waiting if key[0] == tenant_id]:
        del waiting[key]
    tally = recount(session, tenant_id=tenant_id)
    session.execute(delete(DailyCount).where(col(DailyCount.tenant_id) == tenant_id))
    session.execute(delete(HourlyCount).where(col(HourlyCount.tenant_id) == tenant_id))
    write_counts(session.connection(), tally)
    return sum(tally.values())


def _aware(at: datetime) -> datetime:
    """A datetime read by a Core select on SQLite comes back as the type decorator made it; keep it aware UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
