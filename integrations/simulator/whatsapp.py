"""A local stand-in for the WhatsApp Cloud API, spoken over real HTTP.

Two faces:

* the Graph API of a business number, answering like graph.facebook.com so that `integrations/whatsapp.py` works
  unchanged when `CITYMES_WHATSAPP_API_BASE` points here:

  - ``POST /v25.0/{phone_number_id}/messages`` (Bearer token; text, image, video, audio, document, sticker,
    location, interactive buttons and lists, templates) → ``{"messaging_product", "contacts", "messages"}``;
    refusals are Graph errors ``{"error": {"message", "type", "code", "error_data", "fbtrace_id"}}``:
    190 (token, HTTP 401), 100 (bad parameter), 131047 (outside the 24-hour window: only templates pass),
    130429 (past the number's throughput), 131056 (past the pair rate to one user), or any injected code;
  - ``POST /v25.0/{phone_number_id}/media`` (multipart upload) → ``{"id"}``;
  - ``GET /v25.0/{media_id}`` → ``{"url", "mime_type", "sha256", "file_size", "id"}``, and the url
    (``/whatsapp_business/attachments/?mid=…``) serves the bytes to the same token only;
  - webhooks to the registered callback URL, signed like Meta's (``X-Hub-Signature-256: sha256=<hex HMAC-SHA256
    of the raw body with the app secret>``): the citizens' messages, and after each accepted send its statuses
    sent → delivered → read (or failed with ``errors[]``). Non-2xx answers are retried with back-off.

* a control API under ``/sim/whatsapp/`` that registers numbers (doing Meta's GET handshake on the callback URL),
  plays the citizens, shows a chat as the citizen's phone does, lists what the business sent, injects failures,
  tunes limits and statuses, and moves the 24-hour window. Malformed control input is a 400, never a 500:

  - ``POST /sim/whatsapp/numbers`` ``{phone_number_id, access_token, app_secret, callback_url?, verify_token?,
    display_phone_number?}``
  - ``POST /sim/whatsapp/numbers/{id}/webhook`` ``{callback_url, verify_token}`` (``callback_url: null`` removes it)
  - ``POST /sim/whatsapp/numbers/{id}/citizen-message`` ``{wa_id, name, <one of> text | image | video | audio |
    voice | document | sticker (each {content_base64, mime_type?, filename?}, caption?) | location {latitude,
    longitude, name?, address?} | button_reply {title, id?} | list_reply {title, id?, description?} |
    button {text, payload?} | contacts [{name, phone}] | reaction {message_id, emoji}}``
  - ``POST /sim/whatsapp/numbers/{id}/notifications`` any JSON: signed and delivered as it is
  - ``GET  /sim/whatsapp/numbers/{id}/chats/{wa_id}/messages?after=N`` the phone's view (``seq`` > N)
  - ``GET  /sim/whatsapp/numbers/{id}/sent?wa_id=…`` every message the business sent
  - ``GET  /sim/whatsapp/numbers/{id}/deliveries`` the webhook calls made (body, signature, answer)
  - ``POST /sim/whatsapp/numbers/{id}/failures`` ``{code, count?, http_status?, message?, wa_id?, as_status?}``
  - ``POST /sim/whatsapp/numbers/{id}/limits`` ``{messages_per_second?, pair_interval_seconds?, pair_burst?}``
  - ``POST /sim/whatsapp/numbers/{id}/statuses`` ``{auto?, read?, delay_seconds?}``
  - ``POST /sim/whatsapp/numbers/{id}/messages/{wamid}/status`` ``{status, code?}`` one status now
  - ``POST /sim/whatsapp/numbers/{id}/chats/{wa_id}/window`` ``{last_message_seconds_ago}`` or ``{open: false}``
  - ``POST /sim/whatsapp/numbers/{id}/templates`` ``{name, language, body}`` (then templates are checked)
  - ``GET  /sim/whatsapp/files/{media_id}`` a file's bytes, for the phone page
  - ``POST /sim/whatsapp/reset``

Everything lives in memory behind one ``asyncio.Lock``; webhook calls are made outside it. Rate limits are token
buckets (as in the Telegram stand-in) because an error must be answered at once rather than the call delayed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import logging
import math
import mimetypes
import re
import secrets
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

logger = logging.getLogger("citymes.simulator.whatsapp")

GRAPH_VERSION = "v25.0"

# --- Limits and knobs (module-level so benchmarks and tests can read or patch them) -------------

#: Messages per second one business number may send (Meta's default; up to 1,000 after upgrades).
DEFAULT_MESSAGES_PER_SECOND: float = 80.0
#: To one user: one message every 6 s on average...
DEFAULT_PAIR_INTERVAL_SECONDS: float = 6.0
#: ...after a tolerated burst of this many.
DEFAULT_PAIR_BURST: int = 45
#: The customer-service window: free-form messages only this long after the user's last message.
WINDOW_SECONDS: float = 24 * 3600
#: Pause before each automatic status (sent, delivered, read).
DEFAULT_STATUS_DELAY_SECONDS: float = 0.05

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_MEDIA_BYTES = 100 * 1024 * 1024
MAX_LOG = 500

WEBHOOK_MAX_ATTEMPTS = 6
WEBHOOK_RETRY_BASE_DELAY = 0.5
WEBHOOK_RETRY_MAX_DELAY = 8.0

PHONE_NUMBER_ID_RE = re.compile(r"^\d{1,32}$")
WA_ID_RE = re.compile(r"^\d{6,15}$")
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
CITIZEN_KINDS = (
    "text",
    "image",
    "video",
    "audio",
    "voice",
    "document",
    "sticker",
    "location",
    "button_reply",
    "list_reply",
    "button",
    "contacts",
    "reaction",
)
DEFAULT_MIME = {
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "voice": "audio/ogg; codecs=opus",
    "document": "application/pdf",
    "sticker": "image/webp",
}

#: Graph errors by code: (HTTP status, message, details) as Meta words them.
ERRORS: dict[int, tuple[int, str, str]] = {
    0: (401, "(#0) AuthException", "We were unable to authenticate the app user."),
    4: (400, "(#4) Application request limit reached", "The app has reached its API call rate limit."),
    100: (400, "(#100) Invalid parameter", "A parameter is missing or has the wrong value."),
    190: (401, "Invalid OAuth access token - Cannot parse access token", "The access token is not valid."),
    130429: (400, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."),
    131000: (500, "(#131000) Something went wrong", "Message failed to send due to an unknown error."),
    131026: (
        400,
        "(#131026) Message undeliverable",
        "Unable to deliver message: the recipient is not a WhatsApp user or has an outdated app.",
    ),
    131047: (
        400,
        "(#131047) Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    ),
    131051: (400, "(#131051) Unsupported message type", "Message type is not currently supported."),
    131053: (400, "(#131053) Media upload error", "The media could not be uploaded or sent."),
    131056: (
        400,
        "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number to the same "
        "phone number in a short period of time.",
    ),
    132000: (
        400,
        "(#132000) Number of parameters does not match the expected number of params",
        "The number of parameters does not match the template.",
    ),
    132001: (
        404,
        "(#132001) Template name does not exist in the translation",
        "The template does not exist in the specified language or has not been approved.",
    ),
    133004: (503, "(#133004) Server temporarily unavailable", "The server is temporarily unavailable."),
}


class GraphError(Exception):
    """An error answered as Meta's Graph API does, with a real HTTP status."""

    def __init__(self, code: int, details: str | None = None, *, status: int | None = None, message: str | None = None):
        known_status, known_message, known_details = ERRORS.get(code, (400, f"(#{code}) Error", "Simulated error."))
        super().__init__(message or known_message)
        self.code = code
        self.status = status or known_status
        self.message = message or known_message
        self.details = details or known_details

    @property
    def title(self) -> str:
        """The message without its ``(#code)`` prefix, as statuses' ``errors[].title`` carry it."""
        return re.sub(r"^\(#\d+\)\s*", "", self.message)

    def body(self) -> dict[str, Any]:
        """The Graph error object."""
        error_type = "OAuthException" if self.code in (0, 4, 100, 190, 130429, 131056) else "WhatsAppBusinessApiError"
        return {
            "error": {
                "message": self.message,
                "type": error_type,
                "code": self.code,
                "error_data": {"messaging_product": "whatsapp", "details": self.details},
                "fbtrace_id": "A" + secrets.token_urlsafe(15),
            }
        }

    def response(self) -> JSONResponse:
        """Render with the real HTTP status."""
        return JSONResponse(self.body(), status_code=self.status)


