"""The distribution lists' tables (`core.lists`): an organisation's lists, their words in each of its languages, who is
subscribed on which channel, and the append-only history of consent from which a list's growth is counted. Import them
from `citymes_app.models`, which loads this module once its own tables are defined."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from citymes_app.models import UTCDateTime, utcnow

MAX_LIST_NAME = 60
MAX_LIST_DESCRIPTION = 300
MAX_LIST_PHRASE = 40


class ConsentAction(StrEnum):
    JOINED = "joined"
    LEFT = "left"


class ConsentSource(StrEnum):
    """How a subscription began or ended."""

    KEYWORD = "keyword"  # the citizen wrote a list's join or leave phrase
    OPERATOR = "operator"  # an operator or administrator added or removed them
    IMPORT = "import"  # an administrator's CSV import
    STOP = "stop"  # the citizen left every list (STOP, BAIXA TOT...)


class DistributionList(SQLModel, table=True):
    """A list of an organisation that citizens join to receive its broadcasts ("Trànsit", "Cultura")."""

    __tablename__ = "distribution_list"
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ListWording(SQLModel, table=True):
    """A list's name, description and join / leave phrases in one of the organisation's languages, with the phrases
    as citizens type them (`*_key`: `matching.normalize`d, so case and accents do not count). Two languages of one list
    may share a phrase (`ALTA CULTURA` in Catalan and Spanish); `ListPhrase` keeps each phrase to one list."""

    __tablename__ = "list_wording"
    __table_args__ = (
        UniqueConstraint("list_id", "language"),
        Index("ix_list_wording_join_key", "tenant_id", "join_key"),
        Index("ix_list_wording_leave_key", "tenant_id", "leave_key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    list_id: int = Field(foreign_key="distribution_list.id", index=True)
    language: str = Field(max_length=8)
    name: str = Field(max_length=MAX_LIST_NAME)
    description: str = Field(default="", max_length=MAX_LIST_DESCRIPTION)
    join_phrase: str = Field(max_length=MAX_LIST_PHRASE)
    leave_phrase: str = Field(max_length=MAX_LIST_PHRASE)
    join_key: str = Field(max_length=3 * MAX_LIST_PHRASE)
    leave_key: str = Field(max_length=3 * MAX_LIST_PHRASE)


class ListPhrase(SQLModel, table=True):
    """A phrase (normalized) that joins or leaves one list: unique in the organisation, so two administrators saving
    the same phrase for two lists at once cannot both succeed."""

    __tablename__ = "list_phrase"
    __table_args__ = (UniqueConstraint("tenant_id", "phrase_key", name="uq_list_phrase_tenant_key"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id")
    list_id: int = Field(foreign_key="distribution_list.id", index=True)
    phrase_key: str = Field(max_length=3 * MAX_LIST_PHRASE)
    joining: bool  # a join phrase (else a leave phrase)


class ListSubscription(SQLModel, table=True):
    """A citizen on a list, on one channel: consent is given per number or bot (a WhatsApp broadcast goes only to the
    numbers consent was recorded for). The current state; its history is `ListConsent`."""

    __tablename__ = "list_subscription"
    __table_args__ = (UniqueConstraint("list_id", "citizen_id", "channel_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    list_id: int = Field(foreign_key="distribution_list.id", index=True)
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    channel_id: int = Field(foreign_key="channel.id")
    source: str = Field(max_length=16)  # a `ConsentSource`
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    since: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ListConsent(SQLModel, table=True):
    """One change of consent, never changed afterwards: who joined or left which list on which channel, when, how, and
    (for an operator's change) who made it."""

    __tablename__ = "list_consent"
    __table_args__ = (Index("ix_list_consent_list_at", "list_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    list_id: int = Field(foreign_key="distribution_list.id")
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    channel_id: int = Field(foreign_key="channel.id")
    action: str = Field(max_length=8)  # a `ConsentAction`
    source: str = Field(max_length=16)  # a `ConsentSource`
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
