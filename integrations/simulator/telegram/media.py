"""Files and keyboards in the Telegram stand-in: image sizes, mime types, button texts, command entities."""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from integrations.simulator.common import ControlError, require

# --- Media helpers ----------------------------------------------------------------------------


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG image, or ``None`` if it is neither (or truncated)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        # SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > len(data):
                return None
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        i += 2 + length
    return None


def sniff_mime(data: bytes) -> str | None:
    """The mime type of common image formats from their magic bytes."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"%PDF":
        return "application/pdf"
    if data[:4] == b"OggS":
        return "audio/ogg"
    return None


def guess_mime(filename: str | None, data: bytes | None, default: str) -> str:
    """Best mime type from the filename, then the content, then ``default``."""
    if filename:
        guessed = mimetypes.guess_type(filename, strict=False)[0]
        if guessed:
            return guessed
    if data:
        sniffed = sniff_mime(data)
        if sniffed:
            return sniffed
    return default


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def keyboard_buttons(reply_markup: dict[str, Any] | None) -> tuple[str | None, list[list[str]]]:
    """The button texts of an inline or reply keyboard, row by row, and the keyboard kind."""
    if not isinstance(reply_markup, dict):
        return None, []
    for key, kind in (("inline_keyboard", "inline"), ("keyboard", "reply")):
        rows = reply_markup.get(key)
        if isinstance(rows, list):
            texts: list[list[str]] = []
            for row in rows:
                if not isinstance(row, list):
                    continue
                texts.append([str(b.get("text", "")) if isinstance(b, dict) else str(b) for b in row])
            return kind, texts
    return None, []


def command_entities(text: str) -> list[dict[str, Any]]:
    """A ``bot_command`` entity for a leading ``/command`` (PTB's CommandHandler needs it)."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?", text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(match.group(0))}]


def coordinates(payload: Any, label: str) -> dict[str, float]:
    if not isinstance(payload, dict):
        raise ControlError(f"{label} must be an object")
    latitude = float(require(payload, "latitude", (int, float), f"{label}."))
    longitude = float(require(payload, "longitude", (int, float), f"{label}."))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ControlError(f"{label} coordinates are out of range")
    return {"latitude": latitude, "longitude": longitude}


def message_kind(message: dict[str, Any]) -> str:
    """The phone-view kind of a Telegram message."""
    for kind in ("photo", "video", "voice", "audio", "document", "venue", "location", "contact"):
        if message.get(kind):
            return kind
    return "text" if "text" in message else "other"