def invalid(details: str) -> GraphError:
    """A Graph 400 with code 100 (Invalid parameter)."""
    return GraphError(100, details)


# --- State -------------------------------------------------------------------------------------------------


@dataclass
class Limits:
    """Throughput of one number and its pair rate to each user."""

    messages_per_second: float = DEFAULT_MESSAGES_PER_SECOND
    pair_interval_seconds: float = DEFAULT_PAIR_INTERVAL_SECONDS
    pair_burst: int = DEFAULT_PAIR_BURST

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as accepted by the limits control endpoint."""
        return asdict(self)


@dataclass
class StatusSettings:
    """Which statuses follow an accepted send by themselves."""

    auto: bool = True
    read: bool = True
    delay_seconds: float = DEFAULT_STATUS_DELAY_SECONDS

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as accepted by the statuses control endpoint."""
        return {"auto": self.auto, "read": self.read, "delay_seconds": self.delay_seconds}


@dataclass
class FailureRule:
    """The next ``count`` sends (optionally to one user) fail with Graph error ``code``."""

    code: int
    count: int
    status: int | None
    message: str | None
    wa_id: str | None
    as_status: bool  # accepted, then a "failed" status (how Meta reports most delivery failures)

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as listed by the failures control endpoint."""
        return {
            "code": self.code,
            "count": self.count,
            "http_status": self.status,
            "message": self.message,
            "wa_id": self.wa_id,
            "as_status": self.as_status,
        }


@dataclass
class StoredMedia:
    """A file held for a number: sent by a citizen or uploaded by the business."""

    media_id: str
    phone_number_id: str
    data: bytes
    mime_type: str
    filename: str | None

    @property
    def sha256(self) -> str:
        """The hex digest Meta reports for a media file."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Entry:
    """One bubble of a chat."""

    seq: int
    sender: str  # "citizen" | "business"
    wamid: str
    timestamp: int
    message: dict[str, Any]  # the WhatsApp message object (as sent in the webhook, or as the business posted it)
    status: str | None = None
    error: dict[str, Any] | None = None


@dataclass
class UserChat:
    """The chat between a business number and one WhatsApp user."""

    wa_id: str
    name: str = ""
    last_inbound: float | None = None  # wall-clock seconds of the user's last message
    entries: list[Entry] = field(default_factory=list)


@dataclass
class NumberState:
    """Everything the simulator knows about one business phone number."""

    phone_number_id: str
    access_token: str
    app_secret: str
    display_phone_number: str
    waba_id: str
    callback_url: str | None = None
    verify_token: str | None = None
    limits: Limits = field(default_factory=lambda: _default_limits())
    statuses: StatusSettings = field(default_factory=StatusSettings)
    users: dict[str, UserChat] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    failures: list[FailureRule] = field(default_factory=list)
    templates: dict[tuple[str, str], str] = field(default_factory=dict)
    throughput: TokenBucket | None = None
    pair_buckets: dict[str, TokenBucket] = field(default_factory=dict)
    entries_by_wamid: dict[str, tuple[str, Entry]] = field(default_factory=dict)
    next_seq: int = 1

    def metadata(self) -> dict[str, str]:
        """The ``metadata`` of this number's notifications."""
        return {"display_phone_number": self.display_phone_number, "phone_number_id": self.phone_number_id}

    def user(self, wa_id: str) -> UserChat:
        """The chat with a user, created on first use."""
        chat = self.users.get(wa_id)
        if chat is None:
            chat = self.users[wa_id] = UserChat(wa_id)
        return chat

    def add_entry(self, chat: UserChat, sender: str, wamid: str, message: dict[str, Any]) -> Entry:
        """Record a bubble in a chat, findable by its wamid."""
        entry = Entry(self.next_seq, sender, wamid, int(time.time()), message)
        self.next_seq += 1
        chat.entries.append(entry)
        self.entries_by_wamid[wamid] = (chat.wa_id, entry)
        return entry


def _default_limits() -> Limits:
    # Read the module constants now, not at import, so patching them affects new numbers.
    return Limits(DEFAULT_MESSAGES_PER_SECOND, DEFAULT_PAIR_INTERVAL_SECONDS, DEFAULT_PAIR_BURST)


