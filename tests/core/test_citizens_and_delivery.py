"""Linking a citizen's records across platforms, and delivery statuses that only move forward."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from citymes_app.core import citizens, delivery, tenants
from citymes_app.core.events import EventBus
from citymes_app.models import Citizen, CitizenIdentity, Conversation, Direction, Message, row_id, utcnow
from integrations.base import DeliveryState, StatusUpdate


def add_citizen(session: Session, tenant_id: int, channel_id: int, platform: str, user: str, phone: str | None) -> Citizen:
    citizen = Citizen(tenant_id=tenant_id, display_name=f"{platform} {user}", phone=phone)
    session.add(citizen)
    session.flush()
    session.add(CitizenIdentity(tenant_id=tenant_id, citizen_id=row_id(citizen), platform=platform, platform_user_id=user))
    session.add(Conversation(tenant_id=tenant_id, citizen_id=row_id(citizen), channel_id=channel_id, address=user))
    session.flush()
    return citizen


@pytest.fixture
def town(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        tenant = tenants.add_tenant(session, slug="vila", name="Vila")
        other = tenants.add_tenant(session, slug="altra", name="Altra")
        telegram = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={})
        whatsapp = tenants.add_channel(session, tenant=tenant, platform="whatsapp", credentials={})
        elsewhere = tenants.add_channel(session, tenant=other, platform="whatsapp", credentials={})
        session.commit()
        return {
            "tenant": row_id(tenant),
            "other": row_id(other),
            "telegram": row_id(telegram),
            "whatsapp": row_id(whatsapp),
            "elsewhere": row_id(elsewhere),
        }


def test_an_operator_links_two_records_into_one_citizen_with_both_identities(engine: Engine, town: dict) -> None:
    with Session(engine) as session:
        on_telegram = add_citizen(session, town["tenant"], town["telegram"], "telegram", "501", None)
        on_whatsapp = add_citizen(session, town["tenant"], town["whatsapp"], "whatsapp", "34600111222", "+34600111222")
        kept = citizens.link_citizens(
            session, tenant_id=town["tenant"], keep_id=row_id(on_telegram), merge_id=row_id(on_whatsapp)
        )
        session.commit()
        kept_id = kept.id

    with Session(engine) as session:
        [citizen] = session.exec(select(Citizen)).all()
        assert (citizen.id, citizen.phone, citizen.display_name) == (kept_id, "+34600111222", "telegram 501")
        identities = session.exec(select(CitizenIdentity.platform, CitizenIdentity.citizen_id)).all()
        assert sorted(identities) == [("telegram", kept_id), ("whatsapp", kept_id)]
        conversations = session.exec(select(Conversation.channel_id, Conversation.citizen_id)).all()
        assert sorted(conversations) == [(town["telegram"], kept_id), (town["whatsapp"], kept_id)]


def test_citizens_of_another_tenant_cannot_be_linked(engine: Engine, town: dict) -> None:
    with Session(engine) as session:
        ours = add_citizen(session, town["tenant"], town["whatsapp"], "whatsapp", "34600111222", "+34600111222")
        theirs = add_citizen(session, town["other"], town["elsewhere"], "whatsapp", "34600111222", "+34600111222")
        with pytest.raises(citizens.CitizenError, match="does not exist"):
            citizens.link_citizens(session, tenant_id=town["tenant"], keep_id=row_id(ours), merge_id=row_id(theirs))
        with pytest.raises(citizens.CitizenError, match="themselves"):
            citizens.link_citizens(session, tenant_id=town["tenant"], keep_id=row_id(ours), merge_id=row_id(ours))
        # The same number in two organisations is two citizens: nothing is linked automatically either.
        alone = citizens.link_by_phone(session, citizen_id=row_id(theirs))
        assert alone is not None and alone.id == theirs.id
        assert len(session.exec(select(Citizen)).all()) == 2


def test_records_sharing_a_phone_number_are_linked_into_the_oldest(engine: Engine, town: dict) -> None:
    with Session(engine) as session:
        older = add_citizen(session, town["tenant"], town["telegram"], "telegram", "501", "+34600111222")
        newer = add_citizen(session, town["tenant"], town["whatsapp"], "whatsapp", "34600111222", "+34600111222")
        kept = citizens.link_by_phone(session, citizen_id=row_id(newer))
        session.commit()
        assert kept is not None and kept.id == older.id
        assert session.exec(select(Citizen.id)).all() == [older.id]


def outbound(session: Session, town: dict, wamid: str, status: str) -> Message:
    citizen = add_citizen(session, town["tenant"], town["whatsapp"], "whatsapp", wamid[-6:], None)
    conversation = session.exec(select(Conversation).where(Conversation.citizen_id == citizen.id)).one()
    message = Message(
        tenant_id=town["tenant"],
        conversation_id=row_id(conversation),
        channel_id=town["whatsapp"],
        direction=Direction.OUTBOUND,
        author="bot",
        text="hola",
        platform_message_id=wamid,
        status=status,
    )
    session.add(message)
    session.flush()
    return message


def test_statuses_only_move_a_message_forward(engine: Engine, town: dict) -> None:
    now = utcnow()

    def news(wamid: str, state: DeliveryState, error: str | None = None) -> StatusUpdate:
        return StatusUpdate(wamid, state, now, error)

    with Session(engine) as session:
        read = outbound(session, town, "wamid.AAA111", "sent")
        failing = outbound(session, town, "wamid.BBB222", "sent")
        report = delivery.apply_statuses(
            session,
            channel_id=town["whatsapp"],
            updates=[
                news("wamid.AAA111", DeliveryState.DELIVERED),
                news("wamid.AAA111", DeliveryState.READ),
                news("wamid.AAA111", DeliveryState.DELIVERED),  # late
                news("wamid.AAA111", DeliveryState.FAILED, "too late to fail"),
                news("wamid.BBB222", DeliveryState.FAILED, "not on WhatsApp (131026)"),
                news("wamid.BBB222", DeliveryState.READ),  # failed is final
                news("wamid.UNKNOWN", DeliveryState.SENT),
            ],
        )
        session.commit()
        assert (read.status, read.error) == ("read", None)
        assert (failing.status, failing.error) == ("failed", "not on WhatsApp (131026)")
    assert (len(report.applied), report.ignored, [u.platform_message_id for u in report.unknown]) == (
        3,
        3,
        ["wamid.UNKNOWN"],
    )


async def test_old_statuses_of_unknown_messages_are_not_waited_for(engine: Engine, town: dict) -> None:
    stale = StatusUpdate("wamid.GONE", DeliveryState.READ, utcnow() - timedelta(hours=1))
    started = time.monotonic()
    report = await delivery.record_statuses(engine=engine, bus=EventBus(), channel_id=town["whatsapp"], updates=[stale])
    assert [u.platform_message_id for u in report.unknown] == ["wamid.GONE"]
    assert time.monotonic() - started < delivery.WAIT_FOR_UNKNOWN_SECONDS
