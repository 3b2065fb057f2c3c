"""Delivery news from the platforms (sent, delivered, read, failed) applied to the messages we sent.

A status only ever moves a message forward: the platforms deliver notifications out of order and retry them, so
"delivered" arriving after "read" is ignored, and a failure is only believed while nothing better is known.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.models import DeliveryStatus, Direction, Message, row_id, utcnow
from integrations.base import DeliveryState, StatusUpdate

log = logging.getLogger(__name__)

_RANK = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
}
# A status can reach us before the outbox has recorded the id the platform gave the message (the platform answers
# the send, then notifies at once): recent unknown ids are looked up again for a moment before being given up.
RECENT = timedelta(minutes=2)
WAIT_FOR_UNKNOWN_SECONDS = 3.0
RETRY_INTERVAL_SECONDS = 0.1


@dataclass
class DeliveryReport:
    """What became of a batch of status updates."""

    applied: list[int] = field(default_factory=list)  # ids of the messages that changed
    ignored: int = 0  # stale (would move a message backwards) or repeated
    unknown: list[StatusUpdate] = field(default_factory=list)  # no message of ours has this id


def _moves_forward(current: str, update: StatusUpdate) -> bool:
    if update.state == DeliveryState.FAILED:
        # A failure after delivered/read is noise; a failure after a failure adds nothing.
        return current in (DeliveryStatus.PENDING, DeliveryStatus.SENT)
    if current == DeliveryStatus.FAILED:
        return False  # failed is final: the outbox and the operator have acted on it
    return _RANK[DeliveryStatus(update.state.value)] > _RANK.get(DeliveryStatus(current), 0)


def apply_statuses(session: Session, *, channel_id: int, updates: list[StatusUpdate]) -> DeliveryReport:
    """Apply `updates` to the channel's outbound messages (the caller commits)."""
    report = DeliveryReport()
    for update in updates:
        message = session.exec(
            select(Message).where(
                Message.channel_id == channel_id,
                Message.platform_message_id == update.platform_message_id,
                Message.direction == Direction.OUTBOUND,
            )
        ).first()
        if message is None:
            report.unknown.append(update)
            continue
        if not _moves_forward(message.status, update):
            report.ignored += 1
            continue
        message.status = DeliveryStatus(update.state.value)
        if update.state == DeliveryState.FAILED:
            message.error = (update.error or "the platform could not deliver the message")[:500]
        session.add(message)
        report.applied.append(row_id(message))
    session.flush()
    return report


async def record_statuses(
    *,
    engine: Engine,
    bus: EventBus,
    channel_id: int,
    updates: list[StatusUpdate],
    wait_for_unknown: float = WAIT_FOR_UNKNOWN_SECONDS,
) -> DeliveryReport:
    """Apply and commit `updates`, then tell the inbox; recent statuses of not-yet-recorded sends are retried briefly."""
    total = DeliveryReport()
    pending = list(updates)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_for_unknown
    while pending:
        report = await asyncio.to_thread(_apply_and_commit, engine, bus, channel_id, pending)
        total.applied += report.applied
        total.ignored += report.ignored
        cutoff = utcnow() - RECENT
        pending = [u for u in report.unknown if u.at >= cutoff]
        total.unknown += [u for u in report.unknown if u.at < cutoff]
        if pending and loop.time() >= deadline:
            total.unknown += pending
            break
        if pending:
            await asyncio.sleep(RETRY_INTERVAL_SECONDS)
    if total.unknown:
        log.info("channel %s: %d status update(s) for messages we do not know", channel_id, len(total.unknown))
    return total


def _apply_and_commit(engine: Engine, bus: EventBus, channel_id: int, updates: list[StatusUpdate]) -> DeliveryReport:
    with Session(engine) as session:
        report = apply_statuses(session, channel_id=channel_id, updates=updates)
        events = [
            InboxEvent(message.tenant_id, message.conversation_id, InboxEventKind.STATUS, message.id)
            for message in (session.get_one(Message, message_id) for message_id in report.applied)
        ]
        session.commit()
    for event in events:
        bus.publish(event)
    return report
