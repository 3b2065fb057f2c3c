"""The outbox: every reply is a row first; a dispatcher sends it, honouring the platforms' limits.

Replies to one citizen on one channel leave in the order they were written: a rate-limited or failing item holds
back the items behind it.

An item goes pending → claimed (a worker's lease, not yet handed to the platform) → sending (handed to the platform,
its answer not yet recorded) → sent or failed, and each step is committed on its own as soon as it is known. So
after a crash only the items left `sending` can have reached the citizen already: they are the only ones that can
go out twice, and counting them bounds the duplicates. A worker renews its leases while it works; a lease runs out
only when its worker died (or lost the database), and then another worker takes the item again. Every write after
the claim is conditional on the lease token, so a worker that lost its lease never overwrites the new holder's
result. A failure in one item's bookkeeping is that item's alone: it never fails the round nor sends another item
again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.models import (
    Author,
    Citizen,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    OutboxItem,
    OutboxStatus,
    utcnow,
)
from integrations.base import (
    Channel,
    MessageKind,
    OutboundMessage,
    PermanentChannelError,
    RateLimited,
    RecipientUnreachable,
)

log = logging.getLogger(__name__)

#: How long a claim holds an item without renewal; renewed every third of it while the worker is alive, so it runs
#: out only for a dead worker, and a restart waits at most this long for what the dead one held.
LEASE = timedelta(seconds=20)
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 300.0
CLAIM_BATCH = 500
#: Citizens served at once by one worker: also the most sends one worker can have in flight.
CONCURRENCY = 32


def enqueue(
    session: Session,
    *,
    conversation: Conversation,
    author: Author,
    text: str = "",
    kind: MessageKind = MessageKind.TEXT,
    operator_id: int | None = None,
    media_path: str | None = None,
    media_mime: str | None = None,
    media_filename: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    buttons: list[str] | None = None,
    template: dict[str, Any] | None = None,
) -> Message:
    """Write an outbound message and its outbox item (the caller's transaction commits both).

    `template` ({"name", "language", "params"}) makes it an approved template, whose rendered body is `text`.
    """
    message = Message(
        tenant_id=conversation.tenant_id,
        conversation_id=conversation.id,
        channel_id=conversation.channel_id,
        direction=Direction.OUTBOUND,
        author=author,
        operator_id=operator_id,
        kind=kind,
        text=text,
        media_path=media_path,
        media_mime=media_mime,
        media_filename=media_filename,
        latitude=latitude,
        longitude=longitude,
        buttons="|".join(buttons or []),
        template=template,
        status=DeliveryStatus.PENDING,
    )
    session.add(message)
    session.flush()
    session.add(
        OutboxItem(
            tenant_id=conversation.tenant_id,
            channel_id=conversation.channel_id,
            message_id=message.id,
            address=conversation.address,
        )
    )
    conversation.last_message_at = message.created_at
    session.add(conversation)
    session.flush()
    return message


def backoff_seconds(attempts: int) -> float:
    """Exponential back-off with full jitter after `attempts` failures: up to 2, 4, 8 ... 300 s."""
    return random.uniform(0.5, 1.0) * min(2.0**attempts, MAX_BACKOFF_SECONDS)


@dataclass(frozen=True)
class _Claimed:
    item_id: int
    message_id: int
    channel_id: int
    address: str
    attempts: int


_HELD = (OutboxStatus.CLAIMED, OutboxStatus.SENDING)


class OutboxDispatcher:
    """Sends what the outbox holds; run one per worker (`run`), or call `dispatch_due` directly."""

    def __init__(
        self,
        *,
        engine: Engine,
        channel_for: Callable[[int], Channel | None],
        bus: EventBus,
        media_dir: Path,
        poll_interval: float = 1.0,
        concurrency: int = CONCURRENCY,
        lease: timedelta = LEASE,
    ) -> None:
        self._engine = engine
        self._channel_for = channel_for
        self._bus = bus
        self._media_dir = media_dir
        self._poll_interval = poll_interval
        self._concurrency = asyncio.Semaphore(concurrency)
        self._lease = lease

    async def run(self) -> None:
        """Dispatch forever: woken at once by new items, and every `poll_interval` for retries that fall due."""
        waker = self._bus.outbox_waker()
        while True:
            waker.clear()
            try:
                await self.dispatch_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database itself failed (claiming); the items stay in the outbox
                log.exception("outbox dispatch round failed")
            try:
                await asyncio.wait_for(waker.wait(), timeout=self._poll_interval)
            except TimeoutError:
                pass

    async def dispatch_due(self) -> int:
        """Send every item that is due now; returns how many were attempted.

        Only claiming can fail the round (then nothing was claimed); each item's own failures end with that item.
        """
        token = uuid.uuid4().hex
        claimed = await asyncio.to_thread(self._claim_due, token)
        if not claimed:
            return 0
        groups: dict[tuple[int, str], list[_Claimed]] = {}
        for item in claimed:
            groups.setdefault((item.channel_id, item.address), []).append(item)
        renewal = asyncio.create_task(self._keep_leases(token))
        try:
            outcomes = await asyncio.gather(
                *(self._send_group(token, items) for items in groups.values()), return_exceptions=True
            )
        finally:
            renewal.cancel()
            await asyncio.gather(renewal, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception):  # _send_group catches per item; this is a last safety net
                log.error("outbox: a citizen's sends stopped early (%s)", type(outcome).__name__)
        return len(claimed)

    def _claim_due(self, token: str) -> list[_Claimed]:
        now = utcnow()
        claimed: list[_Claimed] = []
        held_back: set[tuple[int, str]] = set()
        with Session(self._engine) as session:
            rows = session.exec(
                select(OutboxItem)
                .where(OutboxItem.status.in_([OutboxStatus.PENDING, *_HELD]))
                .order_by(OutboxItem.id)
                .limit(CLAIM_BATCH)
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
                won = session.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id == row.id, OutboxItem.status == row.status)
                    .where(OutboxItem.lease_token == row.lease_token)  # "== None" is IS NULL
                    .where(
                        or_(
                            OutboxItem.status == OutboxStatus.PENDING,
                            OutboxItem.lease_until.is_(None),
                            OutboxItem.lease_until <= now,
                        )
                    )
                    .values(status=OutboxStatus.CLAIMED, lease_until=now + self._lease, lease_token=token)
                ).rowcount
                if won:
                    claimed.append(_Claimed(row.id, row.message_id, row.channel_id, row.address, row.attempts))
                else:
                    held_back.add(key)
            session.commit()
        return claimed

    async def _keep_leases(self, token: str) -> None:
        """Renew this round's leases until the round ends, so a slow send never lets another worker take it."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                await asyncio.to_thread(self._renew, token)
            except Exception as exc:  # a missed renewal is retried; the lease still has two thirds left
                log.warning("outbox: could not renew leases (%s)", type(exc).__name__)

    def _renew(self, token: str) -> None:
        with Session(self._engine) as session:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.lease_token == token, OutboxItem.status.in_(_HELD))
                .values(lease_until=utcnow() + self._lease)
            )
            session.commit()

    async def _send_group(self, token: str, items: list[_Claimed]) -> None:
        async with self._concurrency:
            for index, item in enumerate(items):
                try:
                    go_on = await self._send_one(token, item)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # one item's trouble: hold back its citizen's later items, nothing else
                    log.error("outbox item %s: bookkeeping failed (%s)", item.item_id, type(exc).__name__)
                    go_on = False
                if not go_on:
                    # Hand the rest back untouched so they go after this one, in order.
                    await asyncio.to_thread(self._release, token, [i.item_id for i in items[index + 1 :]])
                    return

    async def _send_one(self, token: str, item: _Claimed) -> bool:
        """Send one item; False when the items behind it must wait."""
        try:
            outbound, unreachable = await asyncio.to_thread(self._load, item)
        except Exception as exc:
            log.error("outbox item %s: could not be read (%s), will retry", item.item_id, type(exc).__name__)
            await asyncio.to_thread(self._retry_later, token, item, f"could not be read: {type(exc).__name__}", True)
            return False
        if outbound is None:
            await asyncio.to_thread(self._finish_failed, token, item, "its message was deleted", False)
            return True
        if unreachable:
            await asyncio.to_thread(self._finish_failed, token, item, "the citizen has blocked the channel", False)
            return True
        channel = self._channel_for(item.channel_id)
        if channel is None:
            await asyncio.to_thread(self._retry_later, token, item, "the channel is disabled or missing", True)
            return False
        if not await asyncio.to_thread(self._start_sending, token, item):
            log.warning("outbox item %s: lease lost before sending; left to its new holder", item.item_id)
            return False
        try:
            receipt = await channel.send(outbound)
        except RateLimited as exc:
            reason = f"rate limited for {exc.retry_after:g}s"
            await asyncio.to_thread(self._retry_later, token, item, reason, False, exc.retry_after)
            return False
        except RecipientUnreachable:
            await asyncio.to_thread(self._finish_failed, token, item, "the citizen has blocked the channel", True)
            return True
        except PermanentChannelError as exc:
            await asyncio.to_thread(self._finish_failed, token, item, f"refused by the platform: {exc}", False)
            return True
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # transient errors and anything unexpected: retry with back-off
            log.warning("outbox item %s: send failed (%s), will retry", item.item_id, type(exc).__name__)
            await asyncio.to_thread(self._retry_later, token, item, f"{type(exc).__name__}: {exc}"[:300], True)
            return False
        await asyncio.to_thread(self._finish_sent, token, item, receipt.platform_message_ids)
        return True

    def _load(self, item: _Claimed) -> tuple[OutboundMessage | None, bool]:
        with Session(self._engine) as session:
            message = session.get(Message, item.message_id)
            if message is None:
                return None, False
            conversation = session.get(Conversation, message.conversation_id)
            citizen = session.get(Citizen, conversation.citizen_id)
            media_path = str(self._media_dir / message.media_path) if message.media_path else None
            outbound = OutboundMessage(
                address=item.address,
                kind=MessageKind(message.kind),
                text=message.text,
                media_path=media_path,
                media_filename=message.media_filename,
                latitude=message.latitude,
                longitude=message.longitude,
                buttons=tuple(b for b in message.buttons.split("|") if b),
                template_name=(message.template or {}).get("name"),
                template_language=(message.template or {}).get("language"),
                template_params=tuple((message.template or {}).get("params") or ()),
            )
            return outbound, citizen.unreachable

    @staticmethod
    def _held(token: str, item_id: int, *statuses: OutboxStatus) -> Any:
        """The condition of every write after the claim: this round still holds the item's lease."""
        return and_(
            OutboxItem.id == item_id,
            OutboxItem.lease_token == token,
            OutboxItem.status.in_(statuses or _HELD),
        )

    def _start_sending(self, token: str, item: _Claimed) -> bool:
        """Mark the item `sending`, committed before the platform hears of it; False if the lease was lost."""
        with Session(self._engine) as session:
            won = session.execute(
                update(OutboxItem)
                .where(self._held(token, item.item_id, OutboxStatus.CLAIMED), OutboxItem.lease_until > utcnow())
                .values(status=OutboxStatus.SENDING)
            ).rowcount
            session.commit()
        return bool(won)

    def _release(self, token: str, item_ids: list[int]) -> None:
        if not item_ids:
            return
        with Session(self._engine) as session:
            session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id.in_(item_ids),
                    OutboxItem.lease_token == token,
                    OutboxItem.status == OutboxStatus.CLAIMED,
                )
                .values(status=OutboxStatus.PENDING, lease_until=None, lease_token=None)
            )
            session.commit()

    def _retry_later(self, token: str, item: _Claimed, reason: str, counts_as_failure: bool, delay: float | None = None) -> None:
        attempts = item.attempts + (1 if counts_as_failure else 0)
        if attempts >= MAX_ATTEMPTS:
            self._finish_failed(token, item, f"gave up after {attempts} attempts: {reason}", False)
            return
        wait = delay if delay is not None else backoff_seconds(attempts)
        with Session(self._engine) as session:
            session.execute(
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
            session.commit()

    def _finish_sent(self, token: str, item: _Claimed, platform_ids: list[str]) -> None:
        """Record an accepted send. The platform took it, so it is `sent` even if its id cannot be recorded."""
        platform_id = platform_ids[0] if platform_ids else None
        try:
            self._record_sent(token, item, platform_id)
            return
        except IntegrityError:
            # Another message of this channel already carries the id (e.g. updates that reached the webhook
            # without the platform, numbered the same). The status matters more than the id.
            log.warning("outbox item %s: sent; its platform id is already taken, recorded without it", item.item_id)
        except Exception as exc:
            log.error("outbox item %s: sent, but recording it failed (%s); retrying", item.item_id, type(exc).__name__)
        try:
            self._record_sent(token, item, None)
        except Exception as exc:
            # Left `sending`: counted as in flight, and sent again only if its lease runs out.
            log.error("outbox item %s: sent, but could not be recorded (%s)", item.item_id, type(exc).__name__)

    def _record_sent(self, token: str, item: _Claimed, platform_id: str | None) -> None:
        now = utcnow()
        with Session(self._engine) as session:
            won = session.execute(
                update(OutboxItem)
                .where(self._held(token, item.item_id, OutboxStatus.SENDING))
                .values(status=OutboxStatus.SENT, sent_at=now, lease_until=None, lease_token=None)
            ).rowcount
            if not won:
                log.warning("outbox item %s: sent after its lease ran out; left to its new holder", item.item_id)
                return
            message = session.get(Message, item.message_id)
            message.status, message.sent_at = DeliveryStatus.SENT, now
            if platform_id is not None:
                message.platform_message_id = platform_id
            session.add(message)
            session.commit()
            event = InboxEvent(message.tenant_id, message.conversation_id, InboxEventKind.STATUS, message.id)
        self._bus.publish(event)

    def _finish_failed(self, token: str, item: _Claimed, reason: str, citizen_unreachable: bool) -> None:
        with Session(self._engine) as session:
            won = session.execute(
                update(OutboxItem)
                .where(self._held(token, item.item_id))
                .values(status=OutboxStatus.FAILED, lease_until=None, lease_token=None, last_error=reason[:500])
            ).rowcount
            if not won:
                log.warning("outbox item %s: failed after its lease ran out; left to its new holder", item.item_id)
                return
            message = session.get(Message, item.message_id)
            if message is None:
                session.commit()
                return
            message.status, message.error = DeliveryStatus.FAILED, reason[:500]
            if citizen_unreachable:
                conversation = session.get(Conversation, message.conversation_id)
                citizen = session.get(Citizen, conversation.citizen_id)
                citizen.unreachable = True
                session.add(citizen)
            session.add(message)
            session.commit()
            event = InboxEvent(message.tenant_id, message.conversation_id, InboxEventKind.STATUS, message.id)
        self._bus.publish(event)
