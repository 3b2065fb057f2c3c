"""The channel interface and the normalized message types.

`citymes_app.core` speaks only these types; each platform module (`integrations/telegram.py`, ...) turns its
platform's payloads into them and its errors into the exceptions below, so the outbox can decide whether to
wait, retry or give up without knowing which platform it talks to.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

import orjson
from aiolimiter import AsyncLimiter


class MessageKind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    VIDEO = "video"
    AUDIO = "audio"
    VOICE = "voice"
    DOCUMENT = "document"
    LOCATION = "location"
    CONTACT = "contact"
    TEMPLATE = "template"  # an approved template (outbound only), the `text` is its rendered body
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class MediaRef:
    """A file the platform holds for us, fetched with `Channel.download_media`."""

    file_id: str
    filename: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """A citizen's message, as every platform module hands it to the pipeline."""

    platform_message_id: str  # unique per channel
    sender_id: str  # the citizen's id on the platform
    address: str  # where replies go (a chat id, a phone number)
    kind: MessageKind
    sent_at: datetime
    sender_name: str = ""
    language_code: str | None = None
    text: str = ""  # the text, or the caption of a media message
    media: MediaRef | None = None
    latitude: float | None = None
    longitude: float | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    sender_phone: str | None = None  # when the platform tells it (WhatsApp)


@dataclass(frozen=True)
class PolledUpdate:
    """One update fetched by polling; `update_id` is what confirms it."""

    update_id: int
    message: InboundMessage | None  # None for updates we do not handle


@dataclass(frozen=True)
class OutboundMessage:
    """A reply, notification or broadcast message on its way to one citizen."""

    address: str
    kind: MessageKind = MessageKind.TEXT
    text: str = ""
    media_path: str | None = None  # absolute path of a local file
    media_filename: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    # Quick replies offered under the message (a menu of related keywords); pressing one sends its text back.
    buttons: tuple[str, ...] = ()
    # An approved template (kind TEMPLATE): platforms with a free-form window accept only these outside it.
    template_name: str | None = None
    template_language: str | None = None
    template_params: tuple[str, ...] = ()


class DeliveryState(StrEnum):
    """What the platform reports about a message we sent, in the order it normally happens."""

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


@dataclass(frozen=True)
class StatusUpdate:
    """The platform's news about a message we sent (its id is the one `send` returned in `SendReceipt`)."""

    platform_message_id: str
    state: DeliveryState
    at: datetime
    error: str | None = None  # why it failed, worded for the operator


@dataclass(frozen=True)
class SendReceipt:
    """What the platform answered to a send: its ids for the parts sent (a long text goes in several)."""

    platform_message_ids: list[str] = field(default_factory=list)


def split_text(text: str, limit: int = 4096) -> list[str]:
    """Split `text` into parts of at most `limit` characters, preferring paragraph, line and word breaks."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ") if cut < limit else rest[cut:]
    if rest or not parts:
        parts.append(rest)
    return parts


class ChannelError(Exception):
    """Base of the errors a channel raises when sending; the outbox branches on the subclass."""


class RateLimited(ChannelError):
    """The platform asked us to slow down: try again after `retry_after` seconds."""

    def __init__(self, retry_after: float, detail: str = "rate limited") -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RecipientUnreachable(ChannelError):
    """The citizen blocked us or no longer exists: retrying will not help."""


class TransientChannelError(ChannelError):
    """A network error or a 5xx: retry with back-off."""


class PermanentChannelError(ChannelError):
    """The platform refused this message for good (bad request, too large...)."""


class WebhookRefused(Exception):
    """The webhook call is not authentic (missing or wrong secret / signature): answer 403, store nothing."""


class MalformedPayload(Exception):
    """The webhook body cannot be read: answer 400."""


def plain_text(value: Any) -> str:
    """A text field of a platform's payload as a string: "" when the payload put anything else there (a number, a list:
    a platform does not, a forged call may), so nothing downstream meets a name or a text that is not one."""
    return value if isinstance(value, str) else ""


def read_json(raw_body: bytes) -> Any:
    """The JSON document of a webhook body, or `MalformedPayload`.

    orjson refuses what would otherwise fail later, deep in the path, as a 500: nesting deeper than 1,024 levels
    (the standard library's parser recurses until `RecursionError`), lone surrogates such as `\\ud800` (valid JSON
    escapes, but no UTF-8 encoding exists for them, so storing them fails), invalid UTF-8, NaN and infinities.
    Integers beyond 64 bits come back as floats, so no id too large for the database gets through as an int.
    """
    try:
        return orjson.loads(raw_body)
    except orjson.JSONDecodeError as exc:
        raise MalformedPayload(f"the body is not valid JSON ({str(exc).split(':')[0]})") from exc


class AddressKind(StrEnum):
    """What a channel's public id names."""

    BOT = "bot"  # a bot's public user id
    NUMBER = "number"  # a business phone number's id


@dataclass(frozen=True)
class ChannelAddress:
    """Where citizens reach a channel, told without any secret (the interface words it)."""

    kind: AddressKind
    public_id: str


_CHANNEL_CLASSES: dict[str, type[Channel]] = {}


