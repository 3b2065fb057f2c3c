"""The citizen phone: a person plays a citizen of the demo town, writes to a bot or a WhatsApp number and sees the
answers.

Everything goes through the platform simulator's control API, from the backend: the browser never sees a bot token
or a number's credentials (they stay in backend-only `_` vars). Messages reach CityMes exactly as a real citizen's
would: the simulator delivers them to our webhook. The chat is refreshed by a background event that polls the
simulator while the tab is open.

The phone only offers a platform's channels when the installation already talks to the simulator for that platform
(`CITYMES_TELEGRAM_API_BASE` or `CITYMES_WHATSAPP_API_BASE` equal to `CITYMES_SIMULATOR_URL`): a real bot's token
or a real number's traffic is never sent anywhere else.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import reflex as rx
from sqlmodel import Session

from citymes_app.core import tenants
from citymes_app.core.inbox_display import osm_link, tenant_timezone
from citymes_app.runtime import get_runtime
from citymes_app.state import access, live

log = logging.getLogger(__name__)

TELEGRAM, WHATSAPP = "telegram", "whatsapp"
PLATFORM_LABELS = {TELEGRAM: "Telegram", WHATSAPP: "WhatsApp"}
DEMO_PIN = (41.5381, 2.4445)  # Mataró town hall, La Riera 48
POLL_SECONDS = 0.5
TAB_GONE_GRACE_SECONDS = 10.0
MAX_PHOTO_BYTES = 10 * 1024 * 1024
DEFAULT_NAMES = ("Núria", "Pere", "Laia", "Jordi", "Aina", "Marc", "Fatima", "Wei")
# The menus a citizen can answer by tapping: Telegram's reply keyboard, WhatsApp's reply buttons and lists.
# (Telegram's inline buttons answer with a callback query, which the phone does not play.)
TAPPABLE_MENUS = ("reply", "button", "list")


@dataclass(frozen=True)
class ChannelOption:
    """A bot or a number the citizen can write to (its credentials stay on the server)."""

    id: str
    name: str
    platform: str


@dataclass(frozen=True)
class PhoneMessage:
    """One bubble on the citizen's phone."""

    id: int
    from_citizen: bool
    kind: str  # text, photo, video, voice, audio, document, location, contact
    text: str
    file_url: str
    filename: str
    map_url: str
    place: str
    contact: str
    time_label: str
    buttons: list[str] = field(default_factory=list)  # a menu the citizen can tap
    buttons_kind: str = ""  # reply (Telegram keyboard), button or list (WhatsApp), or ""


@dataclass(frozen=True)
class _Line:
    """A channel the phone writes to, with what the simulator needs to play its citizen."""

    name: str
    platform: str
    key: str  # the bot token (Telegram) or the phone number id (WhatsApp)
    timezone: str

    def citizen_message_path(self) -> str:
        if self.platform == WHATSAPP:
            return f"whatsapp/numbers/{self.key}/citizen-message"
        return f"telegram/bots/{self.key}/citizen-message"

    def chat_path(self, address: str) -> str:
        if self.platform == WHATSAPP:
            return f"whatsapp/numbers/{self.key}/chats/{address}/messages"
        return f"telegram/bots/{self.key}/chats/{address}/messages"


class SimulatorUnavailable(Exception):
    """The simulator did not answer, or refused the request; the message is for the person."""


def _simulator_url() -> str:
    return get_runtime().settings.simulator_url


def _platforms_on_simulator() -> tuple[set[str], str]:
    """The platforms whose traffic goes to the simulator, and why there are none if so."""
    settings = get_runtime().settings
    bases = {TELEGRAM: settings.telegram_api_base, WHATSAPP: settings.whatsapp_api_base}
    on_simulator = {platform for platform, base in bases.items() if base == settings.simulator_url}
    if on_simulator:
        return on_simulator, ""
    return set(), (
        "The citizen phone works only when CityMes talks to the simulator: "
        f"CITYMES_TELEGRAM_API_BASE is {settings.telegram_api_base}, CITYMES_WHATSAPP_API_BASE is "
        f"{settings.whatsapp_api_base}, CITYMES_SIMULATOR_URL is {settings.simulator_url}."
    )


def _line_key(platform: str, credentials: dict[str, Any]) -> str:
    value = credentials.get("token") if platform == TELEGRAM else credentials.get("phone_number_id")
    return str(value or "")


