"""The message path end to end: the simulator delivers a citizen's update to our webhook over HTTP, the pipeline
stores and routes it, the outbox sends the answer through python-telegram-bot, and the citizen's phone shows it."""

from __future__ import annotations

import asyncio
import base64
import time

import httpx
from sqlmodel import Session, col, select

from citymes_app.core import inbox
from citymes_app.models import Citizen, Conversation, Message, OutboxItem, row_id
from citymes_app.runtime import Runtime
from tests.helpers import IN_HOURS_NOTICE, Town, bot_messages, citizen_says, eventually, phone_screen

HORARIS_ANSWER = "L'OAC obre de dilluns a divendres de 8 a 19 h."
PNG_1x1 = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def stored_messages(runtime: Runtime, **where: object) -> list[Message]:
    with Session(runtime.engine) as session:
        query = select(Message).order_by(col(Message.id))
        for column, value in where.items():
            query = query.where(getattr(Message, column) == value)
        return list(session.exec(query))


async def test_keyword_is_answered_on_the_citizens_phone(town: Town, dispatcher: None) -> None:
    answer = await citizen_says(town, 501, text="  Horaris!  ")
    assert answer["webhook_status"] == 200

    replies = await eventually(lambda: bot_messages(town, 501))
    assert [m["text"] for m in replies] == ["L'OAC obre de dilluns a divendres de 8 a 19 h."]


async def test_unmatched_message_waits_for_an_operator_whose_reply_reaches_the_citizen(
    runtime: Runtime, town: Town, dispatcher: None
) -> None:
    await citizen_says(town, 502, text="Hi ha un fanal trencat al carrer Major", first_name="Pere")

    with Session(runtime.engine) as session:
        queue = inbox.queue(session, tenant_id=town.tenant_id)
    assert [(c.citizen_name, c.awaiting_operator, c.unread_count) for c in queue] == [("Pere", True, 1)]
    assert queue[0].preview == "Hi ha un fanal trencat al carrer Major"
    # No keyword fits: the citizen is told, once, that an operator will answer.
    notices = await eventually(lambda: bot_messages(town, 502))
    assert [m["text"] for m in notices] == [IN_HOURS_NOTICE]

    with Session(runtime.engine) as session:
        inbox.reply(session, operator=town.operator, conversation_id=queue[0].id, text="Gràcies, avisem la brigada.")
        session.commit()
    runtime.bus.wake_outbox()

    sent = await eventually(lambda: [m for m in stored_messages(runtime, author="operator") if m.status == "sent"])
    replies = await bot_messages(town, 502)
    assert [m["text"] for m in replies] == [IN_HOURS_NOTICE, "Gràcies, avisem la brigada."]
    assert sent[0].platform_message_id == f"502:{replies[1]['message_id']}"
    with Session(runtime.engine) as session:
        assert inbox.queue(session, tenant_id=town.tenant_id)[0].awaiting_operator is False


async def test_retried_update_is_stored_and_answered_once(runtime: Runtime, town: Town, dispatcher: None) -> None:
    update = {
        "update_id": 777001,
        "message": {
            "message_id": 41,
            "date": 1_790_000_000,
            "chat": {"id": 503, "type": "private", "first_name": "Anna"},
            "from": {"id": 503, "is_bot": False, "first_name": "Anna"},
            "text": "horario",
        },
    }
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(3):
            response = await client.post(town.bot_url("updates"), json=update)
            assert response.json()["webhook_status"] == 200

    await eventually(lambda: bot_messages(town, 503))
    await eventually(lambda: all(m.status == "sent" for m in stored_messages(runtime, author="bot")))
    assert len(stored_messages(runtime, direction="in")) == 1
    assert [m["text"] for m in await bot_messages(town, 503)] == ["La OAC abre de lunes a viernes de 8 a 19 h."]


