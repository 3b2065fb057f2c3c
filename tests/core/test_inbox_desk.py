"""The inbox's use cases: each commits, then tells the tabs what changed (which conversation, which kind) and wakes the
outbox when something is to be sent; a refused action tells nobody."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from citymes_app.core import auth, inbox, tenants
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.core.inbox_desk import InboxDesk
from citymes_app.models import Citizen, CitizenIdentity, Conversation, Message, OutboxItem, row_id


@pytest.fixture
def town(engine: Engine) -> dict:
    with Session(engine) as session:
        tenant = tenants.add_tenant(session, slug="vila", name="Vila")
        other = tenants.add_tenant(session, slug="altra", name="Altra")
        channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="Bot")
        operator = auth.add_operator(
            session, tenant=tenant, email="laia@vila.cat", password="a long password", display_name="Laia"
        )
        conversations = []
        for user, name in (("501", "Núria"), ("502", "")):
            citizen = Citizen(tenant_id=row_id(tenant), display_name=name)
            session.add(citizen)
            session.flush()
            session.add(
                CitizenIdentity(tenant_id=row_id(tenant), citizen_id=row_id(citizen), platform="telegram", platform_user_id=user)
            )
            conversation = Conversation(
                tenant_id=row_id(tenant), citizen_id=row_id(citizen), channel_id=row_id(channel), address=user
            )
            conversation.unread_count, conversation.awaiting_operator = 2, True
            session.add(conversation)
            session.flush()
            conversations.append(conversation.id)
        session.commit()
        signed_in = auth.SignedInOperator(row_id(operator), row_id(tenant), "vila", "Vila", "laia@vila.cat", "Laia", "operator")
        return {"tenant": tenant.id, "other": other.id, "operator": signed_in, "conversations": conversations}


async def desk_and_events(engine: Engine, tmp_path: Path) -> tuple[InboxDesk, asyncio.Queue[InboxEvent], asyncio.Event]:
    bus = EventBus()
    return InboxDesk(engine=engine, bus=bus, media_dir=tmp_path / "media"), bus.subscribe(), bus.outbox_waker()


def drain(events: asyncio.Queue[InboxEvent]) -> list[tuple[int, InboxEventKind]]:
    found = []
    while not events.empty():
        event = events.get_nowait()
        found.append((event.conversation_id, event.kind))
    return found


async def test_a_reply_is_committed_in_the_outbox_wakes_it_and_tells_the_tabs_which_conversation(
    engine: Engine, town: dict, tmp_path: Path
) -> None:
    desk, events, waker = await desk_and_events(engine, tmp_path)
    first = town["conversations"][0]
    message_id = await desk.reply(operator=town["operator"], conversation_id=first, text="Ara hi anem.")
    await asyncio.sleep(0)
    with Session(engine) as session:  # a new session: it is committed
        assert session.get_one(Message, message_id).text == "Ara hi anem."
        assert session.exec(select(OutboxItem).where(OutboxItem.message_id == message_id)).one() is not None
        assert session.get_one(Conversation, first).awaiting_operator is False
    assert drain(events) == [(first, InboxEventKind.MESSAGE)]
    assert waker.is_set()


async def test_a_refused_reply_changes_nothing_and_tells_nobody(engine: Engine, town: dict, tmp_path: Path) -> None:
    desk, events, waker = await desk_and_events(engine, tmp_path)
    with pytest.raises(inbox.InboxError, match="write a reply"):
        await desk.reply(operator=town["operator"], conversation_id=town["conversations"][0], text="   ")
    await asyncio.sleep(0)
    assert (drain(events), waker.is_set()) == ([], False)


async def test_opening_marks_read_and_tells_the_tabs_only_when_something_was_unread(
    engine: Engine, town: dict, tmp_path: Path
) -> None:
    desk, events, _ = await desk_and_events(engine, tmp_path)
    second = town["conversations"][1]
    opened = await desk.open_conversation(tenant_id=town["tenant"], conversation_id=second)
    again = await desk.open_conversation(tenant_id=town["tenant"], conversation_id=second)
    await asyncio.sleep(0)
    assert drain(events) == [(second, InboxEventKind.CONVERSATION)]
    assert (opened.thread.header.citizen_name, opened.thread.messages, again.thread.window.applies) == ("", [], False)
    with pytest.raises(inbox.InboxError):
        await desk.open_conversation(tenant_id=town["other"], conversation_id=second)  # another tenant's: not there
    assert desk.thread_loads == 3


async def test_the_queue_carries_datetimes_and_enums_not_strings(engine: Engine, town: dict, tmp_path: Path) -> None:
    desk, _, _ = await desk_and_events(engine, tmp_path)
    snapshot = await desk.queue(tenant_id=town["tenant"])
    assert snapshot.timezone.key == "Europe/Madrid"
    assert {c.status for c in snapshot.conversations} == {inbox.ConversationStatus.OPEN}
    assert all(c.last_message_at.tzinfo is not None for c in snapshot.conversations)


async def test_resolving_and_linking_tell_the_tabs_which_conversation_changed(engine: Engine, town: dict, tmp_path: Path) -> None:
    desk, events, _ = await desk_and_events(engine, tmp_path)
    first, second = town["conversations"]
    with Session(engine) as session:
        keep, merge = (session.get_one(Conversation, c).citizen_id for c in (first, second))
    header = await desk.link_citizens(tenant_id=town["tenant"], conversation_id=first, keep_id=keep, merge_id=merge)
    await desk.resolve(operator=town["operator"], conversation_id=second)
    await asyncio.sleep(0)
    assert header.citizen_name == "Núria"
    assert drain(events) == [(first, InboxEventKind.CONVERSATION), (second, InboxEventKind.CONVERSATION)]
    assert [c.id for c in (await desk.queue(tenant_id=town["tenant"])).conversations] == [first]
