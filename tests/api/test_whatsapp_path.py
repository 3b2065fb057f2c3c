"""The WhatsApp path end to end: the simulator signs and delivers a citizen's message to our webhook over HTTP, the
pipeline stores and routes it, the outbox sends the answer through the WhatsApp channel, statuses come back, and the
citizen's phone shows it all."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, func, select

from citymes_app.core import inbox, outbox, templates
from citymes_app.core.channels import ROW_SECONDS
from citymes_app.core.events import InboxEvent
from citymes_app.models import Author, Channel, Citizen, CitizenIdentity, Conversation, Message, OutboxItem, row_id, utcnow
from citymes_app.runtime import Runtime
from integrations.base import MessageKind
from tests.helpers import (
    Town,
    WhatsAppTown,
    bot_messages,
    citizen_says,
    eventually,
    make_whatsapp_town,
    wa_business_messages,
    wa_citizen_says,
    wa_phone_screen,
)

CITIZEN = "34600111222"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
HORARIS_ANSWER = "L'OAC obre de dilluns a divendres de 8 a 19 h."


@pytest.fixture
async def wa(runtime: Runtime, simulator_url: str, api_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WhatsAppTown]:
    """A town whose WhatsApp number (on the simulator) delivers to our webhook; statuses come back quickly."""
    monkeypatch.setenv("CITYMES_WHATSAPP_API_BASE", simulator_url)
    town = await make_whatsapp_town(runtime, simulator_url, api_url)
    async with httpx.AsyncClient() as client:
        await client.post(town.number_url("statuses"), json={"delay_seconds": 0.01})
    yield town
    await runtime.channels.close()


def stored_messages(runtime: Runtime, **where: object) -> list[Message]:
    with Session(runtime.engine) as session:
        query = select(Message).order_by(col(Message.id))
        for column, value in where.items():
            query = query.where(getattr(Message, column) == value)
        return list(session.exec(query))


def message_count(runtime: Runtime) -> int:
    """How many citizen messages are stored."""
    with Session(runtime.engine) as session:
        return session.exec(select(func.count()).select_from(Message).where(Message.direction == "in")).one()


def notification(phone_number_id: str, *, wamid: str = "wamid.TEST1", text: str = "hola", **extra: object) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "34930000000", "phone_number_id": phone_number_id},
                            "contacts": [{"profile": {"name": "Joan"}, "wa_id": CITIZEN}],
                            "messages": [
                                {
                                    "from": CITIZEN,
                                    "id": wamid,
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
        **extra,
    }


def signed(app_secret: str, body: bytes) -> dict[str, str]:
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


async def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url, content=body, headers=headers or {"Content-Type": "application/json"})


def hook(api_url: str, wa: WhatsAppTown) -> str:
    return f"{api_url}/webhooks/whatsapp/{wa.channel_id}"


def conversation_of(runtime: Runtime, channel_id: int) -> Conversation:
    with Session(runtime.engine) as session:
        return session.exec(select(Conversation).where(Conversation.channel_id == channel_id)).one()


# --- Handshake and signatures -----------------------------------------------------------------------------------


async def test_subscription_check_echoes_the_challenge_only_with_the_right_verify_token(wa: WhatsAppTown, api_url: str) -> None:
    async with httpx.AsyncClient() as client:
        right = await client.get(
            hook(api_url, wa),
            params={"hub.mode": "subscribe", "hub.verify_token": wa.verify_token, "hub.challenge": "1158201444"},
        )
        wrong = await client.get(
            hook(api_url, wa),
            params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"},
        )
        no_mode = await client.get(hook(api_url, wa), params={"hub.verify_token": wa.verify_token, "hub.challenge": "1"})
        unknown = await client.get(f"{api_url}/webhooks/whatsapp/999", params={"hub.mode": "subscribe"})
    assert (right.status_code, right.text) == (200, "1158201444")
    assert right.headers["content-type"].startswith("text/plain")
    assert (wrong.status_code, no_mode.status_code, unknown.status_code) == (403, 403, 404)


async def test_unsigned_and_wrongly_signed_bodies_are_refused_and_nothing_stored(
    runtime: Runtime, wa: WhatsAppTown, api_url: str
) -> None:
    body = json.dumps(notification(wa.phone_number_id)).encode()
    attempts = [
        {"Content-Type": "application/json"},
        {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"Content-Type": "application/json", "X-Hub-Signature-256": "not-even-the-format"},
        signed("another-apps-secret", body),
    ]
    for headers in attempts:
        response = await post(hook(api_url, wa), body, headers)
        assert response.status_code == 403, headers
    assert message_count(runtime) == 0

    assert (await post(hook(api_url, wa), body, signed(wa.app_secret, body))).status_code == 200
    assert message_count(runtime) == 1


async def test_a_replayed_body_is_stored_once_and_a_replayed_then_altered_one_refused(
    runtime: Runtime, wa: WhatsAppTown, api_url: str
) -> None:
    await wa_citizen_says(wa, CITIZEN, text="Hi ha un forat al carrer")
    async with httpx.AsyncClient() as client:
        [delivery] = (await client.get(wa.number_url("deliveries"))).json()["deliveries"]
    body, signature = delivery["body"].encode(), delivery["signature"]
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}

    assert (await post(hook(api_url, wa), body, headers)).status_code == 200  # a replay is a duplicate
    altered = body.replace(b"forat", b"tresor")
    assert (await post(hook(api_url, wa), altered, headers)).status_code == 403
    assert [m.text for m in stored_messages(runtime, direction="in")] == ["Hi ha un forat al carrer"]


async def test_a_notification_for_another_phone_number_is_refused(runtime: Runtime, wa: WhatsAppTown, api_url: str) -> None:
    body = json.dumps(notification("100000000000001")).encode()
    response = await post(hook(api_url, wa), body, signed(wa.app_secret, body))
    assert response.status_code == 403
    assert message_count(runtime) == 0


async def test_bodies_up_to_3_mb_are_accepted_and_larger_ones_refused(runtime: Runtime, wa: WhatsAppTown, api_url: str) -> None:
    body = json.dumps(notification(wa.phone_number_id, padding="x" * (3 * 1024 * 1024 - 2000))).encode()
    assert len(body) <= 3 * 1024 * 1024
    assert (await post(hook(api_url, wa), body, signed(wa.app_secret, body))).status_code == 200
    huge = json.dumps(notification(wa.phone_number_id, wamid="wamid.BIG", padding="x" * (3 * 1024 * 1024))).encode()
    assert (await post(hook(api_url, wa), huge, signed(wa.app_secret, huge))).status_code == 413
    assert message_count(runtime) == 1


async def test_malformed_signed_bodies_are_400_never_500(runtime: Runtime, wa: WhatsAppTown, api_url: str) -> None:
    bodies = [
        b"{not json",
        b"[]",
        json.dumps({"object": "page", "entry": []}).encode(),
        json.dumps({"object": "whatsapp_business_account", "entry": "x"}).encode(),
        json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]}).encode(),
        json.dumps(notification(wa.phone_number_id) | {"entry": [{"changes": [{"field": "messages", "value": {}}]}]}).encode(),
    ]
    for body in bodies:
        response = await post(hook(api_url, wa), body, signed(wa.app_secret, body))
        assert response.status_code == 400, (body, response.text)
    assert message_count(runtime) == 0


async def test_signed_bodies_too_deep_or_with_lone_surrogates_are_400(runtime: Runtime, wa: WhatsAppTown, api_url: str) -> None:
    surrogate = json.dumps(notification(wa.phone_number_id, text="hola \ud800")).encode()
    deep = b'{"object": "whatsapp_business_account", "entry": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    for body in (surrogate, deep):
        response = await post(hook(api_url, wa), body, signed(wa.app_secret, body))
        assert response.status_code == 400, response.text
    assert message_count(runtime) == 0


async def test_handshake_on_a_channel_id_beyond_64_bits_is_404(wa: WhatsAppTown, api_url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{api_url}/webhooks/whatsapp/999999999999999999999",
            params={"hub.mode": "subscribe", "hub.verify_token": wa.verify_token, "hub.challenge": "1"},
        )
    assert response.status_code == 404


async def test_a_disabled_channel_answers_404(runtime: Runtime, wa: WhatsAppTown, api_url: str) -> None:
    # Switched off behind the app's back (as the CLI or another worker would): seen within the channel cache's second.
    with Session(runtime.engine) as session:
        session.get_one(Channel, wa.channel_id).enabled = False
        session.commit()
    body = json.dumps(notification(wa.phone_number_id)).encode()

    async def refused() -> bool:
        return (await post(hook(api_url, wa), body, signed(wa.app_secret, body))).status_code == 404

    await eventually(refused, timeout=ROW_SECONDS + 2)
    async with httpx.AsyncClient() as client:
        handshake = await client.get(hook(api_url, wa), params={"hub.mode": "subscribe", "hub.verify_token": wa.verify_token})
    assert handshake.status_code == 404


# --- Inbound --------------------------------------------------------------------------------------------------


async def test_every_inbound_type_is_stored_with_its_content(runtime: Runtime, wa: WhatsAppTown) -> None:
    def media(filename: str, mime: str) -> dict:
        return {"content_base64": base64.b64encode(PNG).decode(), "filename": filename, "mime_type": mime}

    sends: list[dict[str, Any]] = [
        {"text": "Bon dia"},
        {"image": media("forat.png", "image/png"), "caption": "Forat!"},
        {"video": media("clip.mp4", "video/mp4")},
        {"audio": media("cancó.mp3", "audio/mpeg")},
        {"voice": media("nota.ogg", "audio/ogg")},
        {"document": media("instancia.pdf", "application/pdf"), "caption": "La instància"},
        {"location": {"latitude": 41.5381, "longitude": 2.4445, "name": "Ajuntament", "address": "La Riera 48"}},
        {"button_reply": {"id": "b1", "title": "Sí, gràcies"}},
        {"list_reply": {"id": "r2", "title": "Padró", "description": "Certificats"}},
        {"button": {"text": "Parar avisos", "payload": "STOP"}},
        {"contacts": [{"name": "Pere Vila", "phone": "+34 600 333 444"}]},
        {"reaction": {"message_id": "wamid.X", "emoji": "👍"}},
        {"sticker": media("s.webp", "image/webp")},
    ]
    for content in sends:
        assert (await wa_citizen_says(wa, CITIZEN, **content))["webhook_status"] == 200, content

    messages = stored_messages(runtime, direction="in")
    assert [m.kind for m in messages] == [
        "text",
        "photo",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "text",
        "text",
        "text",
        "contact",
        "unsupported",
        "unsupported",
    ]
    text, photo, video, audio, voice, document, location, button, row, template_button, contact, *_ = messages
    assert (text.text, photo.text, document.text) == ("Bon dia", "Forat!", "La instància")
    for stored in (photo, video, audio, voice, document):
        assert stored.media_path is not None
        assert (runtime.settings.media_dir / stored.media_path).read_bytes() == PNG
    assert (photo.media_mime, voice.media_mime, document.media_filename) == ("image/png", "audio/ogg", "instancia.pdf")
    assert (location.latitude, location.longitude, location.text) == (41.5381, 2.4445, "Ajuntament, La Riera 48")
    assert (button.text, row.text, template_button.text) == ("Sí, gràcies", "Padró", "Parar avisos")
    assert (contact.contact_name, contact.contact_phone) == ("Pere Vila", "+34600333444")
    with Session(runtime.engine) as session:
        citizen = session.exec(select(Citizen)).one()
        assert (citizen.display_name, citizen.phone) == ("Núria", "+34600111222")
        [summary] = inbox.queue(session, tenant_id=wa.tenant_id)
    assert summary.platform == "whatsapp"
    assert summary.preview == "⚠ Unsupported message"


async def test_the_same_message_delivered_three_times_is_stored_once(runtime: Runtime, wa: WhatsAppTown) -> None:
    payload = notification(wa.phone_number_id, wamid="wamid.HBgLMzQ2MDAxMTEyMjIVAgASGBQzQUQ", text="Hi ha un fanal trencat")
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(3):
            response = await client.post(wa.number_url("notifications"), json=payload)
            assert response.json()["webhook_status"] == 200
    [stored] = stored_messages(runtime, direction="in")
    assert stored.platform_message_id == "wamid.HBgLMzQ2MDAxMTEyMjIVAgASGBQzQUQ"
    with Session(runtime.engine) as session:
        assert inbox.queue(session, tenant_id=wa.tenant_id)[0].unread_count == 1


async def test_an_interactive_button_reply_is_stored_with_its_title_and_answered(
    runtime: Runtime, wa: WhatsAppTown, dispatcher: None
) -> None:
    await wa_citizen_says(wa, CITIZEN, button_reply={"id": "menu-horaris", "title": "Horaris"})

    [stored] = stored_messages(runtime, direction="in")
    assert (stored.kind, stored.text) == ("text", "Horaris")
    replies = await eventually(lambda: wa_business_messages(wa, CITIZEN))
    assert [m["text"] for m in replies] == [HORARIS_ANSWER]


# --- Outbound, statuses and limits ------------------------------------------------------------------------------


async def test_keyword_answer_reaches_the_phone_and_its_statuses_go_sent_delivered_read(
    runtime: Runtime, wa: WhatsAppTown, dispatcher: None
) -> None:
    events = runtime.bus.subscribe()
    await wa_citizen_says(wa, CITIZEN, text="horaris")

    [answer] = await eventually(lambda: wa_business_messages(wa, CITIZEN))
    assert answer["text"] == HORARIS_ANSWER
    [reply] = await eventually(lambda: stored_messages(runtime, author="bot", status="read"))
    assert reply.platform_message_id == answer["wamid"]
    seen: list[InboxEvent] = []
    while not events.empty():
        seen.append(events.get_nowait())
    assert any(e.kind == "status" and e.message_id == reply.id for e in seen)

    # A late "delivered" (notifications arrive out of order) does not move the message back.
    async with httpx.AsyncClient(timeout=30) as client:
        pushed = await client.post(wa.number_url(f"messages/{answer['wamid']}/status"), json={"status": "delivered"})
    assert pushed.json() == {"ok": True, "delivered": True}
    assert stored_messages(runtime, author="bot")[0].status == "read"
    runtime.bus.unsubscribe(events)


async def test_a_failed_status_marks_the_message_failed_with_the_reason(
    runtime: Runtime, wa: WhatsAppTown, dispatcher: None
) -> None:
    async with httpx.AsyncClient() as client:
        await client.post(wa.number_url("failures"), json={"code": 131026, "as_status": True})
    await wa_citizen_says(wa, CITIZEN, text="HORARIS")

    [failed] = await eventually(lambda: stored_messages(runtime, author="bot", status="failed"))
    assert failed.error is not None
    assert "could not deliver the message to this number" in failed.error
    assert "(131026)" in failed.error


async def test_a_throughput_error_delays_the_send_without_losing_it(runtime: Runtime, wa: WhatsAppTown, dispatcher: None) -> None:
    async with httpx.AsyncClient() as client:
        await client.post(wa.number_url("failures"), json={"code": 130429})
    started = time.monotonic()
    await wa_citizen_says(wa, CITIZEN, text="HORARIS")

    replies = await eventually(lambda: wa_business_messages(wa, CITIZEN))
    assert [m["text"] for m in replies] == [HORARIS_ANSWER]
    assert time.monotonic() - started >= 0.9  # waited out the throughput limit
    await eventually(lambda: stored_messages(runtime, author="bot", status="read"))
    with Session(runtime.engine) as session:
        item = session.exec(select(OutboxItem)).one()
    assert (item.status, item.attempts, item.last_error) == ("sent", 0, "rate limited for 1s")


async def test_an_operator_photo_and_location_reach_the_citizens_phone(
    runtime: Runtime, wa: WhatsAppTown, dispatcher: None
) -> None:
    await wa_citizen_says(wa, CITIZEN, text="On és l'oficina?")
    conversation = conversation_of(runtime, wa.channel_id)
    photo_path = runtime.settings.media_dir / "oficina.png"
    photo_path.parent.mkdir(parents=True, exist_ok=True)
    photo_path.write_bytes(PNG)
    with Session(runtime.engine) as session:
        inbox.reply(session, operator=wa.operator, conversation_id=row_id(conversation), text="Us enviem la ubicació")
        row = session.get_one(Conversation, conversation.id)
        outbox.enqueue(
            session, conversation=row, author=Author.OPERATOR, kind=MessageKind.PHOTO, text="La façana", media_path="oficina.png"
        )
        outbox.enqueue(
            session, conversation=row, author=Author.OPERATOR, kind=MessageKind.LOCATION, latitude=41.54, longitude=2.44
        )
        session.commit()
    runtime.bus.wake_outbox()

    await eventually(lambda: _bubbles_of_kind(wa, "location"))
    ours = {"Us enviem la ubicació", "La façana"}
    shown = [m for m in await wa_business_messages(wa, CITIZEN) if (m["text"] or m["caption"]) in ours or m["kind"] == "location"]
    assert [(m["kind"], m["text"] or m["caption"]) for m in shown] == [
        ("text", "Us enviem la ubicació"),
        ("image", "La façana"),
        ("location", None),
    ]
    assert (shown[-1]["latitude"], shown[-1]["longitude"]) == (41.54, 2.44)
    async with httpx.AsyncClient() as client:
        assert (await client.get(shown[1]["file_url"])).content == PNG


# --- The 24-hour window and templates ------------------------------------------------------------------------


async def test_reply_outside_the_24_hour_window_is_refused_with_the_reason_and_a_template_is_accepted(
    runtime: Runtime, wa: WhatsAppTown, dispatcher: None
) -> None:
    await wa_citizen_says(wa, CITIZEN, text="Com va el meu tràmit?")
    conversation = conversation_of(runtime, wa.channel_id)
    async with httpx.AsyncClient() as client:
        # A day and an hour pass, on WhatsApp's side and on ours.
        await client.post(wa.number_url(f"chats/{CITIZEN}/window"), json={"last_message_seconds_ago": 25 * 3600})
        await client.post(
            wa.number_url("templates"),
            json={"name": "tramit_llest", "language": "ca", "body": "Hola {{1}}, el tràmit {{2}} ja està llest."},
        )
    with Session(runtime.engine) as session:
        row = session.get_one(Conversation, conversation.id)
        row.last_inbound_at = utcnow() - timedelta(hours=25)
        session.add(row)
        templates.add_template(
            session,
            channel=session.get_one(Channel, wa.channel_id),
            name="tramit_llest",
            language="ca",
            body="Hola {{1}}, el tràmit {{2}} ja està llest.",
        )
        session.commit()

    with Session(runtime.engine) as session:
        window = inbox.reply_window(session, tenant_id=wa.tenant_id, conversation_id=row_id(conversation))
        with pytest.raises(inbox.InboxError) as refused:
            inbox.reply(session, operator=wa.operator, conversation_id=row_id(conversation), text="Ja està!")
    assert window.open is False
    assert [t.name for t in window.templates] == ["tramit_llest"]
    reason = str(refused.value)
    assert "more than 24 hours old" in reason
    assert "approved template" in reason
    assert "tramit_llest (ca)" in reason
    assert stored_messages(runtime, author="operator") == []

    with Session(runtime.engine) as session:
        with pytest.raises(inbox.InboxError, match="takes 2 parameter"):
            inbox.send_template(session, operator=wa.operator, conversation_id=row_id(conversation), name="tramit_llest")
        inbox.send_template(
            session,
            operator=wa.operator,
            conversation_id=row_id(conversation),
            name="tramit_llest",
            params=["Núria", "X-42"],
        )
        session.commit()
    runtime.bus.wake_outbox()

    expected = "Hola Núria, el tràmit X-42 ja està llest."
    bubbles = await eventually(lambda: _bubbles_of_kind(wa, "template"))
    assert [(b["text"], b["template"]["params"]) for b in bubbles] == [(expected, ["Núria", "X-42"])]
    [sent] = await eventually(lambda: stored_messages(runtime, author="operator", status="read"))
    assert sent.template is not None
    assert (sent.kind, sent.text, sent.template["name"]) == ("template", expected, "tramit_llest")


async def _bubbles_of_kind(wa: WhatsAppTown, kind: str) -> list[dict]:
    return [m for m in await wa_business_messages(wa, CITIZEN) if m["kind"] == kind]


async def test_a_free_form_message_the_platform_refuses_for_the_window_fails_with_the_reason(
    runtime: Runtime, wa: WhatsAppTown, dispatcher: None
) -> None:
    await wa_citizen_says(wa, CITIZEN, text="HORARIS")
    await eventually(lambda: stored_messages(runtime, author="bot", status="read"))
    async with httpx.AsyncClient() as client:
        await client.post(wa.number_url(f"chats/{CITIZEN}/window"), json={"last_message_seconds_ago": 25 * 3600})
    conversation = conversation_of(runtime, wa.channel_id)
    with Session(runtime.engine) as session:
        # Our record still believes the window open (a clock skew, a lost message): the platform has the last word.
        inbox.reply(session, operator=wa.operator, conversation_id=row_id(conversation), text="Alguna cosa més?")
        session.commit()
    runtime.bus.wake_outbox()

    [failed] = await eventually(lambda: stored_messages(runtime, author="operator", status="failed"))
    assert failed.error is not None
    assert failed.error.startswith("refused by the platform: more than 24 hours have passed")
    assert "(131047)" in failed.error


# --- Many numbers, many platforms -------------------------------------------------------------------------------


async def test_a_citizen_on_telegram_and_two_whatsapp_numbers_is_one_citizen_answered_on_each_channel(
    runtime: Runtime,
    town: Town,
    simulator_url: str,
    api_url: str,
    dispatcher: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CITYMES_WHATSAPP_API_BASE", simulator_url)
    first = await make_whatsapp_town(runtime, simulator_url, api_url, town=town)
    second = await make_whatsapp_town(runtime, simulator_url, api_url, town=town)

    # On Telegram she shares her own contact, which tells us her number; WhatsApp always tells it.
    await citizen_says(town, 701, first_name="Núria", contact={"phone_number": CITIZEN, "first_name": "Núria", "user_id": 701})
    await wa_citizen_says(first, CITIZEN, text="Us escric també per WhatsApp")
    await wa_citizen_says(second, CITIZEN, text="I per l'altre número")

    with Session(runtime.engine) as session:
        [citizen] = session.exec(select(Citizen)).all()
        identities = session.exec(select(CitizenIdentity.platform).where(CitizenIdentity.citizen_id == citizen.id)).all()
        conversations = {c.channel_id: row_id(c) for c in session.exec(select(Conversation)).all()}
    assert citizen.phone == "+34600111222"
    assert sorted(identities) == ["telegram", "whatsapp"]
    assert set(conversations) == {town.channel_id, first.channel_id, second.channel_id}

    replies = {town.channel_id: "Resposta per Telegram", first.channel_id: "Resposta pel primer", second.channel_id: "Pel segon"}
    with Session(runtime.engine) as session:
        for channel_id, text in replies.items():
            inbox.reply(session, operator=town.operator, conversation_id=conversations[channel_id], text=text)
        session.commit()
    runtime.bus.wake_outbox()

    async def texts_on(screen: Awaitable[list[dict]]) -> set[str]:
        return {m["text"] for m in await screen}

    await eventually(lambda: _has(texts_on(bot_messages(town, 701)), replies[town.channel_id]))
    await eventually(lambda: _has(texts_on(wa_business_messages(first, CITIZEN)), replies[first.channel_id]))
    await eventually(lambda: _has(texts_on(wa_business_messages(second, CITIZEN)), replies[second.channel_id]))
    # Each reply left by its own channel only.
    assert replies[second.channel_id] not in await texts_on(wa_business_messages(first, CITIZEN))
    assert replies[first.channel_id] not in await texts_on(wa_business_messages(second, CITIZEN))
    assert not [m for m in await wa_phone_screen(first, CITIZEN) if m["text"] == replies[town.channel_id]]


async def _has(texts: Awaitable[set[str]], wanted: str) -> bool:
    return wanted in await texts
