"""The channel interface and the normalized message types.

`citymes_app.core` speaks only these types; each platform module (`integrations/telegram.py`, ...) turns its
platform's payloads into them and its errors into the exceptions below, so the outbox can decide whether to
wait, retry or give up without knowing which platform it talks to.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar


class MessageKind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    VIDEO = "video"
    AUDIO = "audio"
    VOICE = "voice"
    DOCUMENT = "document"
    LOCATION = "location"
    CONTACT = "contact"
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


@dataclass(frozen=True)
class SendReceipt:
    """What the platform answered to a send: its ids for the parts sent (a long text goes in several)."""

    platform_message_ids: list[str] = field(default_factory=list)


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


class Channel(abc.ABC):
    """One bot or number on one platform, built from its stored credentials."""

    platform: ClassVar[str]

    @classmethod
    @abc.abstractmethod
    def from_credentials(cls, channel_id: int, credentials: Mapping[str, Any]) -> Channel:
        """Build the channel from the credentials stored for it."""

    @abc.abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> None:
        """Raise `WebhookRefused` unless the call comes from the platform."""

    @abc.abstractmethod
    def parse_webhook(self, raw_body: bytes) -> list[InboundMessage]:
        """Turn a webhook body into messages (empty for updates we do not handle); `MalformedPayload` if unreadable."""

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
