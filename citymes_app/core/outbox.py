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
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core import statistics
from citymes_app.core.batching import StepBatcher
from citymes_app.core.events import EventBus
from citymes_app.core.outbox_ledger import CLAIM_BATCH, Claimed, OutboxLedger, Prepared, Readiness
from citymes_app.core.writer import BatchWriter
from citymes_app.models import (
    Author,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    OutboxItem,
    row_id,
    utcnow,
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
#: Citizens served at once by one worker (its lanes): also the most sends one worker can have in flight.
CONCURRENCY = 32
#: A running worker claims again when fewer than this many of its claimed items are left to send.
REFILL_BELOW = CLAIM_BATCH // 2


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
    created_at: datetime | None = None,
) -> Message:
    """Write an outbound message and its outbox item (the caller's transaction commits both); `created_at` is now
    unless an imported history says when.

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
        created_at=created_at or utcnow(),
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
    statistics.message_stored(
        session,
        tenant_id=conversation.tenant_id,
        channel_id=conversation.channel_id,
        at=message.created_at,
        direction=Direction.OUTBOUND,
        author=author,
        operator_id=operator_id,
    )
    return message


@dataclass(frozen=True)
class _CitizenSends:
    """One citizen's claimed items on one channel, sent in order by one lane."""

    items: list[Claimed]
    channels: dict[int, Channel | None]

    @property
    def key(self) -> tuple[int, str]:
        return (self.items[0].channel_id, self.items[0].address)


_Prepare = tuple[str, Claimed]  # (lease token, item)
_Record = tuple[str, Claimed, str | None, tuple[int, int] | None]  # (lease token, item, platform id, conversation)


