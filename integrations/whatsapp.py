"""WhatsApp Cloud API channels over httpx: signed webhooks in; text, media, location, buttons, lists, templates out.

The Graph API base is given by the wiring (`Settings.whatsapp_api_base`, default the real
`https://graph.facebook.com`), so the same code talks to the local simulator in the demo and the tests. Sends go to
`BASE/v25.0/<phone_number_id>/messages` with the number's access token as a Bearer token.

Errors are mapped on the Graph error's `code`, never on the HTTP status alone: Meta answers most refusals with a 400
whatever their cause, and the code is what tells "wait", "retry" and "give up" apart.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import mimetypes
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiolimiter import AsyncLimiter

from integrations.base import (
    AddressKind,
    Channel,
    ChannelAddress,
    DeliveryState,
    InboundMessage,
    MalformedPayload,
    MediaRef,
    MessageKind,
    OutboundMessage,
    PermanentChannelError,
    RateLimited,
    SendReceipt,
    StatusUpdate,
    TransientChannelError,
    WebhookRefused,
    split_text,
)

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://graph.facebook.com"
GRAPH_VERSION = "v25.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_INTERACTIVE_BODY = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
LIST_BUTTON_LABEL = "Menu"  # the same word in Catalan, Spanish and English
# Our reply buttons and list rows carry the whole choice in their id, after this prefix: a row's title is cut at 24
# characters, and the citizen's tap must come back as the full text for a keyword to match it.
CHOICE_ID_PREFIX = "choice:"
# Meta's default throughput per business number; a number can be raised up to 1,000 (credentials override it).
DEFAULT_MESSAGES_PER_SECOND = 80
# How long to wait on a throughput error (130429) and on the per-user pair rate (131056: 1 message per 6 s).
THROUGHPUT_RETRY_SECONDS = 1.0
PAIR_RATE_RETRY_SECONDS = 6.0
# App-level call limits (codes 4, 80007) and spam throttling (131048) last longer.
APP_LIMIT_RETRY_SECONDS = 60.0
# A long text goes out in parts; a rate limit between parts is waited out here (up to this long) so that parts
# are neither lost nor sent twice by a retry of the whole message.
MAX_WAIT_BETWEEN_PARTS = 30.0
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MEDIA_TIMEOUT = httpx.Timeout(120.0, connect=10.0)

OUTSIDE_WINDOW_REASON = (
    "more than 24 hours have passed since the citizen's last message, so WhatsApp only delivers an approved "
    "template until they write again"
)
TOKEN_REFUSED_REASON = "the access token was refused by WhatsApp: set a valid one for this channel"

# Codes whose meaning the operator needs in plain words (the rest are shown with Meta's own title).
_PERMANENT_REASONS: dict[int, str] = {
    131047: OUTSIDE_WINDOW_REASON,
    131026: "WhatsApp could not deliver the message to this number (not on WhatsApp, or an outdated app)",
    131051: "WhatsApp does not support this kind of message",
    131052: "WhatsApp could not download the citizen's file",
    131053: "WhatsApp could not upload the file (type or size not accepted)",
    131050: "the citizen has stopped marketing messages from this number",
    131049: "WhatsApp chose not to deliver this message (too many business messages to this citizen)",
    131021: "the recipient is this business number itself",
    131009: "a parameter of the message was refused",
    131008: "a required parameter of the message is missing",
    131042: "the WhatsApp Business account has a payment problem",
    131031: "the WhatsApp Business account is locked",
    131045: "the phone number is not registered with WhatsApp (certificate missing)",
    132000: "the number of template parameters does not match the approved template",
    132001: "the template does not exist in this language, or is not approved yet",
    132005: "the template text with its parameters is too long",
    132007: "the template's content breaks WhatsApp's policy",
    132012: "the template parameters are not in the format the template was approved with",
    132015: "the template is paused because of low quality",
    132016: "the template is disabled because of low quality",
    133010: "the phone number is not registered on the WhatsApp Cloud API",
    368: "the number is temporarily blocked for policy violations",
    100: "WhatsApp refused a parameter of the message",
    10: "the access token lacks the permission to send from this number",
    200: "the access token lacks the permission to send from this number",
}
_TOKEN_CODES = frozenset({190, 102, 0})
_RATE_LIMIT_CODES: dict[int, float] = {
    130429: THROUGHPUT_RETRY_SECONDS,
    131056: PAIR_RATE_RETRY_SECONDS,
    4: APP_LIMIT_RETRY_SECONDS,
    80007: APP_LIMIT_RETRY_SECONDS,
    131048: APP_LIMIT_RETRY_SECONDS,
}
# Meta's "try again later" family.
_TRANSIENT_CODES = frozenset({1, 2, 131000, 131016, 133004, 130472})


def describe_error(code: int | None, title: str = "", details: str = "") -> str:
    """A Graph error as a sentence for the operator, ending with Meta's code (for support)."""
    reason = _PERMANENT_REASONS.get(code or -1)
    if reason is None:
        reason = TOKEN_REFUSED_REASON if code in _TOKEN_CODES else (details or title or "WhatsApp refused the message")
    return f"{reason} ({code})" if code is not None else reason


