"""The managers' figures on a small fixed town, computed by hand: office-hours arithmetic across a weekend, a Catalan
holiday and the clock changes; counts kept live equal to a rebuild after a random run with a crash in it."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from citymes_app import models
from citymes_app.core import auth, figures_query, hours, inbox, pipeline, statistics, tenants
from citymes_app.core.events import EventBus
from citymes_app.core.figures import Filters
from citymes_app.core.ingest import Ingestor
from citymes_app.core.office_time import office_seconds
from citymes_app.models import Channel, Conversation, Message, Tenant, row_id
from integrations.base import Channel as PlatformChannel
from integrations.base import InboundMessage, MessageKind
from tests.helpers import replace_keywords

MADRID = ZoneInfo("Europe/Madrid")
KEYWORDS = 'keyword,response,language\nHORARIS,"De dilluns a divendres, de 8 a 19 h.",ca\n'


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MADRID)


@pytest.fixture
def town(engine: Engine) -> dict:
    with Session(engine) as session:
        tenant = tenants.add_tenant(session, slug="vila", name="Vila")
        channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="Bot")
        staff = {}
        for email, name in (("laia@vila.cat", "Laia"), ("marc@vila.cat", "Marc"), ("cap@vila.cat", "Cap")):
            operator = auth.add_operator(session, tenant=tenant, email=email, password="a long password", display_name=name)
            staff[name] = auth.SignedInOperator(row_id(operator), row_id(tenant), "vila", "Vila", email, name, "operator")
        replace_keywords(session, tenant, KEYWORDS)
        session.commit()
        return {"tenant": row_id(tenant), "channel": row_id(channel), "staff": staff}


class Town:
    """Citizens writing (through the ingest path the webhooks use) and operators answering, at given times."""

    def __init__(self, engine: Engine, town: dict, tmp_path: Path) -> None:
        self.engine, self.tenant_id, self.channel_id, self.staff = engine, town["tenant"], town["channel"], town["staff"]
        self.ingestor = Ingestor(engine=engine, bus=EventBus(), media_dir=tmp_path / "media")
        self.sent = 0

    async def says(self, chat: int, at: datetime, text: str = "", **extra: object) -> int:
        self.sent += 1
        kind = MessageKind.LOCATION if "latitude" in extra else MessageKind.TEXT
        inbound = InboundMessage(
            platform_message_id=f"m{self.sent}",
            sender_id=str(chat),
            address=str(chat),
            kind=kind,
            sent_at=at.astimezone(UTC),
            sender_name=f"Citizen {chat}",
            text=text,
            **extra,  # type: ignore[arg-type]
        )
        # No media in these messages: the platform channel (which only downloads media) is never asked.
        result = await self.ingestor.ingest(channel_id=self.channel_id, channel=cast(PlatformChannel, None), inbound=inbound)
        assert result.conversation_id is not None
        return result.conversation_id

    def replies(self, name: str, conversation_id: int, at: datetime) -> None:
        with Session(self.engine) as session:
            inbox.reply(session, operator=self.staff[name], conversation_id=conversation_id, text="Ara ho mirem.", at=at)
            session.commit()

    def resolves(self, name: str, conversation_id: int, at: datetime) -> None:
        with Session(self.engine) as session:
            operator_id = self.staff[name].operator_id
            inbox.resolve(session, tenant_id=self.tenant_id, conversation_id=conversation_id, operator_id=operator_id, at=at)
            session.commit()

    def dashboard(self, first: date, last: date, **filters: int | str):  # noqa: ANN201
        with Session(self.engine) as session:
            return figures_query.dashboard(session, self.tenant_id, Filters(first=first, last=last, **filters))  # type: ignore[arg-type]

    def counts_agree(self) -> None:
        with Session(self.engine) as session:
            kept = statistics.stored_counts(session, tenant_id=self.tenant_id)
            assert kept.daily, "nothing was counted"
            assert kept == statistics.recounted(session, tenant_id=self.tenant_id)


# --- Office hours ------------------------------------------------------------------------------------------


def test_a_weekend_counts_nothing_a_catalan_holiday_neither_and_local_holidays_too(engine: Engine, town: dict) -> None:
    with Session(engine) as session:
        tenant = session.get_one(Tenant, town["tenant"])
        # Friday 18:55 → Monday 8:05: five minutes on Friday, five on Monday.
        assert office_seconds(session, tenant=tenant, start=local(2026, 11, 20, 18, 55), end=local(2026, 11, 23, 8, 5)) == 600
        # Thursday 18:00 → Monday 9:00 over the Diada (Friday 11 September, Catalonia): one hour each side.
        assert office_seconds(session, tenant=tenant, start=local(2026, 9, 10, 18), end=local(2026, 9, 14, 9)) == 7200
        hours.add_local_holiday(session, tenant_id=row_id(tenant), day=date(2026, 9, 14), name="Festa major")
        assert office_seconds(session, tenant=tenant, start=local(2026, 9, 10, 18), end=local(2026, 9, 14, 9)) == 3600
        # Inside one slot, and backwards.
        assert office_seconds(session, tenant=tenant, start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 9, 30)) == 1800
        assert office_seconds(session, tenant=tenant, start=local(2026, 11, 24, 10), end=local(2026, 11, 24, 9)) == 0


def test_the_clock_changes_make_a_sunday_morning_slot_eleven_or_thirteen_hours_long(engine: Engine, town: dict) -> None:
    with Session(engine) as session:
        tenant = session.get_one(Tenant, town["tenant"])
        slots = [(day, "08:00", "19:00") for day in range(5)] + [(6, "00:00", "12:00")]
        hours.set_schedule(session, tenant_id=row_id(tenant), slots=slots)
        # Saturday 20:00 → Monday 9:00: Sunday 0–12 (11 real hours in March, 13 in October) and Monday 8–9.
        spring = office_seconds(session, tenant=tenant, start=local(2026, 3, 28, 20), end=local(2026, 3, 30, 9))
        autumn = office_seconds(session, tenant=tenant, start=local(2026, 10, 24, 20), end=local(2026, 10, 26, 9))
        assert (spring, autumn) == (12 * 3600, 14 * 3600)


# --- The figures of a small town, by hand -------------------------------------------------------------------


async def test_every_figure_of_a_small_week_matches_the_hand_count(engine: Engine, town: dict, tmp_path: Path) -> None:
    vila = Town(engine, town, tmp_path)
    # Monday 16 November, 10:00: a keyword answers (one automatic answer).
    await vila.says(1, local(2026, 11, 16, 10), "horaris")
    # Friday 18:55: a question for an operator (and the waiting notice); Laia answers on Monday at 8:05, resolves at 9.
    waiting = await vila.says(2, local(2026, 11, 20, 18, 55), "el contenidor del carrer major fa pudor")
    vila.replies("Laia", waiting, local(2026, 11, 23, 8, 5))
    vila.resolves("Laia", waiting, local(2026, 11, 23, 9))
    # Thursday noon: a location (notice), a text while waiting (no second notice); Marc answers at 12:31; the citizen
    # writes again at 13:00 (a new wait, a new notice) and Marc answers at 14:00.
    located = await vila.says(3, local(2026, 11, 19, 12), latitude=41.5402, longitude=2.4441)
    await vila.says(3, local(2026, 11, 19, 12, 1), "hola, aquí hi ha un forat")
    vila.replies("Marc", located, local(2026, 11, 19, 12, 31))
    await vila.says(3, local(2026, 11, 19, 13), "i una altra cosa")
    vila.replies("Marc", located, local(2026, 11, 19, 14))
    # Sunday 22 November, 11:00: a keyword again.
    await vila.says(4, local(2026, 11, 22, 11), "HORARIS")

    figures = vila.dashboard(date(2026, 11, 16), date(2026, 11, 23))
    totals = figures.totals
    # The bot answers as it reads (now, not when these messages were sent): two keyword answers and three notices.
    assert (totals.messages_in, totals.messages_out_bot, totals.messages_out_operator) == (6, 0, 3)
    today = models.utcnow().astimezone(MADRID).date()
    assert vila.dashboard(today - timedelta(days=1), today + timedelta(days=1)).totals.messages_out_bot == 5
    assert (totals.opened, totals.resolved, totals.open_now, totals.waiting_now) == (4, 1, 3, 0)
    assert (totals.automatic, totals.clarified, totals.to_operator) == (2, 0, 4)
    assert totals.automatic_share == pytest.approx(2 / 6)
    assert [
        (d.day.day, d.messages_in, d.messages_out_operator) for d in figures.by_day if d.messages_in or d.messages_out_operator
    ] == [
        (16, 1, 0),
        (19, 3, 2),
        (20, 1, 0),
        (22, 1, 0),
        (23, 0, 1),
    ]
    # First responses: 600 s of office time (61 h 10 min on the clock, kept to the hour: 61 h) and 31 minutes.
    first = figures.first_response
    assert (first.count, first.median_office_seconds, first.p90_office_seconds) == (2, 1230, 1860)
    assert (first.median_seconds, first.p90_seconds) == ((1860 + 219_600) / 2, 219_600)
    assert (figures.responses.count, figures.responses.median_office_seconds, figures.responses.p90_office_seconds) == (
        3,
        1860,
        3600,
    )
    assert (figures.resolution.count, figures.resolution.median_office_seconds, figures.resolution.median_seconds) == (
        1,
        3900,
        223_200,  # 62 h 5 min, kept to the hour
    )
    by_name = {row.name: row for row in figures.operators}
    assert set(by_name) == {"Laia", "Marc"}  # Cap did nothing
    assert (by_name["Laia"].replies, by_name["Laia"].resolved, by_name["Laia"].first_response.median_office_seconds) == (
        1,
        1,
        600,
    )
    assert (by_name["Marc"].replies, by_name["Marc"].assigned_open_now, by_name["Marc"].first_response.count) == (2, 1, 1)
    assert [(k.keyword, k.hits, k.previous_hits) for k in figures.keywords] == [("HORARIS", 2, 0)]
    heat = {(c.weekday, c.hour): c.messages_in for c in figures.heatmap if c.messages_in}
    assert heat == {(0, 10): 1, (3, 12): 2, (3, 13): 1, (4, 18): 1, (6, 11): 1}
    assert {h.hour: h.messages_in for h in figures.by_hour if h.messages_in} == {10: 1, 11: 1, 12: 2, 13: 1, 18: 1}
    assert [(p.latitude, p.longitude, p.count) for p in figures.locations] == [(41.5402, 2.4441, 1)]
    assert [(u.text, u.times_asked) for u in figures.unanswered] == [
        ("el contenidor del carrer major fa pudor", 1),
        ("hola aqui hi ha un forat", 1),
        ("i una altra cosa", 1),
    ]
    # Narrowed to Laia, to the week before (the keyword's trend), and to another platform.
    assert [
        row.name
        for row in vila.dashboard(date(2026, 11, 16), date(2026, 11, 23), operator_id=by_name["Laia"].operator_id).operators
    ] == ["Laia"]
    later = vila.dashboard(date(2026, 11, 24), date(2026, 12, 1))
    assert (later.totals.messages_in, [(k.hits, k.previous_hits) for k in later.keywords]) == (0, [])
    assert vila.dashboard(date(2026, 11, 16), date(2026, 11, 23), platform="whatsapp").totals.messages_in == 0
    vila.counts_agree()


async def test_days_of_23_and_25_hours_count_every_local_hour_once(engine: Engine, town: dict, tmp_path: Path) -> None:
    vila = Town(engine, town, tmp_path)
    # 29 March 2026: 2:00 becomes 3:00. 25 October: 3:00 becomes 2:00, so 2:30 happens twice.
    await vila.says(1, datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "horaris")  # 1:30 local
    await vila.says(1, datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "horaris")  # 3:30 local
    await vila.says(2, datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "horaris")  # 2:30 summer time
    await vila.says(2, datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "horaris")  # 2:30 winter time
    await vila.says(2, datetime(2026, 10, 25, 22, 59, tzinfo=UTC), "horaris")  # 23:59 local: still the 25th
    spring = vila.dashboard(date(2026, 3, 29), date(2026, 3, 29))
    assert spring.totals.messages_in == 2
    assert {(c.hour, c.messages_in) for c in spring.heatmap if c.messages_in} == {(1, 1), (3, 1)}
    autumn = vila.dashboard(date(2026, 10, 25), date(2026, 10, 25))
    assert [d.messages_in for d in autumn.by_day] == [3]
    assert {(c.weekday, c.hour, c.messages_in) for c in autumn.heatmap if c.messages_in} == {(6, 2, 2), (6, 23, 1)}
    vila.counts_agree()


async def test_the_map_shows_the_places_citizens_sent_not_the_pins_the_town_hall_sends(
    engine: Engine, town: dict, tmp_path: Path
) -> None:
    vila = Town(engine, town, tmp_path)
    pothole = await vila.says(5, local(2026, 11, 18, 10), latitude=41.5402, longitude=2.4441)
    with Session(engine) as session:  # Laia answers with the office's pin
        inbox.send_location(session, operator=vila.staff["Laia"], conversation_id=pothole, latitude=41.5381, longitude=2.4445)
        session.commit()
        assert len(session.exec(select(Message).where(col(Message.latitude).is_not(None))).all()) == 2
        if engine.dialect.name == "sqlite":  # the map reads its partial index, not the messages
            query = figures_query.locations_query(vila.tenant_id, None, local(2026, 11, 18), local(2026, 11, 19))
            compiled = query.compile(engine)
            plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), tuple(compiled.params.values()))
            assert "ix_message_location" in " ".join(str(row) for row in plan)
    figures = vila.dashboard(date(2026, 11, 18), date(2026, 11, 18))
    assert [(p.latitude, p.longitude, p.count) for p in figures.locations] == [(41.5402, 2.4441, 1)]


# --- Kept live = rebuilt -------------------------------------------------------------------------------------


async def test_counts_kept_live_equal_a_rebuild_after_a_random_run_and_a_crash(
    engine: Engine, town: dict, tmp_path: Path
) -> None:
    vila = Town(engine, town, tmp_path)
    rng = random.Random(11)
    start = local(2026, 10, 20, 7)
    conversations: set[int] = set()
    for step in range(120):
        at = start + timedelta(minutes=37 * step + rng.randrange(30))
        chat = rng.randrange(1, 15)
        roll = rng.random()
        if roll < 0.35:
            conversations.add(await vila.says(chat, at, rng.choice(["horaris", "HORARIS si us plau", "vull parlar amb algú"])))
        elif roll < 0.5:
            conversations.add(await vila.says(chat, at, latitude=41.54 + rng.random() / 50, longitude=2.44 + rng.random() / 50))
        elif roll < 0.8 and conversations:
            with Session(engine) as session:
                open_ones = sorted(
                    c.id
                    for c in session.exec(select(Conversation).where(Conversation.status != "resolved"))
                    if c.id in conversations
                )
            if open_ones:
                vila.replies(rng.choice(["Laia", "Marc"]), rng.choice(open_ones), at)
        elif conversations:
            with Session(engine) as session:
                open_ones = sorted(row_id(c) for c in session.exec(select(Conversation).where(Conversation.status != "resolved")))
            if open_ones:
                vila.resolves(rng.choice(["Laia", "Marc"]), rng.choice(open_ones), at)
        if step == 60:
            # A crash in the middle of a transaction: a message stored and answered, never committed.
            with Session(engine) as session:
                channel = session.get_one(Channel, vila.channel_id)
                inbound = InboundMessage("lost", "99", "99", MessageKind.TEXT, at, text="horaris")
                pipeline.receive(session, channel=channel, inbound=inbound)
                session.flush()  # written, then the process dies: the session closes without a commit
    with Session(engine) as session:
        assert session.exec(select(Message).where(Message.platform_message_id == "lost")).first() is None
        stored = session.exec(select(Message)).all()
        assert len(stored) > 150
    # The same delivery twice at once: stored and counted once.
    duplicate = InboundMessage("m1", "1", "1", MessageKind.TEXT, start, text="horaris")
    assert (
        await vila.ingestor.ingest(channel_id=vila.channel_id, channel=cast(PlatformChannel, None), inbound=duplicate)
    ).duplicate
    vila.counts_agree()
    year = vila.dashboard(date(2026, 1, 1), date(2026, 12, 31))
    with Session(engine) as session:
        assert year.totals.messages_in == len(session.exec(select(Message).where(Message.direction == "in")).all())
        statistics.rebuild(session, tenant_id=vila.tenant_id)
        session.commit()
    assert vila.dashboard(date(2026, 1, 1), date(2026, 12, 31)).totals == year.totals
    vila.counts_agree()


def test_spans_are_kept_to_the_minute_under_four_hours_and_coarser_beyond() -> None:
    from citymes_app.core.service_times import bucket

    minute, hour, day = 60, 3600, 86400
    assert [bucket(s) for s in (59, 61, 3 * hour + 59 * minute + 59)] == [0, 1, 239]
    assert [bucket(s) for s in (4 * hour + 9 * minute, 47 * hour + 59 * minute)] == [240, 47 * 60 + 50]
    assert [bucket(s) for s in (2 * day + 59 * minute, 13 * day + 23 * hour + 59 * minute)] == [2880, 13 * 1440 + 23 * 60]
    assert bucket(20 * day + 5 * hour) == 20 * 1440


def test_a_short_period_reads_its_spans_by_day_as_a_long_one_counts_them_by_bucket(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citymes_app import demo
    from citymes_app.core import service_times
    from citymes_app.demo_history import HistoryPlan, generate_history

    until = datetime(2026, 11, 24, 9, tzinfo=UTC)
    report, _ = generate_history(engine, slug=demo.DEMO_SLUG, plan=HistoryPlan(messages=3000, days=120, until=until), queue=False)
    filters = Filters(first=date(2026, 9, 1), last=date(2026, 11, 24), operator_id=None)
    with Session(engine) as session:
        by_day = service_times.spans_of(session, report.tenant_id, None, filters)
        monkeypatch.setattr(service_times, "SHORT_PERIOD_DAYS", 0)
        by_bucket = service_times.spans_of(session, report.tenant_id, None, filters)
    assert sum(sum(minutes.values()) for minutes in by_day[0].values()) > 100
    assert by_day == by_bucket
