"""A small client for the simulator's control API (`/sim/...`): play citizens, read their phones, set numbers up.

One list of calls, two ways to make them: `SimulatorClient` (async, for the app and the async tests) and
`SyncSimulatorClient` (for the CLI and the browser tests). Each call answers the simulator's JSON body, or raises
`SimulatorUnreachable` (nothing answered) or `SimulatorRefused` (an error status, or `"ok": false`).
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

TELEGRAM, WHATSAPP = "telegram", "whatsapp"
TIMEOUT = 30.0
# What the simulator needs to play a WhatsApp number: the same four values Meta holds for it.
NUMBER_CREDENTIALS = ("phone_number_id", "access_token", "app_secret", "verify_token")

Answer = TypeVar("Answer")
Body = dict[str, Any]


class SimulatorUnreachable(Exception):
    """The simulator did not answer at all (not started, wrong URL)."""


class SimulatorRefused(Exception):
    """The simulator answered with an error; `description` is its own words."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"HTTP {status}: {description}")
        self.status = status
        self.description = description


def simulator_handle(platform: str, credentials: Mapping[str, Any]) -> str:
    """What the simulator knows a channel by: the bot token (Telegram), the phone number id (WhatsApp); "" if none.

    The token is a secret: keep the handle on the server (it goes only to the simulator, which plays the platform).
    """
    key = {TELEGRAM: "token", WHATSAPP: "phone_number_id"}.get(platform)
    return str(credentials.get(key) or "") if key else ""


def _segment(value: str | int) -> str:
    return quote(str(value), safe=":")


def _answer(response: httpx.Response) -> Body:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code >= 400 or body.get("ok") is False:
        raise SimulatorRefused(response.status_code, str(body.get("description") or f"HTTP {response.status_code}"))
    return body


class _ControlCalls(abc.ABC, Generic[Answer]):
    """The control API's calls; `_request` makes them (awaitable in the async client, direct in the sync one)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    @abc.abstractmethod
    def _request(self, method: str, path: str, *, json: Body | None = None, params: Body | None = None) -> Answer:
        """One call to `/sim/<path>`."""

    def reset(self) -> Answer:
        """Forget every bot, number, chat and webhook."""
        return self._request("POST", "reset")

    # --- Telegram: a bot is known by its token ------------------------------------------------------------

    @staticmethod
    def _bot(token: str, path: str) -> str:
        return f"telegram/bots/{_segment(token)}/{path}"

    def telegram_citizen_message(self, token: str, chat_id: int, first_name: str, **content: Any) -> Answer:
        """A citizen writes to the bot (`text`, `photo`, `location`, `contact`...); delivered like a real update."""
        body = {"chat_id": chat_id, "first_name": first_name, **content}
        return self._request("POST", self._bot(token, "citizen-message"), json=body)

    def telegram_chat(self, token: str, chat_id: int | str, *, after_message_id: int = 0) -> Answer:
        """The citizen's chat with the bot as their phone shows it (`messages`)."""
        params = {"after_message_id": after_message_id} if after_message_id else None
        return self._request("GET", self._bot(token, f"chats/{_segment(chat_id)}/messages"), params=params)

    def telegram_limits(self, token: str, **limits: Any) -> Answer:
        """Change the bot's flood limits (`per_chat_burst`, ...)."""
        return self._request("POST", self._bot(token, "limits"), json=limits)

    def telegram_polling(self, token: str) -> Answer:
        """How the bot was polled: `polls` (getUpdates calls) and `conflicts` (calls while another was waiting)."""
        return self._request("GET", self._bot(token, "polling"))

    # --- WhatsApp: a number is known by its phone number id -----------------------------------------------

    @staticmethod
    def _number(phone_number_id: str, path: str) -> str:
        return f"whatsapp/numbers/{_segment(phone_number_id)}/{path}"

    def whatsapp_register_number(self, credentials: Mapping[str, Any], *, callback_url: str | None = None) -> Answer:
        """Register a business number from its channel credentials (`phone_number_id`, `access_token`, `app_secret`,
        `verify_token`); with a callback URL it is subscribed there, after Meta's GET handshake."""
        body: Body = {key: str(credentials.get(key) or "") for key in NUMBER_CREDENTIALS}
        if callback_url is not None:
            body["callback_url"] = callback_url
        return self._request("POST", "whatsapp/numbers", json=body)

    def whatsapp_approve_template(self, phone_number_id: str, *, name: str, language: str, body: str) -> Answer:
        """Approve a message template for the number, as Meta would."""
        template = {"name": name, "language": language, "body": body}
        return self._request("POST", self._number(phone_number_id, "templates"), json=template)

    def whatsapp_citizen_message(self, phone_number_id: str, wa_id: str, name: str, **content: Any) -> Answer:
        """A citizen writes to the number (`text`, `image`, `location`, `contacts`, `button_reply`...)."""
        body = {"wa_id": wa_id, "name": name, **content}
        return self._request("POST", self._number(phone_number_id, "citizen-message"), json=body)

    def whatsapp_chat(self, phone_number_id: str, wa_id: str, *, after: int = 0) -> Answer:
        """The citizen's chat with the number as their phone shows it (`messages`)."""
        params = {"after": after} if after else None
        return self._request("GET", self._number(phone_number_id, f"chats/{_segment(wa_id)}/messages"), params=params)

    def whatsapp_statuses(self, phone_number_id: str, **settings: Any) -> Answer:
        """How the number reports sent/delivered/read (`delay_seconds`, ...)."""
        return self._request("POST", self._number(phone_number_id, "statuses"), json=settings)


class SimulatorClient(_ControlCalls[Awaitable[Body]]):
    """The control API from async code: `await client.whatsapp_chat(...)`."""

    def __init__(self, base_url: str, *, timeout: float = TIMEOUT) -> None:
        super().__init__(base_url)
        self._timeout = timeout

    def _request(self, method: str, path: str, *, json: Body | None = None, params: Body | None = None) -> Awaitable[Body]:
        return self._call(method, path, json=json, params=params)

    async def _call(self, method: str, path: str, *, json: Body | None, params: Body | None) -> Body:
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as http:
                response = await http.request(method, f"{self.base_url}/sim/{path}", json=json, params=params)
        except httpx.HTTPError as exc:
            raise SimulatorUnreachable(f"the simulator at {self.base_url} is not answering ({type(exc).__name__})") from None
        return _answer(response)


class SyncSimulatorClient(_ControlCalls[Body]):
    """The control API from blocking code: `client.whatsapp_chat(...)`."""

    def __init__(self, base_url: str, *, timeout: float = TIMEOUT) -> None:
        super().__init__(base_url)
        self._timeout = timeout

    def _request(self, method: str, path: str, *, json: Body | None = None, params: Body | None = None) -> Body:
        try:
            response = httpx.request(method, f"{self.base_url}/sim/{path}", json=json, params=params, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise SimulatorUnreachable(f"the simulator at {self.base_url} is not answering ({type(exc).__name__})") from None
        return _answer(response)
