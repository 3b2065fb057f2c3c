"""Internal notes on a conversation: stored with their author and time and shown in its thread, never sent to the
citizen nor counted as messages; an empty or too long note is refused; another organisation's operator can neither add
a note to our conversation nor read its notes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from citymes_app.core import auth, inbox, notes, tenants
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.core.inbox_desk import InboxDesk
from citymes_app.models import Citizen, Conversation, ConversationNote, Message, Operator, OutboxItem, row_id
from citymes_app.statistics_models import DailyCount, HourlyCount


def _signed_in(operator: Operator, slug: str) -> auth.SignedInOperator:
    return auth.SignedInOperator(
        row_id(operator), operator.tenant_id, slug, slug, operator.email, operator.display_name, "operator"
    )


@pytest.fixture
def office(engine: Engine) -> dict:
    """Two organisations, each with a conversation waiting for an operator; Laia and Pau work at Vila, Eva at Altra."""
    with Session(engine) as session:
        tenant = tenants.add_tenant(session, slug="vila", name="Vila")
        other = tenants.add_tenant(session, slug="altra", name="Altra")
        staff = ((tenant, "laia@vila.cat", "Laia"), (tenant, "pau@vila.cat", "Pau"), (other, "eva@altra.cat", "Eva"))
        people = {
            name: auth.add_operator(session, tenant=row, email=email, password="a long password", display_name=name)
            for row, email, name in staff
        }
        conversations = {}
        for tenant_row, address in ((tenant, "501"), (other, "901")):
            channel = tenants.add_channel(session, tenant=tenant_row, platform="telegram", credentials={}, name="Bot")
            citizen = Citizen(tenant_id=row_id(tenant_row), display_name="Núria")
            session.add(citizen)
            session.flush()
            conversation = Conversation(
                tenant_id=row_id(tenant_row), citizen_id=row_id(citizen), channel_id=row_id(channel), address=address
            )
            conversation.awaiting_operator, conversation.unread_count = True, 2
            conversation.last_message_preview = "Hi ha un clot"
            session.add(conversation)
            session.flush()
            conversations[address] = row_id(conversation)
        session.commit()
        return {
            "laia": _signed_in(people["Laia"], "vila"),
            "pau": _signed_in(people["Pau"], "vila"),
            "eva": _signed_in(people["Eva"], "altra"),
            "ours": conversations["501"],
            "theirs": conversations["901"],
        }


def _drain(events: asyncio.Queue[InboxEvent]) -> list[tuple[int, InboxEventKind]]:
    found = []
    while not events.empty():
        event = events.get_nowait()
        found.append((event.conversation_id, event.kind))
    return found


def _what_the_citizen_and_the_figures_see(engine: Engine, conversation_id: int) -> tuple:
    """Everything a note must leave alone: messages, the outbox, the statistics, the queue's line and the version."""
    with Session(engine) as session:
        conversation = session.get_one(Conversation, conversation_id)
        return (
            session.exec(select(func.count()).select_from(Message)).one(),
            session.exec(select(func.count()).select_from(OutboxItem)).one(),
            session.exec(select(func.count()).select_from(DailyCount)).one(),
            session.exec(select(func.count()).select_from(HourlyCount)).one(),
            conversation.unread_count,
            conversation.awaiting_operator,
            conversation.last_message_preview,
            conversation.last_message_at,
            conversation.version,
        )


