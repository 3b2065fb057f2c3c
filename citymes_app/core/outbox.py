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
again. The rows' bookkeeping, step by step, is `core/outbox_ledger.py`'s; this module enqueues and sends.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core.events import EventBus
from citymes_app.core.outbox_ledger import Claimed, OutboxLedger, Readiness
from citymes_app.core.writer import BatchWriter
from citymes_app.models import (
    Author,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    OutboxItem,
    row_id,
)
from integrations.base import (
    Channel,
    MessageKind,
    PermanentChannelError,
    RateLimited,
    RecipientUnreachable,
)

log = logging.getLogger(__name__)

#: How long a claim holds an item without renewal; renewed every third of it while the worker is alive, so it runs
#: out only for a dead worker, and a restart waits at most this long for what the dead one held.
LEASE = timedelta(seconds=20)
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
        conversation_id=row_id(conversation),
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
            message_id=row_id(message),
            address=conversation.address,
        )
    )
    conversation.last_message_at = message.created_at
    session.add(conversation)
    session.flush()
    return message


class OutboxDispatcher:
    """Sends what the outbox holds; run one per worker (`run`), or call `dispatch_due` directly."""

    def __init__(
        self,
        *,
        engine: Engine,
        writer: BatchWriter | None = None,
        channel_for: Callable[[int], Channel | None],
        bus: EventBus,
        media_dir: Path,
        poll_interval: float = 1.0,
        concurrency: int = CONCURRENCY,
        lease: timedelta = LEASE,
    ) -> None:
        self._channel_for = channel_for
        self._bus = bus
        self._poll_interval = poll_interval
        self._concurrency = asyncio.Semaphore(concurrency)
        self._lease = lease
        self.ledger = OutboxLedger(writer=writer or BatchWriter(engine), bus=bus, media_dir=media_dir, lease=lease)

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
        claimed = await self.ledger.claim_due(token)
        if not claimed:
            return 0
        groups: dict[tuple[int, str], list[Claimed]] = {}
        for item in claimed:
            groups.setdefault((item.channel_id, item.address), []).append(item)
        # Each channel looked up once per round, not once per item (a lookup reads and decrypts its credentials).
        channels = {channel_id: self._channel_for(channel_id) for channel_id in {item.channel_id for item in claimed}}
        renewal = asyncio.create_task(self._keep_leases(token))
        try:
            outcomes = await asyncio.gather(
                *(self._send_group(token, items, channels) for items in groups.values()), return_exceptions=True
            )
        finally:
            renewal.cancel()
            await asyncio.gather(renewal, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, Exception):  # _send_group catches per item; this is a last safety net
                log.error("outbox: a citizen's sends stopped early (%s)", type(outcome).__name__)
        return len(claimed)

    async def _keep_leases(self, token: str) -> None:
        """Renew this round's leases until the round ends, so a slow send never lets another worker take it."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                await self.ledger.renew(token)
            except Exception as exc:  # a missed renewal is retried; the lease still has two thirds left
                log.warning("outbox: could not renew leases (%s)", type(exc).__name__)

    async def _send_group(self, token: str, items: list[Claimed], channels: dict[int, Channel | None]) -> None:
        async with self._concurrency:
            for index, item in enumerate(items):
                try:
                    go_on = await self._send_one(token, item, channels)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # one item's trouble: hold back its citizen's later items, nothing else
                    log.error("outbox item %s: bookkeeping failed (%s)", item.item_id, type(exc).__name__)
                    go_on = False
                if not go_on:
                    # Hand the rest back untouched so they go after this one, in order.
                    await self.ledger.release(token, [i.item_id for i in items[index + 1 :]])
                    return

    async def _send_one(self, token: str, item: Claimed, channels: dict[int, Channel | None] | None = None) -> bool:
        """Send one item (on its channel from `channels`, else looked up); False when the items behind it must wait."""
        channel = channels[item.channel_id] if channels is not None else self._channel_for(item.channel_id)
        if channel is None:
            await self.ledger.retry_later(token, item, "the channel is disabled or missing", True)
            return False
        try:
            prepared = await self.ledger.prepare(token, item)
        except Exception as exc:
            log.error("outbox item %s: could not be read (%s), will retry", item.item_id, type(exc).__name__)
            await self.ledger.retry_later(token, item, f"could not be read: {type(exc).__name__}", True)
            return False
        if prepared.readiness == Readiness.GONE:
            await self.ledger.finish_failed(token, item, "its message was deleted", False)
            return True
        if prepared.readiness == Readiness.UNREACHABLE:
            await self.ledger.finish_failed(token, item, "the citizen has blocked the channel", False)
            return True
        if prepared.readiness == Readiness.LEASE_LOST or prepared.outbound is None:
            log.warning("outbox item %s: lease lost before sending; left to its new holder", item.item_id)
            return False
        outbound = prepared.outbound
        try:
            receipt = await channel.send(outbound)
        except RateLimited as exc:
            reason = f"rate limited for {exc.retry_after:g}s"
            await self.ledger.retry_later(token, item, reason, False, exc.retry_after)
            return False
        except RecipientUnreachable:
            await self.ledger.finish_failed(token, item, "the citizen has blocked the channel", True)
            return True
        except PermanentChannelError as exc:
            await self.ledger.finish_failed(token, item, f"refused by the platform: {exc}", False)
            return True
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # transient errors and anything unexpected: retry with back-off
            log.warning("outbox item %s: send failed (%s), will retry", item.item_id, type(exc).__name__)
            await self.ledger.retry_later(token, item, f"{type(exc).__name__}: {exc}"[:300], True)
            return False
        await self.ledger.finish_sent(token, item, receipt.platform_message_ids)
        return True
