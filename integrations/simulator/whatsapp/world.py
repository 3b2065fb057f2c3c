"""The WhatsApp stand-in's memory: numbers by id, media, ids, and the failures and rate limits every send checks."""

from __future__ import annotations

import base64
import itertools
import secrets
import time

from integrations.simulator.common import ControlError, StandIn, TokenBucket
from integrations.simulator.whatsapp.protocol import GraphError
from integrations.simulator.whatsapp.state import FailureRule, NumberState, StoredMedia


class WhatsAppWorld(StandIn):
    """In-memory WhatsApp: numbers, users, chats and media, with injected failures and rate limits."""

    def __init__(self) -> None:
        super().__init__()
        self._numbers: dict[str, NumberState] = {}
        self._media: dict[str, StoredMedia] = {}
        self._counter = itertools.count(1)

    # lifecycle ------------------------------------------------------------------------------------------------

    async def reset(self) -> None:
        """Forget every number, chat, file, pending status and webhook retry."""
        await self._cancel_background()
        async with self._lock:
            self._numbers = {}
            self._media = {}
            self._counter = itertools.count(1)

    def _new_wamid(self, number: NumberState) -> str:
        raw = f"{number.phone_number_id}:{next(self._counter)}:{secrets.token_hex(6)}".encode()
        return "wamid." + base64.b64encode(raw).decode()

    def _new_media(self, number: NumberState, data: bytes, mime_type: str, filename: str | None) -> StoredMedia:
        media_id = str(10**15 + next(self._counter))
        stored = StoredMedia(media_id, number.phone_number_id, data, mime_type, filename)
        self._media[media_id] = stored
        return stored

    def media_file(self, media_id: str) -> StoredMedia | None:
        """A stored file by id (the control API's download route)."""
        return self._media.get(media_id)

    def _injected_failure(self, number: NumberState, wa_id: str) -> FailureRule | None:
        for rule in number.failures:
            if rule.wa_id in (None, wa_id):
                rule.count -= 1
                if rule.count <= 0:
                    number.failures.remove(rule)
                return rule
        return None

    def _check_rate(self, number: NumberState, wa_id: str) -> None:
        now = time.monotonic()
        limits = number.limits
        if number.throughput is None:
            number.throughput = TokenBucket.full(limits.messages_per_second, limits.messages_per_second, now)
        pair = number.pair_buckets.get(wa_id)
        if pair is None:
            pair = number.pair_buckets[wa_id] = TokenBucket.full(1 / limits.pair_interval_seconds, limits.pair_burst, now)
        if not number.throughput.allows(now):
            raise GraphError(130429)
        if not pair.allows(now):
            raise GraphError(131056)
        number.throughput.take()
        pair.take()

    def _control_number(self, phone_number_id: str) -> NumberState:
        number = self._numbers.get(phone_number_id)
        if number is None:
            raise ControlError(f"no number {phone_number_id}: register it with POST /sim/whatsapp/numbers")
        return number
