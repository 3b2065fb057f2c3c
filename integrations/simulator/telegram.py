"""A local stand-in for the Telegram Bot API, spoken over real HTTP.

Two faces:

* the Bot API itself (``/bot{token}/{method}`` and ``/file/bot{token}/{path}``), answering like
  api.telegram.org so that python-telegram-bot (PTB) works unchanged when pointed at it with
  ``Bot(token, base_url=f"{BASE}/bot", base_file_url=f"{BASE}/file/bot")``;
* a control API under ``/sim/telegram/`` that plays the citizens (they write to a bot), shows a
  chat as the citizen's phone would, injects failures and tunes rate limits.

Everything lives in memory and is guarded by one ``asyncio.Lock``; the long-poll of
``getUpdates`` waits on a condition built on that same lock. Rate limits are token buckets
written here rather than ``aiolimiter``: a 429 must say *how long* to wait (``retry_after``), and
``aiolimiter.AsyncLimiter`` only blocks or answers yes/no, so it cannot compute that.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import mimetypes
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from integrations.simulator.common import (
    ControlError,
    StandIn,
    TokenBucket,
    answer,
    citizen_file,
    citizen_text,
    content_kind,
    control_error,
    file_response,
    optional,
    require,
    retry_delay,
    route_with_body,
)

logger = logging.getLogger("citymes.simulator.telegram")

# --- Limits and knobs (module-level so benchmarks and tests can read or patch them) -------------

#: Sustained messages per second to one chat (Telegram: "about 1 message/s per chat").
DEFAULT_PER_CHAT_PER_SECOND: float = 1.0
#: Short bursts to one chat are tolerated by Telegram; this many go through back to back.
DEFAULT_PER_CHAT_BURST: int = 3
#: Messages per second over all chats of one bot (Telegram: "about 30 messages/s").
DEFAULT_GLOBAL_PER_SECOND: int = 30

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
#: Telegram accepts long-poll timeouts up to 50 s in practice; cap so a typo cannot hang a test.
MAX_LONG_POLL_SECONDS = 50.0

#: Webhook delivery: the first attempt is awaited by the control call, the rest run in the
#: background with exponential back-off. Telegram keeps trying for up to 24 h; a simulator gives
#: up sooner so a test that forgets its receiver does not leave work behind for minutes.
WEBHOOK_MAX_ATTEMPTS = 8
WEBHOOK_RETRY_BASE_DELAY = 0.5
WEBHOOK_RETRY_MAX_DELAY = 8.0

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{5,}$")
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

#: Methods that deliver a message to a chat: these count against the rate limits.
MESSAGE_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendvoice",
        "sendaudio",
        "sendlocation",
    }
)

#: Media kinds (the Message field name): (file_path folder, default extension, default mime).
MEDIA_KINDS: dict[str, tuple[str, str, str]] = {
    "photo": ("photos", ".jpg", "image/jpeg"),
    "document": ("documents", "", "application/octet-stream"),
    "video": ("videos", ".mp4", "video/mp4"),
    "voice": ("voice", ".oga", "audio/ogg"),
    "audio": ("music", ".mp3", "audio/mpeg"),
}

CITIZEN_CONTENT_KINDS = (
    "text",
    "photo",
    "document",
    "video",
    "voice",
    "audio",
    "location",
    "venue",
    "contact",
)

BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
DEFAULT_FAILURE_DESCRIPTIONS = {
    400: "Bad Request: simulated failure",
    401: "Unauthorized",
    403: BLOCKED_DESCRIPTION,
    404: "Not Found",
    409: "Conflict: simulated failure",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """An error answered to the caller as ``{"ok": false, "error_code": N, "description": ...}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def response(self) -> JSONResponse:
        """Render the error the way Telegram does, with the real HTTP status."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else None
        return JSONResponse(body, status_code=self.status, headers=headers)


def bad_request(description: str) -> ApiError:
    """A Bot API 400, worded like Telegram (``Bad Request: ...``)."""
    return ApiError(400, f"Bad Request: {description}")


def too_many_requests(retry_after: int) -> ApiError:
    """A Bot API 429 carrying ``parameters.retry_after`` (PTB turns it into ``RetryAfter``)."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


# --- Small state types ------------------------------------------------------------------------


@dataclass
class Limits:
    """Rate limits of one bot (a new bot gets the module defaults current at its creation)."""

    per_chat_per_second: float = DEFAULT_PER_CHAT_PER_SECOND
    per_chat_burst: int = DEFAULT_PER_CHAT_BURST
    global_per_second: int = DEFAULT_GLOBAL_PER_SECOND

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as accepted by the limits control endpoint."""
        return asdict(self)


@dataclass
class StoredFile:
    """A file known to the simulator: uploaded by a bot, sent by a citizen, or a bot's URL."""

    file_id: str
    file_unique_id: str
    bot_id: int
    kind: str
    file_path: str
    data: bytes | None
    mime_type: str
    filename: str | None
    source_url: str | None = None

    @property
    def size(self) -> int | None:
        return len(self.data) if self.data is not None else None


@dataclass
class FailureRule:
    """The next ``count`` calls of ``method`` (optionally to one chat) answer ``status``."""

    method: str
    status: int
    count: int
    description: str
    retry_after: int | None
    chat_id: int | None

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method not in ("*", method):
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "status": self.status,
            "count": self.count,
            "description": self.description,
            "retry_after": self.retry_after,
            "chat_id": self.chat_id,
        }


@dataclass
class ChatEntry:
    """One bubble of a chat: the Telegram message plus who sent it and the keyboard shown."""

    sender: str  # "citizen" | "bot"
    message: dict[str, Any]
    reply_markup: dict[str, Any] | None = None


