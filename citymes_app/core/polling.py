"""Polling channels: one long-poll loop per channel, run by whichever worker holds the channel's lease.

An update is confirmed to the platform (by asking for the next offset) only after its message is committed, so
a crash between fetching and storing makes the platform hand the update out again.

With several workers (or several machines) every worker runs a supervisor, and the lease — two columns of the
channel's row, taken with one conditional UPDATE, so it works the same on SQLite and PostgreSQL — makes one of them
the channel's poller. The holder renews it before each long poll and with each stored update; a worker that dies
stops renewing, and another takes the channel over once the lease has run out. A poller that finds its lease gone
(it stalled longer than the lease) stops before asking the platform again, so two workers never poll one bot at
once as long as one stored update takes less than the lease. Were two ever to overlap, storing is idempotent
(channel, platform message id), so an update would still be stored once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from citymes_app.core.channels import ChannelDirectory
from citymes_app.core.db import rows_updated
from citymes_app.core.ingest import Ingestor
from citymes_app.models import Channel as ChannelRow
from citymes_app.models import ChannelMode, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=90)
LONG_POLL_SECONDS = 20.0
RESCAN_SECONDS = 5.0


class LeaseLost(Exception):
    """Another worker took the channel's lease over: this one must stop polling it."""


class PollingSupervisor:
    """Starts a poller for each enabled polling channel and stops it when the channel is disabled or changed."""

    def __init__(
        self,
        *,
        ingestor: Ingestor,
        channels: ChannelDirectory,
        long_poll_seconds: float = LONG_POLL_SECONDS,
        lease: timedelta = LEASE,
        rescan_seconds: float = RESCAN_SECONDS,
    ) -> None:
        if lease.total_seconds() <= 2 * long_poll_seconds:
            # A long poll must end well within the lease, or a stalled holder and its successor would poll together.
            raise ValueError(f"the polling lease ({lease}) must be longer than twice the long poll ({long_poll_seconds}s)")
        self._ingestor = ingestor
        self._channels = channels
        self._long_poll = long_poll_seconds
        self._lease = lease
        self._rescan = rescan_seconds
        self.owner = uuid.uuid4().hex
        # A cancelled poller's database work goes on in its thread: the lock lets the release wait for it, and once
        # released no late renewal takes the lease back (which would keep a successor out for a whole lease).
        self._lease_lock = threading.Lock()
        self._released = False
        self._tasks: dict[int, asyncio.Task[None]] = {}

    async def run(self) -> None:
        """Keep the set of pollers in step with the stored channels until cancelled (once: then it hands its leases on)."""
        try:
            while True:
                try:
                    wanted = set(await asyncio.to_thread(self._polling_channel_ids))
                except Exception:
                    log.exception("could not list polling channels")
                    wanted = set(self._tasks)
                for channel_id in list(self._tasks):
                    task = self._tasks[channel_id]
                    if channel_id not in wanted or task.done():
                        task.cancel()
                        del self._tasks[channel_id]
                for channel_id in wanted - set(self._tasks):
                    self._tasks[channel_id] = asyncio.create_task(self.poll_channel(channel_id))
                await asyncio.sleep(self._rescan)
        finally:
            for task in self._tasks.values():
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            await asyncio.to_thread(self._release_all)

    def _polling_channel_ids(self) -> list[int]:
        with Session(self._ingestor.engine) as session:
            ids = session.exec(
                select(col(ChannelRow.id)).where(
                    ChannelRow.enabled == True,  # noqa: E712
                    ChannelRow.mode == ChannelMode.POLLING,
                    col(ChannelRow.platform).in_(self._channels.platforms),
                )
            )
            return [channel_id for channel_id in ids if channel_id is not None]  # a stored row always has one

    def _take_lease(self, channel_id: int) -> int | None:
        """Take or renew the channel's lease; returns the stored offset, or None if another worker holds it."""
        now = utcnow()
        with self._lease_lock, Session(self._ingestor.engine) as session:
            if self._released:
                return None
            won = rows_updated(
                session,
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id)
                .where(
                    or_(
                        col(ChannelRow.poll_lease_owner).is_(None),
                        col(ChannelRow.poll_lease_owner) == self.owner,
                        col(ChannelRow.poll_lease_until) <= now,
                    )
                )
                .values(poll_lease_owner=self.owner, poll_lease_until=now + self._lease),
            )
            session.commit()
            if not won:
                return None
            # Only the offset: loading the whole row would decrypt the credentials for nothing.
            return session.exec(select(ChannelRow.poll_offset).where(ChannelRow.id == channel_id)).one()

    def _save_offset(self, channel_id: int, offset: int) -> None:
        """Store the next offset and renew the lease; `LeaseLost` if this worker no longer holds it."""
        now = utcnow()
        with self._lease_lock, Session(self._ingestor.engine) as session:
            if self._released:
                raise LeaseLost(channel_id)
            held = rows_updated(
                session,
                update(ChannelRow)
                .where(
                    col(ChannelRow.id) == channel_id,
                    col(ChannelRow.poll_lease_owner) == self.owner,
                    col(ChannelRow.poll_lease_until) > now,
                )
                .values(poll_offset=offset, poll_lease_until=now + self._lease),
            )
            session.commit()
        if not held:
            raise LeaseLost(channel_id)

    def _release_all(self) -> None:
        with self._lease_lock, Session(self._ingestor.engine) as session:
            self._released = True
            session.execute(
                update(ChannelRow)
                .where(col(ChannelRow.poll_lease_owner) == self.owner)
                .values(poll_lease_owner=None, poll_lease_until=None)
            )
            session.commit()

    async def poll_channel(self, channel_id: int) -> None:
        """Long-poll one channel until cancelled; back off on errors."""
        failures = 0
        while True:
            offset = await asyncio.to_thread(self._take_lease, channel_id)
            if offset is None:
                await asyncio.sleep(self._lease.total_seconds() / 3)
                continue
            channel = self._channels.get(channel_id)
            if channel is None:
                return
            try:
                updates = await channel.poll(offset, self._long_poll)
                for polled in updates:
                    if polled.message is not None:
                        await self._ingestor.ingest(channel_id=channel_id, channel=channel, inbound=polled.message)
                    # Each stored update moves the offset on, so a crash later in the batch repeats no more than needed.
                    await asyncio.to_thread(self._save_offset, channel_id, polled.update_id + 1)
                failures = 0
            except asyncio.CancelledError:
                raise
            except LeaseLost:
                log.warning("channel %s: another worker took the polling lease over; this one stops polling it", channel_id)
            except Exception as exc:
                failures += 1
                delay = min(2.0**failures, 60.0)
                log.warning("channel %s: polling failed (%s), retrying in %.0fs", channel_id, type(exc).__name__, delay)
                await asyncio.sleep(delay)
