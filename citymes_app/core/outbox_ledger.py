"""The outbox's ledger: every committed step of an item's life (claimed, sending, sent, failed, retried), each
conditional on the lease token of the worker that claimed it, so a worker that lost its lease changes nothing."""

from __future__ import annotations

import functools
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Update, and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from citymes_app.core.db import rows_updated
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.core.writer import BatchWriter
from citymes_app.models import (
    Citizen,
    Conversation,
    DeliveryStatus,
    Message,
    OutboxItem,
    OutboxStatus,
    row_id,
    utcnow,
)
from integrations.base import MessageKind, OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 300.0
CLAIM_BATCH = 500


def backoff_seconds(attempts: int) -> float:
    """Exponential back-off with full jitter after `attempts` failures: up to 2, 4, 8 ... 300 s."""
    return random.uniform(0.5, 1.0) * min(2.0**attempts, MAX_BACKOFF_SECONDS)


@dataclass(frozen=True)
class Claimed:
    item_id: int
    message_id: int
    channel_id: int
    address: str
    attempts: int


_HELD = (OutboxStatus.CLAIMED, OutboxStatus.SENDING)


class Readiness(StrEnum):
    """Whether a claimed item can go to the platform now."""

    READY = "ready"  # marked `sending`: hand it over
    GONE = "gone"  # its message was deleted
    UNREACHABLE = "unreachable"  # the citizen has blocked the channel
    LEASE_LOST = "lease_lost"  # another worker holds it now


@dataclass(frozen=True)
class Prepared:
    readiness: Readiness
    outbound: OutboundMessage | None = None


