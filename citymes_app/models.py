"""SQLModel tables of CityMes.

Every datetime is timezone-aware UTC (sqlmodel 0.0.50 wants `DateTime(timezone=True)`).
A table carries `tenant_id` wherever one organisation's data must never leak into another's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Protocol, cast

from sqlalchemy import JSON, Column, DateTime, Index, Table, Text, UniqueConstraint, event, text
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from citymes_app.core.vault import SealedJSON


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def folded(words: str | None) -> str:
    """`words` as the inbox search compares them: without accents (decomposed, combining marks dropped) and casefolded,
    so "Camí" and "cami", "PEÑA" and "pena" are the same. Stored beside the texts searched (`Message.search_text`,
    `Citizen.search_name`), so the database compares plain strings and can index them."""
    if not words:
        return ""
    return "".join(c for c in unicodedata.normalize("NFKD", words) if not unicodedata.combining(c)).casefold()


def _folded_from(source: str) -> Callable[[ExecutionContext], str]:
    """A column default: the folded value of `source` in the same INSERT, for Core inserts (bulk, the message path's
    fast path) that do not go through the ORM events below."""

    def default(context: ExecutionContext) -> str:
        return folded(context.get_current_parameters().get(source))  # type: ignore[attr-defined]

    return default


class _Stored(Protocol):
    id: int | None


def row_id(row: _Stored) -> int:
    """A stored row's primary key: SQLModel types `id` as optional because a new row has none until it is flushed."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table (SQLModel sets `__table__` on table models but does not type it), for statements
    that write many rows or run on the hot path without the ORM's unit of work."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


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
    PENDING = "pending"  # the office waits on something (the citizen, another department)
    SNOOZED = "snoozed"  # set aside until `snoozed_until`, or until the citizen writes
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
    CLAIMED = "claimed"  # held by a worker's lease, not yet handed to the platform
    SENDING = "sending"  # handed to the platform, its answer not yet recorded: the only state that can repeat
    SENT = "sent"
    FAILED = "failed"


class Tenant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    timezone: str = Field(default="Europe/Madrid", max_length=64)
    languages: str = Field(default="ca,es", max_length=64)  # comma-separated, first is the default
    # Public holidays come from the `holidays` library for this country and region (ISO 3166-2 subdivision).
    holiday_country: str = Field(default="ES", max_length=8)
    holiday_subdivision: str | None = Field(default="CT", max_length=16)
    # Per-language overrides of the automatic replies: {"ca": {"in_hours": "...", "out_of_hours": "..."}}.
    auto_replies: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
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
    # The interface's language the operator chose ("ca", "es", "en"); None: the tenant's first language.
    language: str | None = Field(default=None, max_length=8)


