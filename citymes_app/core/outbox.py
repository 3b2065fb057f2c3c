"""The outbox: every reply is a row first; a dispatcher sends it, honouring the platforms' limits.

Replies to one citizen on one channel leave in the order they were written: a rate-limited or failing item holds
back the items behind it. A restart resumes: items left `sending` by a dead worker are taken again once their
lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from citymes_app.core.events import EventBus, InboxEvent
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

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 300.0
CLAIM_BATCH = 500


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
        concurrency: int = 32,
    ) -> None:
        self._engine = engine
        self._channel_for = channel_for
        self._bus = bus
        self._media_dir = media_dir
        self._poll_interval = poll_interval
        self._concurrency = asyncio.Semaphore(concurrency)

    async def run(self) -> None:
        """Dispatch forever: woken at once by new items, and every `poll_interval` for retries that fall due."""
        waker = self._bus.outbox_waker()
        while True:
            waker.clear()
            try:
                await self.dispatch_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the dispatcher alive; the items stay in the outbox
                log.exception("outbox dispatch round failed")
            try:
                await asyncio.wait_for(waker.wait(), timeout=self._poll_interval)
            except TimeoutError:
                pass

    async def dispatch_due(self) -> int:
        """Send every item that is due now; returns how many were attempted."""
        claimed = await asyncio.to_thread(self._claim_due)
        groups: dict[tuple[int, str], list[_Claimed]] = {}
        for item in claimed:
            groups.setdefault((item.channel_id, item.address), []).append(item)
        await asyncio.gather(*(self._send_group(items) for items in groups.values()))
        return len(claimed)

    def _claim_due(self) -> list[_Claimed]:
        now = utcnow()
        claimed: list[_Claimed] = []
        held_back: set[tuple[int, str]] = set()
        with Session(self._engine) as session:
            rows = session.exec(
                select(OutboxItem)
                .where(or_(OutboxItem.status == OutboxStatus.PENDING, OutboxItem.status == OutboxStatus.SENDING))
                .order_by(OutboxItem.id)
                .limit(CLAIM_BATCH)
            ).all()
            for row in rows:
                key = (row.channel_id, row.address)
                if key in held_back:
                    continue
                due = (row.status == OutboxStatus.PENDING and row.next_attempt_at <= now) or (
                    row.status == OutboxStatus.SENDING and (row.lease_until is None or row.lease_until <= now)
                )
                if not due:
                    held_back.add(key)  # keep this citizen's messages in order
                    continue
                # The conditional update is the lock: of several workers, one wins each item.
                won = session.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id == row.id, OutboxItem.status == row.status, OutboxItem.attempts == row.attempts)
                    .where(OutboxItem.lease_until == row.lease_until)  # "== None" is IS NULL
                    .values(status=OutboxStatus.SENDING, lease_until=now + LEASE)
                ).rowcount
                if won:
                    claimed.append(_Claimed(row.id, row.message_id, row.channel_id, row.address, row.attempts))
                else:
                    held_back.add(key)
            session.commit()
        return claimed

    async def _send_group(self, items: list[_Claimed]) -> None:
        async with self._concurrency:
            for index, item in enumerate(items):
                if not await self._send_one(item):
                    # Hand the rest back untouched so they go after this one, in order.
                    await asyncio.to_thread(self._release, [i.item_id for i in items[index + 1 :]])
                    return

    async def _send_one(self, item: _Claimed) -> bool:
        """Send one item; False when the items behind it must wait."""
        outbound, unreachable = await asyncio.to_thread(self._load, item)
        if outbound is None:
            return True
        if unreachable:
            await asyncio.to_thread(self._finish_failed, item, "the citizen has blocked the channel", False)
            return True
        channel = self._channel_for(item.channel_id)
        if channel is None:
            await asyncio.to_thread(self._retry_later, item, "the channel is disabled or missing", True)
            return False
        try:
            receipt = await channel.send(outbound)
        except RateLimited as exc:
            await asyncio.to_thread(self._retry_later, item, f"rate limited for {exc.retry_after:g}s", False, exc.retry_after)
            return False
        except RecipientUnreachable:
            await asyncio.to_thread(self._finish_failed, item, "the citizen has blocked the channel", True)
            return True
        except PermanentChannelError as exc:
            await asyncio.to_thread(self._finish_failed, item, f"refused by the platform: {exc}", False)
            return True
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # transient errors and anything unexpected: retry with back-off
            log.warning("outbox item %s: send failed (%s), will retry", item.item_id, type(exc).__name__)
            await asyncio.to_thread(self._retry_later, item, f"{type(exc).__name__}: {exc}"[:300], True)
            return False
        await asyncio.to_thread(self._finish_sent, item, receipt.platform_message_ids)
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

    def _release(self, item_ids: list[int]) -> None:
        if not item_ids:
            return
        with Session(self._engine) as session:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(item_ids), OutboxItem.status == OutboxStatus.SENDING)
                .values(status=OutboxStatus.PENDING, lease_until=None)
            )
            session.commit()

    def _retry_later(self, item: _Claimed, reason: str, counts_as_failure: bool, delay: float | None = None) -> None:
        attempts = item.attempts + (1 if counts_as_failure else 0)
        if attempts >= MAX_ATTEMPTS:
            self._finish_failed(item, f"gave up after {attempts} attempts: {reason}", False)
            return
        wait = delay if delay is not None else backoff_seconds(attempts)
        with Session(self._engine) as session:
            row = session.get(OutboxItem, item.item_id)
            row.status, row.lease_until = OutboxStatus.PENDING, None
            row.attempts, row.last_error = attempts, reason[:500]
            row.next_attempt_at = utcnow() + timedelta(seconds=wait)
            session.add(row)
            session.commit()

    def _finish_sent(self, item: _Claimed, platform_ids: list[str]) -> None:
        now = utcnow()
        with Session(self._engine) as session:
            row = session.get(OutboxItem, item.item_id)
            row.status, row.sent_at, row.lease_until = OutboxStatus.SENT, now, None
            message = session.get(Message, item.message_id)
            message.status, message.sent_at = DeliveryStatus.SENT, now
            if platform_ids:
                message.platform_message_id = platform_ids[0]
            session.add(row)
            session.add(message)
            session.commit()
            event = InboxEvent(message.tenant_id, message.conversation_id, "status", message.id)
        self._bus.publish(event)

    def _finish_failed(self, item: _Claimed, reason: str, citizen_unreachable: bool) -> None:
        with Session(self._engine) as session:
            row = session.get(OutboxItem, item.item_id)
            row.status, row.lease_until, row.last_error = OutboxStatus.FAILED, None, reason[:500]
            message = session.get(Message, item.message_id)
            message.status, message.error = DeliveryStatus.FAILED, reason[:500]
            if citizen_unreachable:
                conversation = session.get(Conversation, message.conversation_id)
                citizen = session.get(Citizen, conversation.citizen_id)
                citizen.unreachable = True
                session.add(citizen)
            session.add(row)
            session.add(message)
            session.commit()
            event = InboxEvent(message.tenant_id, message.conversation_id, "status", message.id)
        self._bus.publish(event)
