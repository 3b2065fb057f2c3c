"""The citizen phone: a person plays a citizen of the demo town, writes to a bot or a WhatsApp number and sees the
answers.

Everything goes through the platform simulator's control API, from the backend: the browser never sees a bot token
or a number's credentials (they stay in backend-only `_` vars). Messages reach CityMes exactly as a real citizen's
would: the simulator delivers them to our webhook. The chat is refreshed by a background event that polls the
simulator while the tab is open. The lines are in `citizen_lines`, the bubbles in `citizen_bubbles`.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import reflex as rx

from citymes_app.i18n import browser_language
from citymes_app.state import access, live
from citymes_app.state.citizen_bubbles import PhoneMessage, phone_messages, phone_number_label
from citymes_app.state.citizen_lines import PhoneLine, SimulatorUnavailable, delivery_problem, phone_lines
from citymes_app.state.language import LanguageState
from citymes_app.state.wording import tab_words
from integrations.simulator.client import WHATSAPP

log = logging.getLogger(__name__)

DEMO_PIN = (41.5381, 2.4445)  # Mataró town hall, La Riera 48
POLL_SECONDS = 0.5
TAB_GONE_GRACE_SECONDS = 10.0
MAX_PHOTO_BYTES = 10 * 1024 * 1024
DEFAULT_NAMES = ("Núria", "Pere", "Laia", "Jordi", "Aina", "Marc", "Fatima", "Wei")

__all__ = ["CitizenState", "ChannelOption", "PhoneMessage"]


@dataclass(frozen=True)
class ChannelOption:
    """A bot or a number the citizen can write to (its credentials stay on the server)."""

    id: str
    name: str
    platform: str


def _new_chat_id() -> str:
    return str(secrets.randbelow(9 * 10**8) + 10**8)


def _new_wa_id() -> str:
    """A made-up Spanish mobile number, as WhatsApp writes it (country code, no "+")."""
    return f"34{secrets.choice('67')}{secrets.randbelow(10**8):08d}"


@access.public
class CitizenState(rx.State):
    """One citizen phone (a browser tab)."""

    chat_id: str = rx.LocalStorage("", name="citymes_citizen_chat")  # the citizen on Telegram
    wa_id: str = rx.LocalStorage("", name="citymes_citizen_wa_id")  # the citizen on WhatsApp
    citizen_name: str = rx.LocalStorage("", name="citymes_citizen_name")
    bot_id: str = rx.LocalStorage("", name="citymes_citizen_bot")  # the chosen channel's id
    channels: list[ChannelOption] = []
    messages: list[PhoneMessage] = []
    draft: str = ""
    error: str = ""
    sending: bool = False
    _lines: dict[str, PhoneLine] = {}
    _watch_generation: int = 0
    _watch_error: str = ""

    @rx.var
    def bot_name(self) -> str:
        """The chosen channel's name, for the phone's title bar."""
        return next((c.name for c in self.channels if c.id == self.bot_id), "CityMes")

    @rx.var
    def platform(self) -> str:
        """The chosen channel's platform."""
        return next((c.platform for c in self.channels if c.id == self.bot_id), "")

    @rx.var
    def platforms(self) -> list[str]:
        """The platforms the phone can play, in the order of their first channel."""
        return list(dict.fromkeys(c.platform for c in self.channels))

    @rx.var
    def platform_channels(self) -> list[ChannelOption]:
        """The chosen platform's channels."""
        platform = next((c.platform for c in self.channels if c.id == self.bot_id), "")
        return [c for c in self.channels if c.platform == platform]

    @rx.var
    def address_label(self) -> str:
        """Who the citizen is on the chosen platform: a Telegram chat id or a WhatsApp number."""
        platform = next((c.platform for c in self.channels if c.id == self.bot_id), "")
        if platform == WHATSAPP:
            return phone_number_label(self.wa_id) if self.wa_id else ""
        return f"Telegram chat {self.chat_id}" if self.chat_id else ""

    def _line(self) -> PhoneLine | None:
        return self._lines.get(self.bot_id)

    def _address(self, line: PhoneLine) -> str:
        return self.wa_id if line.platform == WHATSAPP else self.chat_id

    @rx.event
    async def open_phone(self):
        """Page load: list the channels, give this browser a citizen of its own, start watching the chat."""
        language = await self.get_state(LanguageState)
        if not language.language:  # no choice remembered in this browser: its own language if we have it
            language.follow(browser_language(self.router.headers.accept_language))
        self._lines, problem = await phone_lines()
        self.channels = [ChannelOption(id=key, name=line.name, platform=line.platform) for key, line in self._lines.items()]
        self.error = problem
        if self.bot_id not in self._lines:
            self.bot_id = next(iter(self._lines), "")
        if not self.chat_id.isdigit():
            self.chat_id = _new_chat_id()
        if not (self.wa_id.isdigit() and 6 <= len(self.wa_id) <= 15):
            self.wa_id = _new_wa_id()
        if not self.citizen_name.strip():
            self.citizen_name = DEFAULT_NAMES[secrets.randbelow(len(DEFAULT_NAMES))]
        self._watch_generation += 1
        # Reflex types a background handler with a TypeVarTuple mypy cannot call through (it is an EventHandler at run time).
        return CitizenState.watch_chat(self._watch_generation)  # type: ignore[misc]

    @rx.event
    async def choose_bot(self, channel_id: str):
        """Write to another bot or number (each has its own chat)."""
        if channel_id in self._lines and channel_id != self.bot_id:
            self.bot_id, self.messages, self.draft = channel_id, [], ""

    @rx.event
    async def choose_platform(self, platform: str | list[str]):
        """Switch between Telegram and WhatsApp: the platform's first channel."""
        platform = platform if isinstance(platform, str) else next(iter(platform), "")
        if platform != self.platform:
            first = next((key for key, line in self._lines.items() if line.platform == platform), None)
            if first is not None:
                self.bot_id, self.messages, self.draft = first, [], ""

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
        """Start over as a new citizen (a new Telegram chat and a new WhatsApp number)."""
        self.chat_id, self.wa_id = _new_chat_id(), _new_wa_id()
        self.messages, self.error = [], ""

    async def _send(self, content: dict[str, Any]) -> bool:
        """Post one citizen message; True if the simulator took it."""
        line = self._line()
        if line is None:
            self.error = self.error or (await tab_words(self)).t("Choose a bot or a number first.")
            return False
        name = self.citizen_name.strip() or "Citizen"
        try:
            answer = await line.citizen_message(self._address(line), name, content)
        except SimulatorUnavailable as exc:
            self.error = str(exc)
            return False
        self.error = delivery_problem(answer)
        await self._refresh(line)
        return True

    async def _refresh(self, line: PhoneLine) -> None:
        try:
            answer = await line.chat(self._address(line))
        except SimulatorUnavailable:
            return
        messages = phone_messages(line.platform, line.timezone, answer)
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
    async def tap_choice(self, title: str, menu_kind: str):
        """Tap a button or a list row the town hall offered: its title goes back as the citizen's answer."""
        if self.sending:
            return
        line = self._line()
        if line is not None and line.platform == WHATSAPP and menu_kind in ("button", "list"):
            content: dict[str, Any] = {f"{menu_kind}_reply": {"title": title}}
        else:
            content = {"text": title}  # a Telegram reply keyboard sends the button's text
        self.sending = True
        yield
        try:
            await self._send(content)
        finally:
            self.sending = False

    @rx.event
    async def send_photo(self, files: list[rx.UploadFile]):
        """Send the chosen picture."""
        line = self._line()
        for upload in files[:1]:
            data = await upload.read()
            if len(data) > MAX_PHOTO_BYTES:
                words = await tab_words(self)
                self.error = words.t("That picture is larger than {n} MB.", n=MAX_PHOTO_BYTES // (1024 * 1024))
                return
            photo = {"content_base64": base64.b64encode(data).decode(), "filename": upload.name or "photo.jpg"}
            if upload.content_type:
                photo["mime_type"] = upload.content_type
            await self._send({"image" if line and line.platform == WHATSAPP else "photo": photo})

    @rx.event
    async def share_location(self):
        """Share a fixed pin in the town (a phone's 'send my location')."""
        latitude, longitude = DEMO_PIN
        await self._send({"location": {"latitude": latitude, "longitude": longitude}})

    @rx.event
    async def share_contact(self):
        """Share the citizen's own contact card (a made-up number tied to this citizen)."""
        name = self.citizen_name.strip() or "Citizen"
        line = self._line()
        if line is not None and line.platform == WHATSAPP:
            await self._send({"contacts": [{"name": name, "phone": f"+{self.wa_id}"}]})
            return
        phone = f"346{int(self.chat_id) % 10**8:08d}"
        await self._send({"contact": {"phone_number": phone, "first_name": name, "user_id": int(self.chat_id)}})

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
                line = self._line()
                bot_id, address = self.bot_id, self._address(line) if line else ""
            if not await live.tab_is_open(client_token):
                gone_since = gone_since or time.monotonic()
                if time.monotonic() - gone_since > TAB_GONE_GRACE_SECONDS:
                    return
            else:
                gone_since = None
            if line is not None and address.isdigit():
                try:
                    answer = await line.chat(address)
                except SimulatorUnavailable as exc:
                    if not simulator_down:
                        async with self:
                            self.error = self._watch_error = str(exc)
                    simulator_down = True
                else:
                    messages = phone_messages(line.platform, line.timezone, answer)
                    async with self:
                        if self._watch_generation != generation:
                            return
                        if simulator_down and self.error == self._watch_error:
                            self.error = ""
                        if bot_id == self.bot_id and address == self._address(line) and messages != self.messages:
                            self.messages = messages
                    simulator_down = False
            await asyncio.sleep(POLL_SECONDS * (4 if simulator_down else 1))
