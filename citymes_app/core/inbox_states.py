"""A conversation's state: open, pending (the office waits on something), snoozed until a time, resolved.

An operator sets it (`set_state`; resolving keeps its own use case, `inbox.resolve`, which counts it). A snoozed
conversation opens again at its time — `wake_due`, run by the snooze alarm, a lifespan task of the app like the outbox
dispatcher — or as soon as the citizen writes (`core.pipeline`, `core.text_intake`). Each change counts as one in the
conversation's version (`core.inbox_work`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.clock import tenant_timezone
from citymes_app.core.inbox_work import changed
from citymes_app.core.reply_window import InboxError
from citymes_app.models import Conversation, ConversationStatus, utcnow

# What an operator can set here (resolving is `inbox.resolve`).
SETTABLE = (ConversationStatus.OPEN, ConversationStatus.PENDING, ConversationStatus.SNOOZED)
# The longest snooze, for the menu's times and a time an operator types alike: a year ahead.
MAX_SNOOZE = timedelta(days=366)
# A typed snooze's day and time as the browser's date and time fields send them ("2026-12-24", "08:30" or "08:30:00").
DAY_FORM = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME_FORM = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")


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


def typed_snooze_end(day: object, at: object, *, tz: ZoneInfo) -> datetime:
    """The end of a snooze an operator typed — a day ("2026-12-24") and a time of day ("08:30") on the organisation's
    clock — in UTC; `InboxError` says what is wrong with it (whether it is to come, and within a year, is `set_state`'s
    to check). Anything but two such strings is refused the same way, whatever a forged event sends."""
    day_text = day.strip() if isinstance(day, str) else ""
    time_text = at.strip() if isinstance(at, str) else ""
    if not day_text or not time_text:
        raise InboxError("choose the day and the time to snooze the conversation until")
    try:
        chosen_day = date.fromisoformat(day_text) if DAY_FORM.fullmatch(day_text) else None
    except ValueError:
        chosen_day = None
    if chosen_day is None:
        raise InboxError("the day is not a date of the calendar")
    parts = TIME_FORM.fullmatch(time_text)
    if parts is None or int(parts[1]) > 23 or int(parts[2]) > 59 or int(parts[3] or 0) > 59:
        raise InboxError("the time is not a time of day (hours and minutes, such as 08:30)")
    local = datetime.combine(chosen_day, time(int(parts[1]), int(parts[2])), tzinfo=tz)
    moment = local.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        # A time skipped when the clocks go forward (02:30 on the last Sunday of March in Europe/Madrid).
        raise InboxError("that time does not exist on that day: the clocks go forward")
    return moment


def snooze_typed(
    session: Session,
    *,
    operator: SignedInOperator,
    conversation_id: int,
    day: object,
    at: object,
    now: datetime | None = None,
) -> Conversation:
    """Snooze a conversation of the operator's organisation until a day and time typed on the organisation's clock (to
    come, a year ahead at most); `InboxError` says why not."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != operator.tenant_id:
        raise InboxError("this conversation does not exist")
    until = typed_snooze_end(day, at, tz=tenant_timezone(session, tenant_id=operator.tenant_id))
    return set_state(
        session, operator=operator, conversation_id=conversation_id, state=ConversationStatus.SNOOZED, until=until, now=now
    )


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