@dataclass
class ChatState:
    """A private chat between a citizen and a bot."""

    chat: dict[str, Any]
    next_message_id: int = 1
    entries: list[ChatEntry] = field(default_factory=list)
    message_ids: set[int] = field(default_factory=set)

    def add(self, entry: ChatEntry) -> None:
        message_id = int(entry.message["message_id"])
        self.message_ids.add(message_id)
        self.next_message_id = max(self.next_message_id, message_id + 1)
        self.entries.append(entry)


@dataclass
class Webhook:
    """A webhook as set by ``setWebhook``."""

    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None


@dataclass
class BotState:
    """Everything the simulator knows about one bot token."""

    token: str
    bot_id: int
    condition: asyncio.Condition
    limits: Limits = field(default_factory=lambda: _default_limits())
    next_update_id: int = 1
    queue: list[dict[str, Any]] = field(default_factory=list)
    webhook: Webhook | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    retrying: int = 0
    poll_generation: int = 0
    closed: bool = False
    chats: dict[int, ChatState] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: list[FailureRule] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    chat_buckets: dict[int, TokenBucket] = field(default_factory=dict)
    global_bucket: TokenBucket | None = None
    commands: list[dict[str, Any]] = field(default_factory=list)
    #: Seconds each message send waits before it is handled: a slow platform (outbox lease tests).
    send_latency: float = 0.0

    @property
    def username(self) -> str:
        return f"citymes_{self.bot_id}_bot"

    @property
    def user(self) -> dict[str, Any]:
        """The bot as a Telegram ``User`` (the ``from`` of what it sends)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": f"CityMes {self.bot_id}",
            "username": self.username,
        }


def _default_limits() -> Limits:
    # Read the module constants now, not at import, so patching them affects new bots.
    return Limits(DEFAULT_PER_CHAT_PER_SECOND, DEFAULT_PER_CHAT_BURST, DEFAULT_GLOBAL_PER_SECOND)


# --- Parameter parsing ------------------------------------------------------------------------


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Bot API parameters from query string, JSON, urlencoded or multipart bodies.

    PTB (``HTTPXRequest``) always POSTs ``application/x-www-form-urlencoded`` — or
    ``multipart/form-data`` when a file is uploaded — and every non-string value arrives
    JSON-encoded as a string (``chat_id="42"``, ``reply_markup='{"inline_keyboard":...}'``).
    Other clients send JSON with native types. The getters accept both.
    """

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"parameter {name} is required")
            return None
        if isinstance(value, bool | dict | list):
            raise bad_request(f"parameter {name} must be a string")
        return str(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"parameter {name} is required")
            return None
        if isinstance(value, bool):
            raise bad_request(f"parameter {name} must be an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value.strip())
        raise bad_request(f"parameter {name} must be an integer")

    def number(self, name: str, *, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"parameter {name} is required")
            return None
        if isinstance(value, bool):
            raise bad_request(f"parameter {name} must be a number")
        if isinstance(value, int | float):
            result = float(value)
        else:
            try:
                result = float(str(value))
            except ValueError:
                raise bad_request(f"parameter {name} must be a number") from None
        if not math.isfinite(result):
            raise bad_request(f"parameter {name} must be a finite number")
        return result

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise bad_request(f"parameter {name} must be a boolean")

    def json_value(self, name: str) -> Any:
        """A nested object or array: native in JSON bodies, a JSON string in form bodies."""
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


async def read_params(request: Request) -> Params:
    """Collect Bot API parameters from the query string and the body, whatever its encoding."""
    values: dict[str, Any] = dict(request.query_params)
    uploads: dict[str, Upload] = {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        body = await request.body()
        if body.strip():
            try:
                decoded = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(decoded, dict):
                raise bad_request("JSON body must be an object")
            values.update(decoded)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form(max_part_size=16 * 1024 * 1024)
        except Exception as exc:  # malformed multipart comes in many shapes; all are a 400
            raise bad_request(f"can't parse request body: {exc}") from None
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                uploads[key] = Upload(value.filename, value.content_type, await value.read())
            else:
                values[key] = value
    return Params(values, uploads)


# --- Media helpers ----------------------------------------------------------------------------


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG image, or ``None`` if it is neither (or truncated)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        # SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > len(data):
                return None
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        i += 2 + length
    return None


def sniff_mime(data: bytes) -> str | None:
    """The mime type of common image formats from their magic bytes."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"%PDF":
        return "application/pdf"
    if data[:4] == b"OggS":
        return "audio/ogg"
    return None


def guess_mime(filename: str | None, data: bytes | None, default: str) -> str:
    """Best mime type from the filename, then the content, then ``default``."""
    if filename:
        guessed = mimetypes.guess_type(filename, strict=False)[0]
        if guessed:
            return guessed
    if data:
        sniffed = sniff_mime(data)
        if sniffed:
            return sniffed
    return default


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def keyboard_buttons(reply_markup: dict[str, Any] | None) -> tuple[str | None, list[list[str]]]:
    """The button texts of an inline or reply keyboard, row by row, and the keyboard kind."""
    if not isinstance(reply_markup, dict):
        return None, []
    for key, kind in (("inline_keyboard", "inline"), ("keyboard", "reply")):
        rows = reply_markup.get(key)
        if isinstance(rows, list):
            texts: list[list[str]] = []
            for row in rows:
                if not isinstance(row, list):
                    continue
                texts.append([str(b.get("text", "")) if isinstance(b, dict) else str(b) for b in row])
            return kind, texts
    return None, []


def command_entities(text: str) -> list[dict[str, Any]]:
    """A ``bot_command`` entity for a leading ``/command`` (PTB's CommandHandler needs it)."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?", text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(match.group(0))}]


def _coordinates(payload: Any, label: str) -> dict[str, float]:
    if not isinstance(payload, dict):
        raise ControlError(f"{label} must be an object")
    latitude = float(require(payload, "latitude", (int, float), f"{label}."))
    longitude = float(require(payload, "longitude", (int, float), f"{label}."))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ControlError(f"{label} coordinates are out of range")
    return {"latitude": latitude, "longitude": longitude}


# --- The simulator ----------------------------------------------------------------------------


class TelegramSimulator(StandIn):
    """In-memory Telegram: bots, chats, updates, files, webhooks, limits and injected failures."""

    def __init__(self) -> None:
        super().__init__()
        self._bots: dict[str, BotState] = {}
        self._files: dict[str, StoredFile] = {}
        self._paths: dict[tuple[int, str], StoredFile] = {}
        self._file_counter = itertools.count(1)

    # lifecycle -------------------------------------------------------------------------------

    async def reset(self) -> None:
        """Forget every bot, chat, file, webhook and pending retry."""
        await self._cancel_background()
        async with self._lock:
            for bot in self._bots.values():
                bot.closed = True
                bot.condition.notify_all()  # long-pollers of the old state answer []
            self._bots = {}
            self._files = {}
            self._paths = {}
            self._file_counter = itertools.count(1)

    # bots ------------------------------------------------------------------------------------

    def _bot(self, token: str) -> BotState:
        """The bot for a well-formed token, created on first use. Call with the lock held."""
        match = TOKEN_RE.match(token)
        if not match:
            raise ApiError(401, "Unauthorized")
        bot = self._bots.get(token)
        if bot is None:
            bot = BotState(token=token, bot_id=int(match.group(1)), condition=asyncio.Condition(self._lock))
            self._bots[token] = bot
        return bot

    def _control_bot(self, token: str) -> BotState:
        if not TOKEN_RE.match(token):
            raise ControlError("malformed bot token (expected <digits>:<at least 5 of A-Za-z0-9_->)")
        return self._bot(token)

    def _chat(self, bot: BotState, chat_id: int) -> ChatState:
        chat = bot.chats.get(chat_id)
        if chat is None:
            kind = "private" if chat_id > 0 else "group"
            info: dict[str, Any] = {"id": chat_id, "type": kind}
            if kind == "group":
                info["title"] = f"Group {chat_id}"
            chat = ChatState(chat=info)
            bot.chats[chat_id] = chat
        return chat

    def _new_file(
        self,
        bot: BotState,
        kind: str,
        data: bytes | None,
        mime_type: str,
        filename: str | None,
        source_url: str | None = None,
    ) -> StoredFile:
        number = next(self._file_counter)
        folder, default_ext, _ = MEDIA_KINDS[kind]
        ext = ""
        if kind != "photo" and filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1][:8]
        ext = ext or mimetypes.guess_extension(mime_type) or default_ext
        stored = StoredFile(
            file_id=f"SIM{kind[:2].upper()}{bot.bot_id}x{number:06d}",
            file_unique_id=f"U{number:08d}",
            bot_id=bot.bot_id,
            kind=kind,
            file_path=f"{folder}/file_{number}{ext}",
            data=data,
            mime_type=mime_type,
            filename=filename,
            source_url=source_url,
        )
        self._files[stored.file_id] = stored
        self._paths[(stored.bot_id, stored.file_path)] = stored
        return stored

    def file(self, file_id: str) -> StoredFile | None:
        """A stored file by id (for the control API's download route)."""
        return self._files.get(file_id)

    def file_by_path(self, token: str, file_path: str) -> StoredFile | None:
        """A bot's stored file by its ``file_path`` (for ``/file/bot{token}/{path}``)."""
        match = TOKEN_RE.match(token)
        if not match:
            return None
        return self._paths.get((int(match.group(1)), file_path))

    def _file_object(self, stored: StoredFile) -> dict[str, Any]:
        """The Telegram object for a stored file (PhotoSize, Document, Video, Voice, Audio)."""
        obj: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
        }
        if stored.size is not None:
            obj["file_size"] = stored.size
        if stored.kind == "photo":
            size = image_size(stored.data or b"") or (1280, 960)
            obj["width"], obj["height"] = size
            return obj
        obj["mime_type"] = stored.mime_type
        if stored.kind in ("document", "video", "audio") and stored.filename:
            obj["file_name"] = stored.filename
        if stored.kind in ("video", "voice", "audio"):
            # Real durations need a media parser; estimate from the size at ~16 kB/s.
            obj["duration"] = max(1, (stored.size or 0) // 16000)
        if stored.kind == "video":
            obj["width"], obj["height"] = 640, 360
        return obj

    # failures, blocking, limits --------------------------------------------------------------

    def _injected_failure(self, bot: BotState, method: str, chat_id: int | None) -> None:
        for rule in bot.failures:
            if rule.matches(method, chat_id):
                rule.count -= 1
                if rule.count <= 0:
                    bot.failures.remove(rule)
                raise ApiError(rule.status, rule.description, retry_after=rule.retry_after)

    def _check_rate(self, bot: BotState, chat_id: int) -> None:
        now = time.monotonic()
        limits = bot.limits
        chat_bucket = bot.chat_buckets.get(chat_id)
        if chat_bucket is None:
            chat_bucket = TokenBucket.full(limits.per_chat_per_second, limits.per_chat_burst, now)
            bot.chat_buckets[chat_id] = chat_bucket
        if bot.global_bucket is None:
            bot.global_bucket = TokenBucket.full(limits.global_per_second, limits.global_per_second, now)
        wait = max(chat_bucket.wait_seconds(now), bot.global_bucket.wait_seconds(now))
        if wait > 0:
            # Telegram answers whole seconds, at least 1.
            raise too_many_requests(max(1, math.ceil(wait)))
        chat_bucket.take()
        bot.global_bucket.take()

    # Bot API ---------------------------------------------------------------------------------

    async def call(self, token: str, method: str, params: Params) -> Any:
        """Run one Bot API method; return its ``result`` or raise ``ApiError``."""
        name = method.lower()  # Telegram method names are case-insensitive
        if name == "getupdates":
            return await self._get_updates(token, params)
        if name in MESSAGE_METHODS:
            async with self._lock:
                latency = self._bot(token).send_latency
            if latency > 0:
                await asyncio.sleep(latency)
        async with self._lock:
            bot = self._bot(token)
            handler = _METHODS.get(name)
            if handler is None:
                raise ApiError(404, "Not Found")
            chat_id: int | None
            try:
                chat_id = params.integer("chat_id")
            except ApiError:
                chat_id = None
            self._injected_failure(bot, name, chat_id)
            return handler(self, bot, params)

    # methods without state change

    def _get_me(self, bot: BotState, params: Params) -> Any:
        return {
            **bot.user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _target_chat(self, bot: BotState, params: Params) -> ChatState:
        raw = params.raw("chat_id")
        if isinstance(raw, str) and raw.startswith("@"):
            raise bad_request("chat not found")
        chat_id = params.integer("chat_id", required=True)
        assert chat_id is not None
        if chat_id == 0:
            raise bad_request("chat not found")
        if chat_id in bot.blocked:
            raise ApiError(403, BLOCKED_DESCRIPTION)
        return self._chat(bot, chat_id)

    def _reply_markup(self, params: Params) -> dict[str, Any] | None:
        markup = params.json_value("reply_markup")
        if markup is not None and not isinstance(markup, dict):
            raise bad_request("reply markup must be a JSON object")
        return markup

    def _record_bot_message(
        self,
        bot: BotState,
        chat: ChatState,
        method: str,
        content: dict[str, Any],
        reply_markup: dict[str, Any] | None,
        file_id: str | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": chat.next_message_id,
            "from": bot.user,
            "chat": dict(chat.chat),
            "date": int(time.time()),
            **content,
        }
        if reply_markup and "inline_keyboard" in reply_markup:
            # Telegram echoes inline keyboards only; reply keyboards live on the client.
            message["reply_markup"] = reply_markup
        chat.add(ChatEntry(sender="bot", message=message, reply_markup=reply_markup))
        stored = self._files.get(file_id) if file_id else None
        bot.sent.append(
            {
                "chat_id": chat.chat["id"],
                "method": method,
                "message_id": message["message_id"],
                "kind": _message_kind(message),
                "text": message.get("text"),
                "caption": message.get("caption"),
                "file_id": file_id,
                "filename": stored.filename if stored else None,
                "latitude": message.get("location", {}).get("latitude"),
                "longitude": message.get("location", {}).get("longitude"),
                "reply_markup": reply_markup,
                "time": time.time(),
            }
        )
        return message

    def _send_message(self, bot: BotState, params: Params) -> Any:
        chat = self._target_chat(bot, params)
        text = params.string("text")
        if text is None or not text.strip():
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        markup = self._reply_markup(params)
        self._check_rate(bot, chat.chat["id"])
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self._record_bot_message(bot, chat, "sendMessage", content, markup)

    def _input_file(self, bot: BotState, params: Params, kind: str) -> StoredFile:
        """The file of a send: a multipart upload, ``attach://`` part, known file_id or URL."""
        upload = params.uploads.get(kind)
        value = params.string(kind) if upload is None else None
        if value and value.startswith("attach://"):
            upload = params.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
        default_mime = MEDIA_KINDS[kind][2]
        if upload is not None:
            if not upload.data:
                raise bad_request("file must be non-empty")
            filename = upload.filename
            mime = upload.content_type or ""
            if filename and mime and filename == mime.replace("/", "."):
                # PTB names a bytes upload without filename after its mime type
                # ("application.octet-stream"): that is no real file name.
                filename = None
            if not mime or mime == "application/octet-stream":
                mime = guess_mime(filename, upload.data, default_mime)
            return self._new_file(bot, kind, upload.data, mime, filename)
        if not value:
            raise bad_request(f"there is no {kind} in the request")
        known = self._files.get(value)
        if known is not None and known.bot_id == bot.bot_id:
            return known
        if is_url(value):
            name = value.rsplit("/", 1)[-1].split("?")[0] or None
            return self._new_file(bot, kind, None, guess_mime(name, None, default_mime), name, source_url=value)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_media(self, bot: BotState, params: Params, kind: str, method: str) -> Any:
        chat = self._target_chat(bot, params)
        caption = params.string("caption")
        if caption is not None and len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        markup = self._reply_markup(params)
        stored = self._input_file(bot, params, kind)
        self._check_rate(bot, chat.chat["id"])
        obj = self._file_object(stored)
        content: dict[str, Any] = {kind: [obj] if kind == "photo" else obj}
        if caption:
            content["caption"] = caption
        return self._record_bot_message(bot, chat, method, content, markup, stored.file_id)

    def _send_location(self, bot: BotState, params: Params) -> Any:
        chat = self._target_chat(bot, params)
        latitude = params.number("latitude", required=True)
        longitude = params.number("longitude", required=True)
        assert latitude is not None and longitude is not None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong coordinates")
        markup = self._reply_markup(params)
        self._check_rate(bot, chat.chat["id"])
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._record_bot_message(bot, chat, "sendLocation", content, markup)

    def _send_chat_action(self, bot: BotState, params: Params) -> Any:
        self._target_chat(bot, params)
        params.string("action", required=True)
        return True

    def _get_file(self, bot: BotState, params: Params) -> Any:
        file_id = params.string("file_id", required=True)
        stored = self._files.get(file_id or "")
        if stored is None or stored.bot_id != bot.bot_id:
            raise bad_request("invalid file_id")
        result: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.size is not None:
            result["file_size"] = stored.size
        return result

    def _set_webhook(self, bot: BotState, params: Params) -> Any:
        url = params.string("url", required=True) or ""
        if url == "":  # Telegram: an empty url removes the webhook
            return self._delete_webhook(bot, params)
        if not is_url(url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.string("secret_token")
        if secret is not None and not SECRET_TOKEN_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = params.integer("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.json_value("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("allowed_updates must be an array")
        if params.boolean("drop_pending_updates"):
            bot.queue.clear()
        bot.webhook = Webhook(url, secret, max_connections, allowed)
        bot.last_error_date = None
        bot.last_error_message = None
        bot.condition.notify_all()  # a waiting getUpdates must stop
        self._flush_queue_to_webhook(bot)
        logger.info("bot %s: webhook set", bot.bot_id)
        return True

    def _delete_webhook(self, bot: BotState, params: Params) -> Any:
        if params.boolean("drop_pending_updates"):
            bot.queue.clear()
        if bot.webhook is not None:
            logger.info("bot %s: webhook deleted", bot.bot_id)
        bot.webhook = None
        return True

    def _get_webhook_info(self, bot: BotState, params: Params) -> Any:
        info: dict[str, Any] = {
            "url": bot.webhook.url if bot.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(bot.queue) + bot.retrying,
        }
        if bot.webhook:
            info["max_connections"] = bot.webhook.max_connections
            if bot.webhook.allowed_updates is not None:
                info["allowed_updates"] = bot.webhook.allowed_updates
        if bot.last_error_date is not None:
            info["last_error_date"] = bot.last_error_date
            info["last_error_message"] = bot.last_error_message
        return info

    def _set_my_commands(self, bot: BotState, params: Params) -> Any:
        commands = params.json_value("commands")
        if not isinstance(commands, list):
            raise bad_request("parameter commands must be an array")
        bot.commands = commands
        return True

    def _get_my_commands(self, bot: BotState, params: Params) -> Any:
        return bot.commands

    def _delete_my_commands(self, bot: BotState, params: Params) -> Any:
        bot.commands = []
        return True

    def _answer_callback_query(self, bot: BotState, params: Params) -> Any:
        params.string("callback_query_id", required=True)
        return True

    async def _get_updates(self, token: str, params: Params) -> list[dict[str, Any]]:
        async with self._lock:
            bot = self._bot(token)
            self._injected_failure(bot, "getupdates", None)
            offset = params.integer("offset")
            limit = params.integer("limit") or 100
            limit = min(max(limit, 1), 100)
            timeout = params.number("timeout") or 0.0
            timeout = min(max(timeout, 0.0), MAX_LONG_POLL_SECONDS)
            if bot.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            # A new getUpdates supersedes a waiting one, as on Telegram (two pollers = conflict).
            bot.poll_generation += 1
            generation = bot.poll_generation
            bot.condition.notify_all()
            deadline = time.monotonic() + timeout
            while True:
                if offset is not None and offset > 0:
                    bot.queue = [u for u in bot.queue if u["update_id"] >= offset]
                elif offset is not None and offset < 0:
                    bot.queue = bot.queue[offset:]
                if bot.queue or bot.closed or bot.webhook is not None:
                    return [] if bot.closed else list(bot.queue[:limit])
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(remaining):
                        await bot.condition.wait()
                if bot.poll_generation != generation and not bot.closed:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                    )

    # updates and webhook delivery ------------------------------------------------------------

    async def deliver(self, token: str, update: dict[str, Any]) -> dict[str, Any]:
        """Deliver an update: POST it to the webhook (first attempt awaited) or queue it."""
        async with self._lock:
            bot = self._bot(token)
            webhook = bot.webhook
            if webhook is None:
                bot.queue.append(update)
                bot.condition.notify_all()
                return {"delivery": "getUpdates", "webhook_status": None, "webhook_error": None}
        status, error = await self._post_webhook(bot, webhook, update)
        if status is None or not 200 <= status < 300:
            async with self._lock:
                bot.retrying += 1
            self._spawn(self._retry_webhook(bot, update))
        return {"delivery": "webhook", "webhook_status": status, "webhook_error": error}

    def _flush_queue_to_webhook(self, bot: BotState) -> None:
        """After setWebhook, updates still waiting for getUpdates go to the webhook instead."""
        pending, bot.queue = bot.queue, []
        for update in pending:
            bot.retrying += 1
            self._spawn(self._retry_webhook(bot, update, first_delay=0.0))

    async def _post_webhook(self, bot: BotState, webhook: Webhook, update: dict[str, Any]) -> tuple[int | None, str | None]:
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        try:
            response = await self._http().post(webhook.url, content=json.dumps(update).encode(), headers=headers)
        except httpx.HTTPError as exc:
            error = f"Connection failed: {type(exc).__name__}"
            status: int | None = None
        else:
            status = response.status_code
            error = None
            if not 200 <= status < 300:
                error = f"Wrong response from the webhook: {status} {response.reason_phrase}"
        if error is not None:
            async with self._lock:
                bot.last_error_date = int(time.time())
                bot.last_error_message = error
        return status, error

    async def _retry_webhook(self, bot: BotState, update: dict[str, Any], first_delay: float | None = None) -> None:
        """Retry a webhook delivery with exponential back-off, then give up (logged)."""
        update_id = update.get("update_id")
        try:
            for attempt in range(2, WEBHOOK_MAX_ATTEMPTS + 1):
                delay = retry_delay(attempt, WEBHOOK_RETRY_BASE_DELAY, WEBHOOK_RETRY_MAX_DELAY)
                if first_delay is not None and attempt == 2:
                    delay = first_delay
                await asyncio.sleep(delay)
                async with self._lock:
                    if bot.closed:
                        return
                    webhook = bot.webhook
                    if webhook is None:
                        # The webhook went away: the update is now for getUpdates.
                        bot.queue.append(update)
                        bot.queue.sort(key=lambda u: u.get("update_id", 0))
                        bot.condition.notify_all()
                        return
                status, error = await self._post_webhook(bot, webhook, update)
                if status is not None and 200 <= status < 300:
                    logger.info("bot %s: update %s delivered on attempt %d", bot.bot_id, update_id, attempt)
                    return
                logger.info(
                    "bot %s: webhook attempt %d for update %s failed: %s",
                    bot.bot_id,
                    attempt,
                    update_id,
                    error,
                )
            logger.warning(
                "bot %s: giving up on update %s after %d attempts",
                bot.bot_id,
                update_id,
                WEBHOOK_MAX_ATTEMPTS,
            )
        finally:
            bot.retrying -= 1

    # control API -----------------------------------------------------------------------------

    async def citizen_message(self, token: str, payload: Any) -> dict[str, Any]:
        """Build a real Update for a citizen's message and deliver it."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        chat_id = require(payload, "chat_id", int, "")
        if chat_id <= 0:
            raise ControlError("chat_id must be a positive integer (a private chat)")
        first_name = require(payload, "first_name", str, "")
        if not first_name.strip():
            raise ControlError("first_name must not be empty")
        last_name = optional(payload, "last_name", str, "")
        username = optional(payload, "username", str, "")
        language_code = optional(payload, "language_code", str, "")
        caption = optional(payload, "caption", str, "")
        kind = content_kind(payload, CITIZEN_CONTENT_KINDS)
        if caption is not None and kind not in MEDIA_KINDS:
            raise ControlError("caption is only allowed with photo, document, video, voice, audio")
        media: tuple[bytes, str | None, str | None] | None = None
        content: dict[str, Any] = {}
        if kind == "text":
            text = citizen_text(payload, MAX_TEXT_LENGTH)
            content["text"] = text
            entities = command_entities(text)
            if entities:
                content["entities"] = entities
        elif kind in MEDIA_KINDS:
            spec = payload[kind]
            if not isinstance(spec, dict):
                raise ControlError(f"{kind} must be an object")
            data, filename = citizen_file(spec, kind)
            mime_type = optional(spec, "mime_type", str, f"{kind}.")
            media = (data, filename, mime_type)
            if caption:
                if len(caption) > MAX_CAPTION_LENGTH:
                    raise ControlError(f"caption is longer than {MAX_CAPTION_LENGTH} characters")
                content["caption"] = caption
        elif kind == "location":
            content["location"] = _coordinates(payload["location"], "location")
        elif kind == "venue":
            venue = payload["venue"]
            location = _coordinates(venue, "venue")
            content["venue"] = {
                "location": location,
                "title": require(venue, "title", str, "venue."),
                "address": require(venue, "address", str, "venue."),
            }
            content["location"] = location  # Telegram sets both for a venue
        elif kind == "contact":
            spec = payload["contact"]
            if not isinstance(spec, dict):
                raise ControlError("contact must be an object")
            contact: dict[str, Any] = {
                "phone_number": require(spec, "phone_number", str, "contact."),
                "first_name": require(spec, "first_name", str, "contact."),
            }
            if (value := optional(spec, "last_name", str, "contact.")) is not None:
                contact["last_name"] = value
            if (value := optional(spec, "user_id", int, "contact.")) is not None:
                contact["user_id"] = value
            content["contact"] = contact

        user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": first_name}
        chat_info: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value:
                user[key] = value
                chat_info[key] = value
        if language_code:
            user["language_code"] = language_code

        async with self._lock:
            bot = self._control_bot(token)
            if media is not None:
                data, filename, mime_type = media
                mime = mime_type or guess_mime(filename, data, MEDIA_KINDS[kind][2])
                stored = self._new_file(bot, kind, data, mime, filename)
                obj = self._file_object(stored)
                content[kind] = [obj] if kind == "photo" else obj
            chat = self._chat(bot, chat_id)
            chat.chat = chat_info
            message = {
                "message_id": chat.next_message_id,
                "from": user,
                "chat": dict(chat_info),
                "date": int(time.time()),
                **content,
            }
            chat.add(ChatEntry(sender="citizen", message=message))
            update = {"update_id": bot.next_update_id, "message": message}
            bot.next_update_id += 1
        result = await self.deliver(token, update)
        return {
            "ok": True,
            "update_id": update["update_id"],
            "message_id": message["message_id"],
            **result,
        }

    async def raw_update(self, token: str, payload: Any) -> dict[str, Any]:
        """Deliver an update as given (an ``update_id`` is assigned only if missing)."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object (a Telegram Update)")
        update = dict(payload)
        message_id: int | None = None
        async with self._lock:
            bot = self._control_bot(token)
            update_id = update.get("update_id")
            if update_id is None:
                update["update_id"] = bot.next_update_id
            elif isinstance(update_id, bool) or not isinstance(update_id, int):
                raise ControlError("update_id must be an integer")
            bot.next_update_id = max(bot.next_update_id, update["update_id"] + 1)
            message = update.get("message")
            if isinstance(message, dict):
                message_id = message.get("message_id")
                chat_id = (message.get("chat") or {}).get("id")
                # Show it in the phone view once, even when the same update is sent twice.
                if isinstance(chat_id, int) and isinstance(message_id, int):
                    chat = self._chat(bot, chat_id)
                    if message_id not in chat.message_ids:
                        sender = "bot" if (message.get("from") or {}).get("is_bot") else "citizen"
                        chat.add(ChatEntry(sender=sender, message=message))
        result = await self.deliver(token, update)
        return {"ok": True, "update_id": update["update_id"], "message_id": message_id, **result}

    async def chat_messages(self, token: str, chat_id: int, after_message_id: int, base_url: str) -> dict[str, Any]:
        """The chat as the citizen's phone shows it."""
        async with self._lock:
            bot = self._control_bot(token)
            chat = bot.chats.get(chat_id)
            entries = list(chat.entries) if chat else []
            messages = [
                self._render_entry(entry, base_url) for entry in entries if entry.message["message_id"] > after_message_id
            ]
        return {"ok": True, "chat_id": chat_id, "messages": messages}

    def _render_entry(self, entry: ChatEntry, base_url: str) -> dict[str, Any]:
        message = entry.message
        kind = _message_kind(message)
        file_obj: dict[str, Any] | None = None
        if kind == "photo" and message.get("photo"):
            file_obj = message["photo"][-1]
        elif kind in MEDIA_KINDS:
            file_obj = message.get(kind)
        file_url = filename = mime_type = None
        if isinstance(file_obj, dict):
            stored = self._files.get(str(file_obj.get("file_id")))
            if stored is not None:
                filename = stored.filename
                mime_type = stored.mime_type
                file_url = stored.source_url or f"{base_url}/sim/telegram/files/{stored.file_id}"
            else:
                filename = file_obj.get("file_name")
        location = message.get("location") or {}
        venue = message.get("venue") or {}
        contact = message.get("contact")
        buttons_kind, buttons = keyboard_buttons(entry.reply_markup or message.get("reply_markup"))
        return {
            "message_id": message["message_id"],
            "from": entry.sender,
            "date": message.get("date"),
            "kind": kind,
            "text": message.get("text"),
            "caption": message.get("caption"),
            "file_url": file_url,
            "filename": filename,
            "mime_type": mime_type,
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
            "title": venue.get("title"),
            "address": venue.get("address"),
            "contact": contact,
            "buttons": buttons,
            "buttons_kind": buttons_kind,
        }

    async def sent(self, token: str, chat_id: int | None = None) -> dict[str, Any]:
        """Everything the bot sent, oldest first (optionally for one chat)."""
        async with self._lock:
            bot = self._control_bot(token)
            items = [s for s in bot.sent if chat_id is None or s["chat_id"] == chat_id]
        return {"ok": True, "sent": items}

    async def add_failure(self, token: str, payload: Any) -> dict[str, Any]:
        """Make the next ``count`` calls of a method answer an error status."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        method = require(payload, "method", str, "").strip()
        if not method:
            raise ControlError("method must not be empty")
        status = require(payload, "status", int, "")
        if not 400 <= status <= 599:
            raise ControlError("status must be an HTTP error status (400-599)")
        count = optional(payload, "count", int, "")
        count = 1 if count is None else count
        if count < 1:
            raise ControlError("count must be at least 1")
        retry_after = optional(payload, "retry_after", int, "")
        if status == 429:
            retry_after = max(1, retry_after or 1)
        elif retry_after is not None:
            raise ControlError("retry_after is only meaningful with status 429")
        chat_id = optional(payload, "chat_id", int, "")
        description = optional(payload, "description", str, "")
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = DEFAULT_FAILURE_DESCRIPTIONS.get(status, f"Error {status}")
        rule = FailureRule(method.lower(), status, count, description, retry_after, chat_id)
        async with self._lock:
            bot = self._control_bot(token)
            bot.failures.append(rule)
            pending = [r.as_dict() for r in bot.failures]
        return {"ok": True, "pending": pending}

    async def set_latency(self, token: str, payload: Any) -> dict[str, Any]:
        """Make every message send of a bot wait ``seconds`` before it is handled (0 = at once)."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        seconds = float(require(payload, "seconds", (int, float), ""))
        if not math.isfinite(seconds) or not 0 <= seconds <= 60:
            raise ControlError("seconds must be between 0 and 60")
        async with self._lock:
            self._control_bot(token).send_latency = seconds
        return {"ok": True, "seconds": seconds}

    async def set_blocked(self, token: str, chat_id: int, blocked: bool) -> dict[str, Any]:
        """Mark a chat as having blocked (or unblocked) the bot."""
        async with self._lock:
            bot = self._control_bot(token)
            if blocked:
                bot.blocked.add(chat_id)
            else:
                bot.blocked.discard(chat_id)
        return {"ok": True, "chat_id": chat_id, "blocked": blocked}

    async def set_limits(self, token: str, payload: Any) -> dict[str, Any]:
        """Change a bot's rate limits (omitted fields keep their value)."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        unknown = set(payload) - {"per_chat_per_second", "per_chat_burst", "global_per_second"}
        if unknown:
            raise ControlError("unknown fields: " + ", ".join(sorted(unknown)))
        per_chat_rate = optional(payload, "per_chat_per_second", (int, float), "")
        burst = optional(payload, "per_chat_burst", int, "")
        global_rate = optional(payload, "global_per_second", int, "")
        for name, value in (
            ("per_chat_per_second", per_chat_rate),
            ("per_chat_burst", burst),
            ("global_per_second", global_rate),
        ):
            if value is not None and (not math.isfinite(value) or value <= 0):
                raise ControlError(f"{name} must be positive")
        async with self._lock:
            bot = self._control_bot(token)
            if per_chat_rate is not None:
                bot.limits.per_chat_per_second = float(per_chat_rate)
            if burst is not None:
                bot.limits.per_chat_burst = burst
            if global_rate is not None:
                bot.limits.global_per_second = global_rate
            # Start the new limits with full buckets.
            bot.chat_buckets.clear()
            bot.global_bucket = None
            limits = bot.limits.as_dict()
        return {"ok": True, "limits": limits}


def _message_kind(message: dict[str, Any]) -> str:
    """The phone-view kind of a Telegram message."""
    for kind in ("photo", "video", "voice", "audio", "document", "venue", "location", "contact"):
        if message.get(kind):
            return kind
    return "text" if "text" in message else "other"


_METHODS: dict[str, Any] = {
    "getme": TelegramSimulator._get_me,
    "sendmessage": TelegramSimulator._send_message,
    "sendphoto": lambda s, b, p: s._send_media(b, p, "photo", "sendPhoto"),
    "senddocument": lambda s, b, p: s._send_media(b, p, "document", "sendDocument"),
    "sendvideo": lambda s, b, p: s._send_media(b, p, "video", "sendVideo"),
    "sendvoice": lambda s, b, p: s._send_media(b, p, "voice", "sendVoice"),
    "sendaudio": lambda s, b, p: s._send_media(b, p, "audio", "sendAudio"),
    "sendlocation": TelegramSimulator._send_location,
    "sendchataction": TelegramSimulator._send_chat_action,
    "getfile": TelegramSimulator._get_file,
    "setwebhook": TelegramSimulator._set_webhook,
    "deletewebhook": TelegramSimulator._delete_webhook,
    "getwebhookinfo": TelegramSimulator._get_webhook_info,
    "setmycommands": TelegramSimulator._set_my_commands,
    "getmycommands": TelegramSimulator._get_my_commands,
    "deletemycommands": TelegramSimulator._delete_my_commands,
    "answercallbackquery": TelegramSimulator._answer_callback_query,
}


# --- HTTP routes ------------------------------------------------------------------------------


def _int_arg(value: str, name: str) -> int:
    if not re.fullmatch(r"-?\d+", value.strip()):
        raise ControlError(f"{name} must be an integer")
    return int(value)


def _file_response(stored: StoredFile) -> Response:
    if stored.data is None:
        return control_error("file content unavailable (it was sent by URL)", 404)
    return file_response(stored.data, stored.mime_type, stored.filename)


def create_telegram_router(sim: TelegramSimulator) -> APIRouter:
    """Routes of the Telegram stand-in (Bot API + ``/sim/telegram`` control API) over ``sim``."""
    router = APIRouter()

    @router.api_route("/bot{token}/{method}", methods=["GET", "POST"], include_in_schema=False)
    async def bot_api(token: str, method: str, request: Request) -> Response:
        try:
            params = await read_params(request)
            result = await sim.call(token, method, params)
        except ApiError as exc:
            return exc.response()
        return JSONResponse({"ok": True, "result": result})

    @router.get("/file/bot{token}/{file_path:path}", include_in_schema=False)
    async def bot_file(token: str, file_path: str) -> Response:
        stored = sim.file_by_path(token, file_path)
        if stored is None:
            return ApiError(404, "Not Found").response()
        return _file_response(stored)

    prefix = "/sim/telegram"
    bot = prefix + "/bots/{token}"
    # Control calls taking a JSON body: the token, then the body, go to the simulator method.
    for path, handler in (
        (bot + "/citizen-message", sim.citizen_message),
        (bot + "/updates", sim.raw_update),
        (bot + "/failures", sim.add_failure),
        (bot + "/limits", sim.set_limits),
        (bot + "/latency", sim.set_latency),
    ):
        router.add_api_route(path, route_with_body(handler), methods=["POST"], name=handler.__name__)

    @router.get(prefix + "/bots/{token}/chats/{chat_id}/messages")
    async def chat_messages(token: str, chat_id: str, request: Request) -> Response:
        async def phone_view() -> dict[str, Any]:
            after = _int_arg(request.query_params.get("after_message_id", "0"), "after_message_id")
            base_url = str(request.base_url).rstrip("/")
            return await sim.chat_messages(token, _int_arg(chat_id, "chat_id"), after, base_url)

        return await answer(phone_view)

    @router.get(prefix + "/bots/{token}/sent")
    async def sent(token: str, request: Request) -> Response:
        async def sent_to_chat() -> dict[str, Any]:
            raw = request.query_params.get("chat_id")
            return await sim.sent(token, _int_arg(raw, "chat_id") if raw is not None else None)

        return await answer(sent_to_chat)

    @router.get(prefix + "/files/{file_id}")
    async def file_bytes(file_id: str) -> Response:
        stored = sim.file(file_id)
        if stored is None:
            return control_error("unknown file_id", 404)
        return _file_response(stored)

    async def set_blocked(token: str, chat_id: str, blocked: bool) -> dict[str, Any]:
        return await sim.set_blocked(token, _int_arg(chat_id, "chat_id"), blocked)

    @router.post(prefix + "/bots/{token}/chats/{chat_id}/block")
    async def block(token: str, chat_id: str) -> Response:
        return await answer(set_blocked, token, chat_id, True)

    @router.post(prefix + "/bots/{token}/chats/{chat_id}/unblock")
    async def unblock(token: str, chat_id: str) -> Response:
        return await answer(set_blocked, token, chat_id, False)

    return router
