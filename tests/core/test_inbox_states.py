"""A conversation's states and labels: open, pending and snoozed set by an operator of its organisation only; a snooze
ends at its time (the alarm, telling the tabs) or when the citizen writes; labels added by name, once, per organisation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from citymes_app.core import auth, inbox, inbox_states, labels, pipeline, tenants, text_intake
from citymes_app.core.events import EventBus, InboxEventKind
from citymes_app.core.inbox_desk import InboxDesk
from citymes_app.models import Channel, Citizen, CitizenIdentity, Conversation, ConversationStatus, Label, row_id, utcnow
from integrations.base import InboundMessage, MessageKind


@pytest.fixture
def office(engine: Engine) -> dict:
    with Session(engine) as session:
        found: dict = {}
        for slug in ("vila", "altra"):
            tenant = tenants.add_tenant(session, slug=slug, name=slug.title())
            channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="Bot")
            operator = auth.add_operator(
                session, tenant=tenant, email=f"op@{slug}.cat", password="a long password", display_name=f"Op {slug}"
            )
            citizen = Citizen(tenant_id=row_id(tenant), display_name="Núria")
            session.add(citizen)
            session.flush()
            conversation = Conversation(
                tenant_id=row_id(tenant), citizen_id=row_id(citizen), channel_id=row_id(channel), address=f"{slug}-1"
            )
            session.add(conversation)
            session.flush()
            found[slug] = {
                "operator": auth.SignedInOperator(row_id(operator), row_id(tenant), slug, slug, operator.email, "Op", "operator"),
                "conversation": row_id(conversation),
                "channel": row_id(channel),
            }
        session.commit()
        return found


def test_pending_and_snoozed_are_set_by_the_organisations_operators_only(engine: Engine, office: dict) -> None:
    vila, altra = office["vila"], office["altra"]
    ours, op = vila["conversation"], vila["operator"]
    with Session(engine) as session:
        inbox_states.set_state(session, operator=op, conversation_id=ours, state=ConversationStatus.PENDING)
        assert session.get_one(Conversation, ours).status == ConversationStatus.PENDING
        with pytest.raises(inbox.InboxError, match="time to come"):
            inbox_states.set_state(
                session,
                operator=op,
                conversation_id=ours,
                state=ConversationStatus.SNOOZED,
                until=utcnow() - timedelta(minutes=1),
            )
        with pytest.raises(inbox.InboxError, match="only be made open, pending or snoozed"):
            inbox_states.set_state(session, operator=op, conversation_id=ours, state=ConversationStatus.RESOLVED)
        with pytest.raises(inbox.InboxError, match="does not exist"):
            inbox_states.set_state(session, operator=altra["operator"], conversation_id=ours, state=ConversationStatus.OPEN)
        until = utcnow() + timedelta(hours=2)
        version = inbox_states.set_state(
            session, operator=op, conversation_id=ours, state=ConversationStatus.SNOOZED, until=until
        ).version
        session.commit()
        conversation = session.get_one(Conversation, ours)
        assert (conversation.status, conversation.snoozed_until, conversation.version) == (
            ConversationStatus.SNOOZED,
            until,
            version,
        )
        assert inbox.queue(session, tenant_id=op.tenant_id)[0].snoozed_until == until


async def test_the_alarm_wakes_a_snooze_whose_time_came_and_tells_its_organisations_tabs(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    bus = EventBus()
    desk, events = InboxDesk(engine=engine, bus=bus, media_dir=tmp_path), bus.subscribe()
    vila, altra = office["vila"], office["altra"]
    await desk.set_state(
        operator=vila["operator"],
        conversation_id=vila["conversation"],
        state=ConversationStatus.SNOOZED,
        until=utcnow() + timedelta(hours=1),
    )
    await desk.set_state(
        operator=altra["operator"],
        conversation_id=altra["conversation"],
        state=ConversationStatus.SNOOZED,
        until=utcnow() + timedelta(hours=3),
    )
    await asyncio.sleep(0)
    while not events.empty():
        events.get_nowait()

    assert await desk.wake_due() == 0  # nothing due yet
    with Session(engine) as session:
        woken = inbox_states.wake_due(session, now=utcnow() + timedelta(hours=2))
        session.commit()
        assert woken == [(vila["operator"].tenant_id, vila["conversation"])]
        assert inbox_states.wake_due(session, now=utcnow() + timedelta(hours=2)) == []  # once
        conversation = session.get_one(Conversation, vila["conversation"])
        assert (conversation.status, conversation.snoozed_until) == (ConversationStatus.OPEN, None)
        assert session.get_one(Conversation, altra["conversation"]).status == ConversationStatus.SNOOZED

    with Session(engine) as session:  # the alarm itself, on what is due now
        session.get_one(Conversation, altra["conversation"]).snoozed_until = utcnow() - timedelta(seconds=1)
        session.commit()
    assert await desk.wake_due() == 1
    await asyncio.sleep(0)
    event = events.get_nowait()
    assert (event.tenant_id, event.conversation_id, event.kind) == (
        altra["operator"].tenant_id,
        altra["conversation"],
        InboxEventKind.CONVERSATION,
    )


def test_a_citizens_message_wakes_a_snoozed_conversation(engine: Engine, office: dict) -> None:
    vila = office["vila"]
    with Session(engine) as session:
        inbox_states.set_state(
            session,
            operator=vila["operator"],
            conversation_id=vila["conversation"],
            state=ConversationStatus.SNOOZED,
            until=utcnow() + timedelta(days=1),
        )
        session.commit()
        conversation = session.get_one(Conversation, vila["conversation"])
        citizen = session.get_one(Citizen, conversation.citizen_id)
        channel = session.get_one(Channel, vila["channel"])
        session.add(
            CitizenIdentity(tenant_id=channel.tenant_id, citizen_id=row_id(citizen), platform="telegram", platform_user_id="77")
        )
        session.commit()
        inbound = InboundMessage(
            platform_message_id="m-1",
            sender_id="77",
            sender_name="Núria",
            address="vila-1",
            kind=MessageKind.PHOTO,
            text="",
            sent_at=utcnow(),
        )
        result = pipeline.receive(session, channel=channel, inbound=inbound)
        session.commit()
        assert result.conversation_id == vila["conversation"]
        conversation = session.get_one(Conversation, vila["conversation"])
        assert (conversation.status, conversation.snoozed_until) == (ConversationStatus.OPEN, None)

        # The same through the fast path plain texts take.
        inbox_states.set_state(
            session,
            operator=vila["operator"],
            conversation_id=vila["conversation"],
            state=ConversationStatus.SNOOZED,
            until=utcnow() + timedelta(days=1),
        )
        session.commit()
        text = InboundMessage(
            platform_message_id="m-2", sender_id="77", address="vila-1", kind=MessageKind.TEXT, text="Hola?", sent_at=utcnow()
        )
        received = text_intake.receive_text(session, channel=text_intake.channel_ref(session, vila["channel"]), inbound=text)
        session.commit()
        assert received is not None and received.conversation_id == vila["conversation"]
        session.expire_all()
        conversation = session.get_one(Conversation, vila["conversation"])
        assert (conversation.status, conversation.snoozed_until) == (ConversationStatus.OPEN, None)


def test_labels_are_added_by_name_once_shown_in_the_queue_and_kept_to_their_organisation(engine: Engine, office: dict) -> None:
    vila, altra = office["vila"], office["altra"]
    op, ours = vila["operator"], vila["conversation"]
    with Session(engine) as session:
        urgent = labels.add_label(session, operator=op, conversation_id=ours, name="  Urgent ")
        again = labels.add_label(session, operator=op, conversation_id=ours, name="urgent")
        labels.add_label(session, operator=op, conversation_id=ours, name="Obres")
        assert again == urgent
        with pytest.raises(inbox.InboxError, match="does not exist"):
            labels.add_label(session, operator=altra["operator"], conversation_id=ours, name="hack")
        with pytest.raises(inbox.InboxError, match="at most 40"):
            labels.add_label(session, operator=op, conversation_id=ours, name="x" * 41)
        with pytest.raises(inbox.InboxError, match="label's name"):
            labels.add_label(session, operator=op, conversation_id=ours, name="   ")
        theirs = labels.add_label(session, operator=altra["operator"], conversation_id=altra["conversation"], name="Urgent")
        session.commit()
        assert theirs.id != urgent.id
        assert [label.name for label in inbox.queue(session, tenant_id=op.tenant_id)[0].labels] == ["Obres", "Urgent"]
        assert [label.name for label in labels.tenant_labels(session, tenant_id=op.tenant_id)] == ["Obres", "Urgent"]

        with pytest.raises(inbox.InboxError, match="does not exist"):
            labels.remove_label(session, operator=altra["operator"], conversation_id=ours, label_id=urgent.id)
        labels.remove_label(session, operator=op, conversation_id=ours, label_id=urgent.id)
        session.commit()
        header = inbox.conversation_header(session, tenant_id=op.tenant_id, conversation_id=ours)
        assert [label.name for label in header.labels] == ["Obres"]
        assert session.exec(select(Label).where(Label.tenant_id == op.tenant_id)).all() != []


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Vila (Europe/Madrid, winter time)


def _snooze_typed(engine: Engine, office: dict, day: object, at: object, who: str = "vila") -> Conversation:
    with Session(engine, expire_on_commit=False) as session:
        conversation = inbox_states.snooze_typed(
            session, operator=office[who]["operator"], conversation_id=office["vila"]["conversation"], day=day, at=at, now=NOW
        )
        session.commit()
        return conversation


def test_a_typed_snooze_is_read_on_the_organisations_clock(engine: Engine, office: dict) -> None:
    assert _snooze_typed(engine, office, "2026-03-10", "09:30").snoozed_until == datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    summer = _snooze_typed(engine, office, " 2026-07-01 ", "09:30:00")  # summer time; seconds as some browsers send them
    assert (summer.status, summer.snoozed_until) == (ConversationStatus.SNOOZED, datetime(2026, 7, 1, 7, 30, tzinfo=UTC))
    with Session(engine) as session:
        assert session.get_one(Conversation, office["vila"]["conversation"]).version == 2


@pytest.mark.parametrize(
    ("day", "at", "refusal"),
    [
        ("", "09:00", "choose the day and the time"),
        ("2026-03-10", "", "choose the day and the time"),
        (["2026-03-10"], "09:00", "choose the day and the time"),
        ({"day": "2026-03-10"}, 9, "choose the day and the time"),
        ("2026-02-30", "09:00", "not a date of the calendar"),
        ("10/03/2026", "09:00", "not a date of the calendar"),
        ("20260310", "09:00", "not a date of the calendar"),
        ("2026-03-10T09:00", "09:00", "not a date of the calendar"),
        ("2026-03-10", "24:00", "not a time of day"),
        ("2026-03-10", "9:00", "not a time of day"),
        ("2026-03-10", "09:60", "not a time of day"),
        ("2026-03-10", "09:00+01:00", "not a time of day"),
        ("2026-03-29", "02:30", "clocks go forward"),  # Europe/Madrid skips 02:00–03:00 that night
        ("2026-03-02", "09:59", "time to come"),  # 08:59 UTC, a minute before now
        ("2027-03-04", "10:00", "a year at most"),
    ],
)
def test_a_typed_snooze_that_is_malformed_past_or_too_far_is_refused_and_changes_nothing(
    engine: Engine, office: dict, day: object, at: object, refusal: str
) -> None:
    with pytest.raises(inbox.InboxError, match=refusal):
        _snooze_typed(engine, office, day, at)
    with Session(engine) as session:
        conversation = session.get_one(Conversation, office["vila"]["conversation"])
        assert (conversation.status, conversation.snoozed_until, conversation.version) == (ConversationStatus.OPEN, None, 0)


def test_another_organisations_operator_cannot_snooze_ours_until_a_typed_time(engine: Engine, office: dict) -> None:
    with pytest.raises(inbox.InboxError, match="does not exist"):
        _snooze_typed(engine, office, "2026-03-10", "09:30", who="altra")
    with Session(engine) as session:
        assert session.get_one(Conversation, office["vila"]["conversation"]).status == ConversationStatus.OPEN
