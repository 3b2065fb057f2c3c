"""How the WhatsApp stand-in calls a number's webhook: signed notifications, retries, message statuses."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from typing import Any

import httpx

from integrations.simulator.common import retry_delay
from integrations.simulator.whatsapp import protocol
from integrations.simulator.whatsapp.protocol import (
    MAX_LOG,
    GraphError,
)
from integrations.simulator.whatsapp.state import Entry, NumberState, notification, signature
from integrations.simulator.whatsapp.world import WhatsAppWorld

logger = logging.getLogger("citymes.simulator.whatsapp")


class WebhookDelivery(WhatsAppWorld):
    """Signed webhook calls with back-off, and the statuses that follow each accepted send."""

    async def _post_webhook(self, number: NumberState, payload: dict[str, Any]) -> tuple[int | None, str | None]:
        """POST one signed notification; (HTTP status or None, error or None)."""
        url = number.callback_url
        if url is None:
            return None, "no callback URL registered"
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(number.app_secret, body)}
        status: int | None
        error: str | None
        try:
            response = await self._http().post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            status, error = None, f"Connection failed: {type(exc).__name__}"
        else:
            status = response.status_code
            error = None if 200 <= status < 300 else f"Wrong response from the webhook: {status}"
        async with self._lock:
            number.deliveries.append(
                {
                    "time": time.time(),
                    "body": body.decode(),
                    "signature": headers["X-Hub-Signature-256"],
                    "status": status,
                    "error": error,
                }
            )
            del number.deliveries[:-MAX_LOG]
        return status, error

    async def _deliver_with_retries(self, number: NumberState, payload: dict[str, Any], first_delay: float) -> bool:
        """Deliver until a 2xx or the attempts run out (Meta keeps trying for days; a simulator gives up sooner)."""
        for attempt in range(1, protocol.WEBHOOK_MAX_ATTEMPTS + 1):
            if attempt > 1 or first_delay:
                delay = (
                    first_delay
                    if attempt == 1
                    else retry_delay(attempt, protocol.WEBHOOK_RETRY_BASE_DELAY, protocol.WEBHOOK_RETRY_MAX_DELAY)
                )
                await asyncio.sleep(delay)
            if number.callback_url is None or self._numbers.get(number.phone_number_id) is not number:
                return False  # unsubscribed or reset meanwhile
            status, error = await self._post_webhook(number, payload)
            if status is not None and 200 <= status < 300:
                return True
            logger.info("number %s: webhook attempt %d failed: %s", number.phone_number_id, attempt, error)
        logger.warning("number %s: giving up on a notification after %d attempts", number.phone_number_id, attempt)
        return False

    async def deliver(self, number: NumberState, payload: dict[str, Any]) -> dict[str, Any]:
        """Deliver a notification: the first attempt is awaited, retries continue in the background."""
        if number.callback_url is None:
            return {"delivery": "none", "webhook_status": None, "webhook_error": "no callback URL registered"}
        status, error = await self._post_webhook(number, payload)
        if status is None or not 200 <= status < 300:
            self._spawn(self._deliver_with_retries(number, payload, protocol.WEBHOOK_RETRY_BASE_DELAY))
        return {"delivery": "webhook", "webhook_status": status, "webhook_error": error}

    async def _auto_statuses(self, number: NumberState, entry: Entry, wa_id: str) -> None:
        states = ["sent", "delivered"] + (["read"] if number.statuses.read else [])
        for state in states:
            await asyncio.sleep(number.statuses.delay_seconds)
            await self._post_status(number, entry, wa_id, state)

    async def _post_status(
        self, number: NumberState, entry: Entry, wa_id: str, state: str, error: GraphError | None = None
    ) -> bool:
        async with self._lock:
            entry.status = state
            status: dict[str, Any] = {
                "id": entry.wamid,
                "status": state,
                "timestamp": str(int(time.time())),
                "recipient_id": wa_id,
            }
            if state == "failed":
                error = error or GraphError(131000)
                detail = {
                    "code": error.code,
                    "title": error.title,
                    "message": error.title,
                    "error_data": {"details": error.details},
                }
                status["errors"] = [detail]
                entry.error = detail
            else:
                status["conversation"] = {"id": hashlib.md5(wa_id.encode()).hexdigest(), "origin": {"type": "service"}}
                status["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
            payload = notification(number, {"statuses": [status]})
        return await self._deliver_with_retries(number, payload, 0.0)
