"""Polling channels: one long-poll loop per channel, run by whichever worker holds the channel's lease.

An update is confirmed to the platform (by asking for the next offset) only after its message is committed, so
a crash between fetching and storing makes the platform hand the update out again.
"""

from __future__ import annotations

import asyncio
import logging
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


class PollingSupervisor:
    """Starts a poller for each enabled polling channel and stops it when the channel is disabled or changed."""

    def __init__(self, *, ingestor: Ingestor, channels: ChannelDirectory, long_poll_seconds: float = LONG_POLL_SECONDS) -> None:
        self._ingestor = ingestor
        self._channels = channels
        self._long_poll = long_poll_seconds
        self._owner = uuid.uuid4().hex
        self._tasks: dict[int, asyncio.Task[None]] = {}

    async def run(self) -> None:
        """Keep the set of pollers in step with the stored channels, forever."""
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
                await asyncio.sleep(RESCAN_SECONDS)
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
        with Session(self._ingestor.engine) as session:
            won = rows_updated(
                session,
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id)
                .where(
                    or_(
                        col(ChannelRow.poll_lease_owner).is_(None),
                        col(ChannelRow.poll_lease_owner) == self._owner,
                        col(ChannelRow.poll_lease_until) <= now,
                    )
                )
                .values(poll_lease_owner=self._owner, poll_lease_until=now + LEASE),
            )
            session.commit()
            if not won:
                return None
            # Only the offset: loading the whole row would decrypt the credentials for nothing.
            return session.exec(select(ChannelRow.poll_offset).where(ChannelRow.id == channel_id)).one()

    def _save_offset(self, channel_id: int, offset: int) -> None:
        with Session(self._ingestor.engine) as session:
            session.execute(
                update(ChannelRow)
                .where(col(ChannelRow.id) == channel_id, col(ChannelRow.poll_lease_owner) == self._owner)
                .values(poll_offset=offset)
            )
            session.commit()

    def _release_all(self) -> None:
        with Session(self._ingestor.engine) as session:
            session.execute(
                update(ChannelRow)
                .where(col(ChannelRow.poll_lease_owner) == self._owner)
                .values(poll_lease_owner=None, poll_lease_until=None)
            )
            session.commit()

    async def poll_channel(self, channel_id: int) -> None:
        """Long-poll one channel until cancelled; back off on errors."""
        failures = 0
        while True:
            offset = await asyncio.to_thread(self._take_lease, channel_id)
            if offset is None:
                await asyncio.sleep(LEASE.total_seconds() / 3)
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
            except Exception as exc:
                failures += 1
                delay = min(2.0**failures, 60.0)
                log.warning("channel %s: polling failed (%s), retrying in %.0fs", channel_id, type(exc).__name__, delay)
                await asyncio.sleep(delay)