def _lines() -> tuple[dict[str, _Line], str]:
    """The enabled channels that run on the simulator (Telegram bots, then WhatsApp numbers, by id), or why none."""
    platforms, problem = _platforms_on_simulator()
    if not platforms:
        return {}, problem
    with Session(get_runtime().engine) as session:
        lines = {
            str(channel.id): _Line(
                name=channel.name or f"{PLATFORM_LABELS[channel.platform]} {channel.id}",
                platform=channel.platform,
                key=_line_key(channel.platform, channel.credentials),
                timezone=tenant_timezone(session, tenant_id=channel.tenant_id).key,
            )
            for channel in tenants.list_channels(session, enabled_only=True)
            if channel.platform in platforms and _line_key(channel.platform, channel.credentials)
        }
    if not lines:
        return {}, "There is no enabled bot or number yet: load the demo town with `python -m citymes_app.cli demo`."
    return lines, ""


def _unreachable_message() -> str:
    return (
        f"The simulator is not running at {_simulator_url()}. "
        "Start it with `make simulator` (or `python -m integrations.simulator`)."
    )


async def _call(method: str, path: str, *, json: dict[str, Any] | None = None) -> dict[str, Any]:
    url = f"{_simulator_url()}/sim/{path}"
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
        reason = str(body.get("description", f"HTTP {response.status_code}"))
        if reason.startswith("no number "):
            # The number exists in CityMes but was not registered with the simulator (done once the app is up).
            raise SimulatorUnavailable(
                "This WhatsApp number is not connected to the simulator yet: `make run` connects it once the app "
                "answers, or run `python -m citymes_app.cli channel connect-simulator ID --base-url URL`."
            )
        raise SimulatorUnavailable(f"The simulator refused the message: {reason}")
    return body


def _time_label(unix_seconds: Any, timezone: str) -> str:
    if not isinstance(unix_seconds, int):
        return ""
    return datetime.fromtimestamp(unix_seconds, UTC).astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def _place(latitude: Any, longitude: Any, *names: Any) -> tuple[str, str]:
    """(map link, label) of a location, or ("", "")."""
    if latitude is None or longitude is None:
        return "", ""
    label = ", ".join(str(n) for n in names if n) or f"{latitude:.5f}, {longitude:.5f}"
    return osm_link(latitude, longitude), label


def _menu(raw: dict[str, Any]) -> tuple[list[str], str]:
    kind = raw.get("buttons_kind") or ""
    if kind not in TAPPABLE_MENUS:
        return [], ""
    buttons = raw.get("buttons") or []
    # Telegram gives keyboard rows, WhatsApp a flat list: the phone shows them one under another.
    flat = [b for row in buttons for b in (row if isinstance(row, list) else [row]) if isinstance(b, str) and b]
    return flat, kind if flat else ""


def _telegram_message(raw: dict[str, Any], timezone: str) -> PhoneMessage:
    contact = raw.get("contact") or {}
    contact_name = " ".join(filter(None, [contact.get("first_name"), contact.get("last_name")]))
    map_url, place = _place(raw.get("latitude"), raw.get("longitude"), raw.get("title"), raw.get("address"))
    buttons, buttons_kind = _menu(raw)
    return PhoneMessage(
        id=int(raw.get("message_id") or 0),
        from_citizen=raw.get("from") == "citizen",
        kind=str(raw.get("kind") or "text"),
        text=raw.get("text") or raw.get("caption") or "",
        file_url=raw.get("file_url") or "",
        filename=raw.get("filename") or "",
        map_url=map_url,
        place=place,
        contact=" ".join(filter(None, [contact_name, contact.get("phone_number")])),
        time_label=_time_label(raw.get("date"), timezone),
        buttons=buttons,
        buttons_kind=buttons_kind,
    )


# WhatsApp's message types as the phone draws them (interactive replies, template and button messages are text).
_WHATSAPP_KINDS = {"image": "photo", "sticker": "photo", "contacts": "contact"}


def _whatsapp_contact(raw: dict[str, Any]) -> str:
    cards = raw.get("contacts") or []
    card = cards[0] if cards and isinstance(cards[0], dict) else {}
    name = (card.get("name") or {}).get("formatted_name") or ""
    phones = [p.get("phone") for p in card.get("phones") or [] if isinstance(p, dict)]
    return " ".join(filter(None, [name, *phones[:1]]))


