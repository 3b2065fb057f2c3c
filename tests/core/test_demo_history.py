"""The demo town's generated year: as many messages and conversations as asked, the same for the same seed, busy on
weekday mornings and quiet on Sunday nights, with counts that a rebuild confirms and a dashboard a manager would
believe (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from citymes_app import demo, demo_texts
from citymes_app.core import figures_query, keywords, statistics, tenants
from citymes_app.core.figures import Filters
from citymes_app.core.matching import MatchStatus
from citymes_app.core.office_time import office_seconds
from citymes_app.demo_history import HistoryError, HistoryPlan, generate_history
from citymes_app.demo_script import TOWN_CENTRE
from citymes_app.models import (
    Citizen,
    Conversation,
    Direction,
    Message,
    ReportingEvent,
    ReportingEventKind,
    Tenant,
    row_id,
    table_of,
)

MESSAGES = 2000
CONVERSATIONS = 200
UNTIL = datetime(2026, 11, 30, 18, tzinfo=UTC)  # a Monday evening in Barcelona


def _history(engine: Engine, **plan: object) -> int:
    settings: dict = {"messages": MESSAGES, "conversations": CONVERSATIONS, "seed": 7, "until": UNTIL} | plan
    # The history alone (not the demo's queue of citizens waiting), so the records are exactly what it wrote.
    report, _ = generate_history(engine, slug=demo.DEMO_SLUG, plan=HistoryPlan(**settings), queue=False)
    assert (report.messages, report.conversations) == (settings["messages"], settings["conversations"])
    return report.tenant_id


def _messages(engine: Engine, tenant_id: int) -> list[tuple]:
    message = table_of(Message)
    columns = [message.c[name] for name in ("created_at", "direction", "author", "operator_id", "kind", "text", "outcome")]
    columns += [message.c.keyword_id, message.c.latitude, message.c.longitude]
    with engine.connect() as connection:
        query = sa.select(*columns).where(message.c.tenant_id == tenant_id).order_by(message.c.id)
        return [tuple(row) for row in connection.execute(query)]


def _dashboard(session: Session, tenant_id: int, days: int):
    today = figures_query.today(session.get_one(Tenant, tenant_id))
    return figures_query.dashboard(session, tenant_id, Filters(first=today - timedelta(days=days - 1), last=today))


def test_history_has_the_messages_and_conversations_asked_for(engine: Engine) -> None:
    tenant_id = _history(engine)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Message).where(Message.tenant_id == tenant_id)).one() == MESSAGES
        conversations = session.exec(select(Conversation).where(Conversation.tenant_id == tenant_id)).all()
        citizens = session.exec(select(func.count()).select_from(Citizen).where(Citizen.tenant_id == tenant_id)).one()
    assert len(conversations) == CONVERSATIONS
    assert 0 < citizens < CONVERSATIONS  # some citizens come back
    first, last = min(c.created_at for c in conversations), max(c.created_at for c in conversations)
    assert UNTIL - timedelta(days=365) <= first and last < UNTIL
    assert (last - first).days > 300


def test_the_same_seed_gives_the_same_history_and_another_seed_another(engine: Engine) -> None:
    tenant_id = _history(engine)
    once = _messages(engine, tenant_id)
    _history(engine)  # the same again, after it
    twice = _messages(engine, tenant_id)
    assert twice[MESSAGES:] == once
    _history(engine, seed=8)
    other = _messages(engine, tenant_id)[2 * MESSAGES :]
    assert len(other) == MESSAGES and other != once


def test_counts_kept_after_the_history_equal_a_recount_and_the_records(engine: Engine) -> None:
    tenant_id = _history(engine, until=None)
    with Session(engine) as session:
        assert statistics.stored_counts(session, tenant_id=tenant_id) == statistics.recounted(session, tenant_id=tenant_id)
        totals = _dashboard(session, tenant_id, 366).totals
        inbound = session.exec(
            select(func.count())
            .select_from(Message)
            .where(Message.tenant_id == tenant_id, Message.direction == Direction.INBOUND)
        ).one()
        resolutions = session.exec(
            select(func.count())
            .select_from(ReportingEvent)
            .where(ReportingEvent.tenant_id == tenant_id, ReportingEvent.kind == ReportingEventKind.RESOLUTION)
        ).one()
    assert totals.messages_in == inbound
    assert totals.messages_in + totals.messages_out_bot + totals.messages_out_operator == MESSAGES
    assert (totals.opened, totals.resolved) == (CONVERSATIONS, resolutions)


def test_the_dashboard_is_busy_on_weekday_mornings_and_plausible(engine: Engine) -> None:
    tenant_id = _history(engine, messages=6000, conversations=600, until=None)
    with Session(engine) as session:
        heatmap = _dashboard(session, tenant_id, 365).heatmap
        board = _dashboard(session, tenant_id, 30)
    office = [c.messages_in for c in heatmap if c.weekday < 5 and 9 <= c.hour < 14]
    sunday_night = [c.messages_in for c in heatmap if c.weekday == 6 and c.hour < 6]
    assert sum(office) / len(office) > 10 * max(1, sum(sunday_night)) / len(sunday_night)
    share = board.totals.automatic_share
    assert share is not None and 0.3 < share < 0.9
    for spans in (board.first_response, board.responses, board.resolution):
        assert spans.count > 0
        assert spans.median_office_seconds is not None and spans.median_seconds is not None
        assert 0 < spans.median_office_seconds <= spans.median_seconds
    assert board.first_response.median_office_seconds < 4 * 3600  # office hours: answered the same day
    assert board.keywords and board.keywords[0].hits > 1 and board.keywords[0].keyword
    assert board.unanswered and board.unanswered[0].times_asked > 1  # the report groups repeated questions
    assert board.operators and sum(o.replies for o in board.operators) == board.totals.messages_out_operator
    assert board.locations


def test_response_times_count_office_hours_as_the_live_path_does(engine: Engine) -> None:
    tenant_id = _history(engine)
    with Session(engine) as session:
        tenant = session.get_one(Tenant, tenant_id)
        events = session.exec(select(ReportingEvent).where(ReportingEvent.tenant_id == tenant_id)).all()
        assert {e.kind for e in events} == {ReportingEventKind.RESPONSE, ReportingEventKind.RESOLUTION}
        for event in events[:: max(1, len(events) // 60)]:
            assert event.seconds == int((event.ended_at - event.started_at).total_seconds()) > 0
            assert event.office_seconds == int(office_seconds(session, tenant=tenant, start=event.started_at, end=event.ended_at))


def test_places_citizens_send_are_in_town(engine: Engine) -> None:
    tenant_id = _history(engine)
    places = [row[-2:] for row in _messages(engine, tenant_id) if row[-2] is not None]
    assert len(places) > 10
    for latitude, longitude in places:
        north_km = (latitude - TOWN_CENTRE[0]) * 111.2
        east_km = (longitude - TOWN_CENTRE[1]) * 111.2 * math.cos(math.radians(TOWN_CENTRE[0]))
        assert math.hypot(north_km, east_km) < 5


def test_questions_left_for_operators_are_ones_no_demo_keyword_answers(session: Session) -> None:
    demo.load_demo(session, queue=False)
    tenant = tenants.require_tenant(session, slug=demo.DEMO_SLUG)
    index = keywords.keyword_index(session, tenant_id=row_id(tenant))
    for language, questions in demo_texts.QUESTIONS.items():
        for spellings in questions:
            for text in spellings:
                assert index.match(text, language=language).status == MatchStatus.NONE, text


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (HistoryPlan(messages=1), "at least 2"),
        (HistoryPlan(messages=100, conversations=60), "120 messages"),
        (HistoryPlan(messages=100, days=0), "--days"),
    ],
)
def test_a_history_that_cannot_be_is_refused_before_anything_is_written(engine: Engine, plan: HistoryPlan, message: str) -> None:
    with pytest.raises(HistoryError, match=message):
        generate_history(engine, slug=demo.DEMO_SLUG, plan=plan)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Message)).one() == 0
