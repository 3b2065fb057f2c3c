"""WhatsApp Graph API errors: which codes mean wait, retry or give up, and their wording for the operator."""

from __future__ import annotations

import httpx

from integrations.base import PermanentChannelError, RateLimited, TransientChannelError

# How long to wait on a throughput error (130429) and on the per-user pair rate (131056: 1 message per 6 s).
THROUGHPUT_RETRY_SECONDS = 1.0
PAIR_RATE_RETRY_SECONDS = 6.0
# App-level call limits (codes 4, 80007) and spam throttling (131048) last longer.
APP_LIMIT_RETRY_SECONDS = 60.0

OUTSIDE_WINDOW_REASON = (
    "more than 24 hours have passed since the citizen's last message, so WhatsApp only delivers an approved "
    "template until they write again"
)
TOKEN_REFUSED_REASON = "the access token was refused by WhatsApp: set a valid one for this channel"

# Codes whose meaning the operator needs in plain words (the rest are shown with Meta's own title).
_PERMANENT_REASONS: dict[int, str] = {
    131047: OUTSIDE_WINDOW_REASON,
    131026: "WhatsApp could not deliver the message to this number (not on WhatsApp, or an outdated app)",
    131051: "WhatsApp does not support this kind of message",
    131052: "WhatsApp could not download the citizen's file",
    131053: "WhatsApp could not upload the file (type or size not accepted)",
    131050: "the citizen has stopped marketing messages from this number",
    131049: "WhatsApp chose not to deliver this message (too many business messages to this citizen)",
    131021: "the recipient is this business number itself",
    131009: "a parameter of the message was refused",
    131008: "a required parameter of the message is missing",
    131042: "the WhatsApp Business account has a payment problem",
    131031: "the WhatsApp Business account is locked",
    131045: "the phone number is not registered with WhatsApp (certificate missing)",
    132000: "the number of template parameters does not match the approved template",
    132001: "the template does not exist in this language, or is not approved yet",
    132005: "the template text with its parameters is too long",
    132007: "the template's content breaks WhatsApp's policy",
    132012: "the template parameters are not in the format the template was approved with",
    132015: "the template is paused because of low quality",
    132016: "the template is disabled because of low quality",
    133010: "the phone number is not registered on the WhatsApp Cloud API",
    368: "the number is temporarily blocked for policy violations",
    100: "WhatsApp refused a parameter of the message",
    10: "the access token lacks the permission to send from this number",
    200: "the access token lacks the permission to send from this number",
}
_TOKEN_CODES = frozenset({190, 102, 0})
_RATE_LIMIT_CODES: dict[int, float] = {
    130429: THROUGHPUT_RETRY_SECONDS,
    131056: PAIR_RATE_RETRY_SECONDS,
    4: APP_LIMIT_RETRY_SECONDS,
    80007: APP_LIMIT_RETRY_SECONDS,
    131048: APP_LIMIT_RETRY_SECONDS,
}
# Meta's "try again later" family.
_TRANSIENT_CODES = frozenset({1, 2, 131000, 131016, 133004, 130472})


def describe_error(code: int | None, title: str = "", details: str = "") -> str:
    """A Graph error as a sentence for the operator, ending with Meta's code (for support)."""
    reason = _PERMANENT_REASONS.get(code or -1)
    if reason is None:
        reason = TOKEN_REFUSED_REASON if code in _TOKEN_CODES else (details or title or "WhatsApp refused the message")
    return f"{reason} ({code})" if code is not None else reason


def graph_error(response: httpx.Response) -> tuple[int | None, str, str]:
    """(code, title, details) of a Graph error answer; code None when the body is not a Graph error."""
    try:
        body = response.json()
    except ValueError:
        return None, "", ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, "", ""
    code = error.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    title = error.get("error_user_title") or error.get("message") or ""
    return code, str(title)[:200], str(details or "")[:300]


def error_for(response: httpx.Response) -> Exception:
    """The channel error for a Graph error answer (branching on `error.code`, then on the HTTP status)."""
    code, title, details = graph_error(response)
    if code in _RATE_LIMIT_CODES:
        return RateLimited(_RATE_LIMIT_CODES[code], f"WhatsApp rate limit ({code})")
    if code in _TRANSIENT_CODES:
        return TransientChannelError(f"WhatsApp is temporarily unavailable ({code})")
    if code in _TOKEN_CODES or (code is None and response.status_code == 401):
        return PermanentChannelError(describe_error(190 if code is None else code))
    if code is None and (response.status_code >= 500 or response.status_code == 429):
        return TransientChannelError(f"WhatsApp answered HTTP {response.status_code}")
    if code is None:
        return PermanentChannelError(f"WhatsApp refused the message (HTTP {response.status_code})")
    if response.status_code >= 500 and code not in _PERMANENT_REASONS:
        return TransientChannelError(f"WhatsApp is temporarily unavailable ({code})")
    return PermanentChannelError(describe_error(code, title, details))