class OutboxDispatcher:
    """Sends what the outbox holds; run one per worker (`run`), or call `dispatch_due` directly.

    Lanes (`concurrency` of them) each serve one citizen at a time; the lanes' bookkeeping goes to the database in
    lots (every item marked `sending` in one writer unit, every answer recorded in one), so the writer's work does
    not grow with the send rate. `run` claims again whenever its queue of claimed items runs low, while the lanes
    go on sending, so the platform's rate is kept between claims.
    """

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
        self._lanes = concurrency
        self._lease = lease
        self.ledger = OutboxLedger(writer=writer or BatchWriter(engine), bus=bus, media_dir=media_dir, lease=lease)
        self._preparing: StepBatcher[_Prepare, Prepared] = StepBatcher(self._prepare_lot, self._prepare_one)
        self._recording: StepBatcher[_Record, None] = StepBatcher(self._record_lot, self._record_one)

    async def run(self) -> None:
        """Dispatch forever: claim when there is room in the lanes' queue and something is due (woken at once by new
        items and by lanes running short, and every `poll_interval` for retries that fall due)."""
        waker = self._bus.outbox_waker()
        token = uuid.uuid4().hex
        queue: asyncio.Queue[_CitizenSends] = asyncio.Queue()
        serving: dict[tuple[int, str], int] = {}  # citizens claimed and not yet done: their items' count

        def done(sends: _CitizenSends) -> None:
            serving.pop(sends.key, None)
            if sum(serving.values()) < REFILL_BELOW:
                waker.set()

        lanes = [asyncio.create_task(self._lane(token, queue, done, until_empty=False)) for _ in range(self._lanes)]
        renewal = asyncio.create_task(self._keep_leases(token))
        try:
            while True:
                waker.clear()
                outstanding = sum(serving.values())
                room = CLAIM_BATCH - outstanding
                claimed: list[Claimed] = []
                if outstanding < REFILL_BELOW:
                    try:
                        claimed = await self.ledger.claim_due(token, skip=frozenset(serving), limit=room)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # the database itself failed; the items stay in the outbox
                        log.exception("outbox: claiming failed")
                for sends in self._by_citizen(claimed):
                    serving[sends.key] = len(sends.items)
                    queue.put_nowait(sends)
                if claimed and len(claimed) >= room:
                    await waker.wait()  # more may be due: claim again as soon as the lanes run short
                    continue
                # `asyncio.timeout`, not `wait_for`: on Python 3.11 `wait_for` can swallow the task's cancellation when
                # the waker fires at the same moment, and a stopped dispatcher would then run on (and hang its stopper).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_interval):
                        await waker.wait()
        finally:
            for task in [*lanes, renewal]:
                task.cancel()
            await asyncio.gather(*lanes, renewal, return_exceptions=True)

    async def dispatch_due(self) -> int:
        """Send every item that is due now; returns how many were attempted.

        Only claiming can fail the round (then nothing was claimed); each item's own failures end with that item.
        """
        token = uuid.uuid4().hex
        claimed = await self.ledger.claim_due(token)
        if not claimed:
            return 0
        queue: asyncio.Queue[_CitizenSends] = asyncio.Queue()
        for sends in self._by_citizen(claimed):
            queue.put_nowait(sends)
        renewal = asyncio.create_task(self._keep_leases(token))
        try:
            lanes = min(self._lanes, queue.qsize())
            await asyncio.gather(*(self._lane(token, queue, lambda _: None, until_empty=True) for _ in range(lanes)))
        finally:
            renewal.cancel()
            await asyncio.gather(renewal, return_exceptions=True)
        return len(claimed)

    def _by_citizen(self, claimed: list[Claimed]) -> list[_CitizenSends]:
        groups: dict[tuple[int, str], list[Claimed]] = {}
        for item in claimed:
            groups.setdefault((item.channel_id, item.address), []).append(item)
        # Each channel looked up once per claim, not once per item (a lookup reads and decrypts its credentials).
        channels = {channel_id: self._channel_for(channel_id) for channel_id in {item.channel_id for item in claimed}}
        return [_CitizenSends(items, channels) for items in groups.values()]

    async def _lane(
        self,
        token: str,
        queue: asyncio.Queue[_CitizenSends],
        done: Callable[[_CitizenSends], None],
        *,
        until_empty: bool,
    ) -> None:
        """Serve citizens from `queue` one after another (until it is empty, or for ever)."""
        while True:
            if until_empty and queue.empty():
                return
            sends = queue.get_nowait() if until_empty else await queue.get()
            try:
                await self._send_group(token, sends.items, sends.channels)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # _send_group catches per item; this is a last safety net
                log.error("outbox: a citizen's sends stopped early (%s)", type(exc).__name__)
            finally:
                done(sends)

    async def _keep_leases(self, token: str) -> None:
        """Renew this worker's leases while it works, so a slow send never lets another worker take it."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                await self.ledger.renew(token)
            except Exception as exc:  # a missed renewal is retried; the lease still has two thirds left
                log.warning("outbox: could not renew leases (%s)", type(exc).__name__)

    async def _send_group(self, token: str, items: list[Claimed], channels: dict[int, Channel | None]) -> None:
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

    # --- the lanes' bookkeeping, in lots (a lot may mix tokens only when a test drives `_send_one` itself) -------

    async def _prepare_lot(self, steps: list[_Prepare]) -> list[Prepared]:
        answers: dict[tuple[str, int], Prepared] = {}
        for token in dict.fromkeys(token for token, _ in steps):
            items = [item for t, item in steps if t == token]
            for item, prepared in zip(items, await self.ledger.prepare_many(token, items), strict=True):
                answers[(token, item.item_id)] = prepared
        return [answers[(token, item.item_id)] for token, item in steps]

    async def _prepare_one(self, step: _Prepare) -> Prepared:
        return await self.ledger.prepare(*step)

    async def _record_lot(self, steps: list[_Record]) -> list[None]:
        conversations = {item.message_id: known for _, item, _, known in steps if known is not None}
        for token in dict.fromkeys(token for token, _, _, _ in steps):
            sends = [(item, pid) for t, item, pid, _ in steps if t == token]
            await self.ledger.finish_sent_many(token, sends, conversations)
        return [None] * len(steps)

    async def _record_one(self, step: _Record) -> None:
        token, item, platform_id, conversation = step
        await self.ledger.finish_sent(token, item, [platform_id] if platform_id else [], conversation)

    async def _send_one(self, token: str, item: Claimed, channels: dict[int, Channel | None] | None = None) -> bool:
        """Send one item (on its channel from `channels`, else looked up); False when the items behind it must wait."""
        channel = channels[item.channel_id] if channels is not None else self._channel_for(item.channel_id)
        if channel is None:
            await self.ledger.retry_later(token, item, "the channel is disabled or missing", True)
            return False
        try:
            prepared = await self._preparing.ask((token, item))
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
        ids = receipt.platform_message_ids
        await self._recording.ask((token, item, ids[0] if ids else None, prepared.conversation))
        return True
