"""WhatsApp webhooks in: Meta's subscription check, the signature, and the citizens' messages and statuses."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from integrations.base import (
    DeliveryState,
    InboundMessage,
    MalformedPayload,
    MediaRef,
    MessageKind,
    StatusUpdate,
    WebhookRefused,
    plain_text,
    read_json,
)
from integrations.whatsapp_errors import describe_error

SIGNATURE_HEADER = "X-Hub-Signature-256"
# Our reply buttons and list rows carry the whole choice in their id, after this prefix: a row's title is cut at 24
# characters, and the citizen's tap must come back as the full text for a keyword to match it.
CHOICE_ID_PREFIX = "choice:"


def signature_for(app_secret: str, raw_body: bytes) -> str:
    """The `X-Hub-Signature-256` header value Meta sends with a body."""
    return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


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


def _object(value: Any) -> dict[str, Any]:
    """The value if it is an object, else an empty one (an optional part of a message read leniently)."""
    return value if isinstance(value, dict) else {}


class WhatsAppWebhooks:
    """What a WhatsApp channel does with the webhook calls Meta makes for its number."""

    phone_number_id: str
    _app_secret: str
    _verify_token: str

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
        payload = _dict(read_json(raw_body), "the body")
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
                number = metadata.get("phone_number_id")
                if not isinstance(number, str | int) or str(number) != self.phone_number_id:
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
                    names[contact["wa_id"]] = plain_text(profile.get("name")) if isinstance(profile, dict) else ""
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
            return InboundMessage(kind=MessageKind.TEXT, text=plain_text(body.get("body")), **common)
        if kind in ("image", "video", "audio", "document") and isinstance(body.get("id"), str):
            media_kind = {
                "image": MessageKind.PHOTO,
                "video": MessageKind.VIDEO,
                "audio": MessageKind.VOICE if body.get("voice") is True else MessageKind.AUDIO,
                "document": MessageKind.DOCUMENT,
            }[kind]
            filename = plain_text(body.get("filename")) or None
            media = MediaRef(body["id"], filename, plain_text(body.get("mime_type")) or None)
            return InboundMessage(kind=media_kind, text=plain_text(body.get("caption")), media=media, **common)
        if kind == "location":
            try:
                latitude, longitude = float(body["latitude"]), float(body["longitude"])
            except (KeyError, TypeError, ValueError):
                return InboundMessage(kind=MessageKind.UNSUPPORTED, **common)
            label = ", ".join(filter(None, [plain_text(body.get("name")), plain_text(body.get("address"))]))
            return InboundMessage(kind=MessageKind.LOCATION, text=label, latitude=latitude, longitude=longitude, **common)
        if kind == "interactive":
            # A tap on a reply button or a list row: its title is what the citizen "said".
            reply = body.get(plain_text(body.get("type")))
            reply = reply if isinstance(reply, dict) else {}
            title, reply_id = plain_text(reply.get("title")), plain_text(reply.get("id"))
            if reply_id.startswith(CHOICE_ID_PREFIX) and reply_id[len(CHOICE_ID_PREFIX) :].startswith(title[:20]):
                title = reply_id[len(CHOICE_ID_PREFIX) :]
            if title:
                return InboundMessage(kind=MessageKind.TEXT, text=title, **common)
        if kind == "button":  # a quick-reply button of a template
            text = plain_text(body.get("text")) or plain_text(body.get("payload"))
            if text:
                return InboundMessage(kind=MessageKind.TEXT, text=text, **common)
        if kind == "contacts":
            contacts = message.get("contacts")
            first = _object(contacts[0]) if isinstance(contacts, list) and contacts else {}
            name = _object(first.get("name"))
            full_name = plain_text(name.get("formatted_name")) or " ".join(
                filter(None, [plain_text(name.get("first_name")), plain_text(name.get("last_name"))])
            )
            phones = [p for p in first.get("phones") or [] if isinstance(p, dict)]
            phone = next((_e164(plain_text(p.get("wa_id")) or plain_text(p.get("phone"))) for p in phones), "")
            return InboundMessage(kind=MessageKind.CONTACT, contact_name=full_name or None, contact_phone=phone or None, **common)
        # Stickers, reactions, orders, "unsupported" and types added later: stored and shown as unsupported.
        return InboundMessage(kind=MessageKind.UNSUPPORTED, text=plain_text(body.get("caption")), **common)

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
                    data = _object(first.get("error_data"))
                    error = describe_error(code, plain_text(first.get("title")), plain_text(data.get("details")))
                updates.append(StatusUpdate(wamid, DeliveryState(state), _timestamp(status.get("timestamp")), error))
        return updates
