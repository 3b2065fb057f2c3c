"""Small pieces of interface wording the states share."""

from __future__ import annotations

from typing import Any

from citymes_app.core.phrases import Phrase
from citymes_app.i18n import LANGUAGE_NAMES, Words, words_for
from citymes_app.state.language import LanguageState


def sentence(message: object, words: Words | None = None) -> str:
    """A core error message ("the keyword is empty") as a sentence to show: capitalised, with its full stop.

    With `words`, in that language: a `Phrase`, or an error carrying one (`core.phrases.PhrasedError`) is translated by its
    template, any other message by its text as msgid (untranslated messages stay in English)."""
    phrase = message if isinstance(message, Phrase) else getattr(message, "phrase", None)
    if words is None:
        text = str(message)
    elif isinstance(phrase, Phrase):
        text = words.phrase(phrase)
    else:
        text = words.translate(str(message))
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def language_name(code: str) -> str:
    """The name of a language the town hall answers in ("Català" for "ca"); the code in capitals for another."""
    return LANGUAGE_NAMES.get(code, code.upper())


async def tab_words(state: Any) -> Words:  # noqa: ANN401 — any Reflex state of the tab
    """The words of the tab's language, for a state with no signed-in operator at hand (a refusal to a signed-out tab)."""
    return words_for((await state.get_state(LanguageState)).lang)
