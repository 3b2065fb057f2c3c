"""What the WhatsApp stand-in remembers: numbers, users' chats, media, limits, failures; signed notifications."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from integrations.simulator.common import TokenBucket
from integrations.simulator.whatsapp import protocol
from integrations.simulator.whatsapp.protocol import (
    DEFAULT_MESSAGES_PER_SECOND,
    DEFAULT_PAIR_BURST,
    DEFAULT_PAIR_INTERVAL_SECONDS,
    DEFAULT_STATUS_DELAY_SECONDS,
)

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
    return Limits(protocol.DEFAULT_MESSAGES_PER_SECOND, protocol.DEFAULT_PAIR_INTERVAL_SECONDS, protocol.DEFAULT_PAIR_BURST)


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
