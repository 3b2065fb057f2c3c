"""Wording shared by every page's state: turning a reason from `core` into a sentence for the screen."""

from __future__ import annotations


def sentence(reason: object) -> str:
    """ "the reply is too long" → "The reply is too long." (an exception is worded by its message)."""
    text = str(reason)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
