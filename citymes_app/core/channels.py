"""The directory of live channel objects, built from the stored channel rows.

The wiring tells it which class serves which platform; `core` itself never names a platform.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.models import Channel as ChannelRow
from integrations.base import Channel

log = logging.getLogger(__name__)


class UnknownPlatform(LookupError):
    """No channel class is registered for a stored channel's platform."""


class ChannelDirectory:
    """Channel objects by channel id, cached and rebuilt when the stored credentials change."""

    def __init__(self, *, engine: Engine, platforms: Mapping[str, type[Channel]]) -> None:
        self._engine = engine
        self._platforms = dict(platforms)
        self._cache: dict[int, tuple[tuple, Channel]] = {}

    @property
    def platforms(self) -> list[str]:
        """The platforms this installation can serve."""
        return sorted(self._platforms)

    def build(self, row: ChannelRow) -> Channel:
        """The channel object for a stored row (cached while its credentials stay the same)."""
        cls = self._platforms.get(row.platform)
        if cls is None:
            raise UnknownPlatform(f"channel {row.id}: no support for platform '{row.platform}'")
        fingerprint = (row.platform, repr(sorted(row.credentials.items())))
        cached = self._cache.get(row.id)
        if cached and cached[0] == fingerprint:
            return cached[1]
        channel = cls.from_credentials(row.id, row.credentials)
        self._cache[row.id] = (fingerprint, channel)
        return channel

    def get(self, channel_id: int) -> Channel | None:
        """The enabled channel with this id, or None."""
        with Session(self._engine) as session:
            row = session.get(ChannelRow, channel_id)
        if row is None or not row.enabled:
            return None
        try:
            return self.build(row)
        except UnknownPlatform:
            log.warning("channel %s has an unsupported platform", channel_id)
            return None

    async def close(self) -> None:
        """Close every channel's connections."""
        channels = [channel for _, channel in self._cache.values()]
        self._cache.clear()
        await asyncio.gather(*(c.close() for c in channels), return_exceptions=True)