def signature(app_secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256`` for a body, as Meta computes it."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def notification(number: NumberState, value: dict[str, Any]) -> dict[str, Any]:
    """A webhook notification wrapping one change's ``value``."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": number.waba_id,
                "changes": [
                    {"value": {"messaging_product": "whatsapp", "metadata": number.metadata(), **value}, "field": "messages"}
                ],
            }
        ],
    }


# --- Input helpers ------------------------------------------------------------------------------------------


def _number(payload: dict[str, Any], key: str, label: str = "", *, required: bool = True) -> float | None:
    value = (require if required else optional)(payload, key, (int, float), label)
    if value is None:
        return None
    if not math.isfinite(value):
        raise ControlError(f"{label}{key} must be a finite number")
    return float(value)


def _graph_str(obj: dict[str, Any], key: str, label: str, *, required: bool = True, max_length: int | None = None) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise invalid(f"The parameter {label}{key} is required.")
        return ""
    if not isinstance(value, str):
        raise invalid(f"The parameter {label}{key} must be a string.")
    if required and not value.strip():
        raise invalid(f"The parameter {label}{key} must not be empty.")
    if max_length is not None and len(value) > max_length:
        raise invalid(f"The parameter {label}{key} is longer than {max_length} characters.")
    return value


def _graph_obj(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise invalid(f"The parameter {key} must be an object.")
    return value


def _offered_choice(message: dict[str, Any], title: str) -> dict[str, Any]:
    """The reply button or list row with this title in an interactive message the business sent ({} if none)."""
    interactive = message.get("interactive") if isinstance(message.get("interactive"), dict) else {}
    action = interactive.get("action") if isinstance(interactive.get("action"), dict) else {}
    choices = [b.get("reply") for b in action.get("buttons") or [] if isinstance(b, dict)]
    choices += [r for section in action.get("sections") or [] if isinstance(section, dict) for r in section.get("rows") or []]
    return next((c for c in choices if isinstance(c, dict) and c.get("title") == title), {})


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.query_params.get("access_token") or None


def _wa_id(value: str) -> str:
    digits = value.strip().removeprefix("+")
    return digits if WA_ID_RE.match(digits) else ""


# --- The simulator --------------------------------------------------------------------------------------------


class WhatsAppSimulator(StandIn):
    """In-memory WhatsApp Cloud API: numbers, users, chats, media, signed webhooks, statuses, limits, failures."""

    def __init__(self) -> None:
        super().__init__()
        self._numbers: dict[str, NumberState] = {}
        self._media: dict[str, StoredMedia] = {}
        self._counter = itertools.count(1)

    # lifecycle ------------------------------------------------------------------------------------------------

    async def reset(self) -> None:
        """Forget every number, chat, file, pending status and webhook retry."""
        await self._cancel_background()
        async with self._lock:
            self._numbers = {}
            self._media = {}
            self._counter = itertools.count(1)

    def _new_wamid(self, number: NumberState) -> str:
        raw = f"{number.phone_number_id}:{next(self._counter)}:{secrets.token_hex(6)}".encode()
        return "wamid." + base64.b64encode(raw).decode()

    def _new_media(self, number: NumberState, data: bytes, mime_type: str, filename: str | None) -> StoredMedia:
        media_id = str(10**15 + next(self._counter))
        stored = StoredMedia(media_id, number.phone_number_id, data, mime_type, filename)
        self._media[media_id] = stored
        return stored

    def media_file(self, media_id: str) -> StoredMedia | None:
        """A stored file by id (the control API's download route)."""
        return self._media.get(media_id)

    # Graph API ------------------------------------------------------------------------------------------------

    def _authorized_number(self, phone_number_id: str, token: str | None) -> NumberState:
        """The number, if ``token`` is its access token. Call with the lock held."""
        if not token:
            raise GraphError(190, "An active access token must be used to query information about the current user.")
        number = self._numbers.get(phone_number_id)
        if number is None:
            if any(n.access_token == token for n in self._numbers.values()):
                raise GraphError(
                    100,
                    f"Unsupported post request. Object with ID '{phone_number_id}' does not exist, cannot be loaded "
                    "due to missing permissions, or does not support this operation.",
                )
            raise GraphError(190)
        if not hmac.compare_digest(token.encode(), number.access_token.encode()):
            raise GraphError(190)
        return number

    async def send_message(self, phone_number_id: str, token: str | None, raw_body: bytes) -> dict[str, Any]:
        """``POST /{phone_number_id}/messages``: authenticate, validate, apply failures, window and limits, record."""
        failed_status: tuple[NumberState, Entry, str, GraphError] | None = None
        async with self._lock:
            number = self._authorized_number(phone_number_id, token)  # before parsing, as on Graph
            try:
                payload = json.loads(raw_body)
            except (ValueError, UnicodeDecodeError):
                raise invalid("The request body is not valid JSON.") from None
            if not isinstance(payload, dict):
                raise invalid("The request body must be a JSON object.")
            if payload.get("messaging_product") != "whatsapp":
                raise invalid("The parameter messaging_product is required and must be 'whatsapp'.")
            raw_to = payload.get("to")
            wa_id = _wa_id(raw_to) if isinstance(raw_to, str) else ""
            if not wa_id:
                raise invalid("The parameter to must be a phone number (6-15 digits, optionally with +).")
            kind = payload.get("type", "text")
            if not isinstance(kind, str):
                raise invalid("The parameter type must be a string.")
            rendered = self._validate(number, kind, payload)
            chat = number.user(wa_id)
            failure = self._injected_failure(number, wa_id)
            if failure is not None and not failure.as_status:
                raise GraphError(failure.code, status=failure.status, message=failure.message)
            now_wall = time.time()
            if kind != "template" and (chat.last_inbound is None or now_wall - chat.last_inbound > WINDOW_SECONDS):
                raise GraphError(131047)
            self._check_rate(number, wa_id)
            wamid = self._new_wamid(number)
            message = {k: v for k, v in payload.items() if k not in ("messaging_product", "recipient_type", "to")}
            message["type"] = kind
            if rendered is not None:
                message["_rendered"] = rendered
            entry = number.add_entry(chat, "business", wamid, message)
            entry.status = "accepted"
            number.sent.append({"wamid": wamid, "wa_id": wa_id, "type": kind, "payload": payload, "time": now_wall})
            del number.sent[:-MAX_LOG]
            if failure is not None:
                failure_error = GraphError(failure.code, status=failure.status, message=failure.message)
                failed_status = (number, entry, wa_id, failure_error)
            elif number.statuses.auto and number.callback_url:
                self._spawn(self._auto_statuses(number, entry, wa_id))
        if failed_status is not None:
            failed_number, failed_entry, failed_wa_id, failure_error = failed_status
            self._spawn(self._post_status(failed_number, failed_entry, failed_wa_id, "failed", failure_error))
        answer: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": raw_to, "wa_id": wa_id}],
            "messages": [{"id": wamid}],
        }
        if kind == "template":
            answer["messages"][0]["message_status"] = "accepted"
        return answer

    def _validate(self, number: NumberState, kind: str, payload: dict[str, Any]) -> str | None:
        """Check a message body like the Cloud API; returns a template's rendered text (if known)."""
        if kind == "text":
            body = _graph_obj(payload, "text")
            _graph_str(body, "body", "text.", max_length=MAX_TEXT_LENGTH)
            return None
        if kind in MEDIA_TYPES:
            media = _graph_obj(payload, kind)
            media_id, link = media.get("id"), media.get("link")
            if isinstance(media_id, str) and media_id:
                stored = self._media.get(media_id)
                if stored is None or stored.phone_number_id != number.phone_number_id:
                    raise GraphError(131053 if stored is None else 100, f"Media id {media_id} is not valid.")
            elif not (isinstance(link, str) and link.startswith(("http://", "https://"))):
                raise invalid(f"The parameter {kind} must have an id or a link.")
            caption = _graph_str(media, "caption", f"{kind}.", required=False, max_length=MAX_CAPTION_LENGTH)
            if caption and kind in ("audio", "sticker"):
                raise invalid(f"The parameter {kind}.caption is not allowed for {kind}.")
            _graph_str(media, "filename", f"{kind}.", required=False, max_length=240)
            return None
        if kind == "location":
            location = _graph_obj(payload, "location")
            for key, bound in (("latitude", 90), ("longitude", 180)):
                value = location.get(key)
                if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
                    raise invalid(f"The parameter location.{key} must be a number between -{bound} and {bound}.")
            return None
        if kind == "interactive":
            self._validate_interactive(_graph_obj(payload, "interactive"))
            return None
        if kind == "template":
            return self._validate_template(number, _graph_obj(payload, "template"))
        raise GraphError(131051, f"Message type {kind} is not currently supported.")

    @staticmethod
    def _validate_interactive(interactive: dict[str, Any]) -> None:
        kind = interactive.get("type")
        body = _graph_obj(interactive, "body")
        _graph_str(body, "text", "interactive.body.", max_length=1024)
        action = _graph_obj(interactive, "action")
        if kind == "button":
            buttons = action.get("buttons")
            if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
                raise invalid("The parameter interactive.action.buttons must hold 1 to 3 buttons.")
            titles: set[str] = set()
            for button in buttons:
                reply = button.get("reply") if isinstance(button, dict) else None
                if not isinstance(reply, dict) or button.get("type") != "reply":
                    raise invalid("Each button must be {type: reply, reply: {id, title}}.")
                title = _graph_str(reply, "title", "button.reply.", max_length=20)
                _graph_str(reply, "id", "button.reply.", max_length=256)
                if title in titles:
                    raise invalid("Button titles must be unique.")
                titles.add(title)
            return
        if kind == "list":
            _graph_str(action, "button", "interactive.action.", max_length=20)
            sections = action.get("sections")
            if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
                raise invalid("The parameter interactive.action.sections must hold 1 to 10 sections.")
            rows = 0
            for section in sections:
                section_rows = section.get("rows") if isinstance(section, dict) else None
                if not isinstance(section_rows, list) or not section_rows:
                    raise invalid("Each section must hold rows.")
                for row in section_rows:
                    if not isinstance(row, dict):
                        raise invalid("Each row must be an object.")
                    _graph_str(row, "id", "row.", max_length=200)
                    _graph_str(row, "title", "row.", max_length=24)
                    _graph_str(row, "description", "row.", required=False, max_length=72)
                    rows += 1
            if rows > 10:
                raise invalid("A list holds at most 10 rows.")
            return
        raise invalid("The parameter interactive.type must be button or list.")

    @staticmethod
    def _validate_template(number: NumberState, template: dict[str, Any]) -> str | None:
        name = _graph_str(template, "name", "template.", max_length=512)
        language = template.get("language")
        code = _graph_str(language, "code", "template.language.") if isinstance(language, dict) else ""
        if not code:
            raise invalid("The parameter template.language.code is required.")
        params: list[str] = []
        components = template.get("components") or []
        if not isinstance(components, list):
            raise invalid("The parameter template.components must be an array.")
        for component in components:
            if not isinstance(component, dict):
                raise invalid("Each template component must be an object.")
            if component.get("type") == "body":
                for parameter in component.get("parameters") or []:
                    if not isinstance(parameter, dict) or parameter.get("type") != "text":
                        raise invalid("Body parameters must be {type: text, text}.")
                    params.append(_graph_str(parameter, "text", "parameter.", max_length=1024))
        if not number.templates:
            return None  # no approved templates recorded: any name passes
        body = number.templates.get((name, code))
        if body is None:
            raise GraphError(132001, f"template name ({name}) does not exist in {code}")
        expected = max((int(n) for n in re.findall(r"\{\{(\d+)\}\}", body)), default=0)
        if expected != len(params):
            raise GraphError(132000, f"number of localizable_params ({len(params)}) does not match the expected ({expected})")
        return re.sub(r"\{\{(\d+)\}\}", lambda m: params[int(m.group(1)) - 1], body)

    def _injected_failure(self, number: NumberState, wa_id: str) -> FailureRule | None:
        for rule in number.failures:
            if rule.wa_id in (None, wa_id):
                rule.count -= 1
                if rule.count <= 0:
                    number.failures.remove(rule)
                return rule
        return None

    def _check_rate(self, number: NumberState, wa_id: str) -> None:
        now = time.monotonic()
        limits = number.limits
        if number.throughput is None:
            number.throughput = TokenBucket.full(limits.messages_per_second, limits.messages_per_second, now)
        pair = number.pair_buckets.get(wa_id)
        if pair is None:
            pair = number.pair_buckets[wa_id] = TokenBucket.full(1 / limits.pair_interval_seconds, limits.pair_burst, now)
        if not number.throughput.allows(now):
            raise GraphError(130429)
        if not pair.allows(now):
            raise GraphError(131056)
        number.throughput.take()
        pair.take()

    async def upload_media(self, phone_number_id: str, token: str | None, request: Request) -> dict[str, Any]:
        """``POST /{phone_number_id}/media`` (multipart: messaging_product, type, file)."""
        async with self._lock:
            self._authorized_number(phone_number_id, token)
        try:
            form = await request.form(max_part_size=MAX_MEDIA_BYTES)
        except Exception:  # malformed multipart comes in many shapes; all are a Graph 400
            raise invalid("The request must be multipart/form-data with a file.") from None
        upload = form.get("file")
        if form.get("messaging_product") != "whatsapp":
            raise invalid("The parameter messaging_product is required and must be 'whatsapp'.")
        if not isinstance(upload, UploadFile):
            raise invalid("The parameter file is required.")
        data = await upload.read()
        if not data:
            raise invalid("The file is empty.")
        declared = form.get("type")
        mime = upload.content_type or (declared if isinstance(declared, str) else "") or "application/octet-stream"
        async with self._lock:
            number = self._authorized_number(phone_number_id, token)
            stored = self._new_media(number, data, mime, upload.filename)
        return {"id": stored.media_id}

    async def media_info(self, media_id: str, token: str | None, base_url: str) -> dict[str, Any]:
        """``GET /{media_id}``: where to download it (the same token is needed there)."""
        async with self._lock:
            stored = self._media.get(media_id)
            if stored is None:
                if not token:
                    raise GraphError(190)
                raise invalid(f"Unsupported get request. Object with ID '{media_id}' does not exist.")
            self._authorized_number(stored.phone_number_id, token)
        return {
            "messaging_product": "whatsapp",
            "url": f"{base_url}/whatsapp_business/attachments/?mid={media_id}",
            "mime_type": stored.mime_type,
            "sha256": stored.sha256,
            "file_size": len(stored.data),
            "id": media_id,
        }

    async def media_bytes(self, media_id: str, token: str | None) -> StoredMedia:
        """The bytes behind a media URL, for the number's own token only."""
        async with self._lock:
            stored = self._media.get(media_id)
            if stored is None:
                raise GraphError(100, "The media was not found or has expired.", status=404)
            self._authorized_number(stored.phone_number_id, token)
            return stored

    # webhooks -------------------------------------------------------------------------------------------------

    async def _post_webhook(self, number: NumberState, payload: dict[str, Any]) -> tuple[int | None, str | None]:
        """POST one signed notification; (HTTP status or None, error or None)."""
        url = number.callback_url
        if url is None:
            return None, "no callback URL registered"
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(number.app_secret, body)}
        try:
            response = await self._http().post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            status, error = None, f"Connection failed: {type(exc).__name__}"
        else:
            status = response.status_code
            error = None if 200 <= status < 300 else f"Wrong response from the webhook: {status}"
        async with self._lock:
            number.deliveries.append(
                {
                    "time": time.time(),
                    "body": body.decode(),
                    "signature": headers["X-Hub-Signature-256"],
                    "status": status,
                    "error": error,
                }
            )
            del number.deliveries[:-MAX_LOG]
        return status, error

    async def _deliver_with_retries(self, number: NumberState, payload: dict[str, Any], first_delay: float) -> bool:
        """Deliver until a 2xx or the attempts run out (Meta keeps trying for days; a simulator gives up sooner)."""
        for attempt in range(1, WEBHOOK_MAX_ATTEMPTS + 1):
            if attempt > 1 or first_delay:
                delay = first_delay if attempt == 1 else retry_delay(attempt, WEBHOOK_RETRY_BASE_DELAY, WEBHOOK_RETRY_MAX_DELAY)
                await asyncio.sleep(delay)
            if number.callback_url is None or self._numbers.get(number.phone_number_id) is not number:
                return False  # unsubscribed or reset meanwhile
            status, error = await self._post_webhook(number, payload)
            if status is not None and 200 <= status < 300:
                return True
            logger.info("number %s: webhook attempt %d failed: %s", number.phone_number_id, attempt, error)
        logger.warning("number %s: giving up on a notification after %d attempts", number.phone_number_id, attempt)
        return False

    async def deliver(self, number: NumberState, payload: dict[str, Any]) -> dict[str, Any]:
        """Deliver a notification: the first attempt is awaited, retries continue in the background."""
        if number.callback_url is None:
            return {"delivery": "none", "webhook_status": None, "webhook_error": "no callback URL registered"}
        status, error = await self._post_webhook(number, payload)
        if status is None or not 200 <= status < 300:
            self._spawn(self._deliver_with_retries(number, payload, WEBHOOK_RETRY_BASE_DELAY))
        return {"delivery": "webhook", "webhook_status": status, "webhook_error": error}

    async def _auto_statuses(self, number: NumberState, entry: Entry, wa_id: str) -> None:
        states = ["sent", "delivered"] + (["read"] if number.statuses.read else [])
        for state in states:
            await asyncio.sleep(number.statuses.delay_seconds)
            await self._post_status(number, entry, wa_id, state)

    async def _post_status(
        self, number: NumberState, entry: Entry, wa_id: str, state: str, error: GraphError | None = None
    ) -> bool:
        async with self._lock:
            entry.status = state
            status: dict[str, Any] = {
                "id": entry.wamid,
                "status": state,
                "timestamp": str(int(time.time())),
                "recipient_id": wa_id,
            }
            if state == "failed":
                error = error or GraphError(131000)
                detail = {
                    "code": error.code,
                    "title": error.title,
                    "message": error.title,
                    "error_data": {"details": error.details},
                }
                status["errors"] = [detail]
                entry.error = detail
            else:
                status["conversation"] = {"id": hashlib.md5(wa_id.encode()).hexdigest(), "origin": {"type": "service"}}
                status["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
            payload = notification(number, {"statuses": [status]})
        return await self._deliver_with_retries(number, payload, 0.0)

    # control API ----------------------------------------------------------------------------------------------

    def _control_number(self, phone_number_id: str) -> NumberState:
        number = self._numbers.get(phone_number_id)
        if number is None:
            raise ControlError(f"no number {phone_number_id}: register it with POST /sim/whatsapp/numbers")
        return number

    async def _handshake(self, url: str, verify_token: str) -> str | None:
        """Meta's subscription check on a callback URL; None when it passed, else why not."""
        challenge = str(secrets.randbelow(10**9))
        params = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
        try:
            response = await self._http().get(url, params=params)
        except httpx.HTTPError as exc:
            return f"the callback URL could not be reached ({type(exc).__name__})"
        if response.status_code != 200 or response.text != challenge:
            return f"the callback URL answered {response.status_code} without echoing the challenge"
        return None

    async def register_number(self, payload: Any) -> dict[str, Any]:
        """Register (or replace) a business number; a callback URL is verified first, as Meta does."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        phone_number_id = require(payload, "phone_number_id", str)
        if not PHONE_NUMBER_ID_RE.match(phone_number_id):
            raise ControlError("phone_number_id must be digits")
        access_token = require(payload, "access_token", str)
        app_secret = require(payload, "app_secret", str)
        if not access_token.strip() or not app_secret.strip():
            raise ControlError("access_token and app_secret must not be empty")
        display = optional(payload, "display_phone_number", str) or f"34{phone_number_id[-9:].rjust(9, '0')}"
        callback_url, verify_token = self._callback(payload)
        if callback_url is not None:
            problem = await self._handshake(callback_url, verify_token or "")
            if problem:
                raise ControlError(f"The callback URL or verify token couldn't be validated: {problem}")
        async with self._lock:
            self._numbers[phone_number_id] = NumberState(
                phone_number_id=phone_number_id,
                access_token=access_token,
                app_secret=app_secret,
                display_phone_number=display,
                waba_id=str(10**14 + int(phone_number_id) % 10**14),
                callback_url=callback_url,
                verify_token=verify_token,
            )
        return {
            "ok": True,
            "phone_number_id": phone_number_id,
            "callback_url": callback_url,
            "verified": callback_url is not None,
        }

    @staticmethod
    def _callback(payload: dict[str, Any]) -> tuple[str | None, str | None]:
        callback_url = optional(payload, "callback_url", str)
        verify_token = optional(payload, "verify_token", str)
        if callback_url is not None:
            if not callback_url.startswith(("http://", "https://")):
                raise ControlError("callback_url must be an http(s) URL")
            if not verify_token:
                raise ControlError("verify_token is required with callback_url")
        return callback_url, verify_token

    async def set_webhook(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Subscribe a number's notifications to a callback URL (verified first), or unsubscribe with null."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        async with self._lock:
            self._control_number(phone_number_id)
        callback_url, verify_token = self._callback(payload)
        if callback_url is not None:
            problem = await self._handshake(callback_url, verify_token or "")
            if problem:
                raise ControlError(f"The callback URL or verify token couldn't be validated: {problem}")
        async with self._lock:
            number = self._control_number(phone_number_id)
            number.callback_url, number.verify_token = callback_url, verify_token
        return {"ok": True, "phone_number_id": phone_number_id, "callback_url": callback_url}

    def _citizen_content(self, number: NumberState, payload: dict[str, Any], chat: UserChat) -> dict[str, Any]:
        """The WhatsApp message fields for what a citizen sends. Call with the lock held."""
        kind = content_kind(payload, CITIZEN_KINDS)
        caption = optional(payload, "caption", str)
        if caption is not None and kind not in ("image", "video", "document"):
            raise ControlError("caption is only allowed with image, video and document")
        if kind == "text":
            return {"type": "text", "text": {"body": citizen_text(payload, MAX_TEXT_LENGTH)}}
        if kind in ("image", "video", "audio", "voice", "document", "sticker"):
            spec = require(payload, kind, dict)
            data, filename = citizen_file(spec, kind)
            mime = (
                optional(spec, "mime_type", str, f"{kind}.")
                or (mimetypes.guess_type(filename)[0] if filename else None)
                or DEFAULT_MIME[kind]
            )
            stored = self._new_media(number, data, mime, filename)
            wa_type = "audio" if kind == "voice" else kind
            media: dict[str, Any] = {"id": stored.media_id, "mime_type": mime, "sha256": stored.sha256}
            if kind == "voice":
                media["voice"] = True
            if kind == "document":
                media["filename"] = filename or f"document{mimetypes.guess_extension(mime) or ''}"
            if caption:
                media["caption"] = caption
            return {"type": wa_type, wa_type: media}
        if kind == "location":
            spec = require(payload, "location", dict)
            latitude, longitude = _number(spec, "latitude", "location."), _number(spec, "longitude", "location.")
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise ControlError("location coordinates are out of range")
            location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
            for key in ("name", "address"):
                if (value := optional(spec, key, str, "location.")) is not None:
                    location[key] = value
            return {"type": "location", "location": location}
        if kind in ("button_reply", "list_reply"):
            spec = require(payload, kind, dict)
            title = require(spec, "title", str, f"{kind}.")
            if not title.strip():
                raise ControlError(f"{kind}.title must not be empty")
            # The phone knows the id behind the button or row the citizen taps: take it from the last menu offered.
            offered = next(
                (e for e in reversed(chat.entries) if e.sender == "business" and e.message.get("type") == "interactive"),
                None,
            )
            choice = _offered_choice(offered.message if offered else {}, title)
            reply: dict[str, Any] = {"id": optional(spec, "id", str, f"{kind}.") or choice.get("id") or title, "title": title}
            description = optional(spec, "description", str, f"{kind}.") or choice.get("description")
            if kind == "list_reply" and description:
                reply["description"] = description
            content: dict[str, Any] = {"type": "interactive", "interactive": {"type": kind, kind: reply}}
            if offered is not None:
                content["context"] = {"from": number.display_phone_number, "id": offered.wamid}
            return content
        if kind == "button":
            spec = require(payload, "button", dict)
            text = require(spec, "text", str, "button.")
            return {"type": "button", "button": {"text": text, "payload": optional(spec, "payload", str, "button.") or text}}
        if kind == "contacts":
            cards = require(payload, "contacts", list)
            if not cards:
                raise ControlError("contacts must not be empty")
            contacts = []
            for card in cards:
                if not isinstance(card, dict):
                    raise ControlError("each contact must be an object")
                name = require(card, "name", str, "contacts[].")
                phone = require(card, "phone", str, "contacts[].")
                entry: dict[str, Any] = {"name": {"formatted_name": name, "first_name": name.split(" ")[0]}}
                phone_entry: dict[str, Any] = {"phone": phone, "type": "CELL"}
                if wa_id := _wa_id(phone):
                    phone_entry["wa_id"] = wa_id
                entry["phones"] = [phone_entry]
                contacts.append(entry)
            return {"type": "contacts", "contacts": contacts}
        spec = require(payload, "reaction", dict)
        return {
            "type": "reaction",
            "reaction": {
                "message_id": require(spec, "message_id", str, "reaction."),
                "emoji": require(spec, "emoji", str, "reaction."),
            },
        }

    async def citizen_message(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """A citizen writes to a number: the message is stored in the chat and delivered as a signed webhook."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        raw_wa_id = require(payload, "wa_id", str)
        wa_id = _wa_id(raw_wa_id)
        if not wa_id:
            raise ControlError("wa_id must be a phone number: 6-15 digits, country code first")
        name = optional(payload, "name", str) or ""
        async with self._lock:
            number = self._control_number(phone_number_id)
            chat = number.user(wa_id)
            content = self._citizen_content(number, payload, chat)
            wamid = self._new_wamid(number)
            message = {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), **content}
            if name:
                chat.name = name
            chat.last_inbound = time.time()
            number.add_entry(chat, "citizen", wamid, message)
            contacts = [{"profile": {"name": chat.name}, "wa_id": wa_id}]
            payload_out = notification(number, {"contacts": contacts, "messages": [message]})
        result = await self.deliver(number, payload_out)
        return {"ok": True, "wamid": wamid, **result}

    async def raw_notification(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Sign and deliver a notification exactly as given (for types the control API does not build)."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object (a webhook notification)")
        async with self._lock:
            number = self._control_number(phone_number_id)
        return {"ok": True, **await self.deliver(number, payload)}

    def _render(self, entry: Entry, base_url: str) -> dict[str, Any]:
        message = entry.message
        kind = message.get("type", "text")
        body = message.get(kind) if isinstance(message.get(kind), dict) else {}
        view: dict[str, Any] = {
            "seq": entry.seq,
            "from": entry.sender,
            "wamid": entry.wamid,
            "date": entry.timestamp,
            "kind": kind,
            "text": None,
            "caption": body.get("caption"),
            "file_url": None,
            "filename": body.get("filename"),
            "mime_type": None,
            "latitude": body.get("latitude"),
            "longitude": body.get("longitude"),
            "name": body.get("name") if kind == "location" else None,
            "address": body.get("address"),
            "buttons": [],
            "buttons_kind": None,
            "template": None,
            "contacts": message.get("contacts") if kind == "contacts" else None,
            "status": entry.status,
            "error": entry.error,
        }
        if kind == "text":
            view["text"] = body.get("body")
        elif kind in MEDIA_TYPES:
            if kind == "audio" and body.get("voice"):
                view["kind"] = "voice"
            stored = self._media.get(str(body.get("id")))
            if stored is not None:
                view["file_url"] = f"{base_url}/sim/whatsapp/files/{stored.media_id}"
                view["mime_type"] = stored.mime_type
                view["filename"] = view["filename"] or stored.filename
            elif isinstance(body.get("link"), str):
                view["file_url"] = body["link"]
        elif kind == "interactive":
            interactive_type = body.get("type")
            if interactive_type in ("button_reply", "list_reply"):
                view["text"] = (body.get(interactive_type) or {}).get("title")
            else:
                view["text"] = (body.get("body") or {}).get("text")
                action = body.get("action") or {}
                if interactive_type == "button":
                    view["buttons"] = [b["reply"]["title"] for b in action.get("buttons", [])]
                else:
                    view["buttons"] = [r["title"] for s in action.get("sections", []) for r in s.get("rows", [])]
                view["buttons_kind"] = interactive_type
        elif kind == "button":
            view["text"] = body.get("text")
        elif kind == "template":
            params = [
                p.get("text") for c in body.get("components") or [] if c.get("type") == "body" for p in c.get("parameters") or []
            ]
            view["template"] = {"name": body.get("name"), "language": (body.get("language") or {}).get("code"), "params": params}
            view["text"] = message.get("_rendered") or f"[{body.get('name')}] " + " · ".join(str(p) for p in params)
        elif kind == "reaction":
            view["text"] = body.get("emoji")
        return view

    async def chat_messages(self, phone_number_id: str, wa_id: str, after: int, base_url: str) -> dict[str, Any]:
        """The chat as the citizen's phone shows it (entries after ``seq`` ``after``)."""
        async with self._lock:
            number = self._control_number(phone_number_id)
            chat = number.users.get(wa_id)
            entries = [e for e in chat.entries if e.seq > after] if chat else []
            return {
                "ok": True,
                "wa_id": wa_id,
                "name": chat.name if chat else "",
                "window_open": bool(chat and chat.last_inbound and time.time() - chat.last_inbound <= WINDOW_SECONDS),
                "messages": [self._render(e, base_url) for e in entries],
            }

    async def sent(self, phone_number_id: str, wa_id: str | None) -> dict[str, Any]:
        """Every message the business sent, oldest first (optionally to one user)."""
        async with self._lock:
            number = self._control_number(phone_number_id)
            return {"ok": True, "sent": [s for s in number.sent if wa_id is None or s["wa_id"] == wa_id]}

    async def deliveries(self, phone_number_id: str) -> dict[str, Any]:
        """The webhook calls made for a number, oldest first (raw body, its signature, the answer)."""
        async with self._lock:
            return {"ok": True, "deliveries": list(self._control_number(phone_number_id).deliveries)}

    async def add_failure(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Make the next ``count`` sends fail with a Graph error code (or a failed status, with ``as_status``)."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        code = require(payload, "code", int)
        if code < 0:
            raise ControlError("code must be a Graph error code (e.g. 130429, 131047)")
        count = optional(payload, "count", int)
        count = 1 if count is None else count
        if count < 1:
            raise ControlError("count must be at least 1")
        status = optional(payload, "http_status", int)
        if status is not None and not 400 <= status <= 599:
            raise ControlError("http_status must be an HTTP error status (400-599)")
        message = optional(payload, "message", str)
        raw_wa_id = optional(payload, "wa_id", str)
        wa_id = _wa_id(raw_wa_id) if raw_wa_id is not None else None
        if raw_wa_id is not None and not wa_id:
            raise ControlError("wa_id must be 6-15 digits")
        as_status = optional(payload, "as_status", bool) or False
        rule = FailureRule(code, count, status, message, wa_id, as_status)
        async with self._lock:
            number = self._control_number(phone_number_id)
            number.failures.append(rule)
            return {"ok": True, "pending": [r.as_dict() for r in number.failures]}

    async def set_limits(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Change a number's throughput and pair rate (omitted fields keep their value)."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        unknown = set(payload) - {"messages_per_second", "pair_interval_seconds", "pair_burst"}
        if unknown:
            raise ControlError("unknown fields: " + ", ".join(sorted(unknown)))
        rate = _number(payload, "messages_per_second", required=False)
        interval = _number(payload, "pair_interval_seconds", required=False)
        burst = optional(payload, "pair_burst", int)
        for name, value in (("messages_per_second", rate), ("pair_interval_seconds", interval), ("pair_burst", burst)):
            if value is not None and value <= 0:
                raise ControlError(f"{name} must be positive")
        async with self._lock:
            number = self._control_number(phone_number_id)
            if rate is not None:
                number.limits.messages_per_second = rate
            if interval is not None:
                number.limits.pair_interval_seconds = interval
            if burst is not None:
                number.limits.pair_burst = burst
            # Start the new limits with full buckets.
            number.throughput = None
            number.pair_buckets.clear()
            return {"ok": True, "limits": number.limits.as_dict()}

    async def set_statuses(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Which statuses follow each accepted send, and after how long."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        unknown = set(payload) - {"auto", "read", "delay_seconds"}
        if unknown:
            raise ControlError("unknown fields: " + ", ".join(sorted(unknown)))
        auto, read = optional(payload, "auto", bool), optional(payload, "read", bool)
        delay = _number(payload, "delay_seconds", required=False)
        if delay is not None and not 0 <= delay <= 60:
            raise ControlError("delay_seconds must be between 0 and 60")
        async with self._lock:
            number = self._control_number(phone_number_id)
            if auto is not None:
                number.statuses.auto = auto
            if read is not None:
                number.statuses.read = read
            if delay is not None:
                number.statuses.delay_seconds = delay
            return {"ok": True, "statuses": number.statuses.as_dict()}

    async def push_status(self, phone_number_id: str, wamid: str, payload: Any) -> dict[str, Any]:
        """Post one status for a message the business sent (out of order on purpose, if asked)."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        state = require(payload, "status", str)
        if state not in ("sent", "delivered", "read", "failed"):
            raise ControlError("status must be sent, delivered, read or failed")
        code = optional(payload, "code", int)
        if code is not None and state != "failed":
            raise ControlError("code is only meaningful with status failed")
        async with self._lock:
            number = self._control_number(phone_number_id)
            found = number.entries_by_wamid.get(wamid)
            if found is None or found[1].sender != "business":
                raise ControlError("no message the business sent has this wamid")
            wa_id, entry = found
        error = GraphError(code) if state == "failed" and code is not None else None
        delivered = await self._post_status(number, entry, wa_id, state, error)
        return {"ok": True, "delivered": delivered}

    async def set_window(self, phone_number_id: str, wa_id: str, payload: Any) -> dict[str, Any]:
        """Move the user's last message into the past (or forget it) to open or close the 24-hour window."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        if not _wa_id(wa_id):
            raise ControlError("wa_id must be 6-15 digits")
        ago = _number(payload, "last_message_seconds_ago", required=False)
        opened = optional(payload, "open", bool)
        if (ago is None) == (opened is None):
            raise ControlError("give exactly one of last_message_seconds_ago or open")
        if ago is not None and ago < 0:
            raise ControlError("last_message_seconds_ago must not be negative")
        async with self._lock:
            chat = self._control_number(phone_number_id).user(wa_id)
            if ago is not None:
                chat.last_inbound = time.time() - ago
            else:
                chat.last_inbound = time.time() if opened else None
            open_now = chat.last_inbound is not None and time.time() - chat.last_inbound <= WINDOW_SECONDS
        return {"ok": True, "wa_id": wa_id, "window_open": open_now}

    async def add_template(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Approve a template for a number: from then on template sends are checked against the approved ones."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        name, language, body = (require(payload, key, str) for key in ("name", "language", "body"))
        if not re.fullmatch(r"[a-z0-9_]{1,512}", name):
            raise ControlError("name must be lowercase letters, digits and _")
        if not body.strip():
            raise ControlError("body must not be empty")
        async with self._lock:
            number = self._control_number(phone_number_id)
            number.templates[(name, language)] = body
            return {"ok": True, "templates": [{"name": n, "language": lang} for n, lang in sorted(number.templates)]}


# --- HTTP routes ------------------------------------------------------------------------------------------------


def _file_response(stored: StoredMedia) -> Response:
    return file_response(stored.data, stored.mime_type, stored.filename)


def create_whatsapp_router(sim: WhatsAppSimulator) -> APIRouter:
    """Routes of the WhatsApp stand-in (Graph API + ``/sim/whatsapp`` control API) over ``sim``."""
    router = APIRouter()

    @router.post(f"/{GRAPH_VERSION}/{{phone_number_id}}/messages", include_in_schema=False)
    async def messages(phone_number_id: str, request: Request) -> Response:
        try:
            return JSONResponse(await sim.send_message(phone_number_id, _bearer(request), await request.body()))
        except GraphError as exc:
            return exc.response()

    @router.post(f"/{GRAPH_VERSION}/{{phone_number_id}}/media", include_in_schema=False)
    async def upload(phone_number_id: str, request: Request) -> Response:
        try:
            return JSONResponse(await sim.upload_media(phone_number_id, _bearer(request), request))
        except GraphError as exc:
            return exc.response()

    @router.get(f"/{GRAPH_VERSION}/{{media_id}}", include_in_schema=False)
    async def media_info(media_id: str, request: Request) -> Response:
        try:
            base_url = str(request.base_url).rstrip("/")
            return JSONResponse(await sim.media_info(media_id, _bearer(request), base_url))
        except GraphError as exc:
            return exc.response()

    @router.get("/whatsapp_business/attachments/", include_in_schema=False)
    async def media_download(request: Request) -> Response:
        try:
            stored = await sim.media_bytes(request.query_params.get("mid", ""), _bearer(request))
        except GraphError as exc:
            return exc.response()
        return _file_response(stored)

    prefix = "/sim/whatsapp"
    number = prefix + "/numbers/{phone_number_id}"
    # Control calls taking a JSON body: the path parameters, then the body, go to the simulator method.
    for path, handler in (
        (prefix + "/numbers", sim.register_number),
        (number + "/webhook", sim.set_webhook),
        (number + "/citizen-message", sim.citizen_message),
        (number + "/notifications", sim.raw_notification),
        (number + "/failures", sim.add_failure),
        (number + "/limits", sim.set_limits),
        (number + "/statuses", sim.set_statuses),
        (number + "/messages/{wamid}/status", sim.push_status),
        (number + "/chats/{wa_id}/window", sim.set_window),
        (number + "/templates", sim.add_template),
    ):
        router.add_api_route(path, route_with_body(handler), methods=["POST"], name=handler.__name__)

    @router.get(prefix + "/numbers/{phone_number_id}/chats/{wa_id}/messages")
    async def chat(phone_number_id: str, wa_id: str, request: Request) -> Response:
        after = request.query_params.get("after", "0")
        if not re.fullmatch(r"\d{1,12}", after):
            return control_error("after must be a non-negative integer")
        base_url = str(request.base_url).rstrip("/")
        return await answer(sim.chat_messages, phone_number_id, wa_id, int(after), base_url)

    @router.get(prefix + "/numbers/{phone_number_id}/sent")
    async def sent(phone_number_id: str, request: Request) -> Response:
        return await answer(sim.sent, phone_number_id, request.query_params.get("wa_id"))

    @router.get(prefix + "/numbers/{phone_number_id}/deliveries")
    async def deliveries(phone_number_id: str) -> Response:
        return await answer(sim.deliveries, phone_number_id)

    @router.get(prefix + "/files/{media_id}")
    async def file_bytes(media_id: str) -> Response:
        stored = sim.media_file(media_id)
        if stored is None:
            return control_error("unknown media id", 404)
        return _file_response(stored)

    @router.post(prefix + "/reset")
    async def reset() -> dict[str, bool]:
        await sim.reset()
        return {"ok": True}

    return router
