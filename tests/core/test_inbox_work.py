"""Who has a conversation: taking it, assigning and transferring it within the organisation (never to or from another),
every tab told; and a reply written against a conversation someone else has since taken or resolved asks first."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from citymes_app.core import auth, inbox, inbox_work, tenants
from citymes_app.core.events import EventBus, InboxEventKind
from citymes_app.core.inbox_desk import InboxDesk
from citymes_app.core.inbox_work import ConversationMoved
from citymes_app.models import Citizen, Conversation, Message, Operator, row_id


def _signed_in(operator: Operator, slug: str) -> auth.SignedInOperator:
    return auth.SignedInOperator(
        row_id(operator), operator.tenant_id, slug, slug, operator.email, operator.display_name, "operator"
    )


@pytest.fixture
def office(engine: Engine) -> dict:
    with Session(engine) as session:
        tenant = tenants.add_tenant(session, slug="vila", name="Vila")
        other = tenants.add_tenant(session, slug="altra", name="Altra")
        people = {}
        for tenant_row, email, name in (
            (tenant, "laia@vila.cat", "Laia"),
            (tenant, "pau@vila.cat", "Pau"),
            (tenant, "joan@vila.cat", "Joan"),
            (other, "eva@altra.cat", "Eva"),
        ):
            people[name] = auth.add_operator(
                session, tenant=tenant_row, email=email, password="a long password", display_name=name
            )
        conversations = {}
        for tenant_row, address in ((tenant, "501"), (other, "901")):
            channel = tenants.add_channel(session, tenant=tenant_row, platform="telegram", credentials={}, name="Bot")
            citizen = Citizen(tenant_id=row_id(tenant_row), display_name="Núria")
            session.add(citizen)
            session.flush()
            conversation = Conversation(
                tenant_id=row_id(tenant_row), citizen_id=row_id(citizen), channel_id=row_id(channel), address=address
            )
            conversation.awaiting_operator = True
            session.add(conversation)
            session.flush()
            conversations[address] = row_id(conversation)
        session.commit()
        return {
            "laia": _signed_in(people["Laia"], "vila"),
            "pau": _signed_in(people["Pau"], "vila"),
            "joan_id": row_id(people["Joan"]),
            "eva": _signed_in(people["Eva"], "altra"),
            "ours": conversations["501"],
            "theirs": conversations["901"],
        }


def _state(engine: Engine, conversation_id: int) -> tuple[int | None, int]:
    with Session(engine) as session:
        conversation = session.get_one(Conversation, conversation_id)
        return conversation.assigned_operator_id, conversation.version


async def test_take_assign_and_release_are_told_to_every_tab_and_shown_in_the_queue(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    bus = EventBus()
    desk, events = InboxDesk(engine=engine, bus=bus, media_dir=tmp_path), bus.subscribe()
    laia, ours = office["laia"], office["ours"]

    version = await desk.take(operator=laia, conversation_id=ours)
    assert _state(engine, ours) == (laia.operator_id, version)
    version = await desk.assign(operator=laia, conversation_id=ours, assignee_id=office["joan_id"])
    assert _state(engine, ours) == (office["joan_id"], version)
    await asyncio.sleep(0)
    assert [(e.conversation_id, e.kind) for e in [events.get_nowait(), events.get_nowait()]] == [
        (ours, InboxEventKind.CONVERSATION)
    ] * 2
    snapshot = await desk.queue(tenant_id=laia.tenant_id)
    assert [(c.id, c.assignee_name) for c in snapshot.conversations] == [(ours, "Joan")]
    header = (await desk.thread(tenant_id=laia.tenant_id, conversation_id=ours)).header
    assert (header.assignee_id, header.assignee_name, header.version) == (office["joan_id"], "Joan", version)

    await desk.assign(operator=laia, conversation_id=ours, assignee_id=None)
    assert _state(engine, ours)[0] is None
    assert [c.name for c in await desk.colleagues(tenant_id=laia.tenant_id)] == ["Joan", "Laia", "Pau"]


async def test_another_organisations_conversation_or_operator_is_refused_as_missing(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    bus = EventBus()
    desk, events = InboxDesk(engine=engine, bus=bus, media_dir=tmp_path), bus.subscribe()
    laia, eva = office["laia"], office["eva"]
    before = _state(engine, office["ours"]), _state(engine, office["theirs"])

    with pytest.raises(inbox.InboxError, match="this operator does not exist"):
        await desk.assign(operator=laia, conversation_id=office["ours"], assignee_id=eva.operator_id)
    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        await desk.take(operator=eva, conversation_id=office["ours"])
    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        await desk.assign(operator=laia, conversation_id=office["theirs"], assignee_id=laia.operator_id)
    with pytest.raises(inbox.InboxError, match="this operator does not exist"):
        await desk.assign(operator=laia, conversation_id=office["ours"], assignee_id=10_000)

    assert (_state(engine, office["ours"]), _state(engine, office["theirs"])) == before
    await asyncio.sleep(0)
    assert events.empty(), "a refused assignment told the tabs something"
    assert "Eva" not in [c.name for c in await desk.colleagues(tenant_id=laia.tenant_id)]


def test_a_reply_to_a_conversation_someone_else_took_asks_and_goes_when_confirmed(engine: Engine, office: dict) -> None:
    laia, pau, ours = office["laia"], office["pau"], office["ours"]
    with Session(engine) as session:
        seen = session.get_one(Conversation, ours).version  # Laia opens it
        inbox_work.take(session, operator=pau, conversation_id=ours)  # Pau takes it meanwhile
        session.commit()

        with pytest.raises(ConversationMoved, match="Pau has just taken this conversation") as asked:
            inbox.reply(session, operator=laia, conversation_id=ours, text="Hi anem", seen_version=seen)
        session.rollback()
        assert session.exec(select(Message)).all() == []

        inbox.reply(session, operator=laia, conversation_id=ours, text="Hi anem", seen_version=asked.value.version)
        session.commit()
        conversation = session.get_one(Conversation, ours)
        assert conversation.assigned_operator_id == pau.operator_id  # answering does not take it from Pau
        assert [m.text for m in session.exec(select(Message))] == ["Hi anem"]


def test_a_transfer_to_a_third_operator_and_a_resolution_ask_too_but_ones_own_change_does_not(
    engine: Engine, office: dict
) -> None:
    laia, pau, ours = office["laia"], office["pau"], office["ours"]
    with Session(engine) as session:
        seen = session.get_one(Conversation, ours).version
        inbox_work.assign(session, operator=pau, conversation_id=ours, assignee_id=office["joan_id"])
        with pytest.raises(ConversationMoved, match="Pau has just given this conversation to Joan"):
            inbox.reply(session, operator=laia, conversation_id=ours, text="a", seen_version=seen)

        seen = session.get_one(Conversation, ours).version
        inbox_work.take(session, operator=laia, conversation_id=ours)  # in another tab of hers
        inbox.reply(session, operator=laia, conversation_id=ours, text="b", seen_version=seen)

        seen = session.get_one(Conversation, ours).version
        inbox.resolve(session, tenant_id=laia.tenant_id, conversation_id=ours, operator_id=pau.operator_id)
        with pytest.raises(ConversationMoved, match="Pau has just resolved this conversation"):
            inbox.reply(session, operator=laia, conversation_id=ours, text="c", seen_version=seen)
        with pytest.raises(inbox.InboxError, match="resolved: it cannot be assigned"):
            inbox_work.take(session, operator=laia, conversation_id=ours)


def test_answering_a_conversation_nobody_has_takes_it_and_a_colleague_who_saw_it_before_is_asked(
    engine: Engine, office: dict
) -> None:
    laia, pau, ours = office["laia"], office["pau"], office["ours"]
    with Session(engine) as session:
        seen = session.get_one(Conversation, ours).version  # both open it
        inbox.reply(session, operator=pau, conversation_id=ours, text="Bon dia", seen_version=seen)
        assert session.get_one(Conversation, ours).assigned_operator_id == pau.operator_id
        with pytest.raises(ConversationMoved, match="Pau has just taken this conversation"):
            inbox.reply(session, operator=laia, conversation_id=ours, text="Bon dia!", seen_version=seen)
