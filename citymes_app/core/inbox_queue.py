"""The operators' queue: a tenant's conversations that are not resolved, those waiting for an operator first, newest
first — read from the queue index (`ix_conversation_queue`), so its cost does not grow with the tenant's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from citymes_app.core.inbox_work import operator_names
from citymes_app.core.labels import LabelInfo, labels_of
from citymes_app.models import Channel, Citizen, Conversation, ConversationStatus, row_id

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


# The same words as the queue index's condition (`ix_conversation_queue`), so the database reads that index.
_OPEN = text("conversation.status != 'resolved'")


def queue(session: Session, *, tenant_id: int, limit: int = QUEUE_LIMIT) -> list[ConversationSummary]:
    """The tenant's open conversations: those waiting for an operator first, newest first.

    Two reads of the queue index (waiting, then the others), each stopping at `limit`: the cost does not grow with
    the number of conversations the tenant has.
    """
    rows: list[tuple[Conversation, Citizen, Channel]] = []
    operators = operator_names(session, tenant_id=tenant_id)
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
    labels = labels_of(session, tenant_id=tenant_id, conversation_ids=(row_id(c) for c, _, _ in rows))
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
        )
        for conversation, citizen, channel in rows
    ]
