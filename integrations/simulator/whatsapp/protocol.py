"""The WhatsApp stand-in's knobs (patchable by benchmarks and tests), constants and Graph API errors."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi.responses import JSONResponse

GRAPH_VERSION = "v25.0"

# --- Limits and knobs (module-level so benchmarks and tests can read or patch them) -------------

#: Messages per second one business number may send (Meta's default; up to 1,000 after upgrades).
DEFAULT_MESSAGES_PER_SECOND: float = 80.0
#: To one user: one message every 6 s on average...
DEFAULT_PAIR_INTERVAL_SECONDS: float = 6.0
#: ...after a tolerated burst of this many.
DEFAULT_PAIR_BURST: int = 45
#: The customer-service window: free-form messages only this long after the user's last message.
WINDOW_SECONDS: float = 24 * 3600
#: Pause before each automatic status (sent, delivered, read).
DEFAULT_STATUS_DELAY_SECONDS: float = 0.05

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_MEDIA_BYTES = 100 * 1024 * 1024
MAX_LOG = 500

WEBHOOK_MAX_ATTEMPTS = 6
WEBHOOK_RETRY_BASE_DELAY = 0.5
WEBHOOK_RETRY_MAX_DELAY = 8.0

PHONE_NUMBER_ID_RE = re.compile(r"^\d{1,32}$")
WA_ID_RE = re.compile(r"^\d{6,15}$")
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
CITIZEN_KINDS = (
    "text",
    "image",
    "video",
    "audio",
    "voice",
    "document",
    "sticker",
    "location",
    "button_reply",
    "list_reply",
    "button",
    "contacts",
    "reaction",
)
DEFAULT_MIME = {
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "voice": "audio/ogg; codecs=opus",
    "document": "application/pdf",
    "sticker": "image/webp",
}

#: Graph errors by code: (HTTP status, message, details) as Meta words them.
ERRORS: dict[int, tuple[int, str, str]] = {
    0: (401, "(#0) AuthException", "We were unable to authenticate the app user."),
    4: (400, "(#4) Application request limit reached", "The app has reached its API call rate limit."),
    100: (400, "(#100) Invalid parameter", "A parameter is missing or has the wrong value."),
    190: (401, "Invalid OAuth access token - Cannot parse access token", "The access token is not valid."),
    130429: (400, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."),
    131000: (500, "(#131000) Something went wrong", "Message failed to send due to an unknown error."),
    131026: (
        400,
        "(#131026) Message undeliverable",
        "Unable to deliver message: the recipient is not a WhatsApp user or has an outdated app.",
    ),
    131047: (
        400,
        "(#131047) Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    ),
    131051: (400, "(#131051) Unsupported message type", "Message type is not currently supported."),
    131053: (400, "(#131053) Media upload error", "The media could not be uploaded or sent."),
    131056: (
        400,
        "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number to the same "
        "phone number in a short period of time.",
    ),
    132000: (
        400,
        "(#132000) Number of parameters does not match the expected number of params",
        "The number of parameters does not match the template.",
    ),
    132001: (
        404,
        "(#132001) Template name does not exist in the translation",
        "The template does not exist in the specified language or has not been approved.",
    ),
    133004: (503, "(#133004) Server temporarily unavailable", "The server is temporarily unavailable."),
}


class GraphError(Exception):
    """An error answered as Meta's Graph API does, with a real HTTP status."""

    def __init__(self, code: int, details: str | None = None, *, status: int | None = None, message: str | None = None):
        known_status, known_message, known_details = ERRORS.get(code, (400, f"(#{code}) Error", "Simulated error."))
        super().__init__(message or known_message)
        self.code = code
        self.status = status or known_status
        self.message = message or known_message
        self.details = details or known_details

    @property
    def title(self) -> str:
        """The message without its ``(#code)`` prefix, as statuses' ``errors[].title`` carry it."""
        return re.sub(r"^\(#\d+\)\s*", "", self.message)

    def body(self) -> dict[str, Any]:
        """The Graph error object."""
        error_type = "OAuthException" if self.code in (0, 4, 100, 190, 130429, 131056) else "WhatsAppBusinessApiError"
        return {
            "error": {
                "message": self.message,
                "type": error_type,
                "code": self.code,
                "error_data": {"messaging_product": "whatsapp", "details": self.details},
                "fbtrace_id": "A" + secrets.token_urlsafe(15),
            }
        }

    def response(self) -> JSONResponse:
        """Render with the real HTTP status."""
        return JSONResponse(self.body(), status_code=self.status)


def invalid(details: str) -> GraphError:
    """A Graph 400 with code 100 (Invalid parameter)."""
    return GraphError(100, details)
