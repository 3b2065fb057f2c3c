"""Telegram channels on python-telegram-bot 22: webhook or polling in, text/photo/document/location out.

The Bot API base is given by the wiring (`Settings.telegram_api_base`, default the real `https://api.telegram.org`),
so the same code talks to the local simulator in the demo and the tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import math
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from aiolimiter import AsyncLimiter
from telegram import Message, ReplyKeyboardMarkup, Update, User
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from integrations.base import (
    AddressKind,
    Channel,
    ChannelAddress,
    InboundMessage,
    MalformedPayload,
    MediaRef,
    MessageKind,
    OutboundMessage,
    PermanentChannelError,
    PolledUpdate,
    RateLimited,
    RecipientUnreachable,
    SendReceipt,
    TransientChannelError,
    WebhookRefused,
    plain_text,
    read_json,
    send_rate,
    split_text,
    throughput_limiter,
)
from integrations.http import pooled_transport

log = logging.getLogger(__name__)


class _OutboxHandlesFloodLimits(logging.Filter):
    """python-telegram-bot logs every 429 it passes on as an error with a traceback; the outbox reschedules those
    sends durably, so they are not errors here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Rate limit hit after maximum of 0 retries")


logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_OutboxHandlesFloodLimits())

DEFAULT_API_BASE = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096
MAX_CAPTION = 1024
# Telegram lets a bot send about one message a second to one chat; above that it answers 429.
PER_CHAT_RATE = 1.0
# Telegram's overall limit is about 30 messages a second per bot; a bot on paid broadcast (up to 1,000/s) has its
# channel's `max_per_second` raised, and its sends then ask for paid broadcast.
OVERALL_RATE = 30
# A long text goes out in parts; a 429 between parts is waited out here (up to this long) so that parts are
# neither lost nor sent twice by a retry of the whole message.
MAX_WAIT_BETWEEN_PARTS = 30.0
# Sends in flight at once (and connections to the Bot API): enough for the bot's rate at an answer time of
# `ANSWER_SECONDS`, between these bounds. More than needed costs: httpx scans every pooled connection for each request.
ANSWER_SECONDS = 0.02
MIN_CONNECTIONS, MAX_CONNECTIONS = 8, 64
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def keyboard(buttons: tuple[str, ...]) -> ReplyKeyboardMarkup:
    """Quick replies as a reply keyboard, two to a row, hidden after a tap."""
    rows = [list(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramChannel(Channel):
    """One Telegram bot of a tenant."""

    platform = "telegram"

    def __init__(
        self, *, channel_id: int, token: str, secret: str, api_base: str | None = None, max_per_second: float = OVERALL_RATE
    ) -> None:
        base = (api_base or DEFAULT_API_BASE).rstrip("/")
        self.channel_id = channel_id
        self._secret = secret
        # The bot's overall rate is paced here (python-telegram-bot's limiter keeps only the per-group one): its own
        # overall limiter would burst a whole second's worth at once, where the platform keeps no slack for jitter.
        self._throughput = throughput_limiter(max_per_second)
        connections = max(MIN_CONNECTIONS, min(MAX_CONNECTIONS, math.ceil(max_per_second * ANSWER_SECONDS)))
        # Held around each request so that no request queues inside httpx's pool (queued ones are scanned too).
        self._connections = asyncio.Semaphore(connections)
        self._paid: dict[str, Any] = {"allow_paid_broadcast": True} if max_per_second > OVERALL_RATE else {}
        self._bot = ExtBot(
            token,
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=HTTPXRequest(
                connection_pool_size=connections,
                read_timeout=30,
                write_timeout=30,
                media_write_timeout=60,
                httpx_kwargs={"transport": pooled_transport(connections)},
            ),
            get_updates_request=HTTPXRequest(read_timeout=60),
            # max_retries=0: a 429 reaches the outbox, which reschedules durably instead of sleeping in memory.
            rate_limiter=AIORateLimiter(overall_max_rate=0, max_retries=0),
        )
        self._init_lock = asyncio.Lock()
        self._initialized = False
        self._chat_limiters: dict[str, AsyncLimiter] = {}

    @classmethod
    def from_credentials(cls, channel_id: int, credentials: Mapping[str, Any], *, api_base: str | None = None) -> TelegramChannel:
        """Build from `{"token": ..., "secret": ...}`, against `api_base` (default the real Bot API).

        Optional: `max_per_second`, the bot's sends a second (default Telegram's 30; above it sends use paid broadcast).
        """
        token = credentials.get("token")
        if not token:
            raise ValueError(f"channel {channel_id} has no Telegram token: add the channel again with --token")
        return cls(
            channel_id=channel_id,
            token=str(token),
            secret=str(credentials.get("secret") or ""),
            api_base=api_base,
            max_per_second=send_rate(credentials, OVERALL_RATE),
        )

    @classmethod
    def describe(cls, credentials: Mapping[str, Any]) -> ChannelAddress | None:
        """The bot's public user id: the part of the token before ":" (the rest is the secret)."""
        token = str(credentials.get("token") or "")
        bot_id = token.split(":", 1)[0] if ":" in token else ""
        return ChannelAddress(AddressKind.BOT, bot_id) if bot_id else None

    @property
    def bot(self) -> ExtBot:
        """The python-telegram-bot client (initialized by `ensure_ready`)."""
        return self._bot

    async def ensure_ready(self) -> None:
        """Initialize the client once (it checks the token with getMe)."""
        if self._initialized:
            return
        async with self._init_lock:
            if not self._initialized:
                try:
                    await self._bot.initialize()
                except InvalidToken as exc:
                    raise PermanentChannelError("the bot token was refused by Telegram") from exc
                except TelegramError as exc:
                    raise TransientChannelError(f"Telegram is not reachable: {type(exc).__name__}") from exc
                self._initialized = True

    # --- inbound -------------------------------------------------------------------------------------------

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> None:
        """Refuse calls without the secret token set with setWebhook (compared in constant time)."""
        given = headers.get(SECRET_HEADER) or headers.get(SECRET_HEADER.lower()) or ""
        if not self._secret or not hmac.compare_digest(given.encode(), self._secret.encode()):
            raise WebhookRefused("missing or wrong secret token")

    def parse_webhook(self, raw_body: bytes) -> list[InboundMessage]:
        """The citizen message in a webhook update, if any."""
        payload = read_json(raw_body)
        inbound = self._parse_update(payload)
        return [inbound] if inbound else []

    def _parse_update(self, payload: Any) -> InboundMessage | None:
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            raise MalformedPayload("not a Telegram update: no integer update_id")
        if "message" not in payload:
            return None  # edits, channel posts, callbacks...: not handled yet, acknowledged
        if not isinstance(payload["message"], dict):
            raise MalformedPayload("the update's message is not an object")
        try:
            update = Update.de_json(payload, self._bot)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError) as exc:
            # OverflowError / OSError: a date beyond what the platform's time_t holds.
            raise MalformedPayload(f"unreadable Telegram update ({type(exc).__name__})") from exc
        if update.message is None or update.message.from_user is None:
            return None  # edits, channel posts, callbacks...: not handled yet, acknowledged
        return self._inbound(update.message, update.message.from_user)

    def _inbound(self, message: Message, user: User) -> InboundMessage:
        # python-telegram-bot types `date` as always there, but leaves it None when an update carries none.
        sent_at = cast("datetime | None", message.date)
        common: dict[str, Any] = {
            "platform_message_id": f"{message.chat.id}:{message.message_id}",
            "sender_id": str(user.id),
            "address": str(message.chat.id),
            "sent_at": sent_at.astimezone(UTC) if sent_at else datetime.now(UTC),
            "sender_name": plain_text(user.full_name),
            "language_code": user.language_code,
            "text": plain_text(message.text) or plain_text(message.caption),
        }
        if message.text is not None:
            return InboundMessage(kind=MessageKind.TEXT, **common)
        if message.photo:
            largest = message.photo[-1]
            return InboundMessage(kind=MessageKind.PHOTO, media=MediaRef(largest.file_id, None, "image/jpeg"), **common)
        for kind, attachment in (
            (MessageKind.VIDEO, message.video),
            (MessageKind.VOICE, message.voice),
            (MessageKind.AUDIO, message.audio),
            (MessageKind.DOCUMENT, message.document),
        ):
            if attachment is not None:
                media = MediaRef(
                    attachment.file_id, getattr(attachment, "file_name", None), getattr(attachment, "mime_type", None)
                )
                return InboundMessage(kind=kind, media=media, **common)
        if message.venue is not None:
            venue = message.venue
            common["text"] = ", ".join(filter(None, [venue.title, venue.address]))
            return InboundMessage(
                kind=MessageKind.LOCATION,
                latitude=venue.location.latitude,
                longitude=venue.location.longitude,
                **common,
            )
        if message.location is not None:
            return InboundMessage(
                kind=MessageKind.LOCATION,
                latitude=message.location.latitude,
                longitude=message.location.longitude,
                **common,
            )
        if message.contact is not None:
            contact = message.contact
            phone = contact.phone_number or ""
            phone = phone if phone.startswith("+") else f"+{phone}" if phone else ""
            own = contact.user_id is not None and contact.user_id == user.id
            return InboundMessage(
                kind=MessageKind.CONTACT,
                contact_name=" ".join(filter(None, [contact.first_name, contact.last_name])),
                contact_phone=phone or None,
                # A citizen sharing their own contact tells us their number (used by personal codes).
                sender_phone=phone if own and phone else None,
                **common,
            )
        return InboundMessage(kind=MessageKind.UNSUPPORTED, **common)

    async def download_media(self, media: MediaRef) -> bytes:
        """getFile, then download the file."""
        await self.ensure_ready()
        try:
            file = await self._bot.get_file(media.file_id)
            return bytes(await file.download_as_bytearray())
        except BadRequest as exc:
            raise PermanentChannelError(f"Telegram refused the file: {exc.message}") from exc
        except TelegramError as exc:
            raise TransientChannelError(type(exc).__name__) from exc

    async def poll(self, offset: int, timeout: float) -> list[PolledUpdate]:
        """getUpdates from `offset` (which confirms the earlier ones); a webhook left set is removed first."""
        await self.ensure_ready()
        try:
            updates = await self._bot.get_updates(offset=offset or None, timeout=int(timeout), allowed_updates=["message"])
        except Conflict:
            log.warning("channel %s: a webhook was set; deleting it to poll", self.channel_id)
            await self._bot.delete_webhook()
            return []
        polled: list[PolledUpdate] = []
        for update in updates:
            try:
                inbound = (
                    self._inbound(update.message, update.message.from_user)
                    if update.message and update.message.from_user
                    else None
                )
            except (KeyError, TypeError, ValueError, AttributeError):
                log.warning("channel %s: update %s unreadable, skipped", self.channel_id, update.update_id)
                inbound = None
            polled.append(PolledUpdate(update_id=update.update_id, message=inbound))
        return polled

    async def register_webhook(self, url: str) -> None:
        """setWebhook with this channel's secret token."""
        if not SECRET_PATTERN.match(self._secret):
            raise PermanentChannelError("the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        await self.ensure_ready()
        await self._bot.set_webhook(url=url, secret_token=self._secret, allowed_updates=["message"])

    # --- outbound ------------------------------------------------------------------------------------------

    def _chat_limiter(self, address: str) -> AsyncLimiter:
        limiter = self._chat_limiters.get(address)
        if limiter is None:
            if len(self._chat_limiters) > 10_000:
                self._chat_limiters.clear()  # idle limiters hold no debt worth keeping
            limiter = self._chat_limiters[address] = AsyncLimiter(1, 1 / PER_CHAT_RATE)
        return limiter

    @contextlib.asynccontextmanager
    async def _paced(self, address: str) -> AsyncIterator[None]:
        """Wait for the chat's turn, then the bot's (so a chat waiting its second holds no share of the bot's rate)."""
        async with self._chat_limiter(address), self._throughput, self._connections:
            yield

    async def send(self, message: OutboundMessage) -> SendReceipt:
        """Send one message, mapping Telegram's errors to the channel errors the outbox understands."""
        await self.ensure_ready()
        chat_id = int(message.address) if message.address.lstrip("-").isdigit() else message.address
        try:
            return SendReceipt(await self._send(chat_id, message))
        except RetryAfter as exc:
            raise RateLimited(_retry_seconds(exc)) from exc
        except Forbidden as exc:
            raise RecipientUnreachable(exc.message) from exc
        except InvalidToken as exc:
            raise PermanentChannelError("the bot token was refused by Telegram") from exc
        except BadRequest as exc:
            raise PermanentChannelError(exc.message) from exc
        except TelegramError as exc:
            raise TransientChannelError(f"{type(exc).__name__}: {exc.message}") from exc

    async def _send(self, chat_id: int | str, message: OutboundMessage) -> list[str]:
        kind = message.kind
        if kind in (MessageKind.PHOTO, MessageKind.DOCUMENT, MessageKind.VIDEO, MessageKind.AUDIO, MessageKind.VOICE):
            if not message.media_path or not Path(message.media_path).is_file():
                raise PermanentChannelError("the attachment is missing from the media folder")
            caption, rest = message.text[:MAX_CAPTION], message.text[MAX_CAPTION:]
            senders: dict[MessageKind, Callable[..., Awaitable[Message]]] = {
                MessageKind.PHOTO: self._bot.send_photo,
                MessageKind.DOCUMENT: self._bot.send_document,
                MessageKind.VIDEO: self._bot.send_video,
                MessageKind.AUDIO: self._bot.send_audio,
                MessageKind.VOICE: self._bot.send_voice,
            }
            sender = senders[kind]
            async with self._paced(message.address):
                with open(message.media_path, "rb") as handle:
                    kwargs: dict[str, Any] = {"caption": caption or None, **self._paid}
                    if kind == MessageKind.DOCUMENT:
                        kwargs["filename"] = message.media_filename
                    sent = await sender(chat_id, handle, **kwargs)
            ids = [f"{chat_id}:{sent.message_id}"]
            if rest:
                ids += await self._send_text_parts(chat_id, message.address, split_text(rest), first_is_retryable=False)
            return ids
        if kind == MessageKind.LOCATION:
            if message.latitude is None or message.longitude is None:
                raise PermanentChannelError("a location needs latitude and longitude")
            async with self._paced(message.address):
                sent = await self._bot.send_location(
                    chat_id, latitude=message.latitude, longitude=message.longitude, **self._paid
                )
            ids = [f"{chat_id}:{sent.message_id}"]
            if message.text:
                ids += await self._send_text_parts(chat_id, message.address, split_text(message.text), False)
            return ids
        if not message.text:
            raise PermanentChannelError("an empty text cannot be sent")
        return await self._send_text_parts(
            chat_id, message.address, split_text(message.text), first_is_retryable=True, buttons=message.buttons
        )

    async def _send_text_parts(
        self,
        chat_id: int | str,
        address: str,
        parts: list[str],
        first_is_retryable: bool,
        buttons: tuple[str, ...] = (),
    ) -> list[str]:
        ids: list[str] = []
        for index, part in enumerate(parts):
            # Quick replies go under the last part as a reply keyboard: a tap sends the keyword back as text.
            markup = keyboard(buttons) if buttons and index == len(parts) - 1 else None
            for _ in range(5):
                try:
                    async with self._paced(address):
                        sent = await self._bot.send_message(chat_id, part, reply_markup=markup, **self._paid)
                    break
                except RetryAfter as exc:
                    # Nothing sent yet: let the outbox reschedule the whole message durably.
                    if (index == 0 and first_is_retryable) or _retry_seconds(exc) > MAX_WAIT_BETWEEN_PARTS:
                        raise
                    await asyncio.sleep(_retry_seconds(exc))
            else:
                raise TransientChannelError("Telegram kept refusing the rest of a long message")
            ids.append(f"{chat_id}:{sent.message_id}")
        return ids

    async def close(self) -> None:
        """Shut the HTTP client down."""
        if self._initialized:
            await self._bot.shutdown()
            self._initialized = False
