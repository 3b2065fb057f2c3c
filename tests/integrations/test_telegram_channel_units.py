"""Pure pieces of the Telegram channel."""

from __future__ import annotations

from integrations.telegram import split_text


def test_short_text_is_one_part() -> None:
    assert split_text("hola") == ["hola"]


def test_long_text_splits_at_word_breaks_within_the_limit() -> None:
    text = "paraula " * 1500
    parts = split_text(text)
    assert all(len(p) <= 4096 for p in parts)
    assert " ".join(p.strip() for p in parts).split() == text.split()


def test_text_without_spaces_is_cut_hard() -> None:
    parts = split_text("x" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]
