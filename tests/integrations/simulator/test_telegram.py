"""The Telegram stand-in, driven over real HTTP by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import base64
import datetime as dtm
import struct
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes

from integrations.simulator.client import SimulatorClient
from integrations.simulator.server import serve_app

TOKEN = "123456789:AAtest_token-ABCDE"
CHAT = 4242


def make_png(width: int, height: int) -> bytes:
    """A valid greyscale PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(autouse=True)
def _retry_after_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when RetryAfter.retry_after is read as int; opt in to its future timedelta."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def bot(simulator_url: str) -> AsyncIterator[Bot]:
    """A real PTB Bot pointed at the simulator."""
    async with Bot(TOKEN, base_url=f"{simulator_url}/bot", base_file_url=f"{simulator_url}/file/bot") as b:
        yield b


@pytest.fixture
async def control(simulator_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the control API."""
    async with httpx.AsyncClient(base_url=simulator_url, timeout=20) as client:
        yield client


async def citizen_says(control: httpx.AsyncClient, text: str, chat_id: int = CHAT, **extra: Any) -> dict[str, Any]:
    simulator = SimulatorClient(str(control.base_url))
    return await simulator.telegram_citizen_message(TOKEN, chat_id, "Anna", text=text, **extra)


async def chat_view(control: httpx.AsyncClient, chat_id: int = CHAT, after: int = 0) -> list[dict[str, Any]]:
    simulator = SimulatorClient(str(control.base_url))
    return (await simulator.telegram_chat(TOKEN, chat_id, after_message_id=after))["messages"]


# --- Bot API basics -----------------------------------------------------------------------------


async def test_get_me_returns_a_bot_user_derived_from_the_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456789
    assert me.is_bot
    assert me.username == "citymes_123456789_bot"


async def test_malformed_token_is_401_and_unknown_method_is_404(bot: Bot, control: httpx.AsyncClient) -> None:
    response = await control.post("/botnot-a-token/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    response = await control.post(f"/bot{TOKEN}/noSuchMethod")
    assert response.status_code == 404
    assert response.json()["description"] == "Not Found"

    bad_bot = Bot("42:x!", base_url=f"{control.base_url}/bot")
    with pytest.raises(InvalidToken):
        await bad_bot.get_me()


async def test_parameters_are_accepted_as_json_form_and_query_string(control: httpx.AsyncClient) -> None:
    as_json = await control.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": 1, "text": "json"})
    as_form = await control.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": "2", "text": "form"})
    as_query = await control.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": "3", "text": "query"})
    for response, chat_id in ((as_json, 1), (as_form, 2), (as_query, 3)):
        assert response.status_code == 200, response.text
        assert response.json()["result"]["chat"]["id"] == chat_id


async def test_sends_through_ptb_show_up_in_the_chat_view_and_the_sent_log(bot: Bot, control: httpx.AsyncClient) -> None:
    await control.post(f"/sim/telegram/bots/{TOKEN}/limits", json={"per_chat_burst": 10})
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Yes", callback_data="y"), InlineKeyboardButton("No", callback_data="n")]]
    )
    text = await bot.send_message(CHAT, "Hello", reply_markup=keyboard)
    assert text.from_user is not None and text.from_user.is_bot
    assert text.chat.id == CHAT and text.text == "Hello"
    png = make_png(4, 3)
    photo = await bot.send_photo(CHAT, png, caption="a photo")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (4, 3)
    document = await bot.send_document(CHAT, b"%PDF-1.4 fake", filename="report.pdf")
    assert document.document is not None and document.document.file_name == "report.pdf"
    assert document.document.mime_type == "application/pdf"
    location = await bot.send_location(CHAT, latitude=41.3851, longitude=2.1734)
    assert location.location is not None and location.location.latitude == pytest.approx(41.3851)
    reply_kb = await bot.send_message(CHAT, "Pick", reply_markup=ReplyKeyboardMarkup([["A", "B"], ["C"]]))

    ids = [m.message_id for m in (text, photo, document, location, reply_kb)]
    assert ids == sorted(ids) and len(set(ids)) == 5

    view = await chat_view(control)
    assert [m["kind"] for m in view] == ["text", "photo", "document", "location", "text"]
    assert all(m["from"] == "bot" for m in view)
    assert view[0]["buttons"] == [["Yes", "No"]] and view[0]["buttons_kind"] == "inline"
    assert view[4]["buttons"] == [["A", "B"], ["C"]] and view[4]["buttons_kind"] == "reply"
    assert view[1]["caption"] == "a photo"
    assert view[2]["filename"] == "report.pdf"
    assert view[3]["latitude"] == pytest.approx(41.3851)

    photo_bytes = await control.get(view[1]["file_url"])
    assert photo_bytes.content == png and photo_bytes.headers["content-type"] == "image/png"
    doc_bytes = await control.get(view[2]["file_url"])
    assert doc_bytes.content == b"%PDF-1.4 fake" and doc_bytes.headers["content-type"] == "application/pdf"

    assert len(await chat_view(control, after=ids[2])) == 2

    sent = (await control.get(f"/sim/telegram/bots/{TOKEN}/sent")).json()["sent"]
    assert [s["method"] for s in sent] == ["sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendMessage"]
    assert sent[0]["chat_id"] == CHAT and sent[0]["text"] == "Hello" and sent[0]["message_id"] == ids[0]
    assert isinstance(sent[0]["time"], float)


async def test_sending_an_existing_file_id_or_a_url_reuses_or_records_it(bot: Bot, control: httpx.AsyncClient) -> None:
    first = await bot.send_photo(CHAT, make_png(2, 2))
    again = await bot.send_photo(CHAT, first.photo[-1].file_id)
    assert again.photo[-1].file_id == first.photo[-1].file_id
    by_url = await bot.send_document(CHAT, "https://example.org/files/guide.pdf")
    assert by_url.document is not None and by_url.document.file_name == "guide.pdf"
    view = await chat_view(control)
    assert view[2]["file_url"] == "https://example.org/files/guide.pdf"
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_photo(CHAT, "not-a-file-id")


async def test_text_over_4096_characters_or_empty_raises_bad_request(bot: Bot) -> None:
    await bot.send_message(CHAT, "x" * 4096)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(CHAT, "   ")


# --- getUpdates and files -------------------------------------------------------------------------


async def test_citizen_photo_is_polled_and_downloaded_byte_for_byte(bot: Bot, control: httpx.AsyncClient) -> None:
    png = make_png(7, 5)
    answer = (
        await control.post(
            f"/sim/telegram/bots/{TOKEN}/citizen-message",
            json={
                "chat_id": CHAT,
                "first_name": "Anna",
                "last_name": "Puig",
                "username": "annap",
                "language_code": "ca",
                "caption": "pothole",
                "photo": {"filename": "hole.png", "content_base64": b64(png)},
            },
        )
    ).json()
    assert answer["webhook_status"] is None and answer["delivery"] == "getUpdates"

    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [answer["update_id"]]
    message = updates[0].message
    assert message is not None and message.message_id == answer["message_id"]
    assert message.from_user is not None and message.from_user.id == CHAT and not message.from_user.is_bot
    assert message.from_user.language_code == "ca"
    assert message.chat.type == "private" and message.caption == "pothole"
    size = message.photo[-1]
    assert (size.width, size.height) == (7, 5)

    telegram_file = await bot.get_file(size.file_id)
    assert telegram_file.file_size == len(png)
    assert bytes(await telegram_file.download_as_bytearray()) == png

    missing = await control.get(f"/file/bot{TOKEN}/photos/nope.jpg")
    assert missing.status_code == 404


async def test_every_citizen_content_kind_becomes_a_real_telegram_message(bot: Bot, control: httpx.AsyncClient) -> None:
    url = f"/sim/telegram/bots/{TOKEN}/citizen-message"
    base = {"chat_id": CHAT, "first_name": "Anna"}
    ogg = b"OggS" + b"\x00" * 100
    payloads: list[dict[str, Any]] = [
        {"text": "/start"},
        {"document": {"filename": "form.pdf", "mime_type": "application/pdf", "content_base64": b64(b"%PDF")}},
        {"video": {"filename": "clip.mp4", "mime_type": "video/mp4", "content_base64": b64(b"\x00" * 50)}},
        {"voice": {"filename": "note.ogg", "mime_type": "audio/ogg", "content_base64": b64(ogg)}},
        {"audio": {"filename": "cançó 🎵.mp3", "mime_type": "audio/mpeg", "content_base64": b64(b"ID3")}},
        {"location": {"latitude": 41.1, "longitude": 1.2}},
        {"venue": {"latitude": 41.1, "longitude": 1.2, "title": "Town hall", "address": "Plaça 1"}},
        {"contact": {"phone_number": "+34600000000", "first_name": "Joan", "user_id": 77}},
    ]
    for payload in payloads:
        response = await control.post(url, json={**base, **payload})
        assert response.status_code == 200, response.text

    updates = await bot.get_updates()
    messages = [u.message for u in updates]
    assert all(m is not None for m in messages)
    start = messages[0]
    assert start is not None and start.text == "/start"
    assert start.entities and start.entities[0].type == "bot_command"
    assert messages[1].document.file_name == "form.pdf"  # type: ignore[union-attr]
    assert messages[2].video.mime_type == "video/mp4"  # type: ignore[union-attr]
    assert messages[3].voice.mime_type == "audio/ogg"  # type: ignore[union-attr]
    assert bytes(await (await messages[3].voice.get_file()).download_as_bytearray()) == ogg  # type: ignore[union-attr]
    assert messages[4].audio.file_name == "cançó 🎵.mp3"  # type: ignore[union-attr]
    assert messages[5].location.longitude == pytest.approx(1.2)  # type: ignore[union-attr]
    assert messages[6].venue.title == "Town hall"  # type: ignore[union-attr]
    assert messages[7].contact.phone_number == "+34600000000"  # type: ignore[union-attr]

    kinds = [m["kind"] for m in await chat_view(control)]
    assert kinds == ["text", "document", "video", "voice", "audio", "location", "venue", "contact"]
    view = await chat_view(control)
    served = await control.get(view[3]["file_url"])
    assert served.content == ogg and served.headers["content-type"] == "audio/ogg"
    song = await control.get(view[4]["file_url"])
    assert song.status_code == 200 and "UTF-8''can%C3%A7%C3%B3" in song.headers["content-disposition"]


async def test_get_updates_offset_confirms_and_forgets_earlier_updates(bot: Bot, control: httpx.AsyncClient) -> None:
    ids = [(await citizen_says(control, f"m{i}"))["update_id"] for i in range(3)]
    assert ids == sorted(ids)
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(limit=1)] == ids[:1]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1] + 1)] == ids[2:]
    assert [u.update_id for u in await bot.get_updates()] == ids[2:]  # the first two are gone
    assert await bot.get_updates(offset=ids[2] + 1) == ()


async def test_long_poll_answers_as_soon_as_an_update_arrives(bot: Bot, control: httpx.AsyncClient) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.3)
    assert not poll.done()
    await citizen_says(control, "hello")
    updates = await asyncio.wait_for(poll, 5)
    assert len(updates) == 1 and time.monotonic() - started < 5


async def test_long_poll_without_updates_returns_empty_after_the_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_a_second_poller_terminates_the_first_with_conflict(bot: Bot, simulator_url: str) -> None:
    # PTB gives getUpdates its own one-connection pool, so the second poller is a second Bot,
    # as it would be with two running instances.
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.3)
    async with Bot(TOKEN, base_url=f"{simulator_url}/bot") as other_instance:
        second = asyncio.create_task(other_instance.get_updates(timeout=1))
        with pytest.raises(Conflict, match="(?i)terminated by other getUpdates"):
            await first
        assert await second == ()


async def test_the_polling_record_counts_polls_and_the_ones_that_overlapped(
    bot: Bot, control: httpx.AsyncClient, simulator_url: str
) -> None:
    await bot.get_updates(timeout=0)
    await bot.get_updates(timeout=0)
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.3)
    async with Bot(TOKEN, base_url=f"{simulator_url}/bot") as other_instance:
        await other_instance.get_updates(timeout=0)
    with pytest.raises(Conflict):
        await first
    record = (await control.get(f"/sim/telegram/bots/{TOKEN}/polling")).json()
    assert (record["polls"], record["conflicts"]) == (4, 1)


async def test_a_poll_whose_client_hung_up_is_abandoned_not_a_conflict(
    bot: Bot, control: httpx.AsyncClient, simulator_url: str
) -> None:
    # A stopped worker cancels its long poll; the platform keeps it until its timeout, but nobody is polling with it.
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.3)
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.sleep(0.2)  # the hang-up reaches the server
    async with Bot(TOKEN, base_url=f"{simulator_url}/bot") as successor:
        assert await successor.get_updates(timeout=0) == ()
    record = (await control.get(f"/sim/telegram/bots/{TOKEN}/polling")).json()
    assert (record["polls"], record["conflicts"]) == (2, 0)


async def test_raw_update_is_delivered_as_is_each_time_it_is_sent(bot: Bot, control: httpx.AsyncClient) -> None:
    update = {
        "update_id": 5000,
        "message": {
            "message_id": 9,
            "date": int(time.time()),
            "chat": {"id": CHAT, "type": "private", "first_name": "Anna"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Anna"},
            "text": "same twice",
        },
    }
    for _ in range(2):
        response = await control.post(f"/sim/telegram/bots/{TOKEN}/updates", json=update)
        assert response.status_code == 200
        assert response.json()["update_id"] == 5000 and response.json()["message_id"] == 9
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [5000, 5000]
    assert [m["text"] for m in await chat_view(control)] == ["same twice"]
    # Updates built later continue after the highest id seen.
    assert (await citizen_says(control, "next"))["update_id"] == 5001


# --- Webhooks -------------------------------------------------------------------------------------


class Receiver:
    """A tiny webhook endpoint that records deliveries and answers scripted statuses."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls: list[tuple[dict[str, str], dict[str, Any]]] = []

    async def endpoint(self, request: Request) -> JSONResponse:
        self.calls.append((dict(request.headers), await request.json()))
        status = self.statuses.pop(0) if self.statuses else 200
        return JSONResponse({}, status_code=status)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    """A webhook receiver answering 500 once, then 200; yields it and its URL."""
    rec = Receiver([500])
    app = Starlette(routes=[Route("/hook", rec.endpoint, methods=["POST"])])
    with serve_app(app) as url:
        yield rec, f"{url}/hook"


async def test_get_updates_is_refused_with_conflict_while_a_webhook_is_set(bot: Bot) -> None:
    assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="s3cret")
    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_set_webhook_rejects_a_malformed_secret_token(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)secret token"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="no spaces allowed")
    with pytest.raises(BadRequest, match="(?i)secret token"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="x" * 257)


