"""A year of a town's activity for the demo and the benchmarks: `python -m citymes_app.cli demo --history --messages N`.

Citizens (and their platform identities), conversations, messages, the reporting events of response and resolution
times, and the questions no keyword answered are written with SQLAlchemy Core bulk inserts (executemany, in chunks,
one transaction), their ids assigned here (PostgreSQL's sequences are moved past them afterwards). A million messages
take about a minute on SQLite. Then `core.statistics.rebuild` recounts the tenant's daily and hourly counts from
those records, so the dashboard's figures are exactly what a live town that had this year would show.

Who writes what and when is `demo_script`; the day and hour weights and office time are `demo_calendar`; the texts
are `demo_texts`. The same seed and end give the same history. Photos and videos are only messages of that kind
with a caption: their files do not exist (no `media_path`), so the inbox shows them without a picture. Nothing here
logs a message's text or a phone number.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from citymes_app import demo, demo_texts
from citymes_app.core import clock, replies, statistics, tenants
from citymes_app.core.matching import normalize
from citymes_app.core.office_time import office_calendar
from citymes_app.core.pipeline import preview
from citymes_app.core.routing import AnswerOutcome, unmatched_query
from citymes_app.core.service_times import bucket
from citymes_app.demo_calendar import DAY, DemoCalendar
from citymes_app.demo_script import OPERATOR_SHARE, Cast, KeywordLine, Script, conversation
from citymes_app.models import (
    Citizen,
    CitizenIdentity,
    Conversation,
    ConversationStatus,
    Direction,
    Keyword,
    Message,
    Operator,
    PersonalCode,
    ReportingEvent,
    Role,
    Tenant,
    UnmatchedQuery,
    row_id,
    table_of,
)
from integrations.base import MessageKind

CHUNK = 2000  # conversations written per round (their messages: about ten times as many rows)
ROW_CHUNK = 5000  # rows per executemany
RETURNING = 0.35  # conversations opened by a citizen who wrote before (at least two weeks earlier)
LANGUAGES = (("ca", 0.55), ("es", 0.40), ("en", 0.05))
PLATFORM_SHARE = {"whatsapp": 0.6, "telegram": 0.4}
OPERATOR_WEIGHT = {Role.OPERATOR: 1.0, Role.MANAGER: 0.15, Role.ADMIN: 0.1}
MEDIA_MIME = {MessageKind.PHOTO: "image/jpeg", MessageKind.VIDEO: "video/mp4"}
_TABLES = (Citizen, CitizenIdentity, Conversation, Message, ReportingEvent, UnmatchedQuery)


class HistoryError(ValueError):
    """A history that cannot be generated as asked (the message says what to ask instead)."""


@dataclass(frozen=True)
class HistoryPlan:
    """How much history, ending when (`until`, aware; default the start of the current hour), from which seed."""

    messages: int
    conversations: int | None = None  # default: a tenth of the messages
    seed: int = 1
    days: int = 365
    until: datetime | None = None

    @property
    def conversation_count(self) -> int:
        return self.conversations if self.conversations is not None else max(1, self.messages // 10)

    def checked(self) -> HistoryPlan:
        """This plan, or `HistoryError` saying what is wrong with it."""
        if self.messages < 2:
            raise HistoryError("--messages must be at least 2")
        if self.conversation_count < 1:
            raise HistoryError("--conversations must be at least 1")
        if self.messages < 2 * self.conversation_count:
            raise HistoryError(
                f"{self.conversation_count} conversations need at least {2 * self.conversation_count} messages "
                "(each has a question and an answer): ask for fewer conversations or more messages"
            )
        if not 1 <= self.days <= 3660:
            raise HistoryError("--days must be between 1 and 3660")
        return self


@dataclass(frozen=True)
class HistoryReport:
    """What was written (no texts: counts only)."""

    tenant_id: int
    messages: int
    conversations: int
    citizens: int
    reporting_events: int
    unanswered_questions: int
    first_day: date
    last_day: date


def _current_hour() -> datetime:
    return clock.now().replace(minute=0, second=0, microsecond=0)


def _cast(session: Session, tenant: Tenant, calendar: DemoCalendar, until: int) -> Cast:
    tenant_id = row_id(tenant)
    coded = set(session.exec(select(PersonalCode.keyword_id).where(PersonalCode.tenant_id == tenant_id)))
    by_language: dict[str, list[KeywordLine]] = {"": []}
    for k in session.exec(select(Keyword).where(Keyword.tenant_id == tenant_id).order_by(col(Keyword.id))):
        pin = (k.latitude, k.longitude) if k.latitude is not None and k.longitude is not None else None
        line = KeywordLine(
            row_id(k), k.language, demo_texts.keyword_spellings(k.keyword, k.synonyms, k.examples), k.response, pin, k.id in coded
        )
        by_language.setdefault(k.language, []).append(line)
        by_language[""].append(line)
    staff = session.exec(select(Operator).where(Operator.tenant_id == tenant_id, col(Operator.active)).order_by(col(Operator.id)))
    operators = [(row_id(o), OPERATOR_WEIGHT.get(Role(o.role), 0.1)) for o in staff]
    notices = {
        (language, office_open): replies.text(tenant, language, "in_hours" if office_open else "out_of_hours_unknown")
        for language, _ in LANGUAGES
        for office_open in (True, False)
    }
    return Cast(
        keywords=by_language if by_language[""] else {},
        operators=[o for o, _ in operators],
        operator_weights=[w for _, w in operators],
        notices=notices,
        calendar=calendar,
        until=until,
    )


def _next_ids(connection: Connection) -> dict[str, int]:
    ids = {}
    for model in _TABLES:
        table = table_of(model)
        ids[table.name] = int(connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1
    return ids


def _insert(connection: Connection, model: type, rows: list[dict[str, Any]]) -> None:
    table = table_of(model)
    for start in range(0, len(rows), ROW_CHUNK):
        connection.execute(sa.insert(table), rows[start : start + ROW_CHUNK])


def _moved_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from sequences, which did not see the ids written here: move them past them."""
    if connection.dialect.name != "postgresql":
        return
    for model in _TABLES:
        name = table_of(model).name
        connection.execute(
            sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM \"{name}\"))")  # noqa: S608 - our table names
        )


