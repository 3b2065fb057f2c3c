"""The Telegram stand-in's memory: bots by token, their chats and files, injected failures and rate limits."""

from __future__ import annotations

import asyncio
import itertools
import math
import mimetypes
import time
from typing import Any

from integrations.simulator.common import ControlError, StandIn, TokenBucket
from integrations.simulator.telegram.media import image_size
from integrations.simulator.telegram.protocol import MEDIA_KINDS, TOKEN_RE, ApiError, too_many_requests
from integrations.simulator.telegram.state import BotState, ChatState, StoredFile


class TelegramWorld(StandIn):
    """In-memory Telegram: bots, chats and files, with the failures and rate limits every call checks."""

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
