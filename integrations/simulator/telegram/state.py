"""What the Telegram stand-in remembers: bots, chats, files, webhooks, limits and injected failures."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from integrations.simulator.common import TokenBucket
from integrations.simulator.telegram import protocol
from integrations.simulator.telegram.protocol import (
    DEFAULT_GLOBAL_PER_SECOND,
    DEFAULT_PER_CHAT_BURST,
    DEFAULT_PER_CHAT_PER_SECOND,
)

# --- Small state types ------------------------------------------------------------------------


#: Whether the client of a request has hung up (Starlette's `Request.is_disconnected`).
ClientGone = Callable[[], Awaitable[bool]]


async def never_gone() -> bool:
    """For a call made without a connection of its own: its caller is always there."""
    return False


@dataclass
class Limits:
    """Rate limits of one bot (a new bot gets the module defaults current at its creation)."""

    per_chat_per_second: float = DEFAULT_PER_CHAT_PER_SECOND
    per_chat_burst: int = DEFAULT_PER_CHAT_BURST
    global_per_second: int = DEFAULT_GLOBAL_PER_SECOND

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as accepted by the limits control endpoint."""
        return asdict(self)


@dataclass
class StoredFile:
    """A file known to the simulator: uploaded by a bot, sent by a citizen, or a bot's URL."""

    file_id: str
    file_unique_id: str
    bot_id: int
    kind: str
    file_path: str
    data: bytes | None
    mime_type: str
    filename: str | None
    source_url: str | None = None

    @property
    def size(self) -> int | None:
        return len(self.data) if self.data is not None else None


@dataclass
class FailureRule:
    """The next ``count`` calls of ``method`` (optionally to one chat) answer ``status``."""

    method: str
    status: int
    count: int
    description: str
    retry_after: int | None
    chat_id: int | None

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method not in ("*", method):
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "status": self.status,
            "count": self.count,
            "description": self.description,
            "retry_after": self.retry_after,
            "chat_id": self.chat_id,
        }


@dataclass
class ChatEntry:
    """One bubble of a chat: the Telegram message plus who sent it and the keyboard shown."""

    sender: str  # "citizen" | "bot"
    message: dict[str, Any]
    reply_markup: dict[str, Any] | None = None


@dataclass
class ChatState:
    """A private chat between a citizen and a bot."""

    chat: dict[str, Any]
    next_message_id: int = 1
    entries: list[ChatEntry] = field(default_factory=list)
    message_ids: set[int] = field(default_factory=set)

    def add(self, entry: ChatEntry) -> None:
        message_id = int(entry.message["message_id"])
        self.message_ids.add(message_id)
        self.next_message_id = max(self.next_message_id, message_id + 1)
        self.entries.append(entry)


@dataclass
class Webhook:
    """A webhook as set by ``setWebhook``."""

    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None


@dataclass
class BotState:
    """Everything the simulator knows about one bot token."""

    token: str
    bot_id: int
    condition: asyncio.Condition
    limits: Limits = field(default_factory=lambda: _default_limits())
    next_update_id: int = 1
    queue: list[dict[str, Any]] = field(default_factory=list)
    webhook: Webhook | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    retrying: int = 0
    poll_generation: int = 0
    #: getUpdates calls so far, and how many arrived while another's client was still waiting (two pollers at once).
    polls: int = 0
    polls_waiting: list[ClientGone] = field(default_factory=list)
    poll_conflicts: int = 0
    closed: bool = False
    chats: dict[int, ChatState] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: list[FailureRule] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    chat_buckets: dict[int, TokenBucket] = field(default_factory=dict)
    global_bucket: TokenBucket | None = None
    commands: list[dict[str, Any]] = field(default_factory=list)
    #: Seconds each message send waits before it is handled: a slow platform (outbox lease tests).
    send_latency: float = 0.0

    @property
    def username(self) -> str:
        return f"citymes_{self.bot_id}_bot"

    @property
    def user(self) -> dict[str, Any]:
        """The bot as a Telegram ``User`` (the ``from`` of what it sends)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": f"CityMes {self.bot_id}",
            "username": self.username,
        }


def _default_limits() -> Limits:
    # Read the module constants now, not at import, so patching them affects new bots.
    return Limits(protocol.DEFAULT_PER_CHAT_PER_SECOND, protocol.DEFAULT_PER_CHAT_BURST, protocol.DEFAULT_GLOBAL_PER_SECOND)
