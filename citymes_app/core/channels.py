"""The directory of live channel objects, built from the stored channel rows.

The wiring tells it which class serves which platform; `core` itself never names a platform.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Mapping

from cachetools import TTLCache
from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core.vault import VaultError
from citymes_app.models import Channel as ChannelRow
from citymes_app.models import row_id
from integrations.base import Channel, PlatformLink

log = logging.getLogger(__name__)


def webhook_url(base_url: str, *, platform: str, channel_id: int) -> str:
    """The address a platform posts a channel's updates to (served by `api/webhooks.py`)."""
    return f"{base_url.rstrip('/')}/webhooks/{platform}/{channel_id}"


ROW_SECONDS = 1.0


class UnknownPlatform(LookupError):
    """No channel class is registered for a stored channel's platform."""


def _current_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class ChannelDirectory:
    """Channel objects by channel id, cached and rebuilt when the stored credentials change.

    A channel's HTTP client belongs to the event loop it was first used in, so each loop gets its own objects
    (the web server and a background worker may run different loops).
    """

    def __init__(self, *, engine: Engine, platforms: Mapping[str, PlatformLink]) -> None:
        self._engine = engine
        self._platforms = dict(platforms)
        self._caches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, tuple[tuple, Channel]]] = (
            weakref.WeakKeyDictionary()
        )
        self._loopless: dict[int, tuple[tuple, Channel]] = {}
        # Stored rows, kept for a moment: each webhook call needs its channel's row (enabled? its secret) and reading
        # and decrypting it every time cost more than the rest of the call. A change made here is seen at once
        # (`forget`); one made by another process (the CLI, another worker) within ROW_SECONDS.
        self._rows: TTLCache[int, ChannelRow | None] = TTLCache(maxsize=4096, ttl=ROW_SECONDS)
        self._rows_lock = threading.Lock()

    def _cache(self) -> dict[int, tuple[tuple, Channel]]:
        loop = _current_loop()
        if loop is None:
            return self._loopless
        return self._caches.setdefault(loop, {})

    @property
    def platforms(self) -> list[str]:
        """The platforms this installation can serve."""
        return sorted(self._platforms)

    def build(self, row: ChannelRow) -> Channel:
        """The channel object for a stored row (cached while its credentials stay the same)."""
        link = self._platforms.get(row.platform)
        if link is None:
            raise UnknownPlatform(f"channel {row.id}: no support for platform '{row.platform}'")
        fingerprint = (row.platform, repr(sorted(row.credentials.items())))
        channel_id = row_id(row)
        cache = self._cache()
        cached = cache.get(channel_id)
        if cached and cached[0] == fingerprint:
            return cached[1]
        channel = link.from_credentials(channel_id, row.credentials)
        cache[channel_id] = (fingerprint, channel)
        return channel

    def row(self, channel_id: int) -> ChannelRow | None:
        """The stored channel (None if there is none), at most ROW_SECONDS old; `VaultError` if it cannot be read."""
        with self._rows_lock:
            if channel_id in self._rows:
                return self._rows[channel_id]
        with Session(self._engine, expire_on_commit=False) as session:
            row = session.get(ChannelRow, channel_id)
        with self._rows_lock:
            self._rows[channel_id] = row
        return row

    def cached_row(self, channel_id: int) -> tuple[bool, ChannelRow | None]:
        """(True, the stored channel or None) if it is at hand without a database read, else (False, None)."""
        with self._rows_lock:
            if channel_id in self._rows:
                return True, self._rows[channel_id]
        return False, None

    def forget(self, channel_id: int) -> None:
        """A channel changed: read it again next time."""
        with self._rows_lock:
            self._rows.pop(channel_id, None)

    def get(self, channel_id: int) -> Channel | None:
        """The enabled channel with this id, or None (also when its credentials cannot be decrypted: logged)."""
        try:
            row = self.row(channel_id)
        except VaultError as exc:
            # A missing or wrong key is the installation's to fix; until then the outbox holds the channel's sends.
            log.error("channel %s: %s", channel_id, exc)
            return None
        if row is None or not row.enabled:
            return None
        try:
            return self.build(row)
        except UnknownPlatform:
            log.warning("channel %s has an unsupported platform", channel_id)
            return None

    async def close(self) -> None:
        """Close the connections of the channels built in the current event loop."""
        cache = self._cache()
        channels = [channel for _, channel in cache.values()]
        cache.clear()
        await asyncio.gather(*(c.close() for c in channels), return_exceptions=True)