async def test_webhook_gets_the_update_with_the_secret_header_and_is_retried_after_a_500(
    bot: Bot, control: httpx.AsyncClient, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    await bot.set_webhook(url, secret_token="town-hall_secret")
    answer = await citizen_says(control, "hello webhook")
    assert answer["delivery"] == "webhook" and answer["webhook_status"] == 500

    # The receiver records a call before answering it, so wait for the simulator's side too.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        info = await bot.get_webhook_info()
        if len(rec.calls) >= 2 and info.pending_update_count == 0:
            break
        await asyncio.sleep(0.05)
    assert len(rec.calls) == 2, "the failed delivery was not retried"
    for headers, body in rec.calls:
        assert headers["x-telegram-bot-api-secret-token"] == "town-hall_secret"
        assert body["update_id"] == answer["update_id"]
        update = Update.de_json(body, bot)
        assert update.message is not None and update.message.text == "hello webhook"

    assert info.last_error_message is not None and "500" in info.last_error_message
    assert info.pending_update_count == 0

    second = await citizen_says(control, "again")
    assert second["webhook_status"] == 200 and len(rec.calls) == 3


async def test_unreachable_webhook_reports_no_status_and_keeps_the_update_for_get_updates(
    bot: Bot, control: httpx.AsyncClient
) -> None:
    await bot.set_webhook("http://127.0.0.1:9/nothing-listens-here")
    answer = await citizen_says(control, "lost?")
    assert answer["webhook_status"] is None and answer["webhook_error"]
    await bot.delete_webhook()
    # The background retry notices the webhook is gone and hands the update to getUpdates.
    updates = await bot.get_updates(timeout=3)
    assert [u.update_id for u in updates] == [answer["update_id"]]


# --- Limits and failures --------------------------------------------------------------------------


async def test_exceeding_the_per_chat_rate_raises_retry_after(bot: Bot) -> None:
    for i in range(3):  # the default burst
        await bot.send_message(CHAT, f"burst {i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "one too many")
    retry_after = caught.value.retry_after
    assert isinstance(retry_after, dtm.timedelta) and retry_after.total_seconds() >= 1
    await bot.send_message(CHAT + 1, "another chat is not affected")
    await asyncio.sleep(retry_after.total_seconds())
    await bot.send_message(CHAT, "after waiting")


async def test_exceeding_the_global_rate_raises_retry_after(bot: Bot, control: httpx.AsyncClient) -> None:
    response = await control.post(f"/sim/telegram/bots/{TOKEN}/limits", json={"global_per_second": 5})
    assert response.json()["limits"] == {"per_chat_per_second": 1.0, "per_chat_burst": 3, "global_per_second": 5}
    # One message a second for the whole bot (a limit low enough that a busy machine still sends twice within it).
    await control.post(f"/sim/telegram/bots/{TOKEN}/limits", json={"global_per_second": 1})
    await bot.send_message(1, "broadcast")
    with pytest.raises(RetryAfter):
        await bot.send_message(2, "broadcast")


async def test_raw_429_answer_has_telegram_shape_and_retry_after_header(control: httpx.AsyncClient) -> None:
    await control.post(f"/sim/telegram/bots/{TOKEN}/limits", json={"per_chat_burst": 1, "per_chat_per_second": 0.25})
    first = await control.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": CHAT, "text": "a"})
    assert first.status_code == 200
    second = await control.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": CHAT, "text": "b"})
    assert second.status_code == 429
    body = second.json()
    assert body["ok"] is False and body["error_code"] == 429
    assert body["parameters"]["retry_after"] == 4
    assert body["description"] == "Too Many Requests: retry after 4"


async def test_injected_failures_answer_the_next_calls_then_stop(bot: Bot, control: httpx.AsyncClient) -> None:
    url = f"/sim/telegram/bots/{TOKEN}/failures"
    await control.post(url, json={"method": "sendMessage", "status": 403, "count": 1})
    with pytest.raises(Forbidden, match="(?i)blocked by the user"):
        await bot.send_message(CHAT, "x")

    await control.post(url, json={"method": "sendMessage", "status": 429, "retry_after": 2})
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "x")
    assert caught.value.retry_after == dtm.timedelta(seconds=2)

    await control.post(url, json={"method": "sendMessage", "status": 500, "count": 2})
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "x")
    await control.post(url, json={"method": "sendPhoto", "status": 502})
    with pytest.raises(NetworkError):
        await bot.send_photo(CHAT, make_png(1, 1))
    await control.post(url, json={"method": "sendMessage", "status": 400})
    with pytest.raises(BadRequest):
        await bot.send_message(CHAT, "x")

    await bot.send_message(CHAT, "works again")
    sent = (await control.get(f"/sim/telegram/bots/{TOKEN}/sent")).json()["sent"]
    assert [s["text"] for s in sent] == ["works again"]


