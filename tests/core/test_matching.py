"""The keyword matcher on its own: what it accepts, what it refuses, and the reason it gives."""

from __future__ import annotations

import pytest

from citymes_app.core.matching import Entry, KeywordIndex, allowed_typos, normalize

ENTRIES = [
    Entry(1, "HORARIS", "ca", "hours", ("horaris", "horari")),
    Entry(2, "HORARIOS", "es", "hours", ("horarios", "horario")),
    Entry(3, "DEIXALLERIA", "ca", "recycling", ("deixalleria", "punt verd")),
    Entry(4, "PADRO", "ca", "census", ("padro",)),
    Entry(5, "BUS", "ca", "bus", ("bus",)),
    Entry(6, "BUS", "es", "bus", ("bus",)),
    Entry(7, "TRAMIT", "ca", "procedure", ("tramit",), has_codes=True),
    Entry(8, "VERD", "ca", "", ("verd",)),
]
INDEX = KeywordIndex.build(ENTRIES)


@pytest.mark.parametrize(
    ("typed", "keyword", "reason"),
    [
        ("HORARIS", "HORARIS", "'horaris' is the keyword or one of its synonyms"),
        ("Horari?", "HORARIS", "'horari' is the keyword or one of its synonyms"),
        ("bon dia, horaris biblioteca?", "HORARIS", "'horaris' found in the message"),
        ("horaros", "HORARIS", "'horaros' looks like 'horaris' (1 typo)"),
        ("deixallria", "DEIXALLERIA", "'deixallria' looks like 'deixalleria' (1 typo)"),
        ("dexialleira", "DEIXALLERIA", "'dexialleira' looks like 'deixalleria' (2 typos)"),
        ("on és el punt verd", "DEIXALLERIA", "'punt verd' found in the message"),
    ],
)
def test_matches_with_reasons(typed: str, keyword: str, reason: str) -> None:
    match = INDEX.match(typed, language="ca")
    assert match.entry is not None
    assert (match.status, match.entry.keyword, match.reason) == ("matched", keyword, reason)


@pytest.mark.parametrize("typed", ["padre", "pare", "bis", "hora", "horas", "tram", "verde", "deixa", "xoraris"])
def test_near_misses_match_nothing(typed: str) -> None:
    assert INDEX.match(typed).status == "none"


def test_long_messages_are_left_to_operators() -> None:
    text = "bon dia voldria saber els horaris de la biblioteca central del barri"
    assert INDEX.match(text).status == "none"


def test_two_keywords_in_one_message_are_ambiguous() -> None:
    match = INDEX.match("horaris deixalleria", language="ca")
    assert match.status == "ambiguous"
    assert sorted(e.keyword for e in match.entries) == ["DEIXALLERIA", "HORARIS"]


def test_same_word_in_two_languages_prefers_the_citizens() -> None:
    spanish, catalan = (INDEX.match("bus", language=language).entry for language in ("es", "ca"))
    assert spanish is not None and catalan is not None
    assert (spanish.id, catalan.id) == (6, 5)


def test_personal_code_keyword_takes_the_rest_as_the_code() -> None:
    match = INDEX.match("Tramit ab-12 34")
    assert match.entry is not None
    assert (match.entry.keyword, match.code) == ("TRAMIT", "ab1234")


@pytest.mark.parametrize(("length", "typos"), [(3, 0), (5, 0), (6, 1), (8, 1), (9, 2), (15, 2)])
def test_typo_allowance_grows_with_length(length: int, typos: int) -> None:
    assert allowed_typos(length) == typos


def test_normalize_removes_invisible_characters() -> None:
    assert normalize("ho\u200bra\u2060ris") == "horaris"
