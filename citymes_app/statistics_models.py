"""The statistics' tables: counts kept as activity is stored (`core.statistics`) and the measured spans of the
service, which the managers' dashboard reads instead of the messages (`core.figures_query`). Import them from
`citymes_app.models`, which loads this module once its own tables are defined."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from citymes_app.models import UTCDateTime


class Measure(StrEnum):
    """What an hourly count counts (`core.statistics`); `subject` says of what."""

    MESSAGES_IN = "in"  # citizens' messages; subject: how routing answered them (an AnswerOutcome)
    MESSAGES_OUT_BOT = "out_bot"  # automatic messages (answers, notices); subject ""
    MESSAGES_OUT_OPERATOR = "out_operator"  # operators' messages; subject: the operator's id
    KEYWORD_HITS = "keyword"  # citizens' messages a keyword answered; subject: the keyword's id
    OPENED = "opened"  # conversations opened; subject ""
    RESOLVED = "resolved"  # conversations resolved; subject: the operator's id, or "" when unknown


class DailyCount(SQLModel, table=True):
    """A tenant's activity counted by day (the tenant's local day) as it is stored, in the same transaction, so a
    dashboard reads hundreds of rows, not millions of messages. `core.statistics.rebuild` recomputes them."""

    __tablename__ = "daily_count"
    __table_args__ = (
        UniqueConstraint("tenant_id", "local_day", "measure", "channel_id", "subject"),
        # Covering: a year's figures are read from the index alone.
        Index("ix_daily_count_read", "tenant_id", "measure", "local_day", "channel_id", "subject", "count"),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id")
    local_day: date
    measure: str = Field(max_length=16)  # a Measure
    channel_id: int
    subject: str = Field(default="", max_length=32)
    count: int = 0


class HourlyCount(SQLModel, table=True):
    """Messages in and out counted by hour (no subject: the volumes by hour of the day and the weekday × hour map)."""

    __tablename__ = "hourly_count"
    __table_args__ = (
        UniqueConstraint("tenant_id", "hour", "measure", "channel_id"),
        Index("ix_hourly_count_day", "tenant_id", "measure", "local_day", "local_hour", "channel_id", "count"),  # covering
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id")
    hour: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))  # the UTC hour it started
    # The same hour on the tenant's clock (a day of 23 or 25 hours has 23 or 25 of them).
    local_day: date
    local_hour: int
    measure: str = Field(max_length=16)  # MESSAGES_IN, MESSAGES_OUT_BOT or MESSAGES_OUT_OPERATOR
    channel_id: int
    count: int = 0


class ReportingEventKind(StrEnum):
    RESPONSE = "response"  # a wait for an operator, from the citizen's message to the operator's answer
    RESOLUTION = "resolution"  # a conversation, from its opening to its resolution


class ReportingEvent(SQLModel, table=True):
    """One measured span of the service (Chatwoot's reporting events): how long a citizen waited for an operator's
    answer, or for the conversation's resolution — in wall-clock seconds and in office-hours seconds."""

    __tablename__ = "reporting_event"
    __table_args__ = (
        # Ordered as the percentiles group them, and covering: counting a year of spans by bucket streams through
        # the index, with no sort and no read of the table.
        Index(
            "ix_reporting_event_office",
            "tenant_id",
            "kind",
            "first",
            "operator_id",
            "office_bucket",
            "local_day",
            "channel_id",
        ),
        Index("ix_reporting_event_clock", "tenant_id", "kind", "first", "operator_id", "bucket", "local_day", "channel_id"),
        # A short period's spans read by day (a month of a busy town is thousands of them, not the year's hundreds of
        # thousands the two indexes above would step through).
        Index(
            "ix_reporting_event_day",
            "tenant_id",
            "local_day",
            "kind",
            "first",
            "operator_id",
            "office_bucket",
            "bucket",
            "channel_id",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id")
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    channel_id: int
    operator_id: int | None = None
    kind: str = Field(max_length=16)  # a ReportingEventKind
    first: bool = False  # a response: the conversation's first operator answer
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    local_day: date  # the day it ended, on the tenant's clock
    seconds: int  # whole seconds
    office_seconds: int  # only the time the office was open
    # The same spans in minutes, rounded down to the precision the percentiles keep (`core.service_times.bucket`).
    bucket: int
    office_bucket: int
