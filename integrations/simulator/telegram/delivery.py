"""How the Telegram stand-in hands updates to a bot: long polling (`getUpdates`) or webhook with retries."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

import httpx

from integrations.simulator.common import retry_delay
from integrations.simulator.telegram import protocol
from integrations.simulator.telegram.params import Params
from integrations.simulator.telegram.protocol import MAX_LONG_POLL_SECONDS, ApiError
from integrations.simulator.telegram.state import BotState, ClientGone, Webhook
from integrations.simulator.telegram.world import TelegramWorld

logger = logging.getLogger("citymes.simulator.telegram")


class UpdateDelivery(TelegramWorld):
    """Updates reach a bot by long polling (`getUpdates`) or by its webhook, retried with back-off."""

    async def _get_updates(self, token: str, params: Params, client_gone: ClientGone) -> list[dict[str, Any]]:
        async with self._lock:
            bot = self._bot(token)
            self._injected_failure(bot, "getupdates", None)
            offset = params.integer("offset")
            limit = params.integer("limit") or 100
            limit = min(max(limit, 1), 100)
            timeout = params.number("timeout") or 0.0
            timeout = min(max(timeout, 0.0), MAX_LONG_POLL_SECONDS)
            if bot.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            # A new getUpdates supersedes a waiting one, as on Telegram. Two pollers at once is a conflict; a poll
            # whose client has gone (a stopped worker's, still waiting out its timeout here) is only abandoned.
            bot.polls += 1
            for gone in bot.polls_waiting:
                if not await gone():
                    bot.poll_conflicts += 1
                    break
            bot.poll_generation += 1
            generation = bot.poll_generation
            bot.condition.notify_all()
            bot.polls_waiting.append(client_gone)
            try:
                return await self._wait_for_updates(bot, generation, offset, limit, time.monotonic() + timeout)
            finally:
                bot.polls_waiting.remove(client_gone)

    async def _wait_for_updates(
        self, bot: BotState, generation: int, offset: int | None, limit: int, deadline: float
    ) -> list[dict[str, Any]]:
        """Wait (holding the world's lock, released while waiting) for updates from `offset`, until `deadline`."""
        while True:
            if offset is not None and offset > 0:
                bot.queue = [u for u in bot.queue if u["update_id"] >= offset]
            elif offset is not None and offset < 0:
                bot.queue = bot.queue[offset:]
            if bot.queue or bot.closed or bot.webhook is not None:
                return [] if bot.closed else list(bot.queue[:limit])
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await bot.condition.wait()
            if bot.poll_generation != generation and not bot.closed:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )

    # updates and webhook delivery ------------------------------------------------------------

    async def deliver(self, token: str, update: dict[str, Any]) -> dict[str, Any]:
        """Deliver an update: POST it to the webhook (first attempt awaited) or queue it."""
        async with self._lock:
            bot = self._bot(token)
            webhook = bot.webhook
            if webhook is None:
                bot.queue.append(update)
                bot.condition.notify_all()
                return {"delivery": "getUpdates", "webhook_status": None, "webhook_error": None}
        status, error = await self._post_webhook(bot, webhook, update)
        if status is None or not 200 <= status < 300:
            async with self._lock:
                bot.retrying += 1
            self._spawn(self._retry_webhook(bot, update))
        return {"delivery": "webhook", "webhook_status": status, "webhook_error": error}

    def _flush_queue_to_webhook(self, bot: BotState) -> None:
        """After setWebhook, updates still waiting for getUpdates go to the webhook instead."""
        pending, bot.queue = bot.queue, []
        for update in pending:
            bot.retrying += 1
            self._spawn(self._retry_webhook(bot, update, first_delay=0.0))

    async def _post_webhook(self, bot: BotState, webhook: Webhook, update: dict[str, Any]) -> tuple[int | None, str | None]:
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        status: int | None
        error: str | None
        try:
            response = await self._http().post(webhook.url, content=json.dumps(update).encode(), headers=headers)
        except httpx.HTTPError as exc:
            error = f"Connection failed: {type(exc).__name__}"
            status = None
        else:
            status = response.status_code
            error = None
            if not 200 <= status < 300:
                error = f"Wrong response from the webhook: {status} {response.reason_phrase}"
        if error is not None:
            async with self._lock:
                bot.last_error_date = int(time.time())
                bot.last_error_message = error
        return status, error

    async def _retry_webhook(self, bot: BotState, update: dict[str, Any], first_delay: float | None = None) -> None:
        """Retry a webhook delivery with exponential back-off, then give up (logged)."""
        update_id = update.get("update_id")
        try:
            for attempt in range(2, protocol.WEBHOOK_MAX_ATTEMPTS + 1):
                delay = retry_delay(attempt, protocol.WEBHOOK_RETRY_BASE_DELAY, protocol.WEBHOOK_RETRY_MAX_DELAY)
                if first_delay is not None and attempt == 2:
                    delay = first_delay
                await asyncio.sleep(delay)
                async with self._lock:
                    if bot.closed:
                        return
                    webhook = bot.webhook
                    if webhook is None:
                        # The webhook went away: the update is now for getUpdates.
                        bot.queue.append(update)
                        bot.queue.sort(key=lambda u: u.get("update_id", 0))
                        bot.condition.notify_all()
                        return
                status, error = await self._post_webhook(bot, webhook, update)
                if status is not None and 200 <= status < 300:
                    logger.info("bot %s: update %s delivered on attempt %d", bot.bot_id, update_id, attempt)
                    return
                logger.info(
                    "bot %s: webhook attempt %d for update %s failed: %s",
                    bot.bot_id,
                    attempt,
                    update_id,
                    error,
                )
            logger.warning(
                "bot %s: giving up on update %s after %d attempts",
                bot.bot_id,
                update_id,
                protocol.WEBHOOK_MAX_ATTEMPTS,
            )
        finally:
            bot.retrying -= 1
