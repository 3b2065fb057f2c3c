"""The Telegram stand-in's control API: citizens writing, the phone's view of a chat, failures, latency, limits."""

from __future__ import annotations

import math
import time
from typing import Any

from integrations.simulator.common import ControlError, citizen_file, citizen_text, content_kind, optional, require
from integrations.simulator.telegram.bot_api import BotApi
from integrations.simulator.telegram.media import command_entities, coordinates, guess_mime, keyboard_buttons, message_kind
from integrations.simulator.telegram.protocol import (
    CITIZEN_CONTENT_KINDS,
    DEFAULT_FAILURE_DESCRIPTIONS,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    MEDIA_KINDS,
)
from integrations.simulator.telegram.state import ChatEntry, FailureRule


class TelegramSimulator(BotApi):
    """In-memory Telegram: bots, chats, updates, files, webhooks, limits and injected failures; the control API
    (`/sim/telegram`) plays the citizens and tunes the platform."""

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
            content["location"] = coordinates(payload["location"], "location")
        elif kind == "venue":
            venue = payload["venue"]
            location = coordinates(venue, "venue")
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
        kind = message_kind(message)
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

    async def polling(self, token: str) -> dict[str, Any]:
        """How the bot was polled: getUpdates calls, and how many came while another was waiting (two pollers)."""
        async with self._lock:
            bot = self._control_bot(token)
            return {"ok": True, "polls": bot.polls, "conflicts": bot.poll_conflicts}

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