def _at(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, UTC)


@dataclass
class _Town:
    """The citizens of the history and the channel each writes on."""

    channel: list[int]  # by citizen number
    language: list[str]
    first: list[int]  # their first conversation's start


def _citizens(rng: random.Random, starts: list[int], channels: list[tuple[int, str]]) -> tuple[_Town, list[int]]:
    """Which citizen opens each conversation (a returning one, or someone new), and the town's citizens."""
    town = _Town([], [], [])
    weights = [PLATFORM_SHARE.get(platform, 0.2) for _, platform in channels]
    citizen_of: list[int] = []
    for at in starts:
        earlier = bisect.bisect_right(starts, at - 14 * DAY, hi=len(citizen_of))
        if earlier and rng.random() < RETURNING:
            citizen_of.append(citizen_of[rng.randrange(earlier)])
            continue
        citizen_of.append(len(town.channel))
        town.channel.append(rng.choices(range(len(channels)), weights=weights)[0])
        town.language.append(rng.choices([lang for lang, _ in LANGUAGES], weights=[w for _, w in LANGUAGES])[0])
        town.first.append(at)
    return town, citizen_of


def _lengths(rng: random.Random, messages: int, waits: list[bool]) -> list[int]:
    """Each conversation's number of messages: at least two, longer when an operator is involved, `messages` in all."""
    spare = messages - 2 * len(waits)
    weights = [(1.6 if w else 1.0) * rng.expovariate(1.0) for w in waits]
    total = sum(weights) or 1.0
    lengths = [2 + int(spare * w / total) for w in weights]
    for n in rng.sample(range(len(waits)), messages - sum(lengths)):
        lengths[n] += 1
    return lengths


