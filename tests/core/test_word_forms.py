"""How a message's words are read: whether it asks, and which of its words name places or people."""

from __future__ import annotations

import pytest

from citymes_app.core.word_forms import asks, proper_names


@pytest.mark.parametrize(
    "text", ["cada qt passa la L3", "¿dónde está el punto limpio", "a que hora cierra el ayuntamiento", "when do you open"]
)
def test_questions_are_told_by_their_marks_and_words(text: str) -> None:
    assert asks(text)


@pytest.mark.parametrize("text", ["ok gràcies, bon cap de setmana", "el fanal del carrer no funciona"])
def test_thanks_and_reports_are_not_questions(text: str) -> None:
    assert not asks(text)


def test_capitalised_words_inside_a_sentence_are_names() -> None:
    names = proper_names("Hola, diumenge vaig des de Cerdanyola al centre. Soc la Maria García")
    assert names == {"cerdanyola", "maria", "garcia"}


def test_wanting_to_know_is_a_question() -> None:
    assert asks("Hola bon dia, voldria saber l'horari de l'oficina")
    assert asks("I'd like to know the opening times")
