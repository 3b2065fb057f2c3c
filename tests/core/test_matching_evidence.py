"""What the matcher takes as evidence for a topic: a name over example questions, rare words over everyday ones."""

from __future__ import annotations

from citymes_app.core import matching
from citymes_app.core.matching import Entry, KeywordIndex
from citymes_app.core.word_forms import zipf

# A town where three topics' example questions all ask "a quina hora obre ... dissabte".
TOWN = KeywordIndex.build(
    [
        Entry(
            1,
            "HORARIS",
            "ca",
            "hours",
            ("horaris", "horari", "oac"),
            examples=("a quina hora obre l'ajuntament?", "esteu oberts dissabte?"),
        ),
        Entry(
            2,
            "BIBLIOTECA",
            "ca",
            "library",
            ("biblioteca", "biblio"),
            examples=("a quina hora tanca la biblioteca?", "la biblioteca obre dissabte?"),
        ),
        Entry(
            3,
            "MERCAT",
            "ca",
            "market",
            ("mercat", "mercat central"),
            examples=("quan obre el mercat?", "el mercat obre dilluns?"),
        ),
        Entry(4, "DEIXALLERIA", "ca", "recycling", ("deixalleria", "punt verd"), examples=("on porto una nevera vella?",)),
    ]
)


def test_everyday_words_are_more_common_than_a_towns_words() -> None:
    assert zipf("casa") > zipf("hora") > zipf("deixalleria") > 0
    assert zipf("xyzzyq") == 0  # in no list: a typo, a street's name


def test_the_topic_a_message_names_answers_over_topics_sharing_only_example_words() -> None:
    match = TOWN.match("a quina hora obre el mercat dissabte", language="ca")
    assert match.entry is not None and match.entry.keyword == "MERCAT"
    assert match.reason == (
        "'mercat' found in the message; only it is named ('horaris', 'biblioteca' share words of their example questions)"
    )
    # The try-it box shows every candidate with its score: the others explain about as much, but through examples.
    scores = {c.entry.keyword: c.score for c in match.candidates}
    assert set(scores) >= {"MERCAT", "BIBLIOTECA", "HORARIS"}
    assert scores["MERCAT"] - scores["BIBLIOTECA"] < matching.MARGIN


def test_without_a_named_topic_a_tie_is_still_asked_in_the_order_the_message_mentions_them() -> None:
    match = TOWN.match("a quina hora obre dissabte", language="ca")
    assert match.status == "ambiguous"
    both_named = TOWN.match("deixalleria o biblioteca", language="ca")
    assert both_named.status == "ambiguous"
    assert [e.keyword for e in both_named.entries] == ["DEIXALLERIA", "BIBLIOTECA"]


def test_a_common_word_of_a_topic_weighs_less_than_a_rare_one() -> None:
    read = {w.typed: w.weight / TOWN.idf[w.typed] for w in TOWN._read("hora deixalleria")}
    assert read["hora"] == 1 - matching.KNOWN_DAMP  # "hora" is everyday Catalan and Spanish
    assert read["hora"] < read["deixalleria"] < 1
