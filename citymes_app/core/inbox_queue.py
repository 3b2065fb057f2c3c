"""The operators' queue: a tenant's conversations that are not resolved, those waiting for an operator first, newest
first — read from the queue index (`ix_conversation_queue`), so its cost does not grow with the tenant's history; and
the lines a tab reads besides it: a search across the organisation's conversations, the resolved ones, its channels."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, text
from sqlmodel import Session, col, select

from citymes_app.core.departments import department_names
from citymes_app.core.inbox_work import operator_names
from citymes_app.core.labels import LabelInfo, labels_of
from citymes_app.models import (
    Channel,
    Citizen,
    CitizenIdentity,
    Conversation,
    ConversationStatus,
    Message,
    folded,
    row_id,
)

QUEUE_LIMIT = 100


@dataclass(frozen=True)
class ConversationSummary:
    """One line of the queue."""

    id: int
    citizen_id: int
    citizen_name: str  # as the platform gave it; may be empty
    channel_name: str
    platform: str
    preview: str
    last_message_at: datetime  # UTC
    unread_count: int
    awaiting_operator: bool
    status: ConversationStatus
    citizen_unreachable: bool
    assignee_id: int | None = None  # who has the conversation, and their name ("" when nobody has it)
    assignee_name: str = ""
    snoozed_until: datetime | None = None  # UTC, while snoozed
    labels: tuple[LabelInfo, ...] = ()
    channel_id: int = 0
    awaiting_since: datetime | None = None  # UTC: since when it waits for an operator, while it does
    department_id: int | None = None  # the department it is with, and its name ("" when none)
    department_name: str = ""


# The same words as the queue index's condition (`ix_conversation_queue`), so the database reads that index.
_OPEN = text("conversation.status != 'resolved'")


def queue(session: Session, *, tenant_id: int, limit: int = QUEUE_LIMIT) -> list[ConversationSummary]:
    """The tenant's open conversations: those waiting for an operator first, newest first.

    Two reads of the queue index (waiting, then the others), each stopping at `limit`: the cost does not grow with
    the number of conversations the tenant has.
    """
    rows: list[tuple[Conversation, Citizen, Channel]] = []
    for awaiting in (True, False):
        rows += session.exec(
            select(Conversation, Citizen, Channel)
            .join(Citizen, col(Citizen.id) == Conversation.citizen_id)
            .join(Channel, col(Channel.id) == Conversation.channel_id)
            .where(Conversation.tenant_id == tenant_id, Conversation.awaiting_operator == awaiting, _OPEN)
            .order_by(col(Conversation.last_message_at).desc())
            .limit(limit - len(rows))
        ).all()
        if len(rows) >= limit:
            break
    return _summaries(session, tenant_id=tenant_id, rows=rows)


def _summaries(
    session: Session, *, tenant_id: int, rows: Sequence[tuple[Conversation, Citizen, Channel]]
) -> list[ConversationSummary]:
    operators = operator_names(session, tenant_id=tenant_id)
    labels = labels_of(session, tenant_id=tenant_id, conversation_ids=(row_id(c) for c, _, _ in rows))
    departments = department_names(session, tenant_id=tenant_id)
    return [
        ConversationSummary(
            id=row_id(conversation),
            citizen_id=row_id(citizen),
            citizen_name=citizen.display_name or "",
            channel_name=channel.name,
            platform=channel.platform,
            preview=conversation.last_message_preview,
            last_message_at=conversation.last_message_at,
            unread_count=conversation.unread_count,
            awaiting_operator=conversation.awaiting_operator,
            status=ConversationStatus(conversation.status),
            citizen_unreachable=citizen.unreachable,
            assignee_id=conversation.assigned_operator_id,
            assignee_name=operators.get(conversation.assigned_operator_id, "") if conversation.assigned_operator_id else "",
            snoozed_until=conversation.snoozed_until,
            labels=tuple(labels.get(row_id(conversation), ())),
            channel_id=row_id(channel),
            awaiting_since=(conversation.awaiting_since or conversation.last_message_at)
            if conversation.awaiting_operator
            else None,
            department_id=conversation.department_id,
            department_name=departments.get(conversation.department_id, "") if conversation.department_id else "",
        )
        for conversation, citizen, channel in rows
    ]


SEARCH_LIMIT = 50
MIN_SEARCH_LENGTH = 2
_PHONE_DIGITS = re.compile(r"\D")


def search(session: Session, *, tenant_id: int, words: str, limit: int = SEARCH_LIMIT) -> list[ConversationSummary]:
    """The organisation's conversations (in any state, resolved too) whose citizen's name, phone or platform number, or
    one of whose messages, holds `words` (case and accents aside: "cami" finds "Camí", "PENA" finds "Peña"), newest
    first.

    Names and message texts are compared in their folded copies (`models.folded`, stored beside them on insert), with an
    escaped `LIKE`, so the database compares plain strings: on PostgreSQL trigram indexes on those copies answer it
    (migration 0017); on SQLite it reads the organisation's messages through their tenant index."""
    words = " ".join(words.split())
    if len(words) < MIN_SEARCH_LENGTH:
        return []
    term = folded(words)
    matches = [
        col(Citizen.search_name).contains(term, autoescape=True),
        col(Conversation.id).in_(
            select(Message.conversation_id).where(
                Message.tenant_id == tenant_id, col(Message.search_text).contains(term, autoescape=True)
            )
        ),
    ]
    digits = _PHONE_DIGITS.sub("", words)
    if len(digits) >= 3 and len(digits) * 2 >= len(words.replace(" ", "")):  # mostly digits: a phone number
        matches.append(col(Citizen.phone).contains(digits, autoescape=True))
        matches.append(
            col(Citizen.id).in_(
                select(CitizenIdentity.citizen_id).where(
                    CitizenIdentity.tenant_id == tenant_id,
                    col(CitizenIdentity.platform_user_id).contains(digits, autoescape=True),
                )
            )
        )
    rows = session.exec(
        select(Conversation, Citizen, Channel)
        .join(Citizen, col(Citizen.id) == Conversation.citizen_id)
        .join(Channel, col(Channel.id) == Conversation.channel_id)
        .where(Conversation.tenant_id == tenant_id, or_(*matches))
        .order_by(col(Conversation.last_message_at).desc())
        .limit(limit)
    ).all()
    return _summaries(session, tenant_id=tenant_id, rows=rows)


def resolved(session: Session, *, tenant_id: int, limit: int = QUEUE_LIMIT) -> list[ConversationSummary]:
    """The organisation's most recently active resolved conversations."""
    rows = session.exec(
        select(Conversation, Citizen, Channel)
        .join(Citizen, col(Citizen.id) == Conversation.citizen_id)
        .join(Channel, col(Channel.id) == Conversation.channel_id)
        .where(Conversation.tenant_id == tenant_id, Conversation.status == ConversationStatus.RESOLVED)
        .order_by(col(Conversation.last_message_at).desc())
        .limit(limit)
    ).all()
    return _summaries(session, tenant_id=tenant_id, rows=rows)


@dataclass(frozen=True)
class ChannelOption:
    """A channel of the organisation, for the queue's channel filter."""

    id: int
    name: str
    platform: str


def channel_options(session: Session, *, tenant_id: int) -> list[ChannelOption]:
    """The organisation's channels, by name."""
    rows = session.exec(select(Channel).where(Channel.tenant_id == tenant_id).order_by(Channel.name))
    return [ChannelOption(row_id(channel), channel.name, channel.platform) for channel in rows]
