"""The citizen panel's profile: who a conversation is with (name, platforms and channels, phone in full, opaque platform
ids masked, language, since when), their earlier conversations with the organisation, and the operators' private
notes on them — which follow the person from one conversation to the next, and across a link of two records; a note
can be taken back by its author only; another organisation's operator can neither read nor write any of it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from citymes_app.core import auth, citizen_profile, citizens, inbox, lists, tenants
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.core.inbox_desk import InboxDesk
from citymes_app.models import (
    Citizen,
    CitizenIdentity,
    CitizenNote,
    Conversation,
    ConversationStatus,
    ListConsent,
    ListSubscription,
    Operator,
    row_id,
    utcnow,
)


def _signed_in(operator: Operator, slug: str) -> auth.SignedInOperator:
    return auth.SignedInOperator(
        row_id(operator), operator.tenant_id, slug, slug, operator.email, operator.display_name, "operator"
    )


@pytest.fixture
def office(engine: Engine) -> dict:
    """Vila (Laia and Pau) and Altra (Eva). Núria writes to Vila on WhatsApp (her number) and on Telegram: a resolved
    conversation a month ago, a pending one last week and the open one today. Altra has a citizen of its own."""
    now = utcnow()
    with Session(engine) as session:
        vila = tenants.add_tenant(session, slug="vila", name="Vila")
        altra = tenants.add_tenant(session, slug="altra", name="Altra")
        staff = ((vila, "laia@vila.cat", "Laia"), (vila, "pau@vila.cat", "Pau"), (altra, "eva@altra.cat", "Eva"))
        people = {
            name: auth.add_operator(session, tenant=row, email=email, password="a long password", display_name=name)
            for row, email, name in staff
        }
        whatsapp = tenants.add_channel(session, tenant=vila, platform="whatsapp", credentials={}, name="Ajuntament")
        telegram = tenants.add_channel(session, tenant=vila, platform="telegram", credentials={}, name="Bot de Vila")
        theirs_channel = tenants.add_channel(session, tenant=altra, platform="telegram", credentials={}, name="Altra bot")
        nuria = Citizen(tenant_id=row_id(vila), display_name="Núria Puig", phone="+34612345678", language="ca")
        nuria.created_at = now - timedelta(days=40)
        stranger = Citizen(tenant_id=row_id(altra), display_name="Marc")
        session.add_all([nuria, stranger])
        session.flush()
        session.add_all(
            [
                CitizenIdentity(
                    tenant_id=row_id(vila), citizen_id=row_id(nuria), platform="whatsapp", platform_user_id="34612345678"
                ),
                CitizenIdentity(
                    tenant_id=row_id(vila), citizen_id=row_id(nuria), platform="telegram", platform_user_id="987654321"
                ),
                CitizenIdentity(
                    tenant_id=row_id(altra), citizen_id=row_id(stranger), platform="telegram", platform_user_id="555"
                ),
            ]
        )
        conversations = {}
        for key, citizen, channel, status, days, preview in (
            ("old", nuria, telegram, ConversationStatus.RESOLVED, 30, "📷 Photo el clot"),
            ("last_week", nuria, whatsapp, ConversationStatus.PENDING, 7, "Gràcies!"),
            ("ours", nuria, whatsapp, ConversationStatus.OPEN, 0, "Hi ha un clot"),
            ("theirs", stranger, theirs_channel, ConversationStatus.OPEN, 0, "Hola"),
        ):
            conversation = Conversation(
                tenant_id=citizen.tenant_id, citizen_id=row_id(citizen), channel_id=row_id(channel), address="a", status=status
            )
            conversation.created_at = conversation.last_message_at = now - timedelta(days=days)
            conversation.last_message_preview = preview
            session.add(conversation)
            session.flush()
            conversations[key] = row_id(conversation)
        session.commit()
        return {
            "laia": _signed_in(people["Laia"], "vila"),
            "pau": _signed_in(people["Pau"], "vila"),
            "eva": _signed_in(people["Eva"], "altra"),
            "nuria": row_id(nuria),
            **conversations,
        }


def _drain(events: asyncio.Queue[InboxEvent]) -> set[tuple[int, InboxEventKind]]:
    found = set()
    while not events.empty():
        event = events.get_nowait()
        found.add((event.conversation_id, event.kind))
    return found


async def test_the_profile_says_who_the_citizen_is_and_lists_their_earlier_conversations(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    desk = InboxDesk(engine=engine, bus=EventBus(), media_dir=tmp_path)

    profile = (await desk.thread(tenant_id=office["laia"].tenant_id, conversation_id=office["ours"])).citizen

    assert profile is not None
    assert (profile.citizen_id, profile.name, profile.phone, profile.language) == (
        office["nuria"],
        "Núria Puig",
        "+34612345678",
        "ca",
    )
    assert (utcnow() - profile.first_seen).days == 40
    # The number she writes from is shown as her phone; Telegram's own id for her means nothing to anyone: masked.
    assert [(i.platform, i.address, i.is_phone, i.channels) for i in profile.identities] == [
        ("whatsapp", "+34612345678", True, ["Ajuntament"]),
        ("telegram", "••••4321", False, ["Bot de Vila"]),
    ]
    assert profile.conversation_count == 3
    assert [(c.id, c.status, c.channel_name, c.preview) for c in profile.earlier] == [
        (office["last_week"], ConversationStatus.PENDING, "Ajuntament", "Gràcies!"),
        (office["old"], ConversationStatus.RESOLVED, "Bot de Vila", "📷 Photo el clot"),
    ]
    assert profile.notes == []


async def test_a_note_on_the_citizen_shows_beside_every_conversation_of_theirs_and_tells_those_tabs(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    bus = EventBus()
    desk, events = InboxDesk(engine=engine, bus=bus, media_dir=tmp_path), bus.subscribe()
    outbox_woken = bus.outbox_waker()
    laia, pau = office["laia"], office["pau"]

    first = await desk.add_citizen_note(operator=laia, conversation_id=office["ours"], text="  Prefereix una trucada.  ")
    await desk.add_citizen_note(operator=pau, conversation_id=office["old"], text="<b>Gran</b> <script>alert(1)</script>")

    assert (first.operator_name, first.text, first.citizen_id) == ("Laia", "Prefereix una trucada.", office["nuria"])
    for conversation_id in (office["ours"], office["last_week"], office["old"]):
        profile = (await desk.thread(tenant_id=laia.tenant_id, conversation_id=conversation_id)).citizen
        assert profile is not None
        assert [(n.operator_name, n.text) for n in profile.notes] == [
            ("Pau", "<b>Gran</b> <script>alert(1)</script>"),  # newest first, kept as written: the page shows text
            ("Laia", "Prefereix una trucada."),
        ]
    await asyncio.sleep(0)
    conversations = {office["ours"], office["last_week"], office["old"]}
    assert _drain(events) == {(c, InboxEventKind.NOTE) for c in conversations}  # the tabs that show her, no queue read
    assert not outbox_woken.is_set()


async def test_an_empty_or_too_long_note_is_refused_and_only_its_author_can_delete_a_note(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    desk = InboxDesk(engine=engine, bus=EventBus(), media_dir=tmp_path)
    laia, pau, ours = office["laia"], office["pau"], office["ours"]

    with pytest.raises(inbox.InboxError, match="write the note before saving it"):
        await desk.add_citizen_note(operator=laia, conversation_id=ours, text=" \n ")
    with pytest.raises(inbox.InboxError) as refused:
        await desk.add_citizen_note(operator=laia, conversation_id=ours, text="x" * 4001)
    assert str(refused.value) == "a note has at most 4000 characters (this one has 4001): shorten it"
    longest = await desk.add_citizen_note(operator=laia, conversation_id=ours, text="x" * 4000)

    with pytest.raises(inbox.InboxError, match="only the operator who wrote a note can delete it"):
        await desk.delete_citizen_note(operator=pau, note_id=longest.id)
    with pytest.raises(inbox.InboxError, match="this note does not exist"):
        await desk.delete_citizen_note(operator=laia, note_id=longest.id + 1000)
    await desk.delete_citizen_note(operator=laia, note_id=longest.id)
    with Session(engine) as session:
        assert session.exec(select(CitizenNote)).all() == []


async def test_only_its_author_changes_a_note_and_the_tabs_showing_the_citizen_follow(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    bus = EventBus()
    desk, events = InboxDesk(engine=engine, bus=bus, media_dir=tmp_path), bus.subscribe()
    laia, pau, eva, ours = office["laia"], office["pau"], office["eva"], office["ours"]
    note = await desk.add_citizen_note(operator=laia, conversation_id=ours, text="Truqueu-la al matí.")
    await asyncio.sleep(0)
    _drain(events)

    await desk.edit_citizen_note(operator=laia, note_id=note.id, text="  Truqueu-la a la tarda.  ")
    await asyncio.sleep(0)
    conversations = {office["ours"], office["last_week"], office["old"]}
    assert _drain(events) == {(c, InboxEventKind.NOTE) for c in conversations}
    shown = (await desk.thread(tenant_id=laia.tenant_id, conversation_id=office["old"])).citizen
    assert shown is not None and [(n.id, n.text, n.operator_id) for n in shown.notes] == [
        (note.id, "Truqueu-la a la tarda.", laia.operator_id)
    ]

    with pytest.raises(inbox.InboxError, match="only the operator who wrote a note can change it"):
        await desk.edit_citizen_note(operator=pau, note_id=note.id, text="Pau's words")
    with pytest.raises(inbox.InboxError, match="this note does not exist"):  # another organisation's: as missing
        await desk.edit_citizen_note(operator=eva, note_id=note.id, text="Intrús")
    with pytest.raises(inbox.InboxError, match="write the note before saving it"):
        await desk.edit_citizen_note(operator=laia, note_id=note.id, text=" ")
    with pytest.raises(inbox.InboxError, match="a note has at most 4000 characters"):
        await desk.edit_citizen_note(operator=laia, note_id=note.id, text="x" * 4001)
    with Session(engine) as session:
        assert [n.text for n in session.exec(select(CitizenNote))] == ["Truqueu-la a la tarda."]
    await asyncio.sleep(0)
    assert _drain(events) == set()  # nothing refused told any tab


async def test_another_organisations_operator_can_neither_read_nor_write_nor_delete_anything_of_ours(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    bus = EventBus()
    desk, events = InboxDesk(engine=engine, bus=bus, media_dir=tmp_path), bus.subscribe()
    laia, eva, ours = office["laia"], office["eva"], office["ours"]
    note = await desk.add_citizen_note(operator=laia, conversation_id=ours, text="Té mobilitat reduïda.")
    await asyncio.sleep(0)
    _drain(events)

    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        await desk.add_citizen_note(operator=eva, conversation_id=ours, text="Intrús")
    with pytest.raises(inbox.InboxError, match="this note does not exist"):  # the same words as a missing note
        await desk.delete_citizen_note(operator=eva, note_id=note.id)
    with Session(engine) as session, pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        citizen_profile.citizen_profile(session, tenant_id=eva.tenant_id, conversation_id=ours)
    with Session(engine) as session:  # nor by the citizen's id
        assert citizen_profile.citizen_notes(session, tenant_id=eva.tenant_id, citizen_id=office["nuria"]) == []
    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):  # nor ours on theirs
        await desk.add_citizen_note(operator=laia, conversation_id=office["theirs"], text="Intrús")

    theirs = (await desk.thread(tenant_id=eva.tenant_id, conversation_id=office["theirs"])).citizen
    assert theirs is not None and (theirs.notes, theirs.earlier, theirs.conversation_count) == ([], [], 1)
    with Session(engine) as session:
        stored = session.exec(select(CitizenNote)).all()
    assert [(n.tenant_id, n.citizen_id, n.text) for n in stored] == [(laia.tenant_id, office["nuria"], "Té mobilitat reduïda.")]
    await asyncio.sleep(0)
    assert _drain(events) == set()


async def test_notes_follow_the_citizen_when_two_records_are_linked(engine: Engine, office: dict, tmp_path: Path) -> None:
    desk = InboxDesk(engine=engine, bus=EventBus(), media_dir=tmp_path)
    laia = office["laia"]
    with Session(engine) as session:
        other = Citizen(tenant_id=laia.tenant_id, display_name="N. Puig")
        session.add(other)
        session.flush()
        channel = session.get_one(Conversation, office["ours"]).channel_id
        session.add(Conversation(tenant_id=laia.tenant_id, citizen_id=row_id(other), channel_id=channel, address="b"))
        session.commit()
        other_conversation = session.exec(select(Conversation).where(Conversation.citizen_id == row_id(other))).one()
        other_id, other_conversation_id = row_id(other), row_id(other_conversation)
    await desk.add_citizen_note(operator=laia, conversation_id=other_conversation_id, text="Ve de l'altre registre.")

    with Session(engine) as session:
        citizens.link_citizens(session, tenant_id=laia.tenant_id, keep_id=office["nuria"], merge_id=other_id)
        session.commit()

    profile = (await desk.thread(tenant_id=laia.tenant_id, conversation_id=office["ours"])).citizen
    assert profile is not None
    assert [n.text for n in profile.notes] == ["Ve de l'altre registre."]
    assert profile.conversation_count == 4


def _list_of(engine: Engine, slug: str, word: str) -> int:
    with Session(engine) as session:
        tenant = tenants.require_tenant(session, slug=slug)
        texts = {
            code: lists.ListTexts(code, f"{word} {code}", "", f"ALTA {word}{code}", f"BAIXA {word}{code}")
            for code in tenant.languages.split(",")
        }
        change = lists.save_list(session, tenant=tenant, list_id=None, texts=texts)
        session.commit()
        return change.id


async def test_an_operator_adds_the_citizen_to_a_list_on_the_conversations_channel_and_the_tabs_follow(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    bus = EventBus()
    desk, events = InboxDesk(engine=engine, bus=bus, media_dir=tmp_path), bus.subscribe()
    laia = office["laia"]
    traffic = _list_of(engine, "vila", "TRANSIT")

    await desk.add_to_list(operator=laia, conversation_id=office["ours"], list_id=traffic)
    with pytest.raises(inbox.InboxError, match="already on this list"):
        await desk.add_to_list(operator=laia, conversation_id=office["last_week"], list_id=traffic)  # same number

    profile = (await desk.thread(tenant_id=laia.tenant_id, conversation_id=office["old"])).citizen
    assert profile is not None
    [subscription] = profile.subscriptions
    assert (subscription.list_id, subscription.platform, subscription.channel_name) == (traffic, "whatsapp", "Ajuntament")
    assert (subscription.source, subscription.operator_id) == ("operator", laia.operator_id)
    assert [(listed.id, listed.name("es")) for listed in profile.organisation_lists] == [(traffic, "TRANSIT es")]
    await asyncio.sleep(0)
    assert _drain(events) == {(c, InboxEventKind.NOTE) for c in (office["ours"], office["last_week"], office["old"])}

    await desk.remove_from_list(
        operator=office["pau"], conversation_id=office["old"], subscription_id=subscription.subscription_id
    )
    profile = (await desk.thread(tenant_id=laia.tenant_id, conversation_id=office["ours"])).citizen
    assert profile is not None and profile.subscriptions == []
    with Session(engine) as session:
        history = session.exec(select(ListConsent.action, ListConsent.operator_id).order_by(col(ListConsent.id))).all()
    assert history == [("joined", laia.operator_id), ("left", office["pau"].operator_id)]


async def test_another_organisations_operator_cannot_change_our_citizens_lists(
    engine: Engine, office: dict, tmp_path: Path
) -> None:
    desk = InboxDesk(engine=engine, bus=EventBus(), media_dir=tmp_path)
    ours, theirs = _list_of(engine, "vila", "TRANSIT"), _list_of(engine, "altra", "CULTURA")
    await desk.add_to_list(operator=office["laia"], conversation_id=office["ours"], list_id=ours)
    eva = office["eva"]
    with pytest.raises(inbox.InboxError, match="does not exist"):
        await desk.add_to_list(operator=eva, conversation_id=office["ours"], list_id=theirs)
    with pytest.raises(inbox.InboxError, match="does not exist"):
        await desk.add_to_list(operator=office["laia"], conversation_id=office["ours"], list_id=theirs)
    with Session(engine) as session:
        subscription_id = session.exec(select(ListSubscription.id)).one() or 0
    with pytest.raises(inbox.InboxError, match="does not exist"):
        await desk.remove_from_list(operator=eva, conversation_id=office["theirs"], subscription_id=subscription_id)
    with Session(engine) as session:
        assert len(session.exec(select(ListSubscription)).all()) == 1