def signature_for(app_secret: str, raw_body: bytes) -> str:
    """The `X-Hub-Signature-256` header value Meta sends with a body."""
    return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def graph_error(response: httpx.Response) -> tuple[int | None, str, str]:
    """(code, title, details) of a Graph error answer; code None when the body is not a Graph error."""
    try:
        body = response.json()
    except ValueError:
        return None, "", ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, "", ""
    code = error.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    title = error.get("error_user_title") or error.get("message") or ""
    return code, str(title)[:200], str(details or "")[:300]


def error_for(response: httpx.Response) -> Exception:
    """The channel error for a Graph error answer (branching on `error.code`, then on the HTTP status)."""
    code, title, details = graph_error(response)
    if code in _RATE_LIMIT_CODES:
        return RateLimited(_RATE_LIMIT_CODES[code], f"WhatsApp rate limit ({code})")
    if code in _TRANSIENT_CODES:
        return TransientChannelError(f"WhatsApp is temporarily unavailable ({code})")
    if code in _TOKEN_CODES or (code is None and response.status_code == 401):
        return PermanentChannelError(describe_error(190 if code is None else code))
    if code is None and (response.status_code >= 500 or response.status_code == 429):
        return TransientChannelError(f"WhatsApp answered HTTP {response.status_code}")
    if code is None:
        return PermanentChannelError(f"WhatsApp refused the message (HTTP {response.status_code})")
    if response.status_code >= 500 and code not in _PERMANENT_REASONS:
        return TransientChannelError(f"WhatsApp is temporarily unavailable ({code})")
    return PermanentChannelError(describe_error(code, title, details))