class OperatorSession(SQLModel, table=True):
    """A logged-in browser: only a hash of the session token is stored."""

    __tablename__ = "operator_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    operator_id: int = Field(foreign_key="operator.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # The last use (written at most once a minute): a session idle too long has expired (core.auth).
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Channel(SQLModel, table=True):
    """One bot or number of a tenant on one platform."""

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    platform: str = Field(max_length=32)
    name: str = Field(default="", max_length=200)
    mode: str = Field(default=ChannelMode.WEBHOOK, max_length=16)
    # Platform credentials (token, secrets); their meaning belongs to the platform module. Encrypted at rest
    # (`core.vault`): the database holds a Fernet token, the code reads and writes a dict.
    credentials: dict[str, Any] = Field(default_factory=dict, sa_column=Column(SealedJSON(), nullable=False))
    enabled: bool = True
    poll_offset: int = 0
    poll_lease_owner: str | None = Field(default=None, max_length=64)
    poll_lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Citizen(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    display_name: str = Field(default="", max_length=200)
    # `display_name` folded (`folded`) for the inbox search; kept with it on every insert and ORM update.
    search_name: str = Field(
        default="", sa_column=Column(Text(), nullable=False, default=_folded_from("display_name"), server_default="")
    )
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
    __table_args__ = (
        Index("ix_conversation_tenant_status", "tenant_id", "status"),
        # The operators' queue: open conversations, waiting ones first, newest first (partial: resolved ones,
        # the vast majority in time, are not in it).
        Index(
            "ix_conversation_queue",
            "tenant_id",
            "awaiting_operator",
            "last_message_at",
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    # Where replies go on the channel (a Telegram chat id, a WhatsApp number).
    address: str = Field(max_length=64)
    status: str = Field(default=ConversationStatus.OPEN, max_length=16)
    assigned_operator_id: int | None = Field(default=None, foreign_key="operator.id")
    # The organisation's department the conversation is with ("Via pública"), if any; beside its operator, not instead.
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    # Counts the changes of who has the conversation and of its state (taken, transferred, resolved...), and who made
    # the last one: a reply written against an older version that someone else changed asks before it goes.
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    changed_by_operator_id: int | None = Field(default=None, foreign_key="operator.id")
    # The version at which the department last changed: when it is the latest, the question before a reply names the
    # department it went to, not an assignment.
    department_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A snoozed conversation opens again at this time (the snooze alarm, `core.inbox_states`) or when the citizen writes.
    snoozed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Set when the conversation waits for an operator; cleared by an operator's reply.
    awaiting_operator: bool = False
    # The "an operator will answer" / "we are closed" notice went out for this wait (reset by an operator's reply).
    waiting_notice_sent: bool = False
    unread_count: int = 0
    last_message_preview: str = Field(default="", max_length=200)
    last_message_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_inbound_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # When the current wait for an operator began (cleared by an operator's answer): the start of a response time.
    awaiting_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # An operator's first answer in this conversation (its first response time is measured once).
    first_response_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


LOCATIONS_SENT_BY_CITIZENS = "latitude IS NOT NULL AND direction = 'in'"


class Message(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("channel_id", "platform_message_id"),
        # Where citizens sent locations from, for the dashboard's map (only citizens' messages with a location are in
        # it: the pins the town hall sends are not).
        Index(
            "ix_message_location",
            "tenant_id",
            "created_at",
            "channel_id",
            "latitude",
            "longitude",
            sqlite_where=text(LOCATIONS_SENT_BY_CITIZENS),
            postgresql_where=text(LOCATIONS_SENT_BY_CITIZENS),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    channel_id: int = Field(foreign_key="channel.id")
    direction: str = Field(max_length=4)
    author: str = Field(max_length=16)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    kind: str = Field(default="text", max_length=16)
    text: str = ""
    # `text` folded (`folded`) for the inbox search, written on insert (a message's text does not change); on
    # PostgreSQL a trigram index (`ix_message_search_text`, migration 0017) serves its `LIKE '%…%'`.
    search_text: str = Field(
        default="", sa_column=Column(Text(), nullable=False, default=_folded_from("text"), server_default="")
    )
    media_path: str | None = Field(default=None, max_length=500)  # relative to the media folder
    media_mime: str | None = Field(default=None, max_length=100)
    media_filename: str | None = Field(default=None, max_length=255)
    latitude: float | None = None
    longitude: float | None = None
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=32)
    buttons: str = ""  # "|"-separated quick replies offered under an outbound message
    # An approved template sent outside the free-form window: {"name", "language", "params": [...]}; `text`
    # holds its rendered body for the thread.
    template: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # A citizen's message: how routing answered it (a `routing.AnswerOutcome`: keyword, index, personal_code,
    # ambiguous, contact, operator), and the keyword that answered it. None on messages stored before it was kept.
    outcome: str | None = Field(default=None, max_length=16)
    keyword_id: int | None = None  # no foreign key: the statistics keep the hit after the keyword is deleted
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
    # "|"-separated questions as citizens write them ("a quina hora tanqueu?"), matched like training phrases.
    examples: str = ""
    featured: bool = False
    position: int = 0  # order in the featured list
    # Keywords with the same topic are translations of each other ("hours": HORARIS, HORARIOS, OPENING HOURS).
    topic: str = Field(default="", max_length=100, index=True)
    buttons: str = ""  # "|"-separated related keywords offered as a menu under the answer
    link: str = Field(default="", max_length=500)
    media_path: str | None = Field(default=None, max_length=500)  # an image or document sent with the answer
    media_filename: str | None = Field(default=None, max_length=255)
    latitude: float | None = None  # a map pin sent with the answer
    longitude: float | None = None
    updated_by: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Label(SQLModel, table=True):
    """A word an organisation's operators tag conversations with ("obres", "urgent")."""

    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    name: str = Field(max_length=40)
    color: str = Field(default="cyan", max_length=16, sa_column_kwargs={"server_default": "cyan"})  # a `LabelColor`
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Department(SQLModel, table=True):
    """A part of the organisation a conversation can be given to ("Via pública", "Serveis socials", "Cultura")."""

    # Unique in the organisation whatever the case: "Cultura" and "CULTURA" are one department. Kept on a casefolded
    # copy of the name, not an index on lower(name): SQLite's lower() folds ASCII letters only ("PÚBLICA").
    __table_args__ = (UniqueConstraint("tenant_id", "name_key", name="uq_department_tenant_name_key"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    name: str = Field(max_length=60)
    # `name.casefold()`, written with it (`core.departments`); longer than the name: folding can lengthen it ("ß" → "ss")
    name_key: str = Field(max_length=180)
    description: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ConversationLabel(SQLModel, table=True):
    """A label on a conversation."""

    __tablename__ = "conversation_label"
    conversation_id: int = Field(foreign_key="conversation.id", primary_key=True)
    label_id: int = Field(foreign_key="label.id", primary_key=True, index=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)


class ConversationNote(SQLModel, table=True):
    """An operator's internal note on a conversation: read by the organisation's operators in the thread, never sent
    to the citizen (a table of its own: messages are what the citizen and the town hall exchanged, and the outbox,
    the statistics, the unread counts and the queue's preview read only those)."""

    __tablename__ = "conversation_note"
    __table_args__ = (Index("ix_conversation_note_conversation", "conversation_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    operator_id: int = Field(foreign_key="operator.id")
    text: str
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CitizenNote(SQLModel, table=True):
    """An operator's private note on a citizen ("prefers a call in the morning"), shown in the inbox's citizen panel
    beside every conversation of that citizen; for the organisation's operators only, never sent to the citizen."""

    __tablename__ = "citizen_note"
    __table_args__ = (Index("ix_citizen_note_citizen", "citizen_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    citizen_id: int = Field(foreign_key="citizen.id")
    operator_id: int = Field(foreign_key="operator.id")
    text: str
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


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
    # Which dispatch round holds the lease: every write after the claim is conditional on it, so a worker whose
    # lease ran out cannot overwrite what the new holder recorded.
    lease_token: str | None = Field(default=None, max_length=32, index=True)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class KeywordAction(StrEnum):
    """What a line of the keyword history records."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    IMPORTED = "imported"


class KeywordChange(SQLModel, table=True):
    """Who changed which keyword, how and when (the keyword editor's history)."""

    __tablename__ = "keyword_change"
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    keyword_id: int | None = Field(default=None, index=True)  # kept after the keyword is deleted
    keyword: str = Field(max_length=100)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    action: str = Field(max_length=16)  # a KeywordAction
    summary: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class PersonalCode(SQLModel, table=True):
    """A personal answer behind a keyword: the citizen sends `KEYWORD CODE`.

    Only a keyed digest of the code is stored, so a lookup compares digests, never codes, and a database dump
    does not reveal them.
    """

    __tablename__ = "personal_code"
    __table_args__ = (UniqueConstraint("keyword_id", "code_digest"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    keyword_id: int = Field(foreign_key="keyword.id", index=True)
    code_digest: str = Field(max_length=64)
    response: str
    phone: str | None = Field(default=None, max_length=32)  # E.164: only this citizen gets the answer
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CodeAttempt(SQLModel, table=True):
    """A citizen's try at a personal code (for the lockout after repeated wrong codes)."""

    __tablename__ = "code_attempt"
    __table_args__ = (Index("ix_code_attempt_citizen_at", "citizen_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id")
    citizen_id: int = Field(foreign_key="citizen.id")
    success: bool
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class UnmatchedQuery(SQLModel, table=True):
    """What a citizen asked that no keyword answered (normalized text), for the keyword gaps report."""

    __tablename__ = "unmatched_query"
    # The dashboard's top questions of a period: grouped from the index alone.
    __table_args__ = (Index("ix_unmatched_query_window", "tenant_id", "hour", "channel_id", "normalized"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    channel_id: int = Field(foreign_key="channel.id")
    normalized: str = Field(max_length=300)
    hour: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))  # truncated to the hour


class OfficeHours(SQLModel, table=True):
    """One opening slot of a tenant's week (several per day allowed: 8-14 and 16-19)."""

    __tablename__ = "office_hours"
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    weekday: int  # 0 = Monday
    opens: str = Field(max_length=5)  # "08:00", local time of the tenant
    closes: str = Field(max_length=5)


class LocalHoliday(SQLModel, table=True):
    """A day the office is closed beyond the public holidays (a town's patron saint...)."""

    __tablename__ = "local_holiday"
    __table_args__ = (UniqueConstraint("tenant_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    day: date
    name: str = Field(max_length=200)


class MessageTemplate(SQLModel, table=True):
    """A message template the platform approved for one channel: the only thing it delivers outside the free-form
    window. The body shows the text with its `{{1}}`, `{{2}}`... placeholders, as approved."""

    __tablename__ = "message_template"
    __table_args__ = (UniqueConstraint("channel_id", "name", "language"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    name: str = Field(max_length=512)
    language: str = Field(max_length=16)
    body: str
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


# The statistics' and the canned responses' tables have their own modules; imported here so that loading the models
# registers every table.
@event.listens_for(Citizen, "before_insert")
@event.listens_for(Citizen, "before_update")
def _fold_citizen_name(_mapper: object, _connection: object, citizen: Citizen) -> None:
    citizen.search_name = folded(citizen.display_name)


@event.listens_for(Message, "before_insert")
def _fold_message_text(_mapper: object, _connection: object, message: Message) -> None:
    message.search_text = folded(message.text)


from citymes_app.canned_models import MAX_CANNED_TEXT_LENGTH, MAX_SHORTCUT_LENGTH, CannedResponse  # noqa: E402, F401
from citymes_app.list_models import (  # noqa: E402, F401
    MAX_LIST_DESCRIPTION,
    MAX_LIST_NAME,
    MAX_LIST_PHRASE,
    ConsentAction,
    ConsentSource,
    DistributionList,
    ListConsent,
    ListPhrase,
    ListSubscription,
    ListWording,
)
from citymes_app.statistics_models import DailyCount, HourlyCount, Measure, ReportingEvent, ReportingEventKind  # noqa: E402, F401
