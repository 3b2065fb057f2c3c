"""The labelled set of `bench/keyword_answers.py` is sound: big enough, in the three languages, every label names a
topic of the town's keywords, both splits hold covered and uncovered messages, nothing repeats, and no message is
one of the example questions the keywords are taught with (that would measure memory, not matching).

Not a test of the matcher's quality: that is what the benchmark measures."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, select

from bench.keyword_answers import ENRICHED_CSV, KEYWORDS_CSV, labelled_messages, load_town, read_csv
from citymes_app.core.db import make_engine
from citymes_app.core.matching import normalize
from citymes_app.models import Keyword

MESSAGES = labelled_messages()
KEYWORDS = read_csv(KEYWORDS_CSV)
ENRICHED = read_csv(ENRICHED_CSV)
TOPICS = {row["topic"] for row in KEYWORDS}


def test_the_set_has_enough_messages_in_catalan_spanish_and_english() -> None:
    languages = Counter(m.language for m in MESSAGES)
    assert len(MESSAGES) >= 150
    assert set(languages) == {"ca", "es", "en"}
    assert all(count >= 30 for count in languages.values()), languages


def test_every_label_names_a_topic_of_the_keyword_set() -> None:
    unknown = {m.expected for m in MESSAGES if m.expected and m.expected not in TOPICS}
    assert not unknown
    assert len(TOPICS) >= 18


def test_covered_and_uncovered_messages_are_in_both_splits() -> None:
    splits = Counter((m.split, bool(m.expected)) for m in MESSAGES)
    assert set(splits) == {("tune", True), ("tune", False), ("held_out", True), ("held_out", False)}
    held_out = sum(1 for m in MESSAGES if m.split == "held_out") / len(MESSAGES)
    assert 0.25 <= held_out <= 0.4
    covered = sum(1 for m in MESSAGES if m.expected) / len(MESSAGES)
    assert 0.55 <= covered <= 0.7


def test_no_message_repeats_another_or_an_example_question() -> None:
    texts = Counter(normalize(m.text) for m in MESSAGES)
    assert [text for text, n in texts.items() if n > 1] == []
    examples = {normalize(e) for row in [*KEYWORDS, *ENRICHED] for e in row["examples"].split("|")}
    assert [text for text in texts if text in examples] == []


def test_every_message_has_a_kind_and_the_hard_negatives_are_there() -> None:
    kinds = Counter(kind for m in MESSAGES for kind in m.kinds)
    assert all(m.kinds and all(m.kinds) for m in MESSAGES)
    for kind in ("mentions-not-asks", "private-matter", "greeting-only", "long", "typo", "other-language-name"):
        assert kinds[kind] >= 5, kind
    assert all(not m.expected for m in MESSAGES if {"mentions-not-asks", "private-matter"} & set(m.kinds))


def test_each_topic_has_a_catalan_and_a_spanish_keyword_with_examples() -> None:
    languages: dict[str, set[str]] = {}
    for row in KEYWORDS:
        languages.setdefault(row["topic"], set()).add(row["language"])
        assert 2 <= len(row["examples"].split("|")) <= 4, row["keyword"]
        assert len([s for s in row["synonyms"].split("|") if s]) <= 4, row["keyword"]
    assert all({"ca", "es"} <= langs for langs in languages.values()), languages


def test_the_keyword_set_imports_through_the_app_with_its_examples(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            tenant = load_town(session)
            stored = session.exec(select(Keyword).where(Keyword.tenant_id == tenant.id)).all()
            assert len(stored) == len(KEYWORDS)
            assert {k.topic for k in stored} == TOPICS
            assert all(len(k.examples.split("|")) >= 2 for k in stored)
    finally:
        engine.dispose()


def test_the_enriched_set_only_adds_to_the_town_s_keywords() -> None:
    """The same keywords, answers and topics; every synonym and example question kept, a few more added."""
    assert len(ENRICHED) == len(KEYWORDS)
    for first, enriched in zip(KEYWORDS, ENRICHED, strict=True):
        for column in ("keyword", "response", "language", "topic", "featured"):
            assert enriched[column] == first[column]
        for column in ("synonyms", "examples"):
            added = enriched[column].split("|")
            assert added[: len(first[column].split("|"))] == first[column].split("|")
        assert len(enriched["examples"].split("|")) <= 9, enriched["keyword"]
    assert sum(len(row["examples"].split("|")) for row in ENRICHED) >= 2 * sum(
        len(row["examples"].split("|")) for row in KEYWORDS
    )


def test_the_enriched_set_imports_through_the_app(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            tenant = load_town(session, ENRICHED_CSV)
            stored = session.exec(select(Keyword).where(Keyword.tenant_id == tenant.id)).all()
            assert len(stored) == len(ENRICHED)
            assert sum(len(k.examples.split("|")) for k in stored) == sum(len(row["examples"].split("|")) for row in ENRICHED)
    finally:
        engine.dispose()
