"""A year of a town's activity for the demo and the benchmarks: `python -m citymes_app.cli demo --history --messages N`.

Citizens (and their platform identities), conversations, messages, the reporting events of response and resolution
times, and the questions no keyword answered are written with SQLAlchemy Core bulk inserts (executemany, in chunks,
one transaction), their ids assigned here (PostgreSQL's sequences are moved past them afterwards). A million messages
take about a minute on SQLite. Then `core.statistics.rebuild` recounts the tenant's daily and hourly counts from
those records, so the dashboard's figures are exactly what a live town that had this year would show.

Who writes what and when is `demo_script`; the day and hour weights and office time are `demo_calendar`; the texts
are `demo_texts`; the rows written are `demo_rows`. The same seed and end give the same history. Photos and videos
are only messages of that kind with a caption: their files do not exist (no `media_path`), so the inbox shows them
without a picture. Nothing here logs a message's text or a phone number.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from citymes_app import demo, demo_rows, demo_texts
from citymes_app.core import clock, replies, statistics, tenants
from citymes_app.core.office_time import office_calendar
from citymes_app.demo_calendar import DAY, DemoCalendar
from citymes_app.demo_script import OPERATOR_SHARE, Cast, KeywordLine, conversation
from citymes_app.models import (
    Citizen,
    CitizenIdentity,
    Keyword,
    Message,
    Operator,
    PersonalCode,
    Role,
    Tenant,
    row_id,
)

CHUNK = 2000  # conversations written per round (their messages: about ten times as many rows)
RETURNING = 0.35  # conversations opened by a citizen who wrote before (at least two weeks earlier)
LANGUAGES = (("ca", 0.55), ("es", 0.40), ("en", 0.05))
PLATFORM_SHARE = {"whatsapp": 0.6, "telegram": 0.4}
OPERATOR_WEIGHT = {Role.OPERATOR: 1.0, Role.MANAGER: 0.15, Role.ADMIN: 0.1}


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


def _citizens(rng: random.Random, starts: list[int], channels: list[tuple[int, str]]) -> tuple[demo_rows.Town, list[int]]:
    """Which citizen opens each conversation (a returning one, or someone new), and the town's citizens."""
    town = demo_rows.Town([], [], [])
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
    written = demo_rows.Written()
    with engine.begin() as connection:
        ids = demo_rows.next_ids(connection)
        first_citizen = ids["citizen"]
        demo_rows.insert(connection, Citizen, list(demo_rows.citizen_rows(rng, tenant_id, town, first_citizen, channels)))
        demo_rows.insert(
            connection, CitizenIdentity, list(demo_rows.identity_rows(tenant_id, town, first_citizen, channels, ids))
        )
        for begin in range(0, count, CHUNK):
            batch = demo_rows.Batch(tenant_id, calendar, ids)
            for n in range(begin, min(begin + CHUNK, count)):
                citizen = citizen_of[n]
                script = conversation(
                    rng, cast, start=starts[n], length=lengths[n], language=town.language[citizen], waits=waits[n]
                )
                batch.add(script, citizen_id=first_citizen + citizen, channel=channels[town.channel[citizen]])
            batch.write(connection)
            written.add(batch)
        demo_rows.moved_sequences(connection)
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


def has_activity(engine: Engine, *, slug: str) -> bool:
    """Whether the tenant `slug` exists and has messages already (`make run` adds a history only to a quiet town)."""
    with Session(engine) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == slug)).first()
        return (
            tenant is not None
            and session.exec(select(Message.id).where(Message.tenant_id == tenant.id).limit(1)).first() is not None
        )


def generate_history(engine: Engine, *, slug: str, plan: HistoryPlan, queue: bool = True) -> tuple[HistoryReport, int]:
    """Load the demo town first if `slug` is the demo's and it is missing (with its queue of citizens waiting, unless
    `queue` is false), write `plan`'s history into the tenant, then rebuild its statistics from the records; the report
    and how many events the rebuild counted."""
    plan = plan.checked()
    with Session(engine, expire_on_commit=False) as session:
        if slug == demo.DEMO_SLUG:
            demo.load_demo(session, queue=queue)
            session.commit()
        tenant_id = row_id(tenants.require_tenant(session, slug=slug))
    report = write_history(engine, tenant_id=tenant_id, plan=plan)
    with Session(engine) as session:
        counted = statistics.rebuild(session, tenant_id=tenant_id)
        session.commit()
    return report, counted