def _e164(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"+{digits}" if digits else ""


def _timestamp(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedPayload(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedPayload(f"{what} is not an array")
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class WhatsAppChannel(Channel):
    """One WhatsApp Business number of a tenant on the Cloud API."""

    platform = "whatsapp"
    free_form_window = timedelta(hours=24)

    def __init__(
        self,
        *,
        channel_id: int,
        phone_number_id: str,
        access_token: str,
        app_secret: str,
        verify_token: str,
        api_base: str | None = None,
        messages_per_second: float = DEFAULT_MESSAGES_PER_SECOND,
    ) -> None:
        base = (api_base or DEFAULT_API_BASE).rstrip("/")
        self.channel_id = channel_id
        self.phone_number_id = phone_number_id
        self._graph = f"{base}/{GRAPH_VERSION}"
        self._access_token = access_token
        self._app_secret = app_secret
        self._verify_token = verify_token
        self._client: httpx.AsyncClient | None = None
        # The number's throughput: staying under it avoids most 130429s (which the outbox still handles).
        self._throughput = AsyncLimiter(max(1.0, float(messages_per_second)), 1)

    @classmethod
    def from_credentials(cls, channel_id: int, credentials: Mapping[str, Any], *, api_base: str | None = None) -> WhatsAppChannel:
        """Build from `{"phone_number_id", "access_token", "app_secret", "verify_token"}`, against `api_base` (default
        the real Graph API).

        Optional: `messages_per_second` (the number's throughput, default 80).
        """
        missing = [key for key in ("phone_number_id", "access_token", "app_secret", "verify_token") if not credentials.get(key)]
        if missing:
            flags = ", ".join("--" + key.replace("_", "-") for key in missing)
            raise ValueError(f"channel {channel_id} has no WhatsApp {', '.join(missing)}: add the channel again with {flags}")
        rate = credentials.get("messages_per_second") or DEFAULT_MESSAGES_PER_SECOND
        return cls(
            channel_id=channel_id,
            phone_number_id=str(credentials["phone_number_id"]),
            access_token=str(credentials["access_token"]),
            app_secret=str(credentials["app_secret"]),
            verify_token=str(credentials["verify_token"]),
            api_base=api_base,
            messages_per_second=float(rate),
        )

    @classmethod
    def describe(cls, credentials: Mapping[str, Any]) -> ChannelAddress | None:
        """The number's id at Meta (public: it is in every webhook; the access token and app secret are not)."""
        number_id = str(credentials.get("phone_number_id") or "")
        return ChannelAddress(AddressKind.NUMBER, number_id) if number_id else None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=TIMEOUT,
                headers={"Authorization": f"Bearer {self._access_token}"},
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            )
        return self._client

    # --- inbound -------------------------------------------------------------------------------------------

    def confirm_subscription(self, query: Mapping[str, str]) -> str:
        """Meta's GET handshake: echo `hub.challenge` when the mode is subscribe and the verify token matches."""
        mode = query.get("hub.mode") or ""
        token = query.get("hub.verify_token") or ""
        challenge = query.get("hub.challenge")
        if mode != "subscribe" or challenge is None:
            raise WebhookRefused("not a subscription check")
        if not hmac.compare_digest(token.encode(), self._verify_token.encode()):
            raise WebhookRefused("wrong verify token")
        return challenge

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> None:
        """Refuse a body unless `X-Hub-Signature-256` is its HMAC-SHA256 with the app secret (constant time)."""
        given = headers.get(SIGNATURE_HEADER) or headers.get(SIGNATURE_HEADER.lower()) or ""
        expected = signature_for(self._app_secret, raw_body)
        if not given or not hmac.compare_digest(given.strip().lower().encode(), expected.encode()):
            raise WebhookRefused("missing or wrong signature")

    def _changes(self, raw_body: bytes) -> list[dict[str, Any]]:
        """The `value` of every `messages` change, after checking each one is for this number."""
        try:
            payload = json.loads(raw_body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedPayload("the body is not JSON") from exc
        payload = _dict(payload, "the body")
        if payload.get("object") != "whatsapp_business_account":
            raise MalformedPayload("not a WhatsApp Business Account notification")
        values: list[dict[str, Any]] = []
        for entry in _list(payload.get("entry"), "entry"):
            for change in _list(_dict(entry, "an entry").get("changes"), "changes"):
                change = _dict(change, "a change")
                if change.get("field") != "messages":
                    continue  # account updates, template reviews...: acknowledged, not handled
                value = _dict(change.get("value"), "a change's value")
                metadata = _dict(value.get("metadata"), "a change's metadata")
                # A body signed with our app secret but for another number of the same app must not land here.
                if str(metadata.get("phone_number_id")) != self.phone_number_id:
                    raise WebhookRefused("the notification is for another phone number")
                values.append(value)
        return values

    def parse_webhook(self, raw_body: bytes) -> list[InboundMessage]:
        """The citizens' messages in a notification (statuses are read by `parse_statuses`)."""
        inbound: list[InboundMessage] = []
        for value in self._changes(raw_body):
            names: dict[str, str] = {}
            for contact in _list(value.get("contacts"), "contacts"):
                if isinstance(contact, dict) and isinstance(contact.get("wa_id"), str):
                    profile = contact.get("profile")
                    names[contact["wa_id"]] = _text(profile.get("name")) if isinstance(profile, dict) else ""
            for message in _list(value.get("messages"), "messages"):
                inbound.append(self._inbound(_dict(message, "a message"), names))
        return inbound

    def _inbound(self, message: dict[str, Any], names: Mapping[str, str]) -> InboundMessage:
        wamid, sender = message.get("id"), message.get("from")
        if not isinstance(wamid, str) or not wamid or not isinstance(sender, str) or not sender:
            raise MalformedPayload("a message without id or sender")
        kind = message.get("type")
        common: dict[str, Any] = {
            "platform_message_id": wamid,
            "sender_id": sender,
            "address": sender,
            "sent_at": _timestamp(message.get("timestamp")),
            "sender_name": names.get(sender, ""),
            # WhatsApp identifies citizens by their number: wa_id is it without the "+".
            "sender_phone": _e164(sender) or None,
        }
        body = message.get(kind) if isinstance(kind, str) else None
        body = body if isinstance(body, dict) else {}
        if kind == "text":
            return InboundMessage(kind=MessageKind.TEXT, text=_text(body.get("body")), **common)
        if kind in ("image", "video", "audio", "document") and isinstance(body.get("id"), str):
            media_kind = {
                "image": MessageKind.PHOTO,
                "video": MessageKind.VIDEO,
                "audio": MessageKind.VOICE if body.get("voice") is True else MessageKind.AUDIO,
                "document": MessageKind.DOCUMENT,
            }[kind]
            filename = _text(body.get("filename")) or None
            media = MediaRef(body["id"], filename, _text(body.get("mime_type")) or None)
            return InboundMessage(kind=media_kind, text=_text(body.get("caption")), media=media, **common)
        if kind == "location":
            try:
                latitude, longitude = float(body["latitude"]), float(body["longitude"])
            except (KeyError, TypeError, ValueError):
                return InboundMessage(kind=MessageKind.UNSUPPORTED, **common)
            label = ", ".join(filter(None, [_text(body.get("name")), _text(body.get("address"))]))
            return InboundMessage(kind=MessageKind.LOCATION, text=label, latitude=latitude, longitude=longitude, **common)
        if kind == "interactive":
            # A tap on a reply button or a list row: its title is what the citizen "said".
            reply = body.get(_text(body.get("type")))
            reply = reply if isinstance(reply, dict) else {}
            title, reply_id = _text(reply.get("title")), _text(reply.get("id"))
            if reply_id.startswith(CHOICE_ID_PREFIX) and reply_id[len(CHOICE_ID_PREFIX) :].startswith(title[:20]):
                title = reply_id[len(CHOICE_ID_PREFIX) :]
            if title:
                return InboundMessage(kind=MessageKind.TEXT, text=title, **common)
        if kind == "button":  # a quick-reply button of a template
            text = _text(body.get("text")) or _text(body.get("payload"))
            if text:
                return InboundMessage(kind=MessageKind.TEXT, text=text, **common)
        if kind == "contacts":
            contacts = message.get("contacts")
            first = contacts[0] if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict) else {}
            name = first.get("name") if isinstance(first.get("name"), dict) else {}
            full_name = _text(name.get("formatted_name")) or " ".join(
                filter(None, [_text(name.get("first_name")), _text(name.get("last_name"))])
            )
            phones = [p for p in first.get("phones") or [] if isinstance(p, dict)] if isinstance(first, dict) else []
            phone = next((_e164(_text(p.get("wa_id")) or _text(p.get("phone"))) for p in phones), "")
            return InboundMessage(kind=MessageKind.CONTACT, contact_name=full_name or None, contact_phone=phone or None, **common)
        # Stickers, reactions, orders, "unsupported" and types added later: stored and shown as unsupported.
        return InboundMessage(kind=MessageKind.UNSUPPORTED, text=_text(body.get("caption")), **common)

    def parse_statuses(self, raw_body: bytes) -> list[StatusUpdate]:
        """Sent / delivered / read / failed news about our messages, failures worded for the operator."""
        updates: list[StatusUpdate] = []
        for value in self._changes(raw_body):
            for status in _list(value.get("statuses"), "statuses"):
                status = _dict(status, "a status")
                wamid, state = status.get("id"), status.get("status")
                if not isinstance(wamid, str) or state not in {s.value for s in DeliveryState}:
                    continue  # "deleted", "warning"... tell nothing about delivery
                error = None
                if state == DeliveryState.FAILED:
                    errors = [e for e in _list(status.get("errors"), "errors") if isinstance(e, dict)]
                    first = errors[0] if errors else {}
                    code = first.get("code") if isinstance(first.get("code"), int) else None
                    data = first.get("error_data") if isinstance(first.get("error_data"), dict) else {}
                    error = describe_error(code, _text(first.get("title")), _text(data.get("details")))
                updates.append(StatusUpdate(wamid, DeliveryState(state), _timestamp(status.get("timestamp")), error))
        return updates

    async def download_media(self, media: MediaRef) -> bytes:
        """Media id → its short-lived URL (GET /v25.0/{media_id}) → the bytes (same Bearer token).

        Rate limits become transient errors here: the webhook then answers non-2xx and Meta delivers again later.
        """
        try:
            response = await self._http().get(f"{self._graph}/{media.file_id}")
            if response.status_code != 200:
                raise error_for(response)
            url = _json_field(response, "url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise PermanentChannelError("WhatsApp gave no download URL for the file")
            download = await self._http().get(url, timeout=MEDIA_TIMEOUT)
            if download.status_code != 200:
                raise error_for(download)
        except httpx.TransportError as exc:
            raise TransientChannelError(f"WhatsApp is not reachable: {type(exc).__name__}") from exc
        except RateLimited as exc:
            raise TransientChannelError(str(exc)) from exc
        return download.content

    # --- outbound ------------------------------------------------------------------------------------------

    async def send(self, message: OutboundMessage) -> SendReceipt:
        """Send one message; a long text goes in parts, an attachment is uploaded first."""
        to = "".join(ch for ch in message.address if ch.isdigit())
        if not to:
            raise PermanentChannelError("the conversation has no WhatsApp number to write to")
        kind = message.kind
        if kind == MessageKind.TEMPLATE or message.template_name:
            return SendReceipt([await self._post(to, self._template(message))])
        if kind in (MessageKind.PHOTO, MessageKind.DOCUMENT, MessageKind.VIDEO, MessageKind.AUDIO, MessageKind.VOICE):
            return SendReceipt(await self._send_media(to, message))
        if kind == MessageKind.LOCATION:
            if message.latitude is None or message.longitude is None:
                raise PermanentChannelError("a location needs latitude and longitude")
            location = {"latitude": message.latitude, "longitude": message.longitude}
            ids = [await self._post(to, {"type": "location", "location": location})]
            if message.text:
                ids += await self._send_text_parts(to, split_text(message.text, MAX_TEXT), first_is_retryable=False)
            return SendReceipt(ids)
        if not message.text.strip():
            raise PermanentChannelError("an empty text cannot be sent")
        if message.buttons:
            return SendReceipt(await self._send_interactive(to, message.text, message.buttons))
        return SendReceipt(await self._send_text_parts(to, split_text(message.text, MAX_TEXT), first_is_retryable=True))

    @staticmethod
    def _template(message: OutboundMessage) -> dict[str, Any]:
        if not message.template_name:
            raise PermanentChannelError("a template message needs the template's name")
        template: dict[str, Any] = {
            "name": message.template_name,
            "language": {"code": message.template_language or "en"},
        }
        if message.template_params:
            parameters = [{"type": "text", "text": param} for param in message.template_params]
            template["components"] = [{"type": "body", "parameters": parameters}]
        return {"type": "template", "template": template}

    async def _send_interactive(self, to: str, text: str, buttons: tuple[str, ...]) -> list[str]:
        """Up to 3 short choices as reply buttons, up to 10 as a list; the body takes the text's last part."""
        parts = split_text(text, MAX_TEXT)
        body = parts.pop()
        if len(body) > MAX_INTERACTIVE_BODY:
            tail = split_text(body, MAX_INTERACTIVE_BODY)
            body = tail.pop()
            parts += tail
        ids = await self._send_text_parts(to, parts, first_is_retryable=True) if parts else []
        choices = [b for b in buttons if b.strip()][:MAX_LIST_ROWS]
        if len(choices) <= MAX_BUTTONS and all(len(b) <= MAX_BUTTON_TITLE for b in choices):
            action: dict[str, Any] = {
                "buttons": [{"type": "reply", "reply": {"id": _choice_id(b, 256), "title": b}} for b in choices]
            }
            interactive: dict[str, Any] = {"type": "button", "body": {"text": body}, "action": action}
        else:
            rows = []
            for choice in choices:
                row = {"id": _choice_id(choice, 200), "title": choice[:MAX_ROW_TITLE]}
                if len(choice) > MAX_ROW_TITLE:
                    row["description"] = choice[:MAX_ROW_DESCRIPTION]
                rows.append(row)
            action = {"button": LIST_BUTTON_LABEL, "sections": [{"rows": rows}]}
            interactive = {"type": "list", "body": {"text": body}, "action": action}
        ids.append(await self._post_part(to, {"type": "interactive", "interactive": interactive}, not ids))
        return ids

    async def _send_media(self, to: str, message: OutboundMessage) -> list[str]:
        if not message.media_path or not Path(message.media_path).is_file():
            raise PermanentChannelError("the attachment is missing from the media folder")
        wa_type = {
            MessageKind.PHOTO: "image",
            MessageKind.DOCUMENT: "document",
            MessageKind.VIDEO: "video",
            MessageKind.AUDIO: "audio",
            MessageKind.VOICE: "audio",
        }[message.kind]
        media_id = await self._upload(message.media_path, message.media_filename)
        body: dict[str, Any] = {"id": media_id}
        rest = message.text
        if wa_type != "audio":  # audio takes no caption: its text follows as a message
            body["caption"], rest = message.text[:MAX_CAPTION], message.text[MAX_CAPTION:]
            if not body["caption"]:
                del body["caption"]
        if wa_type == "document" and message.media_filename:
            body["filename"] = message.media_filename
        ids = [await self._post(to, {"type": wa_type, wa_type: body})]
        if rest.strip():
            ids += await self._send_text_parts(to, split_text(rest, MAX_TEXT), first_is_retryable=False)
        return ids

    async def _upload(self, path: str, filename: str | None) -> str:
        """POST /{phone_number_id}/media: the id to send the file by."""
        name = filename or Path(path).name
        mime = mimetypes.guess_type(name)[0] or mimetypes.guess_type(path)[0] or "application/octet-stream"
        data = await asyncio.to_thread(Path(path).read_bytes)
        try:
            response = await self._http().post(
                f"{self._graph}/{self.phone_number_id}/media",
                data={"messaging_product": "whatsapp", "type": mime},
                files={"file": (name, data, mime)},
                timeout=MEDIA_TIMEOUT,
            )
        except httpx.TransportError as exc:
            raise TransientChannelError(f"WhatsApp is not reachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise error_for(response)
        media_id = _json_field(response, "id")
        if not isinstance(media_id, str) or not media_id:
            raise TransientChannelError("WhatsApp answered the upload without a media id")
        return media_id

    async def _send_text_parts(self, to: str, parts: list[str], first_is_retryable: bool) -> list[str]:
        ids: list[str] = []
        for index, part in enumerate(parts):
            retryable = index == 0 and first_is_retryable
            ids.append(await self._post_part(to, {"type": "text", "text": {"body": part}}, retryable))
        return ids

    async def _post_part(self, to: str, content: dict[str, Any], retryable: bool) -> str:
        """Send one part; a rate limit on a part after the first is waited out here, not by the outbox."""
        for _ in range(5):
            try:
                return await self._post(to, content)
            except RateLimited as exc:
                # Nothing sent yet: let the outbox reschedule the whole message durably.
                if retryable or exc.retry_after > MAX_WAIT_BETWEEN_PARTS:
                    raise
                await asyncio.sleep(exc.retry_after)
        raise TransientChannelError("WhatsApp kept refusing the rest of a long message")

    async def _post(self, to: str, content: dict[str, Any]) -> str:
        """POST one message; its wamid, or the channel error for WhatsApp's answer."""
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **content}
        async with self._throughput:
            try:
                response = await self._http().post(f"{self._graph}/{self.phone_number_id}/messages", json=payload)
            except httpx.TransportError as exc:
                raise TransientChannelError(f"WhatsApp is not reachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            error = error_for(response)
            log.info("channel %s: send refused (%s)", self.channel_id, type(error).__name__)
            raise error
        messages = _json_field(response, "messages")
        wamid = messages[0].get("id") if isinstance(messages, list) and messages and isinstance(messages[0], dict) else None
        if not isinstance(wamid, str) or not wamid:
            # It may have gone out: resending could duplicate it, so the operator sees why it is not tracked instead.
            raise PermanentChannelError("WhatsApp accepted the message without a message id")
        return wamid

    async def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _json_field(response: httpx.Response, name: str) -> Any:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get(name) if isinstance(body, dict) else None


def _choice_id(choice: str, limit: int) -> str:
    return (CHOICE_ID_PREFIX + choice)[:limit]
