"""Reading the WhatsApp stand-in's input: control-API numbers, Graph fields, bearer tokens, citizens' numbers."""

from __future__ import annotations

import math
from typing import Any, Literal, overload

from fastapi import Request

from integrations.simulator.common import ControlError, optional, require
from integrations.simulator.whatsapp.protocol import WA_ID_RE, invalid

# --- Input helpers ------------------------------------------------------------------------------------------


@overload
def number_field(payload: dict[str, Any], key: str, label: str = "", *, required: Literal[True] = True) -> float: ...
@overload
def number_field(payload: dict[str, Any], key: str, label: str = "", *, required: bool) -> float | None: ...
def number_field(payload: dict[str, Any], key: str, label: str = "", *, required: bool = True) -> float | None:
    value = (require if required else optional)(payload, key, (int, float), label)
    if value is None:
        return None
    if not math.isfinite(value):
        raise ControlError(f"{label}{key} must be a finite number")
    return float(value)


def graph_str(obj: dict[str, Any], key: str, label: str, *, required: bool = True, max_length: int | None = None) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise invalid(f"The parameter {label}{key} is required.")
        return ""
    if not isinstance(value, str):
        raise invalid(f"The parameter {label}{key} must be a string.")
    if required and not value.strip():
        raise invalid(f"The parameter {label}{key} must not be empty.")
    if max_length is not None and len(value) > max_length:
        raise invalid(f"The parameter {label}{key} is longer than {max_length} characters.")
    return value


def graph_obj(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise invalid(f"The parameter {key} must be an object.")
    return value


def as_object(value: Any) -> dict[str, Any]:
    """The value if it is an object, else an empty one (an optional part of a message read leniently)."""
    return value if isinstance(value, dict) else {}


def offered_choice(message: dict[str, Any], title: str) -> dict[str, Any]:
    """The reply button or list row with this title in an interactive message the business sent ({} if none)."""
    action = as_object(as_object(message.get("interactive")).get("action"))
    choices = [b.get("reply") for b in action.get("buttons") or [] if isinstance(b, dict)]
    choices += [r for section in action.get("sections") or [] if isinstance(section, dict) for r in section.get("rows") or []]
    return next((c for c in choices if isinstance(c, dict) and c.get("title") == title), {})


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.query_params.get("access_token") or None


def valid_wa_id(value: str) -> str:
    digits = value.strip().removeprefix("+")
    return digits if WA_ID_RE.match(digits) else ""
