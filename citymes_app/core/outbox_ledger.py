"""The outbox's ledger: every committed step of an item's life (claimed, sending, sent, failed, retried), each
conditional on the lease token of the worker that claimed it, so a worker that lost its lease changes nothing."""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Update, and_, bindparam, or_, update
from sqlalchemy import select as select_columns
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
    table_of,
    utcnow,
)
from integrations.base import MessageKind, OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 300.0
CLAIM_BATCH = 500
#: Rows looked at to find a claim's items: room for other workers' held items and citizens whose earlier item waits.
CLAIM_WINDOW = 4 * CLAIM_BATCH


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
_MESSAGES = table_of(Message)
_CONVERSATIONS = table_of(Conversation)
_CITIZENS = table_of(Citizen)
#: What `prepare` reads of a message: what the channel sends, and where its status events go.
_OUTBOUND_COLUMNS = (
    "id", "tenant_id", "conversation_id", "kind", "text", "media_path", "media_filename", "latitude", "longitude",
    "buttons", "template",
)  # fmt: skip


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
    #: The message's (tenant, conversation) when READY: where the event of its sending goes.
    conversation: tuple[int, int] | None = None


class OutboxLedger:
    """The outbox's rows, written one step at a time, each step a unit of the process's group-committing writer (so
    the dispatcher never fights the message path for SQLite's write lock); a step returns once it is committed."""

    def __init__(self, *, writer: BatchWriter, bus: EventBus, media_dir: Path, lease: timedelta) -> None:
        self._writer = writer
        self._bus = bus
        self._media_dir = media_dir
        self._lease = lease

    async def claim_due(
        self, token: str, *, skip: frozenset[tuple[int, str]] = frozenset(), limit: int = CLAIM_BATCH
    ) -> list[Claimed]:
        """Claim up to `limit` due items for `token`, oldest first, none of a citizen whose earlier item waits or is
        held. `skip`: the (channel, address) of citizens this worker is serving already; the rows it holds under
        `token` are not read again (so they do not fill the window of rows looked at)."""
        work = functools.partial(self._claim_due, token=token, skip=skip, limit=limit)
        return await self._writer.run(work)

    def _claim_due(self, session: Session, *, token: str, skip: frozenset[tuple[int, str]], limit: int) -> list[Claimed]:
        now = utcnow()
        held_back: set[tuple[int, str]] = set(skip)
        rows = session.execute(
            select_columns(  # sqlmodel's `select` is typed for at most four columns
                col(OutboxItem.id),
                col(OutboxItem.message_id),
                col(OutboxItem.channel_id),
                col(OutboxItem.address),
                col(OutboxItem.attempts),
                col(OutboxItem.status),
                col(OutboxItem.next_attempt_at),
                col(OutboxItem.lease_until),
                col(OutboxItem.lease_token),
            )
            .where(col(OutboxItem.status).in_([OutboxStatus.PENDING, *_HELD]))
            .where(or_(col(OutboxItem.lease_token).is_(None), col(OutboxItem.lease_token) != token))
            .order_by(col(OutboxItem.id))
            .limit(CLAIM_WINDOW)
        ).all()
        candidates: list[Any] = []
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
            candidates.append(row)
            if len(candidates) >= limit:
                break
        # The conditional updates are the lock: of several workers, one wins each item; a lease renewed since the
        # select is not taken. Pending items are claimed in one statement, items taken over from a dead worker alone.
        pending = [row.id for row in candidates if row.status == OutboxStatus.PENDING]
        won: set[int] = set()
        if pending:
            won.update(_won_ids(session, self._claim_statement(now, token).where(
                col(OutboxItem.id).in_(pending), col(OutboxItem.status) == OutboxStatus.PENDING,
                col(OutboxItem.lease_token).is_(None),
            )))  # fmt: skip
        for row in candidates:
            if row.status == OutboxStatus.PENDING:
                continue
            if row.status == OutboxStatus.SENDING:
                # Its worker died between handing it to the platform and recording the answer.
                log.warning("outbox item %s: taken over from a worker that stopped while sending it", row.id)
            won.update(_won_ids(session, self._claim_statement(now, token).where(
                col(OutboxItem.id) == row.id, col(OutboxItem.status) == row.status,
                col(OutboxItem.lease_token) == row.lease_token,
                or_(col(OutboxItem.lease_until).is_(None), col(OutboxItem.lease_until) <= now),
            )))  # fmt: skip
        claimed: list[Claimed] = []
        given_back: list[int] = []
        lost: set[tuple[int, str]] = set()
        for row in candidates:
            key = (row.channel_id, row.address)
            if row.id not in won:
                lost.add(key)  # another worker took it: the citizen's later items wait for it
            elif key in lost:
                given_back.append(row.id)
            else:
                claimed.append(Claimed(row.id, row.message_id, row.channel_id, row.address, row.attempts))
        if given_back:
            _changed(session, _release_statement(token, given_back))
        return claimed

    def _claim_statement(self, now: datetime, token: str) -> Update:
        return update(OutboxItem).values(status=OutboxStatus.CLAIMED, lease_until=now + self._lease, lease_token=token)

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
        [prepared] = await self.prepare_many(token, [item])
        return prepared

    async def prepare_many(self, token: str, items: list[Claimed]) -> list[Prepared]:
        """`prepare` for many items in one writer unit (two reads and one update for the lot)."""
        return await self._writer.run(functools.partial(self._prepare_many, token=token, items=items))

    def _prepare_many(self, session: Session, *, token: str, items: list[Claimed]) -> list[Prepared]:
        # One read for the lot, columns only (no ORM objects): what each message says and whether its citizen is
        # reachable.
        rows = session.execute(
            select_columns(*(_MESSAGES.c[name] for name in _OUTBOUND_COLUMNS), _CITIZENS.c.unreachable)
            .select_from(
                _MESSAGES.join(_CONVERSATIONS, _CONVERSATIONS.c.id == _MESSAGES.c.conversation_id).join(
                    _CITIZENS, _CITIZENS.c.id == _CONVERSATIONS.c.citizen_id
                )
            )
            .where(_MESSAGES.c.id.in_([item.message_id for item in items]))
        ).all()
        messages = {row.id: row for row in rows}
        verdicts: dict[int, Prepared] = {}
        ready: dict[int, Prepared] = {}
        for item in items:
            message = messages.get(item.message_id)
            if message is None:
                verdicts[item.item_id] = Prepared(Readiness.GONE)
            elif message.unreachable:
                verdicts[item.item_id] = Prepared(Readiness.UNREACHABLE)
            else:
                ready[item.item_id] = Prepared(
                    Readiness.READY, self._outbound(item, message), (message.tenant_id, message.conversation_id)
                )
        if ready:
            statement = (
                update(OutboxItem)
                .where(
                    col(OutboxItem.id).in_(ready),
                    col(OutboxItem.lease_token) == token,
                    col(OutboxItem.status) == OutboxStatus.CLAIMED,
                    col(OutboxItem.lease_until) > utcnow(),
                )
                .values(status=OutboxStatus.SENDING)
            )
            won = _won_ids(session, statement)
            for item_id, prepared in ready.items():
                verdicts[item_id] = prepared if item_id in won else Prepared(Readiness.LEASE_LOST)
        return [verdicts[item.item_id] for item in items]

    def _outbound(self, item: Claimed, message: Any) -> OutboundMessage:
        """The message as the channel sends it, from its row (`_OUTBOUND_COLUMNS`)."""
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
        statement = _release_statement(token, item_ids)
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

    async def finish_sent(
        self, token: str, item: Claimed, platform_ids: list[str], conversation: tuple[int, int] | None = None
    ) -> None:
        """Record an accepted send. The platform took it, so it is `sent` even if its id cannot be recorded.
        `conversation`: its message's (tenant, conversation) if known (`Prepared.conversation`), else read."""
        platform_id = platform_ids[0] if platform_ids else None
        known = {item.message_id: conversation} if conversation is not None else None
        try:
            await self.finish_sent_many(token, [(item, platform_id)], known)
            return
        except IntegrityError:
            # Another message of this channel already carries the id (e.g. updates that reached the webhook
            # without the platform, numbered the same). The status matters more than the id.
            log.warning("outbox item %s: sent; its platform id is already taken, recorded without it", item.item_id)
        except Exception as exc:
            log.error("outbox item %s: sent, but recording it failed (%s); retrying", item.item_id, type(exc).__name__)
        try:
            await self.finish_sent_many(token, [(item, None)], known)
        except Exception as exc:
            # Left `sending`: counted as in flight, and sent again only if its lease runs out.
            log.error("outbox item %s: sent, but could not be recorded (%s)", item.item_id, type(exc).__name__)

    async def finish_sent_many(
        self,
        token: str,
        sends: list[tuple[Claimed, str | None]],
        conversations: Mapping[int, tuple[int, int]] | None = None,
    ) -> None:
        """Record many accepted sends (each with the platform's id, if any) in one writer unit; an id another
        message of the channel already carries is left out (checked first, so one taken id fails nobody).
        `conversations`: message id → (tenant, conversation), as `prepare` read them; a message missing is read."""
        work = functools.partial(self._sent_many, token=token, sends=sends, conversations=conversations or {})
        events = await self._writer.run(work)
        for event in events:
            self._bus.publish(event)

    def _sent_many(
        self,
        session: Session,
        *,
        token: str,
        sends: list[tuple[Claimed, str | None]],
        conversations: Mapping[int, tuple[int, int]],
    ) -> list[InboxEvent]:
        now = utcnow()
        statement = (
            update(OutboxItem)
            .where(
                col(OutboxItem.id).in_([item.item_id for item, _ in sends]),
                col(OutboxItem.lease_token) == token,
                col(OutboxItem.status) == OutboxStatus.SENDING,
            )
            .values(status=OutboxStatus.SENT, sent_at=now, lease_until=None, lease_token=None)
        )
        won = _won_ids(session, statement)
        recorded = [(item, platform_id) for item, platform_id in sends if item.item_id in won]
        for item, _ in sends:
            if item.item_id not in won:
                log.warning("outbox item %s: sent after its lease ran out; left to its new holder", item.item_id)
        if not recorded:
            return []
        free = self._free_platform_ids(session, recorded)
        session.execute(
            update(_MESSAGES)  # executemany: one statement, a row of values per send
            .where(_MESSAGES.c.id == bindparam("message"))
            .values(status=DeliveryStatus.SENT, sent_at=now, platform_message_id=bindparam("platform_id")),
            [{"message": item.message_id, "platform_id": free.get(item.item_id)} for item, _ in recorded],
        )
        known = [item.message_id for item, _ in recorded if item.message_id in conversations]
        events = [InboxEvent(*conversations[message_id], InboxEventKind.STATUS, message_id) for message_id in known]
        unknown = [item.message_id for item, _ in recorded if item.message_id not in conversations]
        return events + (self._status_events(session, unknown) if unknown else [])

    @staticmethod
    def _free_platform_ids(session: Session, sends: list[tuple[Claimed, str | None]]) -> dict[int, str]:
        """Each send's platform id, unless another message of its channel carries it already (then left out)."""
        wanted = {(item.channel_id, platform_id) for item, platform_id in sends if platform_id is not None}
        if not wanted:
            return {}
        taken = set(
            session.exec(
                select(Message.channel_id, Message.platform_message_id).where(
                    col(Message.channel_id).in_({channel for channel, _ in wanted}),
                    col(Message.platform_message_id).in_({platform_id for _, platform_id in wanted}),
                )
            )
        )
        free: dict[int, str] = {}
        for item, platform_id in sends:
            if platform_id is None:
                continue
            if (item.channel_id, platform_id) in taken:
                # E.g. updates that reached the webhook without the platform, numbered the same.
                log.warning("outbox item %s: sent; its platform id is already taken, recorded without it", item.item_id)
                continue
            taken.add((item.channel_id, platform_id))
            free[item.item_id] = platform_id
        return free

    @staticmethod
    def _status_events(session: Session, message_ids: list[int]) -> list[InboxEvent]:
        rows = session.exec(
            select(Message.id, Message.tenant_id, Message.conversation_id).where(col(Message.id).in_(message_ids))
        )
        return [
            InboxEvent(tenant_id, conversation_id, InboxEventKind.STATUS, message_id)
            for message_id, tenant_id, conversation_id in rows
        ]

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
        # A citizen now unreachable shows in the queue: the conversation changed, not only a bubble.
        kind = InboxEventKind.CONVERSATION if citizen_unreachable else InboxEventKind.STATUS
        return InboxEvent(message.tenant_id, message.conversation_id, kind, message.id)


def _won_ids(session: Session, statement: Update) -> set[int]:
    """Run a conditional UPDATE of outbox rows and return the ids of those it changed (the others lost their race)."""
    result = session.execute(statement.returning(col(OutboxItem.id)).execution_options(synchronize_session=False))
    return set(result.scalars())


def _release_statement(token: str, item_ids: list[int]) -> Update:
    """Hand claimed items back untouched (still `claimed` under `token`: nothing of them reached the platform)."""
    return (
        update(OutboxItem)
        .where(
            col(OutboxItem.id).in_(item_ids),
            col(OutboxItem.lease_token) == token,
            col(OutboxItem.status) == OutboxStatus.CLAIMED,
        )
        .values(status=OutboxStatus.PENDING, lease_until=None, lease_token=None)
    )


def _changed(session: Session, statement: Update) -> int:
    """Run a conditional UPDATE of outbox rows and count the rows it changed (none: it lost its race). The session's
    copies of those rows are not refreshed: the ledger never reads them again in the same step."""
    return rows_updated(session, statement.execution_options(synchronize_session=False))