class OutboxLedger:
    """The outbox's rows, written one step at a time, each step a unit of the process's group-committing writer (so
    the dispatcher never fights the message path for SQLite's write lock); a step returns once it is committed."""

    def __init__(self, *, writer: BatchWriter, bus: EventBus, media_dir: Path, lease: timedelta) -> None:
        self._writer = writer
        self._bus = bus
        self._media_dir = media_dir
        self._lease = lease

    async def claim_due(self, token: str) -> list[Claimed]:
        return await self._writer.run(functools.partial(self._claim_due, token=token))

    def _claim_due(self, session: Session, *, token: str) -> list[Claimed]:
        now = utcnow()
        claimed: list[Claimed] = []
        held_back: set[tuple[int, str]] = set()
        rows = session.exec(
            select(OutboxItem)
            .where(col(OutboxItem.status).in_([OutboxStatus.PENDING, *_HELD]))
            .order_by(col(OutboxItem.id))
            .limit(CLAIM_BATCH)
            .execution_options(populate_existing=True)  # fresh values even if the writer's session saw the rows
        ).all()
        for row in rows:
            key = (row.channel_id, row.address)
            if key in held_back:
                continue
            due = (row.status == OutboxStatus.PENDING and row.next_attempt_at <= now) or (
                row.status in _HELD and (row.lease_until is None or row.lease_until <= now)
            )
            if not due:
                held_back.add(key)  # keep this citizen's messages in order
                continue
            if row.status == OutboxStatus.SENDING:
                # Its worker died between handing it to the platform and recording the answer.
                log.warning("outbox item %s: taken over from a worker that stopped while sending it", row.id)
            # The conditional update is the lock: of several workers, one wins each item; a lease renewed
            # since the select is not taken.
            won = _changed(
                session,
                update(OutboxItem)
                .where(col(OutboxItem.id) == row.id, col(OutboxItem.status) == row.status)
                .where(col(OutboxItem.lease_token) == row.lease_token)  # "== None" is IS NULL
                .where(
                    or_(
                        col(OutboxItem.status) == OutboxStatus.PENDING,
                        col(OutboxItem.lease_until).is_(None),
                        col(OutboxItem.lease_until) <= now,
                    )
                )
                .values(status=OutboxStatus.CLAIMED, lease_until=now + self._lease, lease_token=token),
            )
            if won:
                claimed.append(Claimed(row_id(row), row.message_id, row.channel_id, row.address, row.attempts))
            else:
                held_back.add(key)
        return claimed

    async def renew(self, token: str) -> None:
        statement = (
            update(OutboxItem)
            .where(col(OutboxItem.lease_token) == token, col(OutboxItem.status).in_(_HELD))
            .values(lease_until=utcnow() + self._lease)
        )
        await self._writer.run(lambda session: _changed(session, statement))

    async def prepare(self, token: str, item: Claimed) -> Prepared:
        """Read the item's message and, when it can go, mark it `sending` — committed before the platform hears of it
        (one transaction: the read and the step that makes it count as in flight)."""
        return await self._writer.run(functools.partial(self._prepare, token=token, item=item))

    def _prepare(self, session: Session, *, token: str, item: Claimed) -> Prepared:
        message = session.get(Message, item.message_id)
        if message is None:
            return Prepared(Readiness.GONE)
        conversation = session.get_one(Conversation, message.conversation_id)
        if session.get_one(Citizen, conversation.citizen_id).unreachable:
            return Prepared(Readiness.UNREACHABLE)
        outbound = self._outbound(item, message)
        won = _changed(
            session,
            update(OutboxItem)
            .where(self._held(token, item.item_id, OutboxStatus.CLAIMED), col(OutboxItem.lease_until) > utcnow())
            .values(status=OutboxStatus.SENDING),
        )
        return Prepared(Readiness.READY, outbound) if won else Prepared(Readiness.LEASE_LOST)

    def _outbound(self, item: Claimed, message: Message) -> OutboundMessage:
        template = message.template or {}
        return OutboundMessage(
            address=item.address,
            kind=MessageKind(message.kind),
            text=message.text,
            media_path=str(self._media_dir / message.media_path) if message.media_path else None,
            media_filename=message.media_filename,
            latitude=message.latitude,
            longitude=message.longitude,
            buttons=tuple(b for b in message.buttons.split("|") if b),
            template_name=template.get("name"),
            template_language=template.get("language"),
            template_params=tuple(template.get("params") or ()),
        )

    @staticmethod
    def _held(token: str, item_id: int, *statuses: OutboxStatus) -> Any:
        """The condition of every write after the claim: this round still holds the item's lease."""
        return and_(
            col(OutboxItem.id) == item_id,
            col(OutboxItem.lease_token) == token,
            col(OutboxItem.status).in_(statuses or _HELD),
        )

    async def release(self, token: str, item_ids: list[int]) -> None:
        if not item_ids:
            return
        statement = (
            update(OutboxItem)
            .where(
                col(OutboxItem.id).in_(item_ids),
                col(OutboxItem.lease_token) == token,
                col(OutboxItem.status) == OutboxStatus.CLAIMED,
            )
            .values(status=OutboxStatus.PENDING, lease_until=None, lease_token=None)
        )
        await self._writer.run(lambda session: _changed(session, statement))

    async def retry_later(
        self, token: str, item: Claimed, reason: str, counts_as_failure: bool, delay: float | None = None
    ) -> None:
        attempts = item.attempts + (1 if counts_as_failure else 0)
        if attempts >= MAX_ATTEMPTS:
            await self.finish_failed(token, item, f"gave up after {attempts} attempts: {reason}", False)
            return
        wait = delay if delay is not None else backoff_seconds(attempts)
        statement = (
            update(OutboxItem)
            .where(self._held(token, item.item_id))
            .values(
                status=OutboxStatus.PENDING,
                lease_until=None,
                lease_token=None,
                attempts=attempts,
                last_error=reason[:500],
                next_attempt_at=utcnow() + timedelta(seconds=wait),
            )
        )
        await self._writer.run(lambda session: _changed(session, statement))

    async def finish_sent(self, token: str, item: Claimed, platform_ids: list[str]) -> None:
        """Record an accepted send. The platform took it, so it is `sent` even if its id cannot be recorded."""
        platform_id = platform_ids[0] if platform_ids else None
        try:
            await self._record_sent(token, item, platform_id)
            return
        except IntegrityError:
            # Another message of this channel already carries the id (e.g. updates that reached the webhook
            # without the platform, numbered the same). The status matters more than the id.
            log.warning("outbox item %s: sent; its platform id is already taken, recorded without it", item.item_id)
        except Exception as exc:
            log.error("outbox item %s: sent, but recording it failed (%s); retrying", item.item_id, type(exc).__name__)
        try:
            await self._record_sent(token, item, None)
        except Exception as exc:
            # Left `sending`: counted as in flight, and sent again only if its lease runs out.
            log.error("outbox item %s: sent, but could not be recorded (%s)", item.item_id, type(exc).__name__)

    async def _record_sent(self, token: str, item: Claimed, platform_id: str | None) -> None:
        event = await self._writer.run(functools.partial(self._sent, token=token, item=item, platform_id=platform_id))
        if event is not None:
            self._bus.publish(event)

    def _sent(self, session: Session, *, token: str, item: Claimed, platform_id: str | None) -> InboxEvent | None:
        now = utcnow()
        won = _changed(
            session,
            update(OutboxItem)
            .where(self._held(token, item.item_id, OutboxStatus.SENDING))
            .values(status=OutboxStatus.SENT, sent_at=now, lease_until=None, lease_token=None),
        )
        if not won:
            log.warning("outbox item %s: sent after its lease ran out; left to its new holder", item.item_id)
            return None
        message = session.get_one(Message, item.message_id)
        message.status, message.sent_at = DeliveryStatus.SENT, now
        if platform_id is not None:
            message.platform_message_id = platform_id
        session.add(message)
        session.flush()
        return InboxEvent(message.tenant_id, message.conversation_id, InboxEventKind.STATUS, message.id)

    async def finish_failed(self, token: str, item: Claimed, reason: str, citizen_unreachable: bool) -> None:
        event = await self._writer.run(
            functools.partial(self._failed, token=token, item=item, reason=reason, citizen_unreachable=citizen_unreachable)
        )
        if event is not None:
            self._bus.publish(event)

    def _failed(
        self, session: Session, *, token: str, item: Claimed, reason: str, citizen_unreachable: bool
    ) -> InboxEvent | None:
        won = _changed(
            session,
            update(OutboxItem)
            .where(self._held(token, item.item_id))
            .values(status=OutboxStatus.FAILED, lease_until=None, lease_token=None, last_error=reason[:500]),
        )
        if not won:
            log.warning("outbox item %s: failed after its lease ran out; left to its new holder", item.item_id)
            return None
        message = session.get(Message, item.message_id)
        if message is None:
            return None
        message.status, message.error = DeliveryStatus.FAILED, reason[:500]
        if citizen_unreachable:
            conversation = session.get_one(Conversation, message.conversation_id)
            citizen = session.get_one(Citizen, conversation.citizen_id)
            citizen.unreachable = True
            session.add(citizen)
        session.add(message)
        session.flush()
        return InboxEvent(message.tenant_id, message.conversation_id, InboxEventKind.STATUS, message.id)


def _changed(session: Session, statement: Update) -> int:
    """Run a conditional UPDATE of outbox rows and count the rows it changed (none: it lost its race). The session's
    copies of those rows are not refreshed: the ledger never reads them again in the same step."""
    return rows_updated(session, statement.execution_options(synchronize_session=False))
