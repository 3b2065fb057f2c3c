"""The citizen phone: a person plays a citizen of the demo town, writes to a bot and sees its answers.

Everything goes through the platform simulator's control API, from the backend: the browser never sees a bot
token (they stay in backend-only `_` vars). Messages reach CityMes exactly as a real citizen's would: the
simulator delivers them to our webhook. The chat is refreshed by a background event that polls the simulator
while the tab is open.

The phone only offers bots when the installation's Telegram traffic already goes to the simulator
(`CITYMES_TELEGRAM_API_BASE` equal to `CITYMES_SIMULATOR_URL`): a real bot's token is never sent anywhere else.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import reflex as rx
from sqlmodel import Session

from citymes_app.core import tenants
from citymes_app.core.inbox_display import osm_link, tenant_timezone
from citymes_app.runtime import get_runtime
from citymes_app.state import live

log = logging.getLogger(__name__)

PLATFORM = "telegram"  # the simulator's phone plays a Telegram citizen
DEMO_PIN = (41.5381, 2.4445)  # Mataró town hall, La Riera 48
POLL_SECONDS = 0.5
TAB_GONE_GRACE_SECONDS = 10.0
MAX_PHOTO_BYTES = 10 * 1024 * 1024
DEFAULT_NAMES = ("Núria", "Pere", "Laia", "Jordi", "Aina", "Marc", "Fatima", "Wei")


@dataclass(frozen=True)
class BotOption:
    """A bot the citizen can write to (its token stays on the server)."""

    id: str
    name: str


@dataclass(frozen=True)
class PhoneMessage:
    """One bubble on the citizen's phone."""

    id: int
    from_citizen: bool
    kind: str
    text: str
    file_url: str
    filename: str
    map_url: str
    place: str
    contact: str
    time_label: str


@dataclass(frozen=True)
class _Bot:
    name: str
    token: str
    timezone: str


class SimulatorUnavailable(Exception):
    """The simulator did not answer, or refused the request; the message is for the person."""


def _simulator_url() -> str:
    return get_runtime().settings.simulator_url


def _bots() -> tuple[dict[str, _Bot], str]:
    """The enabled bots that run on the simulator, and why there are none if so."""
    settings = get_runtime().settings
    if settings.telegram_api_base != settings.simulator_url:
        return {}, (
            "The citizen phone works only when CityMes talks to the simulator: "
            f"CITYMES_TELEGRAM_API_BASE is {settings.telegram_api_base}, CITYMES_SIMULATOR_URL is "
            f"{settings.simulator_url}."
        )
    with Session(get_runtime().engine) as session:
        bots = {
            str(channel.id): _Bot(
                name=channel.name or f"Bot {channel.id}",
                token=str(channel.credentials.get("token", "")),
                timezone=tenant_timezone(session, tenant_id=channel.tenant_id).key,
            )
            for channel in tenants.list_channels(session, enabled_only=True)
            if channel.platform == PLATFORM and channel.credentials.get("token")
        }
    if not bots:
        return {}, "There is no enabled Telegram bot yet: load the demo town with `python -m citymes_app.cli demo`."
    return bots, ""


def _unreachable_message() -> str:
    return (
        f"The simulator is not running at {_simulator_url()}. "
        "Start it with `make simulator` (or `python -m integrations.simulator`)."
    )


async def _call(method: str, path: str, *, json: dict[str, Any] | None = None) -> dict[str, Any]:
    url = f"{_simulator_url()}/sim/telegram/{path}"
    try:
        async with httpx.AsyncClient(timeout=20) as client:
            response = await client.request(method, url, json=json)
    except httpx.HTTPError:
        raise SimulatorUnavailable(_unreachable_message()) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400 or not body.get("ok", False):
        reason = body.get("description", f"HTTP {response.status_code}")
        raise SimulatorUnavailable(f"The simulator refused the message: {reason}")
    return body


def _time_label(unix_seconds: Any, timezone: str) -> str:
    if not isinstance(unix_seconds, int):
        return ""
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(unix_seconds, UTC).astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def _phone_message(raw: dict[str, Any], timezone: str) -> PhoneMessage:
    latitude, longitude = raw.get("latitude"), raw.get("longitude")
    contact = raw.get("contact") or {}
    contact_name = " ".join(filter(None, [contact.get("first_name"), contact.get("last_name")]))
    return PhoneMessage(
        id=int(raw.get("message_id") or 0),
        from_citizen=raw.get("from") == "citizen",
        kind=str(raw.get("kind") or "text"),
        text=raw.get("text") or raw.get("caption") or "",
        file_url=raw.get("file_url") or "",
        filename=raw.get("filename") or "",
        map_url=osm_link(latitude, longitude) if latitude is not None and longitude is not None else "",
        place=", ".join(filter(None, [raw.get("title"), raw.get("address")]))
        or (f"{latitude:.5f}, {longitude:.5f}" if latitude is not None and longitude is not None else ""),
        contact=" ".join(filter(None, [contact_name, contact.get("phone_number")])),
        time_label=_time_label(raw.get("date"), timezone),
    )


def _delivery_problem(answer: dict[str, Any]) -> str:
    """Why a message the simulator took did not reach CityMes at once, or ""."""
    if answer.get("delivery") == "getUpdates":
        return ""  # a polling bot: CityMes fetches it
    status = answer.get("webhook_status")
    if status is None or not 200 <= status < 300:
        return (
            "The town hall's server did not take the message yet "
            f"({answer.get('webhook_error') or 'no answer'}); the simulator keeps retrying."
        )
    return ""