def _whatsapp_message(raw: dict[str, Any], timezone: str) -> PhoneMessage:
    kind = str(raw.get("kind") or "text")
    map_url, place = _place(raw.get("latitude"), raw.get("longitude"), raw.get("name"), raw.get("address"))
    buttons, buttons_kind = _menu(raw)
    shown = _WHATSAPP_KINDS.get(kind, kind)
    if shown not in ("photo", "video", "voice", "audio", "document", "location", "contact"):
        shown = "text"
    return PhoneMessage(
        id=int(raw.get("seq") or 0),
        from_citizen=raw.get("from") == "citizen",
        kind=shown,
        text=raw.get("text") or raw.get("caption") or "",
        file_url=raw.get("file_url") or "",
        filename=raw.get("filename") or "",
        map_url=map_url,
        place=place,
        contact=_whatsapp_contact(raw) if kind == "contacts" else "",
        time_label=_time_label(raw.get("date"), timezone),
        buttons=buttons,
        buttons_kind=buttons_kind,
    )


def _phone_messages(line: _Line, answer: dict[str, Any]) -> list[PhoneMessage]:
    parse = _whatsapp_message if line.platform == WHATSAPP else _telegram_message
    return [parse(raw, line.timezone) for raw in answer.get("messages", [])]


def _delivery_problem(answer: dict[str, Any]) -> str:
    """Why a message the simulator took did not reach CityMes at once, or ""."""
    if answer.get("delivery") == "getUpdates":
        return ""  # a polling bot: CityMes fetches it
    if answer.get("delivery") == "none" and answer.get("wamid"):
        return (
            "This WhatsApp number has no webhook in the simulator yet, so CityMes did not get the message: run "
            "`python -m citymes_app.cli channel connect-simulator ID --base-url URL` once the app is up."
        )
    status = answer.get("webhook_status")
    if status is None or not 200 <= status < 300:
        return (
            "The town hall's server did not take the message yet "
            f"({answer.get('webhook_error') or 'no answer'}); the simulator keeps retrying."
        )
    return ""


def _new_chat_id() -> str:
    return str(secrets.randbelow(9 * 10**8) + 10**8)


def _new_wa_id() -> str:
    """A made-up Spanish mobile number, as WhatsApp writes it (country code, no "+")."""
    return f"34{secrets.choice('67')}{secrets.randbelow(10**8):08d}"


def phone_number_label(wa_id: str) -> str:
    """ "+34 612 345 678" for "34612345678"."""
    if len(wa_id) == 11 and wa_id.startswith("34"):
        return f"+34 {wa_id[2:5]} {wa_id[5:8]} {wa_id[8:]}"
    return f"+{wa_id}"


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
    _lines: dict[str, _Line] = {}
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

    def _line(self) -> _Line | None:
        return self._lines.get(self.bot_id)

    def _address(self, line: _Line) -> str:
        return self.wa_id if line.platform == WHATSAPP else self.chat_id

    @rx.event
    async def open_phone(self):
        """Page load: list the channels, give this browser a citizen of its own, start watching the chat."""
        self._lines, problem = await asyncio.to_thread(_lines)
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
        return CitizenState.watch_chat(self._watch_generation)

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
            self.error = self.error or "Choose a bot or a number first."
            return False
        name = self.citizen_name.strip() or "Citizen"
        if line.platform == WHATSAPP:
            body = {"wa_id": self.wa_id, "name": name, **content}
        else:
            body = {"chat_id": int(self.chat_id), "first_name": name, **content}
        try:
            answer = await _call("POST", line.citizen_message_path(), json=body)
        except SimulatorUnavailable as exc:
            self.error = str(exc)
            return False
        self.error = _delivery_problem(answer)
        await self._refresh(line)
        return True

    async def _refresh(self, line: _Line) -> None:
        try:
            answer = await _call("GET", line.chat_path(self._address(line)))
        except SimulatorUnavailable:
            return
        messages = _phone_messages(line, answer)
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
                self.error = f"That picture is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB."
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
                    answer = await _call("GET", line.chat_path(address))
                except SimulatorUnavailable as exc:
                    if not simulator_down:
                        async with self:
                            self.error = self._watch_error = str(exc)
                    simulator_down = True
                else:
                    messages = _phone_messages(line, answer)
                    async with self:
                        if self._watch_generation != generation:
                            return
                        if simulator_down and self.error == self._watch_error:
                            self.error = ""
                        if bot_id == self.bot_id and address == self._address(line) and messages != self.messages:
                            self.messages = messages
                    simulator_down = False
            await asyncio.sleep(POLL_SECONDS * (4 if simulator_down else 1))