async def test_same_update_delivered_at_the_same_moment_is_stored_and_answered_once(
    runtime: Runtime, town: Town, dispatcher: None
) -> None:
    """Deliveries that pass the "already stored?" check together: the database's unique key decides, the loser
    answers 200 as a duplicate (not a 500 that makes the platform deliver it yet again)."""
    rounds, copies = 6, 3
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(rounds):
            chat_id = 520 + n % 2  # each chat's first round creates its citizen, the later ones find it
            update = {
                "update_id": 778000 + n,
                "message": {
                    "message_id": 60 + n,
                    "date": 1_790_000_000 + n,
                    "chat": {"id": chat_id, "type": "private", "first_name": "Anna"},
                    "from": {"id": chat_id, "is_bot": False, "first_name": "Anna"},
                    "text": "HORARIS",
                },
            }
            answers = await asyncio.gather(*(client.post(town.bot_url("updates"), json=update) for _ in range(copies)))
            assert [a.json()["webhook_status"] for a in answers] == [200] * copies

    stored = stored_messages(runtime, direction="in")
    assert sorted(str(m.platform_message_id) for m in stored) == sorted(f"{520 + n % 2}:{60 + n}" for n in range(rounds))
    await eventually(lambda: len(stored_outbox(runtime, status="sent")) >= rounds, timeout=30)
    assert len(stored_outbox(runtime)) == rounds
    async with httpx.AsyncClient() as client:
        sent = (await client.get(town.bot_url("sent"))).json()["sent"]
    assert sorted((m["chat_id"], m["text"]) for m in sent) == sorted(
        [(520, HORARIS_ANSWER)] * (rounds // 2) + [(521, HORARIS_ANSWER)] * (rounds // 2)
    )


async def test_rate_limited_reply_is_delayed_but_not_lost(runtime: Runtime, town: Town, dispatcher: None) -> None:
    # Longer than the back-off after a plain failure (at most 1 s at first), so only honouring retry_after explains it.
    retry_after = 3
    async with httpx.AsyncClient() as client:
        await client.post(town.bot_url("failures"), json={"method": "sendMessage", "status": 429, "retry_after": retry_after})
    written_at = time.time()
    await citizen_says(town, 504, text="HORARIS")

    # The outbox records the send after the platform took it: wait for that, not for the phone.
    [item] = await eventually(lambda: stored_outbox(runtime, status="sent"), timeout=30)
    assert (item.attempts, item.last_error) == (0, f"rate limited for {retry_after}s")
    async with httpx.AsyncClient() as client:
        [sent] = (await client.get(town.bot_url("sent"))).json()["sent"]
    assert sent["text"] == "L'OAC obre de dilluns a divendres de 8 a 19 h."
    # The simulator took the reply no sooner than the platform asked (clocks of one machine, seconds apart).
    assert sent["time"] - written_at >= retry_after
    assert [m["text"] for m in await bot_messages(town, 504)] == [sent["text"]]


def stored_outbox(runtime: Runtime, **where: object) -> list[OutboxItem]:
    with Session(runtime.engine) as session:
        query = select(OutboxItem).order_by(col(OutboxItem.id))
        for column, value in where.items():
            query = query.where(getattr(OutboxItem, column) == value)
        return list(session.exec(query))


async def test_server_errors_are_retried_until_sent(runtime: Runtime, town: Town, dispatcher: None) -> None:
    async with httpx.AsyncClient() as client:
        await client.post(town.bot_url("failures"), json={"method": "sendMessage", "status": 502, "count": 1})
    await citizen_says(town, 505, text="HORARIS")

    replies = await eventually(lambda: bot_messages(town, 505), timeout=20)
    assert len(replies) == 1
    # The phone shows the reply a moment before the outbox records it: wait for the record, then read it.
    [item] = await eventually(lambda: stored_outbox(runtime, status="sent"), timeout=20)
    assert (item.status, item.attempts) == ("sent", 1)
    assert len(await bot_messages(town, 505)) == 1


async def test_citizen_who_blocked_the_bot_is_marked_unreachable_not_retried(
    runtime: Runtime, town: Town, dispatcher: None
) -> None:
    async with httpx.AsyncClient() as client:  # the citizen writes, then blocks the bot before the answer leaves
        await client.post(town.bot_url("chats/506/block"))
    await citizen_says(town, 506, text="HORARIS")
    await eventually(lambda: stored_messages(runtime, author="bot", status="failed"))

    [failed] = stored_messages(runtime, author="bot")
    assert failed.error == "the citizen has blocked the channel"
    with Session(runtime.engine) as session:
        assert session.exec(select(Citizen)).one().unreachable is True
        conversation = session.exec(select(Conversation)).one()
        try:
            inbox.reply(session, operator=town.operator, conversation_id=row_id(conversation), text="Hola?")
        except inbox.InboxError as exc:
            assert "blocked" in str(exc)
        else:
            raise AssertionError("a reply to a citizen who blocked the bot was accepted")


async def test_long_reply_arrives_in_parts_of_at_most_4096_characters(runtime: Runtime, town: Town, dispatcher: None) -> None:
    await citizen_says(town, 507, text="necessito ajuda")
    long_text = ("Paràgraf de prova amb informació municipal. " * 60 + "\n\n") * 4
    with Session(runtime.engine) as session:
        conversation = session.exec(select(Conversation)).one()
        inbox.reply(session, operator=town.operator, conversation_id=row_id(conversation), text=long_text)
        session.commit()
    runtime.bus.wake_outbox()

    await eventually(lambda: stored_messages(runtime, author="operator", status="sent"))
    replies = [m for m in await bot_messages(town, 507) if m["text"] != IN_HOURS_NOTICE]
    assert len(replies) >= 3
    assert all(len(m["text"]) <= 4096 for m in replies)
    assert "".join(m["text"] for m in replies).replace("\n", "").replace(" ", "") == long_text.replace("\n", "").replace(" ", "")


async def test_media_location_and_contact_are_stored_with_their_content(runtime: Runtime, town: Town) -> None:
    encoded = base64.b64encode(PNG_1x1).decode()
    await citizen_says(town, 508, photo={"filename": "forat.png", "content_base64": encoded}, caption="Forat!")
    await citizen_says(
        town,
        508,
        document={"filename": "instancia.pdf", "mime_type": "application/pdf", "content_base64": encoded},
    )
    await citizen_says(town, 508, voice={"filename": "nota.ogg", "mime_type": "audio/ogg", "content_base64": encoded})
    await citizen_says(town, 508, location={"latitude": 41.5381, "longitude": 2.4445})
    await citizen_says(town, 508, venue={"latitude": 41.54, "longitude": 2.44, "title": "Ajuntament", "address": "La Riera 48"})
    await citizen_says(town, 508, contact={"phone_number": "34600111222", "first_name": "Núria", "user_id": 508})

    messages = stored_messages(runtime, direction="in")
    assert [m.kind for m in messages] == ["photo", "document", "voice", "location", "location", "contact"]
    photo, document, voice, location, venue, contact = messages
    assert photo.text == "Forat!"
    for media in (photo, document, voice):
        assert media.media_path is not None
        assert (runtime.settings.media_dir / media.media_path).read_bytes() == PNG_1x1
    assert document.media_filename == "instancia.pdf"
    assert (location.latitude, location.longitude) == (41.5381, 2.4445)
    assert venue.text == "Ajuntament, La Riera 48"
    assert (contact.contact_name, contact.contact_phone) == ("Núria", "+34600111222")
    with Session(runtime.engine) as session:
        assert session.exec(select(Citizen)).one().phone == "+34600111222"  # shared their own contact


async def test_unusual_texts_are_stored_intact(runtime: Runtime, town: Town) -> None:
    texts = [
        "",
        "   ",
        "😀👍🏽 Bon dia! 🇪🇸",
        "مرحبا بكم في المدينة",
        "zero\u200bwidth\u200djoiner\u2060here",
        "<script>alert('x')</script><b>bold</b>",
        "x" * 4096,
    ]
    async with httpx.AsyncClient(timeout=30) as client:
        for number, text in enumerate(texts):
            # Raw updates, because a Telegram app would not even send an empty text; the webhook must cope anyway.
            update = {
                "update_id": 900 + number,
                "message": {
                    "message_id": number + 1,
                    "date": 1_790_000_000,
                    "chat": {"id": 600, "type": "private", "first_name": "Yara"},
                    "from": {"id": 600, "is_bot": False, "first_name": "Yara"},
                    "text": text,
                },
            }
            assert (await client.post(town.bot_url("updates"), json=update)).json()["webhook_status"] == 200
    assert [m.text for m in stored_messages(runtime, direction="in")] == texts


async def test_citizen_phone_shows_both_sides_of_the_chat(town: Town, dispatcher: None) -> None:
    await citizen_says(town, 509, text="HORARIS")
    await eventually(lambda: bot_messages(town, 509))
    screen = await phone_screen(town, 509)
    assert [(m["from"], m["text"]) for m in screen] == [
        ("citizen", "HORARIS"),
        ("bot", "L'OAC obre de dilluns a divendres de 8 a 19 h."),
    ]


async def test_photo_document_and_location_replies_reach_the_citizen(runtime: Runtime, town: Town, dispatcher: None) -> None:
    from citymes_app.core import outbox
    from citymes_app.core.media import save_media
    from citymes_app.models import Author
    from integrations.base import MessageKind

    await citizen_says(town, 510, text="on és l'oficina?")
    media_dir = runtime.settings.media_dir
    photo = save_media(media_dir, tenant_id=town.tenant_id, data=PNG_1x1, kind="photo", filename="plano.png", mime_type=None)
    pdf = save_media(
        media_dir, tenant_id=town.tenant_id, data=b"%PDF-1.4 demo", kind="document", filename="x.pdf", mime_type=None
    )
    with Session(runtime.engine) as session:
        conversation = session.exec(select(Conversation)).one()
        outbox.enqueue(
            session, conversation=conversation, author=Author.OPERATOR, kind=MessageKind.PHOTO, text="Plànol", media_path=photo
        )
        outbox.enqueue(
            session,
            conversation=conversation,
            author=Author.OPERATOR,
            kind=MessageKind.DOCUMENT,
            media_path=pdf,
            media_filename="instancia.pdf",
        )
        outbox.enqueue(
            session, conversation=conversation, author=Author.OPERATOR, kind=MessageKind.LOCATION, latitude=41.54, longitude=2.44
        )
        session.commit()
    runtime.bus.wake_outbox()

    await eventually(lambda: len(stored_messages(runtime, author="operator", status="sent")) == 3, timeout=20)
    screen = [m for m in await bot_messages(town, 510) if m["kind"] != "text"]
    assert [(m["kind"], m.get("caption") or m.get("filename")) for m in screen[:2]] == [
        ("photo", "Plànol"),
        ("document", "instancia.pdf"),
    ]
    assert (screen[2]["kind"], screen[2]["latitude"], screen[2]["longitude"]) == ("location", 41.54, 2.44)
    async with httpx.AsyncClient() as client:
        assert (await client.get(screen[0]["file_url"])).content == PNG_1x1
