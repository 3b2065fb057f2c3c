"""Small pieces of interface wording the states share (where the interface's translation will find them)."""

from __future__ import annotations


def sentence(message: object) -> str:
    """A core error message ("the keyword is empty") as a sentence to show: capitalised, with its full stop."""
    text = str(message)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


LANGUAGE_NAMES = {"ca": "Català", "es": "Español", "en": "English"}


def language_name(code: str) -> str:
    """The name of a language the town hall answers in ("Català" for "ca"); the code in capitals for another."""
    return LANGUAGE_NAMES.get(code, code.upper())