class CitizenState(rx.State):
    """One citizen phone (a browser tab)."""

    chat_id: str = rx.LocalStorage("", name="citymes_citizen_chat")
    citizen_name: str = rx.LocalStorage("", name="citymes_citizen_name")
    bot_id: str = rx.LocalStorage("", name="citymes_citizen_bot")
    bots: list[BotOption] = []
    messages: list[PhoneMessage] = []
    draft: str = ""
    error: str = ""
    sending: bool = False
    _bots: dict[str, _Bot] = {}
    _watch_generation: int = 0

    @rx.var
    def bot_name(self) -> str:
        """The chosen bot's name, for the phone's title bar."""
        return next((bot.name for bot in self.bots if bot.id == self.bot_id), "CityMes")

    def _bot(self) -> _Bot | None:
        return self._bots.get(self.bot_id)

    @rx.event
    async def open_phone(self):
        """Page load: list the bots, give this browser a chat of its own, start watching it."""
        self._bots, problem = await asyncio.to_thread(_bots)
        self.bots = [BotOption(id=key, name=bot.name) for key, bot in self._bots.items()]
        self.error = problem
        if self.bot_id not in self._bots:
            self.bot_id = next(iter(self._bots), "")
        if not self.chat_id.isdigit():
            self.chat_id = str(secrets.randbelow(9 * 10**8) + 10**8)
        if not self.citizen_name.strip():
            self.citizen_name = DEFAULT_NAMES[secrets.randbelow(len(DEFAULT_NAMES))]
        self._watch_generation += 1
        return CitizenState.watch_chat(self._watch_generation)

    @rx.event
    async def choose_bot(self, bot_id: str):
        """Write to another bot (each bot has its own chat)."""
        if bot_id in self._bots:
            self.bot_id, self.messages = bot_id, []

    @rx.event
    def set_citizen_name(self, value: str):
        """The name the citizen shows to the town hall."""
        self.citizen_name = value[:64]

    @rx.event
    def set_draft(self, value: str):
        """The message being typed."""
        self.draft = value

    @rx.event
    def new_chat(self):
        """Start over as a new citizen (a new chat id)."""
        self.chat_id = str(secrets.randbelow(9 * 10**8) + 10**8)
        self.messages, self.error = [], ""

    async def _send(self, content: dict[str, Any]) -> bool:
        """Post one citizen message; True if the simulator took it."""
        bot = self._bot()
        if bot is None:
            self.error = self.error or "Choose a bot first."
            return False
        body = {"chat_id": int(self.chat_id), "first_name": self.citizen_name.strip() or "Citizen", **content}
        try:
            answer = await _call("POST", f"bots/{bot.token}/citizen-message", json=body)
        except SimulatorUnavailable as exc:
            self.error = str(exc)
            return False
        self.error = _delivery_problem(answer)
        await self._refresh(bot)
        return True

    async def _refresh(self, bot: _Bot) -> None:
        try:
            answer = await _call("GET", f"bots/{bot.token}/chats/{self.chat_id}/messages")
        except SimulatorUnavailable:
            return
        messages = [_phone_message(raw, bot.timezone) for raw in answer.get("messages", [])]
        if messages != self.messages:
            self.messages = messages

    @rx.event
    async def send_text(self, form_data: dict[str, str]):
        """Send what is in the text box."""
        text = (form_data.get("text") or self.draft).strip()
        if not text or self.sending:
            return
        self.sending = True
        yield
        try:
            if await self._send({"text": text}):
                self.draft = ""
        finally:
            self.sending = False

    @rx.event
    async def send_photo(self, files: list[rx.UploadFile]):
        """Send the chosen picture."""
        for upload in files[:1]:
            data = await upload.read()
            if len(data) > MAX_PHOTO_BYTES:
                self.error = f"That picture is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB."
                return
            photo = {"content_base64": base64.b64encode(data).decode(), "filename": upload.name or "photo.jpg"}
            if upload.content_type:
                photo["mime_type"] = upload.content_type
            await self._send({"photo": photo})

    @rx.event
    async def share_location(self):
        """Share a fixed pin in the town (a phone's 'send my location')."""
        latitude, longitude = DEMO_PIN
        await self._send({"location": {"latitude": latitude, "longitude": longitude}})

    @rx.event
    async def share_contact(self):
        """Share the citizen's own contact card (a made-up number tied to this chat)."""
        phone = f"346{int(self.chat_id) % 10**8:08d}"
        contact = {"phone_number": phone, "first_name": self.citizen_name.strip() or "Citizen"}
        await self._send({"contact": {**contact, "user_id": int(self.chat_id)}})

    @rx.event(background=True)
    async def watch_chat(self, generation: int):
        """Keep the phone's chat up to date while this tab is open (a newer page load takes over)."""
        async with self:
            client_token = self.router.session.client_token
        gone_since: float | None = None
        simulator_down = False
        while True:
            async with self:
                if self._watch_generation != generation:
                    return
                bot, chat_id = self._bot(), self.chat_id
            if not await live.tab_is_open(client_token):
                gone_since = gone_since or time.monotonic()
                if time.monotonic() - gone_since > TAB_GONE_GRACE_SECONDS:
                    return
            else:
                gone_since = None
            if bot is not None and chat_id.isdigit():
                try:
                    answer = await _call("GET", f"bots/{bot.token}/chats/{chat_id}/messages")
                except SimulatorUnavailable as exc:
                    if not simulator_down:
                        async with self:
                            self.error = str(exc)
                    simulator_down = True
                else:
                    messages = [_phone_message(raw, bot.timezone) for raw in answer.get("messages", [])]
                    async with self:
                        if self._watch_generation != generation:
                            return
                        if simulator_down and self.error == _unreachable_message():
                            self.error = ""
                        if chat_id == self.chat_id and messages != self.messages:
                            self.messages = messages
                    simulator_down = False
            await asyncio.sleep(POLL_SECONDS * (4 if simulator_down else 1))