def write_history(engine: Engine, *, tenant_id: int, plan: HistoryPlan) -> HistoryReport:
    """Write `plan`'s history into the tenant's records (its counts are not touched: `rebuild` them after)."""
    plan = plan.checked()
    rng = random.Random(plan.seed)
    until_at = plan.until or _current_hour()
    until = int(until_at.timestamp())
    start = until - plan.days * int(DAY)
    with Session(engine) as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise HistoryError(f"no tenant with id {tenant_id}")
        channels = [(row_id(c), c.platform) for c in tenants.list_channels(session, tenant_id=tenant_id)]
        if not channels:
            raise HistoryError(f"tenant '{tenant.slug}' has no channel: add one with `cli channel add {tenant.slug} ...`")
        zone = ZoneInfo(tenant.timezone)
        first_day, last_day = datetime.fromtimestamp(start, zone).date(), datetime.fromtimestamp(until, zone).date()
        # Answers after the end are worked out (and dropped), so the calendar reaches beyond it.
        office = office_calendar(session, tenant=tenant, first=first_day, last=last_day + timedelta(days=61))
        calendar = DemoCalendar(office, start=start, end=until)
        cast = _cast(session, tenant, calendar, until)
    if not cast.keywords or not cast.operators:
        missing = "keywords (`cli keywords import`)" if not cast.keywords else "operators (`cli operator add`)"
        raise HistoryError(f"tenant '{tenant.slug}' has no {missing}: the history needs both")
    count = plan.conversation_count
    starts = sorted(int(calendar.conversation_start(rng)) for _ in range(count))
    town, citizen_of = _citizens(rng, starts, channels)
    waits = [rng.random() < OPERATOR_SHARE for _ in range(count)]
    lengths = _lengths(rng, plan.messages, waits)
    written = _Written()
    with engine.begin() as connection:
        ids = _next_ids(connection)
        first_citizen = ids["citizen"]
        _insert(connection, Citizen, list(_citizen_rows(rng, tenant_id, town, first_citizen, channels)))
        _insert(connection, CitizenIdentity, list(_identity_rows(tenant_id, town, first_citizen, channels, ids)))
        for begin in range(0, count, CHUNK):
            batch = _Batch(tenant_id, calendar, ids)
            for n in range(begin, min(begin + CHUNK, count)):
                citizen = citizen_of[n]
                script = conversation(
                    rng, cast, start=starts[n], length=lengths[n], language=town.language[citizen], waits=waits[n]
                )
                batch.add(script, citizen_id=first_citizen + citizen, channel=channels[town.channel[citizen]])
            batch.write(connection)
            written.add(batch)
        _moved_sequences(connection)
    return HistoryReport(
        tenant_id=tenant_id,
        messages=written.messages,
        conversations=written.conversations,
        citizens=len(town.channel),
        reporting_events=written.events,
        unanswered_questions=written.unanswered,
        first_day=calendar.local_day(start),
        last_day=calendar.local_day(until - 1),
    )


def _citizen_rows(
    rng: random.Random, tenant_id: int, town: _Town, first_id: int, channels: list[tuple[int, str]]
) -> Iterator[dict[str, Any]]:
    for n, (channel, language, first) in enumerate(zip(town.channel, town.language, town.first, strict=True)):
        yield {
            "id": first_id + n,
            "tenant_id": tenant_id,
            "display_name": demo_texts.citizen_name(rng),
            "phone": _phone(first_id + n) if channels[channel][1] == "whatsapp" else None,
            "language": language,
            "unreachable": False,
            "created_at": _at(first),
        }


def _phone(citizen_id: int) -> str:
    """An invented Spanish mobile number, one per citizen (a bijection of the id, so never twice)."""
    return f"+3469{citizen_id * 7919 % 10**7:07d}"


def _address(citizen_id: int, platform: str) -> str:
    """Where replies go: the WhatsApp number without its +, or a Telegram chat id."""
    return _phone(citizen_id)[1:] if platform == "whatsapp" else str(7_000_000_000 + citizen_id)


def _identity_rows(
    tenant_id: int, town: _Town, first_id: int, channels: list[tuple[int, str]], ids: dict[str, int]
) -> Iterator[dict[str, Any]]:
    for n, (channel, first) in enumerate(zip(town.channel, town.first, strict=True)):
        platform = channels[channel][1]
        yield {
            "id": ids["citizen_identity"] + n,
            "tenant_id": tenant_id,
            "citizen_id": first_id + n,
            "platform": platform,
            "platform_user_id": _address(first_id + n, platform),
            "created_at": _at(first),
        }


@dataclass
class _Written:
    messages: int = 0
    conversations: int = 0
    events: int = 0
    unanswered: int = 0

    def add(self, batch: _Batch) -> None:
        self.messages += len(batch.messages)
        self.conversations += len(batch.conversations)
        self.events += len(batch.events)
        self.unanswered += len(batch.unanswered)


