"""What the platform stand-ins share: rate-limit buckets, control-API input and answers, webhook back-off.

Each stand-in (``telegram.py``, ``whatsapp.py``) speaks its own platform's protocol; the pieces here are the ones
that do not depend on the platform, so both answer malformed control input, files and retries the same way.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse, Response

#: How long one webhook call may take before it counts as failed.
WEBHOOK_TIMEOUT_SECONDS = 15.0


@dataclass
class TokenBucket:
    """Token bucket: ``capacity`` calls back to back, refilled at ``rate`` per second."""

    rate: float
    capacity: float
    tokens: float
    stamp: float

    @classmethod
    def full(cls, rate: float, capacity: float, now: float) -> TokenBucket:
        """A bucket that starts full (a fresh chat may burst)."""
        return cls(rate=rate, capacity=capacity, tokens=capacity, stamp=now)

    def wait_seconds(self, now: float) -> float:
        """Seconds until one call is allowed (0 if allowed now), refilling first."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def allows(self, now: float) -> bool:
        """Whether one call is allowed now (refilling first)."""
        return self.wait_seconds(now) == 0.0

    def take(self) -> None:
        """Spend one token; call only after ``wait_seconds`` answered 0 (or ``allows`` said yes)."""
        self.tokens -= 1.0


def retry_delay(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait before webhook attempt ``attempt`` (2, 3, ...): doubling from ``base``, at most ``cap``."""
    return min(base * 2 ** (attempt - 2), cap)


class StandIn:
    """The background side of a stand-in: one lock, one webhook HTTP client, and tasks that ``reset`` cancels."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    async def reset(self) -> None:
        """Forget all state (each stand-in adds its own)."""
        await self._cancel_background()

    async def aclose(self) -> None:
        """Stop background work and close the webhook HTTP client."""
        await self.reset()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _cancel_background(self) -> None:
        """Cancel pending webhook retries and statuses, and wait until they have stopped."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS)
        return self._client

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)  # keep a reference: the loop only holds weak ones
        task.add_done_callback(self._tasks.discard)


# --- Control-API input ------------------------------------------------------------------------------------------


class ControlError(Exception):
    """Malformed control-API input: answered as 400 with ``description``."""


def require(payload: dict[str, Any], key: str, kind: type | tuple[type, ...], label: str = "") -> Any:
    """``payload[key]`` of type ``kind`` (a bool is no number); ``label`` prefixes the key in the error."""
    value = payload.get(key)
    if value is None:
        raise ControlError(f"{label}{key} is required")
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise ControlError(f"{label}{key} has the wrong type")
    return value


def optional(payload: dict[str, Any], key: str, kind: type | tuple[type, ...], label: str = "") -> Any:
    """Like ``require``, but a missing or null value is ``None``."""
    if payload.get(key) is None:
        return None
    return require(payload, key, kind, label)


def content_kind(payload: dict[str, Any], kinds: tuple[str, ...]) -> str:
    """Which one of ``kinds`` a citizen's message carries; none or several is a ``ControlError``."""
    found = [k for k in kinds if payload.get(k) is not None]
    if len(found) != 1:
        got = f" (got {', '.join(found)})" if found else ""
        raise ControlError("exactly one content kind is required, one of " + ", ".join(kinds) + got)
    return found[0]


def citizen_text(payload: dict[str, Any], max_length: int) -> str:
    """The ``text`` a citizen writes: not blank and at most ``max_length`` characters."""
    text = require(payload, "text", str)
    if not text.strip():
        raise ControlError("text must not be empty")
    if len(text) > max_length:
        raise ControlError(f"text is longer than {max_length} characters")
    return text


def citizen_file(spec: dict[str, Any], kind: str) -> tuple[bytes, str | None]:
    """The bytes (``content_base64``, not empty) and optional ``filename`` of a file a citizen sends."""
    encoded = require(spec, "content_base64", str, f"{kind}.")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ControlError(f"{kind}.content_base64 is not valid base64") from None
    if not data:
        raise ControlError(f"{kind}.content_base64 is empty")
    return data, optional(spec, "filename", str, f"{kind}.")


# --- Control-API answers ----------------------------------------------------------------------------------------


def control_error(description: str, status: int = 400) -> JSONResponse:
    """A control-API refusal: ``{"ok": false, "error_code", "description"}`` with that HTTP status."""
    return JSONResponse({"ok": False, "error_code": status, "description": description}, status_code=status)


async def json_body(request: Request) -> Any:
    """The request's JSON body; an empty or malformed one is a ``ControlError``."""
    body = await request.body()
    if not body.strip():
        raise ControlError("a JSON body is required")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ControlError(f"body is not valid JSON: {exc}") from None


def file_response(data: bytes, mime_type: str, filename: str | None) -> Response:
    """A stored file's bytes, named for the browser when the file has a name."""
    headers = {}
    if filename:
        # RFC 5987 form: header values must be latin-1, file names are often not.
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(data, media_type=mime_type, headers=headers)


async def answer(handler: Callable[..., Awaitable[Any]], *args: Any) -> Response:
    """Run a control call; malformed input becomes a 400 with its description."""
    try:
        return JSONResponse(await handler(*args))
    except ControlError as exc:
        return control_error(str(exc))


async def answer_with_body(request: Request, handler: Callable[..., Awaitable[Any]], *args: Any) -> Response:
    """A control call taking the JSON body as its last argument."""
    try:
        body = await json_body(request)
    except ControlError as exc:
        return control_error(str(exc))
    return await answer(handler, *args, body)


def route_with_body(handler: Callable[..., Awaitable[Any]]) -> Callable[[Request], Awaitable[Response]]:
    """A control route calling ``handler(*path parameters in path order, JSON body)``."""

    async def route(request: Request) -> Response:
        return await answer_with_body(request, handler, *request.path_params.values())

    return route
