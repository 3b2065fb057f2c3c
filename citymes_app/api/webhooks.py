"""Webhook routes: authenticate, parse, store, then acknowledge."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from citymes_app.core import delivery
from citymes_app.core.vault import VaultError
from citymes_app.models import Channel as ChannelRow
from citymes_app.runtime import Runtime, get_runtime
from integrations.base import MalformedPayload, TransientChannelError, WebhookRefused

log = logging.getLogger(__name__)

# Meta's notifications are at most 3 MB; Telegram's updates far smaller.
MAX_BODY_BYTES = 3 * 1024 * 1024
DRAIN_LIMIT_BYTES = 32 * 1024 * 1024  # read and dropped past the limit, so the client gets its 413
# Row ids are INTEGER columns, 32-bit on PostgreSQL: a larger id in a URL names no channel (and would make the
# query fail with "integer out of range", a 500, instead of a 404).
MAX_ROW_ID = 2**31 - 1


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": description}, status_code=status)


async def _bounded_body(request: Request) -> tuple[bytes | None, bool]:
    """The request body (None once it is known to exceed `MAX_BODY_BYTES`), and whether the connection can be kept.

    Read in chunks and cut off at the limit: reading a 1 GB body whole before checking its size would hold it all
    in memory for nothing. What is over the limit is read and dropped, up to `DRAIN_LIMIT_BYTES`, so that the client,
    still uploading, receives the 413 and the connection stays usable (as a web server's lingering close does); past
    that the connection is closed.
    """
    declared = request.headers.get("content-length", "")
    if len(declared) > 12 or (declared.isdigit() and int(declared) > DRAIN_LIMIT_BYTES):
        return None, False
    body = bytearray()
    read = 0
    async for chunk in request.stream():
        read += len(chunk)
        if read > DRAIN_LIMIT_BYTES:
            return None, False
        if read <= MAX_BODY_BYTES:
            body += chunk
    return (bytes(body), True) if read <= MAX_BODY_BYTES else (None, True)


async def _enabled_channel(runtime: Runtime, platform: str, channel_id: int) -> ChannelRow | JSONResponse:
    """The enabled channel a webhook URL names, or the answer to give instead (404, or 503 while keys are wrong)."""
    if not 0 < channel_id <= MAX_ROW_ID:
        return _error(404, f"no enabled {platform} channel {channel_id}")
    try:
        at_hand, row = runtime.channels.cached_row(channel_id)
        if not at_hand:
            row = await asyncio.to_thread(runtime.channels.row, channel_id)
    except VaultError as exc:
        # The installation's keys need fixing: a non-2xx makes the platform deliver the update again later.
        log.error("channel %s: %s", channel_id, exc)
        return _error(503, "temporarily unavailable, retry later")
    if row is None or row.platform != platform or not row.enabled:
        return _error(404, f"no enabled {platform} channel {channel_id}")
    return row


async def receive_webhook(request: Request, platform: str, channel_id: int, runtime: Runtime) -> JSONResponse:
    """Handle one webhook call for `platform`; the 200 goes out only once every message in it is committed."""
    row = await _enabled_channel(runtime, platform, channel_id)
    if isinstance(row, JSONResponse):
        return row
    raw, keep_connection = await _bounded_body(request)
    if raw is None:
        too_large = _error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        if not keep_connection:  # the rest of the body is still on the connection: it cannot carry another request
            too_large.headers["Connection"] = "close"
        return too_large
    channel = runtime.channels.build(row)
    try:
        channel.verify_webhook(request.headers, raw)
    except WebhookRefused:
        log.warning("%s channel %s: webhook call refused (bad secret or signature)", platform, channel_id)
        return _error(403, "forbidden")
    try:
        messages = channel.parse_webhook(raw)
        statuses = channel.parse_statuses(raw)
    except MalformedPayload as exc:
        log.warning("%s channel %s: malformed webhook body (%s)", platform, channel_id, exc)
        return _error(400, str(exc))
    except WebhookRefused as exc:
        # Authentic but not for this channel (another number of the same app): nothing of it is stored.
        log.warning("%s channel %s: webhook call refused (%s)", platform, channel_id, exc)
        return _error(403, "forbidden")
    try:
        for inbound in messages:
            await runtime.ingestor.ingest(channel_id=channel_id, channel=channel, inbound=inbound)
    except TransientChannelError as exc:
        # Not stored: a non-2xx makes the platform deliver it again later.
        log.warning("%s channel %s: could not take a message in yet (%s)", platform, channel_id, exc)
        return _error(503, "temporarily unavailable, retry later")
    if statuses:
        await delivery.record_statuses(engine=runtime.engine, bus=runtime.bus, channel_id=channel_id, updates=statuses)
    return JSONResponse({"ok": True})


async def confirm_subscription(request: Request, platform: str, channel_id: int, runtime: Runtime) -> Response:
    """A platform's subscription check on a webhook URL: echo its challenge as plain text, or 403."""
    row = await _enabled_channel(runtime, platform, channel_id)
    if isinstance(row, JSONResponse):
        return row
    try:
        challenge = runtime.channels.build(row).confirm_subscription(request.query_params)
    except WebhookRefused:
        log.warning("%s channel %s: subscription check refused (wrong verify token)", platform, channel_id)
        return _error(403, "forbidden")
    return PlainTextResponse(challenge)


def _channel_id(request: Request) -> int | None:
    """The channel id of the URL; None when it is not a number (a 400, as any malformed path)."""
    raw = request.path_params["channel_id"]
    if not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw) if len(raw) <= 18 else MAX_ROW_ID + 1  # any longer number names no channel


def _route(platform: str, handle):  # noqa: ANN001, ANN202
    async def endpoint(request: Request) -> Response:
        channel_id = _channel_id(request)
        if channel_id is None:
            return _error(400, "invalid request: path.channel_id")
        return await handle(request, platform, channel_id, get_runtime())

    endpoint.__name__ = f"{platform}_{handle.__name__}"
    return endpoint


# Plain Starlette routes, not FastAPI's: nothing here needs its parameter solving, which cost a tenth of the web
# process's time per message at full rate (measured with py-spy; see bench/ingest.py).
routes = [
    # Telegram updates (secret token in `X-Telegram-Bot-Api-Secret-Token`).
    Route("/webhooks/telegram/{channel_id}", _route("telegram", receive_webhook), methods=["POST"]),
    # Meta's handshake: `hub.mode=subscribe`, `hub.verify_token`, `hub.challenge` → the challenge, else 403.
    Route("/webhooks/whatsapp/{channel_id}", _route("whatsapp", confirm_subscription), methods=["GET"]),
    # WhatsApp Cloud API notifications (messages and statuses), signed in `X-Hub-Signature-256`.
    Route("/webhooks/whatsapp/{channel_id}", _route("whatsapp", receive_webhook), methods=["POST"]),
]


def webhooks_first(app: ASGIApp) -> ASGIApp:
    """`app` with the webhook calls taken before it reaches them: straight to their routes, past the API's own
    middleware (exception telemetry, exit stacks, a second router), which the platforms' calls do not use. Errors still
    reach the outer app's error middleware (a 500). A Reflex `api_transformer`."""
    first = Router(routes=routes)

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/webhooks/"):
            await first(scope, receive, send)
        else:
            await app(scope, receive, send)

    return asgi
