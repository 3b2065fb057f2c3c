"""A conversation's state: open, pending (the office waits on something), snoozed until a time, resolved.

An operator sets it (`set_state`; resolving keeps its own use case, `inbox.resolve`, which counts it). A snoozed
conversation opens again at its time — `wake_due`, run by the snooze alarm, a lifespan task of the app like the outbox
dispatcher — or as soon as the citizen writes (`core.pipeline`, `core.text_intake`). Each change counts as one in the
conversation's version (`core.inbox_work`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_work import changed
from citymes_app.core.reply_window import InboxError
from citymes_app.models import Conversation, ConversationStatus, utcnow

# What an operator can set here (resolving is `inbox.resolve`).
SETTABLE = (ConversationStatus.OPEN, ConversationStatus.PENDING, ConversationStatus.SNOOZED)
MAX_SNOOZE = timedelta(days=366)


def set_state(
    session: Session,
    *,
    operator: SignedInOperator,
    conversation_id: int,
    state: ConversationStatus,
    until: datetime | None = None,
    now: datetime | None = None,
) -> Conversation:
    """Make a conversation of the operator's organisation open, pending, or snoozed `until` a time to come."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != operator.tenant_id:
        raise InboxError("this conversation does not exist")
    if state not in SETTABLE:
        raise InboxError("a conversation can only be made open, pending or snoozed here")
    now = now or utcnow()
    if state == ConversationStatus.SNOOZED:
        if until is None or until <= now:
            raise InboxError("choose a time to come to snooze the conversation until")
        if until - now > MAX_SNOOZE:
            raise InboxError("a conversation can be snoozed for a year at most")
    else:
        until = None
    if conversation.status != state or conversation.snoozed_until != until:
        conversation.status, conversation.snoozed_until = state, until
        changed(conversation, by=operator.operator_id)
        session.add(conversation)
        session.flush()
    return conversation


def wake_due(session: Session, *, now: datetime | None = None) -> list[tuple[int, int]]:
    """Open again every snoozed conversation whose time has come (of every organisation); their (tenant, id).

    Conditional on the state, so two workers' alarms, or an alarm and a citizen's message, wake it once."""
    now = now or utcnow()
    due = session.exec(
        select(Conversation.tenant_id, Conversation.id).where(
            Conversation.status == ConversationStatus.SNOOZED, col(Conversation.snoozed_until) <= now
        )
    ).all()
    woken: list[tuple[int, int]] = []
    for tenant_id, conversation_id in due:
        result = session.connection().execute(
            update(Conversation)
            .where(col(Conversation.id) == conversation_id, col(Conversation.status) == ConversationStatus.SNOOZED)
            .values(
                status=ConversationStatus.OPEN,
                snoozed_until=None,
                version=col(Conversation.version) + 1,
                changed_by_operator_id=None,
            )
        )
        if result.rowcount:
            woken.append((tenant_id, int(conversation_id or 0)))
    return woken


def citizen_wrote(conversation: Conversation) -> None:
    """A citizen's message wakes a snoozed conversation."""
    if conversation.status == ConversationStatus.SNOOZED:
        conversation.status, conversation.snoozed_until = ConversationStatus.OPEN, None
        changed(conversation, by=None)
