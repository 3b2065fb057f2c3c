"""SQLModel tables of CityMes.

Every datetime is timezone-aware UTC (sqlmodel 0.0.50 wants `DateTime(timezone=True)`).
A table carries `tenant_id` wherever one organisation's data must never leak into another's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use citymes_app.models.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Role(StrEnum):
    OPERATOR = "operator"
    MANAGER = "manager"
    ADMIN = "admin"


class ChannelMode(StrEnum):
    WEBHOOK = "webhook"
    POLLING = "polling"


class ConversationStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class Author(StrEnum):
    CITIZEN = "citizen"
    OPERATOR = "operator"
    BOT = "bot"


class DeliveryStatus(StrEnum):
    RECEIVED = "received"  # inbound, stored
    PENDING = "pending"  # outbound, waiting in the outbox
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Tenant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    timezone: str = Field(default="Europe/Madrid", max_length=64)
    languages: str = Field(default="ca,es", max_length=64)  # comma-separated, first is the default
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Operator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    email: str = Field(unique=True, index=True, max_length=254)
    display_name: str = Field(default="", max_length=200)
    role: str = Field(default=Role.OPERATOR, max_length=16)
    password_hash: str = Field(max_length=256)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class OperatorSession(SQLModel, table=True):
    """A logged-in browser: only a hash of the session token is stored."""

    __tablename__ = "operator_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    operator_id: int = Field(foreign_key="operator.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Channel(SQLModel, table=True):
    """One bot or number of a tenant on one platform."""

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    platform: str = Field(max_length=32)
    name: str = Field(default="", max_length=200)
    mode: str = Field(default=ChannelMode.WEBHOOK, max_length=16)
    # Platform credentials (token, secrets); their meaning belongs to the platform module.
    credentials: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    enabled: bool = True
    poll_offset: int = 0
    poll_lease_owner: str | None = Field(default=None, max_length=64)
    poll_lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Citizen(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    display_name: str = Field(default="", max_length=200)
    phone: str | None = Field(default=None, max_length=32)  # E.164
    language: str | None = Field(default=None, max_length=8)
    # Set when the platform says the citizen blocked us: we stop retrying sends.
    unreachable: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CitizenIdentity(SQLModel, table=True):
    """How one citizen is known on one platform (a Telegram user id, a WhatsApp number)."""

    __tablename__ = "citizen_identity"
    __table_args__ = (UniqueConstraint("tenant_id", "platform", "platform_user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    platform: str = Field(max_length=32)
    platform_user_id: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Conversation(SQLModel, table=True):
    __table_args__ = (Index("ix_conversation_tenant_status", "tenant_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    # Where replies go on the channel (a Telegram chat id, a WhatsApp number).
    address: str = Field(max_length=64)
    status: str = Field(default=ConversationStatus.OPEN, max_length=16)
    assigned_operator_id: int | None = Field(default=None, foreign_key="operator.id")
    # Set when the conversation waits for an operator; cleared by an operator's reply.
    awaiting_operator: bool = False
    unread_count: int = 0
    last_message_preview: str = Field(default="", max_length=200)
    last_message_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_inbound_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Message(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("channel_id", "platform_message_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    channel_id: int = Field(foreign_key="channel.id")
    direction: str = Field(max_length=4)
    author: str = Field(max_length=16)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    kind: str = Field(default="text", max_length=16)
    text: str = ""
    media_path: str | None = Field(default=None, max_length=500)  # relative to the media folder
    media_mime: str | None = Field(default=None, max_length=100)
    media_filename: str | None = Field(default=None, max_length=255)
    latitude: float | None = None
    longitude: float | None = None
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=32)
    platform_message_id: str | None = Field(default=None, max_length=128)
    status: str = Field(default=DeliveryStatus.RECEIVED, max_length=16)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Keyword(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tenant_id", "keyword", "language"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    keyword: str = Field(max_length=100)  # as the administrator wrote it
    normalized: str = Field(max_length=100, index=True)
    language: str = Field(default="ca", max_length=8)
    response: str
    synonyms: str = ""  # "|"-separated, as written
    featured: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class OutboxItem(SQLModel, table=True):
    """One send waiting for, or done by, the outbox dispatcher."""

    __tablename__ = "outbox_item"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    channel_id: int = Field(foreign_key="channel.id")
    message_id: int = Field(foreign_key="message.id", unique=True)
    address: str = Field(max_length=64)
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
