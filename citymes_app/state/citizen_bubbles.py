"""The citizen phone's bubbles: the simulator's view of a chat (Telegram or WhatsApp) as the phone draws it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from citymes_app.core.inbox_display import osm_link
from integrations.simulator.client import WHATSAPP

# The menus a citizen can answer by tapping: Telegram's reply keyboard, WhatsApp's reply buttons and lists.
# (Telegram's inline buttons answer with a callback query, which the phone does not play.)
TAPPABLE_MENUS = ("reply", "button", "list")


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


def phone_messages(platform: str, timezone: str, answer: dict[str, Any]) -> list[PhoneMessage]:
    """The bubbles of a chat the simulator answered, with times in the tenant's `timezone`."""
    parse = _whatsapp_message if platform == WHATSAPP else _telegram_message
    return [parse(raw, timezone) for raw in answer.get("messages", [])]


def phone_number_label(wa_id: str) -> str:
    """ "+34 612 345 678" for "34612345678"."""
    if len(wa_id) == 11 and wa_id.startswith("34"):
        return f"+34 {wa_id[2:5]} {wa_id[5:8]} {wa_id[8:]}"
    return f"+{wa_id}"
