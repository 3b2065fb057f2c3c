"""The WhatsApp stand-in's control API for citizens: their messages, their phone's view, what was sent and delivered."""

from __future__ import annotations

import mimetypes
import time
from typing import Any

from integrations.simulator.common import ControlError, citizen_file, citizen_text, content_kind, optional, require
from integrations.simulator.whatsapp import protocol
from integrations.simulator.whatsapp.inputs import as_object, number_field, offered_choice, valid_wa_id
from integrations.simulator.whatsapp.numbers import NumberControl
from integrations.simulator.whatsapp.protocol import CITIZEN_KINDS, DEFAULT_MIME, MAX_TEXT_LENGTH, MEDIA_TYPES
from integrations.simulator.whatsapp.state import Entry, NumberState, UserChat, notification


class WhatsAppSimulator(NumberControl):
    """In-memory WhatsApp Cloud API: numbers, users, chats, media, signed webhooks, statuses, limits, failures."""

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
            latitude, longitude = number_field(spec, "latitude", "location."), number_field(spec, "longitude", "location.")
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
            choice = offered_choice(offered.message if offered else {}, title)
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
                if wa_id := valid_wa_id(phone):
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
        wa_id = valid_wa_id(raw_wa_id)
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
        body = as_object(message.get(kind))
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
                "window_open": bool(chat and chat.last_inbound and time.time() - chat.last_inbound <= protocol.WINDOW_SECONDS),
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