async def test_a_failure_injected_for_one_chat_leaves_other_chats_alone(bot: Bot, control: httpx.AsyncClient) -> None:
    await control.post(f"/sim/telegram/bots/{TOKEN}/failures", json={"method": "sendMessage", "status": 403, "chat_id": CHAT})
    await bot.send_message(CHAT + 1, "fine")
    with pytest.raises(Forbidden):
        await bot.send_message(CHAT, "blocked once")
    await bot.send_message(CHAT, "fine again")


async def test_a_chat_that_blocked_the_bot_gets_forbidden_until_unblocked(bot: Bot, control: httpx.AsyncClient) -> None:
    blocked = await control.post(f"/sim/telegram/bots/{TOKEN}/chats/{CHAT}/block")
    assert blocked.json() == {"ok": True, "chat_id": CHAT, "blocked": True}
    for _ in range(2):
        with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
            await bot.send_message(CHAT, "hello?")
    with pytest.raises(Forbidden):
        await bot.send_photo(CHAT, make_png(1, 1))
    await control.post(f"/sim/telegram/bots/{TOKEN}/chats/{CHAT}/unblock")
    await bot.send_message(CHAT, "hello again")


# --- Control API hygiene --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("citizen-message", b"{not json"),
        ("citizen-message", b"[1, 2]"),
        ("citizen-message", b""),
        ("citizen-message", b'{"chat_id": 1, "first_name": "A"}'),
        (
            "citizen-message",
            b'{"chat_id": 1, "first_name": "A", "text": "hi", "location": {"latitude": 1, "longitude": 2}}',
        ),
        ("citizen-message", b'{"chat_id": "1", "first_name": "A", "text": "hi"}'),
        ("citizen-message", b'{"chat_id": 1, "text": "hi"}'),
        ("citizen-message", b'{"chat_id": 1, "first_name": "A", "photo": {"content_base64": "***"}}'),
        ("citizen-message", b'{"chat_id": 1, "first_name": "A", "photo": "abc"}'),
        ("citizen-message", b'{"chat_id": 1, "first_name": "A", "location": {"latitude": 100, "longitude": 2}}'),
        ("citizen-message", b'{"chat_id": 1, "first_name": "A", "text": "hi", "caption": "c"}'),
        ("updates", b'{"update_id": "x"}'),
        ("failures", b'{"method": "sendMessage", "status": 200}'),
        ("failures", b'{"method": "sendMessage", "status": 500, "count": 0}'),
        ("failures", b'{"status": 500}'),
        ("limits", b'{"per_chat_per_second": -1}'),
        ("limits", b'{"unknown": 1}'),
        ("chats/abc/block", b""),
    ],
)
async def test_malformed_control_input_is_answered_400_with_a_description(
    control: httpx.AsyncClient, path: str, body: bytes
) -> None:
    response = await control.post(
        f"/sim/telegram/bots/{TOKEN}/{path}", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["ok"] is False and response.json()["description"]


async def test_control_calls_with_a_malformed_token_or_bad_query_are_400(control: httpx.AsyncClient) -> None:
    bad_token = await control.post("/sim/telegram/bots/nope/citizen-message", json={"chat_id": 1, "first_name": "A", "text": "x"})
    assert bad_token.status_code == 400
    bad_after = await control.get(f"/sim/telegram/bots/{TOKEN}/chats/1/messages", params={"after_message_id": "z"})
    assert bad_after.status_code == 400
    unknown_file = await control.get("/sim/telegram/files/nope")
    assert unknown_file.status_code == 404


async def test_reset_forgets_updates_chats_and_webhooks(bot: Bot, control: httpx.AsyncClient) -> None:
    await citizen_says(control, "before reset")
    await bot.set_webhook("http://127.0.0.1:9/hook")
    assert (await control.post("/sim/reset")).json() == {"ok": True}
    assert await bot.get_updates() == ()
    assert await chat_view(control) == []
    assert (await control.get("/sim/health")).json() == {"ok": True}


# --- A whole PTB application ----------------------------------------------------------------------


async def test_a_polling_ptb_application_answers_a_citizen_command(simulator_url: str, control: httpx.AsyncClient) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "Welcome to the town hall")

    application = (
        Application.builder().token(TOKEN).base_url(f"{simulator_url}/bot").base_file_url(f"{simulator_url}/file/bot").build()
    )
    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
        try:
            await citizen_says(control, "/start")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                view = await chat_view(control)
                if len(view) == 2:
                    break
                await asyncio.sleep(0.05)
            assert [(m["from"], m["text"]) for m in view] == [
                ("citizen", "/start"),
                ("bot", "Welcome to the town hall"),
            ]
        finally:
            await application.updater.stop()
            await application.stop()