def free_form_window_for(platform: str) -> timedelta | None:
    """How long after a citizen's last message a free-form reply may go out on `platform` (None: no limit).

    Known once the platform's module is imported (the wiring imports every platform it serves).
    """
    cls = _CHANNEL_CLASSES.get(platform)
    return cls.free_form_window if cls is not None else None


#: The credentials key that sets a channel's sends a second (the platform's standard limit when absent); raised for a
#: bot on Telegram's paid broadcast or a WhatsApp number on a higher throughput tier.
MAX_PER_SECOND = "max_per_second"
#: The client-side burst, in seconds' worth of sends: the platform's own bucket holds a full second's worth, so
#: bursting a tenth of it leaves the rest as slack for sends that the network delivers bunched together.
BURST_SECONDS = 0.1


def send_rate(credentials: Mapping[str, Any], default: float, *, legacy_key: str | None = None) -> float:
    """The channel's sends a second from its credentials (`max_per_second`, else `legacy_key`, else `default`)."""
    for key in (MAX_PER_SECOND, legacy_key):
        value = credentials.get(key) if key else None
        if value is not None and value != "":
            try:
                rate = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{key} must be a number of messages a second, not {value!r}") from None
            if rate <= 0:
                raise ValueError(f"{key} must be above 0")
            return rate
    return default


def throughput_limiter(per_second: float) -> AsyncLimiter:
    """A limiter that lets `per_second` sends through each second with a small burst (see `BURST_SECONDS`), so a
    channel running at exactly its platform's limit is not refused for bunched arrivals."""
    burst = max(1.0, per_second * BURST_SECONDS)
    return AsyncLimiter(burst, burst / per_second)


@dataclass(frozen=True)
class PlatformLink:
    """A platform's channel class and the API base this installation talks to for it (set once by the wiring)."""

    channel_class: type[Channel]
    api_base: str | None = None  # None: the platform's real API

    @property
    def platform(self) -> str:
        """The platform's name ("telegram", "whatsapp")."""
        return self.channel_class.platform

    def from_credentials(self, channel_id: int, credentials: Mapping[str, Any]) -> Channel:
        """Build a channel of this platform against the configured API base."""
        return self.channel_class.from_credentials(channel_id, credentials, api_base=self.api_base)


def describe_channel(platform: str, credentials: Mapping[str, Any]) -> ChannelAddress | None:
    """A channel's public address from its stored credentials (see `Channel.describe`); None for an unknown platform.

    Known once the platform's module is imported (the wiring imports every platform it serves).
    """
    cls = _CHANNEL_CLASSES.get(platform)
    return cls.describe(credentials) if cls is not None else None


class Channel(abc.ABC):
    """One bot or number on one platform, built from its stored credentials."""

    platform: ClassVar[str]
    # Some platforms accept free-form messages only for a while after the citizen's last message; outside that
    # window only approved templates go through. None: no such window.
    free_form_window: ClassVar[timedelta | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Registered so that `core` can ask about a platform's rules without importing its module.
        if isinstance(cls.__dict__.get("platform"), str):
            _CHANNEL_CLASSES[cls.platform] = cls

    @classmethod
    @abc.abstractmethod
    def from_credentials(cls, channel_id: int, credentials: Mapping[str, Any], *, api_base: str | None = None) -> Channel:
        """Build the channel from the credentials stored for it; `api_base` replaces the platform's real API (the
        simulator in the demo and the tests)."""

    @classmethod
    @abc.abstractmethod
    def describe(cls, credentials: Mapping[str, Any]) -> ChannelAddress | None:
        """The channel's public address (a bot id, a phone number id) from its credentials, never a secret; None
        when the credentials do not tell it."""

    @abc.abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> None:
        """Raise `WebhookRefused` unless the call comes from the platform."""

    @abc.abstractmethod
    def parse_webhook(self, raw_body: bytes) -> list[InboundMessage]:
        """Turn a webhook body into messages (empty for updates we do not handle); `MalformedPayload` if unreadable."""

    def parse_statuses(self, raw_body: bytes) -> list[StatusUpdate]:
        """Delivery news in a webhook body (sent, delivered, read, failed); platforms that send none return []."""
        return []

    def confirm_subscription(self, query: Mapping[str, str]) -> str:
        """Answer the platform's subscription check (a GET on the webhook): the text to echo, or `WebhookRefused`."""
        raise WebhookRefused(f"{self.platform} channels do not verify webhook subscriptions")

    @abc.abstractmethod
    async def download_media(self, media: MediaRef) -> bytes:
        """Fetch the bytes of a file the citizen sent."""

    @abc.abstractmethod
    async def send(self, message: OutboundMessage) -> SendReceipt:
        """Send one message; raise a `ChannelError` subclass on failure."""

    async def poll(self, offset: int, timeout: float) -> list[PolledUpdate]:
        """Fetch updates from `offset` on (long polling); confirms everything before `offset`."""
        raise NotImplementedError(f"{self.platform} channels do not poll")

    async def register_webhook(self, url: str) -> None:
        """Tell the platform where to deliver updates."""
        raise NotImplementedError(f"{self.platform} channels are configured on the platform's side")

    async def close(self) -> None:  # noqa: B027 - most channels hold nothing to release
        """Release connections."""
        return None