async def test_a_note_is_stored_with_its_author_shown_in_the_thread_and_never_sent_nor_counted(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    bus = EventBus()
    desk, events = InboxDesk(engine=engine, bus=bus, media_dir=tmp_path), bus.subscribe()
    outbox_woken = bus.outbox_waker()
    laia, pau, ours = office["laia"], office["pau"], office["ours"]
    before = _what_the_citizen_and_the_figures_see(engine, ours)

    saved = await desk.add_note(operator=laia, conversation_id=ours, text="  L'he trucada: passa la brigada dijous.  ")
    await desk.add_note(operator=pau, conversation_id=ours, text="<b>Confirmat</b> <script>alert(1)</script>")

    assert (saved.operator_name, saved.text) == ("Laia", "L'he trucada: passa la brigada dijous.")
    thread = await desk.thread(tenant_id=laia.tenant_id, conversation_id=ours)
    assert [(n.operator_id, n.operator_name, n.text) for n in thread.notes] == [
        (laia.operator_id, "Laia", "L'he trucada: passa la brigada dijous."),
        (pau.operator_id, "Pau", "<b>Confirmat</b> <script>alert(1)</script>"),  # kept as written: the page shows text
    ]
    assert thread.notes[0].created_at <= thread.notes[1].created_at
    assert thread.messages == []
    assert _what_the_citizen_and_the_figures_see(engine, ours) == before
    assert not outbox_woken.is_set()
    await asyncio.sleep(0)  # the bus hands events over through the loop
    assert _drain(events) == [(ours, InboxEventKind.NOTE), (ours, InboxEventKind.NOTE)]
    queue = await desk.queue(tenant_id=laia.tenant_id)
    line = next(c for c in queue.conversations if c.id == ours)
    assert (line.preview, line.unread_count) == ("Hi ha un clot", 2)


async def test_notes_take_their_place_among_the_messages_in_time_order(engine: Engine, office: dict, tmp_path: Path) -> None:
    desk = InboxDesk(engine=engine, bus=EventBus(), media_dir=tmp_path)
    laia, ours = office["laia"], office["ours"]

    await desk.reply(operator=laia, conversation_id=ours, text="Bon dia, Núria.")
    await desk.add_note(operator=laia, conversation_id=ours, text="Li he demanat l'adreça.")
    await desk.reply(operator=laia, conversation_id=ours, text="Quina és l'adreça exacta?")

    thread = await desk.thread(tenant_id=laia.tenant_id, conversation_id=ours)
    first, second = thread.messages
    (note,) = thread.notes
    assert first.created_at <= note.created_at <= second.created_at


async def test_an_empty_or_too_long_note_is_refused_and_nothing_is_stored(engine: Engine, office: dict, tmp_path: Path) -> None:
    desk = InboxDesk(engine=engine, bus=EventBus(), media_dir=tmp_path)
    laia, ours = office["laia"], office["ours"]

    for empty in ("", "   \n\t "):
        with pytest.raises(inbox.InboxError, match="write the note before saving it"):
            await desk.add_note(operator=laia, conversation_id=ours, text=empty)
    with pytest.raises(inbox.InboxError) as refused:
        await desk.add_note(operator=laia, conversation_id=ours, text="x" * (notes.MAX_NOTE_LENGTH + 1))
    assert str(refused.value) == "a note has at most 4000 characters (this one has 4001): shorten it"
    with Session(engine) as session:
        assert session.exec(select(ConversationNote)).all() == []

    longest = await desk.add_note(operator=laia, conversation_id=ours, text="x" * notes.MAX_NOTE_LENGTH)
    assert len(longest.text) == notes.MAX_NOTE_LENGTH


async def test_another_organisations_operator_can_neither_add_nor_read_our_notes(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    bus = EventBus()
    desk, events = InboxDesk(engine=engine, bus=bus, media_dir=tmp_path), bus.subscribe()
    laia, eva, ours, theirs = office["laia"], office["eva"], office["ours"], office["theirs"]
    await desk.add_note(operator=laia, conversation_id=ours, text="El veí del 3r també ho ha avisat.")
    await asyncio.sleep(0)
    _drain(events)

    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        await desk.add_note(operator=eva, conversation_id=ours, text="Intrús")
    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        await desk.thread(tenant_id=eva.tenant_id, conversation_id=ours)
    with Session(engine) as session, pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        notes.notes(session, tenant_id=eva.tenant_id, conversation_id=ours)
    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):  # nor ours on theirs
        await desk.add_note(operator=laia, conversation_id=theirs, text="Intrús")

    assert (await desk.thread(tenant_id=eva.tenant_id, conversation_id=theirs)).notes == []
    with Session(engine) as session:
        stored = session.exec(select(ConversationNote)).all()
    assert [(n.tenant_id, n.conversation_id, n.text) for n in stored] == [
        (laia.tenant_id, ours, "El veí del 3r també ho ha avisat.")
    ]
    await asyncio.sleep(0)
    assert _drain(events) == []  # a refused note tells no tab anything
