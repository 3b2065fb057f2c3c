"""The WhatsApp stand-in's control API for numbers: registering, webhooks, failures, limits, statuses, templates."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

import httpx

from integrations.simulator.common import ControlError, optional, require
from integrations.simulator.whatsapp import protocol
from integrations.simulator.whatsapp.graph_api import GraphApi
from integrations.simulator.whatsapp.inputs import number_field, valid_wa_id
from integrations.simulator.whatsapp.protocol import PHONE_NUMBER_ID_RE, GraphError
from integrations.simulator.whatsapp.state import FailureRule, NumberState


def _only_fields(payload: Any, allowed: set[str]) -> None:
    """A control call's body: a JSON object with no field but `allowed`."""
    if not isinstance(payload, dict):
        raise ControlError("body must be a JSON object")
    unknown = set(payload) - allowed
    if unknown:
        raise ControlError("unknown fields: " + ", ".join(sorted(unknown)))


def _set_given(target: object, **values: Any) -> None:
    """Set the attributes given a value; omitted (None) ones keep theirs."""
    for name, value in values.items():
        if value is not None:
            setattr(target, name, value)


class NumberControl(GraphApi):
    """`/sim/whatsapp/numbers`: set a number up the way Meta's dashboard would, and tune how it behaves."""

    async def _handshake(self, url: str, verify_token: str) -> str | None:
        """Meta's subscription check on a callback URL; None when it passed, else why not."""
        challenge = str(secrets.randbelow(10**9))
        params = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
        try:
            response = await self._http().get(url, params=params)
        except httpx.HTTPError as exc:
            return f"the callback URL could not be reached ({type(exc).__name__})"
        if response.status_code != 200 or response.text != challenge:
            return f"the callback URL answered {response.status_code} without echoing the challenge"
        return None

    async def register_number(self, payload: Any) -> dict[str, Any]:
        """Register (or replace) a business number; a callback URL is verified first, as Meta does."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        phone_number_id = require(payload, "phone_number_id", str)
        if not PHONE_NUMBER_ID_RE.match(phone_number_id):
            raise ControlError("phone_number_id must be digits")
        access_token = require(payload, "access_token", str)
        app_secret = require(payload, "app_secret", str)
        if not access_token.strip() or not app_secret.strip():
            raise ControlError("access_token and app_secret must not be empty")
        display = optional(payload, "display_phone_number", str) or f"34{phone_number_id[-9:].rjust(9, '0')}"
        callback_url, verify_token = await self._verified_callback(payload)
        async with self._lock:
            self._numbers[phone_number_id] = NumberState(
                phone_number_id=phone_number_id,
                access_token=access_token,
                app_secret=app_secret,
                display_phone_number=display,
                waba_id=str(10**14 + int(phone_number_id) % 10**14),
                callback_url=callback_url,
                verify_token=verify_token,
            )
        return {
            "ok": True,
            "phone_number_id": phone_number_id,
            "callback_url": callback_url,
            "verified": callback_url is not None,
        }

    async def _verified_callback(self, payload: dict[str, Any]) -> tuple[str | None, str | None]:
        """The callback URL and verify token a call gives, after Meta's GET handshake on them succeeded."""
        callback_url, verify_token = self._callback(payload)
        if callback_url is not None:
            problem = await self._handshake(callback_url, verify_token or "")
            if problem:
                raise ControlError(f"The callback URL or verify token couldn't be validated: {problem}")
        return callback_url, verify_token

    @staticmethod
    def _callback(payload: dict[str, Any]) -> tuple[str | None, str | None]:
        callback_url = optional(payload, "callback_url", str)
        verify_token = optional(payload, "verify_token", str)
        if callback_url is not None:
            if not callback_url.startswith(("http://", "https://")):
                raise ControlError("callback_url must be an http(s) URL")
            if not verify_token:
                raise ControlError("verify_token is required with callback_url")
        return callback_url, verify_token

    async def set_webhook(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Subscribe a number's notifications to a callback URL (verified first), or unsubscribe with null."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        async with self._lock:
            self._control_number(phone_number_id)
        callback_url, verify_token = await self._verified_callback(payload)
        async with self._lock:
            number = self._control_number(phone_number_id)
            number.callback_url, number.verify_token = callback_url, verify_token
        return {"ok": True, "phone_number_id": phone_number_id, "callback_url": callback_url}

    async def add_failure(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Make the next ``count`` sends fail with a Graph error code (or a failed status, with ``as_status``)."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        code = require(payload, "code", int)
        if code < 0:
            raise ControlError("code must be a Graph error code (e.g. 130429, 131047)")
        count = optional(payload, "count", int)
        count = 1 if count is None else count
        if count < 1:
            raise ControlError("count must be at least 1")
        status = optional(payload, "http_status", int)
        if status is not None and not 400 <= status <= 599:
            raise ControlError("http_status must be an HTTP error status (400-599)")
        message = optional(payload, "message", str)
        raw_wa_id = optional(payload, "wa_id", str)
        wa_id = valid_wa_id(raw_wa_id) if raw_wa_id is not None else None
        if raw_wa_id is not None and not wa_id:
            raise ControlError("wa_id must be 6-15 digits")
        as_status = optional(payload, "as_status", bool) or False
        rule = FailureRule(code, count, status, message, wa_id, as_status)
        async with self._lock:
            number = self._control_number(phone_number_id)
            number.failures.append(rule)
            return {"ok": True, "pending": [r.as_dict() for r in number.failures]}

    async def set_limits(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Change a number's throughput and pair rate (omitted fields keep their value)."""
        _only_fields(payload, {"messages_per_second", "pair_interval_seconds", "pair_burst"})
        rate = number_field(payload, "messages_per_second", required=False)
        interval = number_field(payload, "pair_interval_seconds", required=False)
        burst = optional(payload, "pair_burst", int)
        for name, value in (("messages_per_second", rate), ("pair_interval_seconds", interval), ("pair_burst", burst)):
            if value is not None and value <= 0:
                raise ControlError(f"{name} must be positive")
        async with self._lock:
            number = self._control_number(phone_number_id)
            _set_given(number.limits, messages_per_second=rate, pair_interval_seconds=interval, pair_burst=burst)
            # Start the new limits with full buckets.
            number.throughput = None
            number.pair_buckets.clear()
            return {"ok": True, "limits": number.limits.as_dict()}

    async def set_statuses(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Which statuses follow each accepted send, and after how long."""
        _only_fields(payload, {"auto", "read", "delay_seconds"})
        auto, read = optional(payload, "auto", bool), optional(payload, "read", bool)
        delay = number_field(payload, "delay_seconds", required=False)
        if delay is not None and not 0 <= delay <= 60:
            raise ControlError("delay_seconds must be between 0 and 60")
        async with self._lock:
            number = self._control_number(phone_number_id)
            _set_given(number.statuses, auto=auto, read=read, delay_seconds=delay)
            return {"ok": True, "statuses": number.statuses.as_dict()}

    async def push_status(self, phone_number_id: str, wamid: str, payload: Any) -> dict[str, Any]:
        """Post one status for a message the business sent (out of order on purpose, if asked)."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        state = require(payload, "status", str)
        if state not in ("sent", "delivered", "read", "failed"):
            raise ControlError("status must be sent, delivered, read or failed")
        code = optional(payload, "code", int)
        if code is not None and state != "failed":
            raise ControlError("code is only meaningful with status failed")
        async with self._lock:
            number = self._control_number(phone_number_id)
            found = number.entries_by_wamid.get(wamid)
            if found is None or found[1].sender != "business":
                raise ControlError("no message the business sent has this wamid")
            wa_id, entry = found
        error = GraphError(code) if state == "failed" and code is not None else None
        delivered = await self._post_status(number, entry, wa_id, state, error)
        return {"ok": True, "delivered": delivered}

    async def set_window(self, phone_number_id: str, wa_id: str, payload: Any) -> dict[str, Any]:
        """Move the user's last message into the past (or forget it) to open or close the 24-hour window."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        if not valid_wa_id(wa_id):
            raise ControlError("wa_id must be 6-15 digits")
        ago = number_field(payload, "last_message_seconds_ago", required=False)
        opened = optional(payload, "open", bool)
        if (ago is None) == (opened is None):
            raise ControlError("give exactly one of last_message_seconds_ago or open")
        if ago is not None and ago < 0:
            raise ControlError("last_message_seconds_ago must not be negative")
        async with self._lock:
            chat = self._control_number(phone_number_id).user(wa_id)
            if ago is not None:
                chat.last_inbound = time.time() - ago
            else:
                chat.last_inbound = time.time() if opened else None
            open_now = chat.last_inbound is not None and time.time() - chat.last_inbound <= protocol.WINDOW_SECONDS
        return {"ok": True, "wa_id": wa_id, "window_open": open_now}

    async def add_template(self, phone_number_id: str, payload: Any) -> dict[str, Any]:
        """Approve a template for a number: from then on template sends are checked against the approved ones."""
        if not isinstance(payload, dict):
            raise ControlError("body must be a JSON object")
        name, language, body = (require(payload, key, str) for key in ("name", "language", "body"))
        if not re.fullmatch(r"[a-z0-9_]{1,512}", name):
            raise ControlError("name must be lowercase letters, digits and _")
        if not body.strip():
            raise ControlError("body must not be empty")
        async with self._lock:
            number = self._control_number(phone_number_id)
            number.templates[(name, language)] = body
            return {"ok": True, "templates": [{"name": n, "language": lang} for n, lang in sorted(number.templates)]}
