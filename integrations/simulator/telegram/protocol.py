"""The Telegram stand-in's knobs (patchable by the CLI, benchmarks and tests), constants and Bot API error answers."""

from __future__ import annotations

import re
from typing import Any

from fastapi.responses import JSONResponse

# --- Limits and knobs (module-level so benchmarks and tests can read or patch them) -------------

#: Sustained messages per second to one chat (Telegram: "about 1 message/s per chat").
DEFAULT_PER_CHAT_PER_SECOND: float = 1.0
#: Short bursts to one chat are tolerated by Telegram; this many go through back to back.
DEFAULT_PER_CHAT_BURST: int = 3
#: Messages per second over all chats of one bot (Telegram: "about 30 messages/s").
DEFAULT_GLOBAL_PER_SECOND: int = 30

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
#: Telegram accepts long-poll timeouts up to 50 s in practice; cap so a typo cannot hang a test.
MAX_LONG_POLL_SECONDS = 50.0

#: Webhook delivery: the first attempt is awaited by the control call, the rest run in the
#: background with exponential back-off. Telegram keeps trying for up to 24 h; a simulator gives
#: up sooner so a test that forgets its receiver does not leave work behind for minutes.
WEBHOOK_MAX_ATTEMPTS = 8
WEBHOOK_RETRY_BASE_DELAY = 0.5
WEBHOOK_RETRY_MAX_DELAY = 8.0

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{5,}$")
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

#: Methods that deliver a message to a chat: these count against the rate limits.
MESSAGE_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendvoice",
        "sendaudio",
        "sendlocation",
    }
)

#: Media kinds (the Message field name): (file_path folder, default extension, default mime).
MEDIA_KINDS: dict[str, tuple[str, str, str]] = {
    "photo": ("photos", ".jpg", "image/jpeg"),
    "document": ("documents", "", "application/octet-stream"),
    "video": ("videos", ".mp4", "video/mp4"),
    "voice": ("voice", ".oga", "audio/ogg"),
    "audio": ("music", ".mp3", "audio/mpeg"),
}

CITIZEN_CONTENT_KINDS = (
    "text",
    "photo",
    "document",
    "video",
    "voice",
    "audio",
    "location",
    "venue",
    "contact",
)

BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
DEFAULT_FAILURE_DESCRIPTIONS = {
    400: "Bad Request: simulated failure",
    401: "Unauthorized",
    403: BLOCKED_DESCRIPTION,
    404: "Not Found",
    409: "Conflict: simulated failure",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """An error answered to the caller as ``{"ok": false, "error_code": N, "description": ...}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def response(self) -> JSONResponse:
        """Render the error the way Telegram does, with the real HTTP status."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else None
        return JSONResponse(body, status_code=self.status, headers=headers)


def bad_request(description: str) -> ApiError:
    """A Bot API 400, worded like Telegram (``Bad Request: ...``)."""
    return ApiError(400, f"Bad Request: {description}")


def too_many_requests(retry_after: int) -> ApiError:
    """A Bot API 429 carrying ``parameters.retry_after`` (PTB turns it into ``RetryAfter``)."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
