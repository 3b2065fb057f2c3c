"""Webhook routes: authenticate, parse, store, then acknowledge."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from citymes_app.models import Channel as ChannelRow
from citymes_app.runtime import Runtime, get_runtime
from integrations.base import MalformedPayload, TransientChannelError, WebhookRefused

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 3 * 1024 * 1024

router = APIRouter(prefix="/webhooks")


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": description}, status_code=status)


def _channel_row(runtime: Runtime, channel_id: int) -> ChannelRow | None:
    with Session(runtime.engine) as session:
        return session.get(ChannelRow, channel_id)


async def receive_webhook(request: Request, platform: str, channel_id: int, runtime: Runtime) -> JSONResponse:
    """Handle one webhook call for `platform`; the 200 goes out only once every message in it is committed."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    row = await asyncio.to_thread(_channel_row, runtime, channel_id)
    if row is None or row.platform != platform or not row.enabled:
        return _error(404, f"no enabled {platform} channel {channel_id}")
    channel = runtime.channels.build(row)
    try:
        channel.verify_webhook(request.headers, raw)
    except WebhookRefused:
        log.warning("%s channel %s: webhook call refused (bad secret or signature)", platform, channel_id)
        return _error(403, "forbidden")
    try:
        messages = channel.parse_webhook(raw)
    except MalformedPayload as exc:
        log.warning("%s channel %s: malformed webhook body (%s)", platform, channel_id, exc)
        return _error(400, str(exc))
    try:
        for inbound in messages:
            await runtime.ingestor.ingest(channel_id=channel_id, channel=channel, inbound=inbound)
    except TransientChannelError as exc:
        # Not stored: a non-2xx makes the platform deliver it again later.
        log.warning("%s channel %s: could not take a message in yet (%s)", platform, channel_id, exc)
        return _error(503, "temporarily unavailable, retry later")
    return JSONResponse({"ok": True})


@router.post("/telegram/{channel_id}")
async def telegram_webhook(request: Request, channel_id: int) -> JSONResponse:
    """Telegram updates (secret token in `X-Telegram-Bot-Api-Secret-Token`)."""
    return await receive_webhook(request, "telegram", channel_id, get_runtime())