class _Batch:
    """The rows of a chunk of conversations, ids assigned in order."""

    def __init__(self, tenant_id: int, calendar: DemoCalendar, ids: dict[str, int]) -> None:
        self.tenant_id, self.calendar, self.ids = tenant_id, calendar, ids
        self.conversations: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.unanswered: list[dict[str, Any]] = []
        self._normalized: dict[str, str] = {}

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table] - 1

    def add(self, script: Script, *, citizen_id: int, channel: tuple[int, str]) -> None:
        channel_id, platform = channel
        conversation_id = self._next("conversation")
        last = script.lines[-1]
        inbound = [line.at for line in script.lines if line.direction == Direction.INBOUND]
        waiting = script.awaiting_since is not None
        self.conversations.append(
            {
                "id": conversation_id,
                "tenant_id": self.tenant_id,
                "citizen_id": citizen_id,
                "channel_id": channel_id,
                "address": _address(citizen_id, platform),
                "status": ConversationStatus.RESOLVED if script.resolved_at is not None else ConversationStatus.OPEN,
                "assigned_operator_id": script.assigned,
                "awaiting_operator": waiting,
                "waiting_notice_sent": waiting,
                "unread_count": script.unread if waiting else 0,
                "last_message_preview": preview(last.kind, last.text),
                "last_message_at": _at(last.at),
                "last_inbound_at": _at(inbound[-1]) if inbound else None,
                "awaiting_since": _at(script.awaiting_since) if waiting and script.awaiting_since else None,
                "first_response_at": _at(script.first_response_at) if script.first_response_at else None,
                "created_at": _at(script.start),
            }
        )
        for line in script.lines:
            message_id = self._next("message")
            created = _at(line.at)
            inbound_line = line.direction == Direction.INBOUND
            self.messages.append(
                {
                    "id": message_id,
                    "tenant_id": self.tenant_id,
                    "conversation_id": conversation_id,
                    "channel_id": channel_id,
                    "direction": line.direction,
                    "author": line.author,
                    "operator_id": line.operator_id,
                    "kind": line.kind,
                    "text": line.text,
                    "media_mime": MEDIA_MIME.get(MessageKind(line.kind)),
                    "latitude": line.latitude,
                    "longitude": line.longitude,
                    "buttons": "",
                    "outcome": line.outcome,
                    "keyword_id": line.keyword_id,
                    "platform_message_id": f"history-{message_id}",
                    "status": "received" if inbound_line else "read",
                    "created_at": created,
                    "sent_at": None if inbound_line else created + timedelta(seconds=1),
                }
            )
            if inbound_line and line.kind == MessageKind.TEXT and line.outcome == AnswerOutcome.OPERATOR:
                self._unanswered(line.text, channel_id, created)
        for span in script.spans:
            seconds = span.ended - span.started
            office = self.calendar.office_between(span.started, span.ended)
            self.events.append(
                {
                    "id": self._next("reporting_event"),
                    "tenant_id": self.tenant_id,
                    "conversation_id": conversation_id,
                    "channel_id": channel_id,
                    "operator_id": span.operator_id,
                    "kind": span.kind,
                    "first": span.first,
                    "started_at": _at(span.started),
                    "ended_at": _at(span.ended),
                    "local_day": self.calendar.local_day(span.ended),
                    "seconds": seconds,
                    "office_seconds": office,
                    "bucket": bucket(seconds),
                    "office_bucket": bucket(office),
                }
            )

    def _unanswered(self, text: str, channel_id: int, at: datetime) -> None:
        normalized = self._normalized.get(text)
        if normalized is None:
            normalized = self._normalized[text] = normalize(text)
        if normalized:
            row = unmatched_query(self.tenant_id, channel_id, normalized, at)
            self.unanswered.append({"id": self._next("unmatched_query"), **row})

    def write(self, connection: Connection) -> None:
        _insert(connection, Conversation, self.conversations)
        _insert(connection, Message, self.messages)
        _insert(connection, ReportingEvent, self.events)
        _insert(connection, UnmatchedQuery, self.unanswered)


def generate_history(engine: Engine, *, slug: str, plan: HistoryPlan) -> tuple[HistoryReport, int]:
    """Load the demo town first if `slug` is the demo's and it is missing, write `plan`'s history into the tenant,
    then rebuild its statistics from the records; the report and how many events the rebuild counted."""
    plan = plan.checked()
    with Session(engine, expire_on_commit=False) as session:
        if slug == demo.DEMO_SLUG:
            demo.load_demo(session)
            session.commit()
        tenant_id = row_id(tenants.require_tenant(session, slug=slug))
    report = write_history(engine, tenant_id=tenant_id, plan=plan)
    with Session(engine) as session:
        counted = statistics.rebuild(session, tenant_id=tenant_id)
        session.commit()
    return report, counted
