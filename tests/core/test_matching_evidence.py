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
    # The library's example question names the library: without that name its words are only a question's frame.
    assert match.reason == "'mercat' found in the message; only it is named ('horaris' share words of their example questions)"
    # The try-it box shows every candidate with its score: the others explain about as much, but through examples.
    scores = {c.entry.keyword: c.score for c in match.candidates}
    assert set(scores) >= {"MERCAT", "BIBLIOTECA", "HORARIS"}
    assert scores["MERCAT"] - scores["HORARIS"] < matching.MARGIN


def test_without_a_named_topic_a_tie_is_still_asked_in_the_order_the_message_mentions_them() -> None:
    # Not a tie any more: the library's and the market's questions name their topic, the town hall's does not, so
    # "a quina hora obre dissabte" (no service named) asks the town hall's hours.
    general = TOWN.match("a quina hora obre dissabte", language="ca")
    assert general.entry is not None and general.entry.keyword == "HORARIS"
    both_named = TOWN.match("deixalleria o biblioteca", language="ca")
    assert both_named.status == "ambiguous"
    assert [e.keyword for e in both_named.entries] == ["DEIXALLERIA", "BIBLIOTECA"]


def test_a_common_word_of_a_topic_weighs_less_than_a_rare_one() -> None:
    read = {w.typed: w.weight / TOWN.idf[w.typed] for w in TOWN._read("hora deixalleria")}
    assert read["hora"] == 1 - matching.KNOWN_DAMP  # "hora" is everyday Catalan and Spanish
    assert read["hora"] < read["deixalleria"] < 1


# A town where opening hours are asked about by other topics' questions ("horari de les parades del mercat", "when is
# the market open?"): a general topic.
SERVICES = KeywordIndex.build(
    [
        Entry(
            1,
            "HORARIS",
            "ca",
            "hours",
            ("horaris", "horari", "opening times", "oac"),
            examples=("a quina hora obre l'ajuntament?", "what time does the town hall open?"),
        ),
        Entry(
            2,
            "MERCAT",
            "ca",
            "market",
            ("mercat", "market"),
            examples=("horari de les parades del mercat", "when is the market open?"),
        ),
        Entry(
            3,
            "PISCINA",
            "ca",
            "sports",
            ("piscina", "poliesportiu"),
            examples=("quin horari fa la piscina?", "a quina hora tanca la piscina?"),
        ),
        Entry(4, "BUS", "ca", "bus", ("bus", "bus times"), examples=("what time is the next bus?",)),
        Entry(5, "DEIXALLERIA", "ca", "recycling", ("deixalleria", "punt verd"), examples=("on porto una nevera vella?",)),
        Entry(6, "INCIDENCIA", "ca", "street", ("incidencia", "fanal"), examples=("un fanal no funciona",)),
        Entry(7, "AGENDA", "ca", "culture", ("agenda", "concerts"), examples=("què es pot fer aquest cap de setmana?",)),
    ]
)


def test_a_general_topic_named_beside_a_specific_one_asks_about_the_specific_one() -> None:
    assert "hours" in SERVICES.general and "recycling" not in SERVICES.general
    match = SERVICES.match("deixalleria opening times", language="en")
    assert match.entry is not None and match.entry.keyword == "DEIXALLERIA"


def test_a_question_that_names_nothing_in_particular_is_the_general_topics() -> None:
    match = SERVICES.match("what time do you open?", language="en")
    assert match.entry is not None and match.entry.keyword == "HORARIS"


def test_words_of_a_question_asked_about_another_service_do_not_answer_for_it() -> None:
    # "a quina hora tanca la piscina?" is the pool's question: without the pool's name its words are a frame.
    match = SERVICES.match("a quina hora tanqueu?", language="ca")
    assert match.entry is None or match.entry.keyword != "PISCINA"


def test_a_complaint_naming_a_service_goes_to_an_operator() -> None:
    match = SERVICES.match("vull fer una reclamació per la piscina", language="ca")
    assert match.status == "none"
    assert match.reason == "'reclamació' reads as a complaint: left to an operator"


def test_a_complaint_word_the_town_names_is_a_keyword_like_any_other() -> None:
    town = KeywordIndex.build([Entry(1, "SOROLL", "ca", "noise", ("soroll", "sorolls"))])
    match = town.match("hi ha molt soroll al carrer", language="ca")
    assert match.entry is not None and match.entry.keyword == "SOROLL"


def test_a_farewell_sharing_words_with_an_example_question_is_not_answered() -> None:
    assert SERVICES.match("ok gràcies, bon cap de setmana", language="ca").status == "none"


def test_a_report_like_an_example_report_is_answered_without_a_question() -> None:
    match = SERVICES.match("el fanal del carrer no funciona", language="ca")
    assert match.entry is not None and match.entry.keyword == "INCIDENCIA"


def test_a_message_naming_two_services_asks_which() -> None:
    match = SERVICES.match("horari del mercat i del bus?", language="ca")
    assert match.status == "ambiguous"
    assert [e.keyword for e in match.entries] == ["MERCAT", "BUS"]


def test_everyday_words_places_and_days_weigh_less_than_unknown_rare_words() -> None:
    read = {w.typed: w.weight for w in SERVICES._read("diumenge a casa des de Cerdanyola tinc fluorescents")}
    assert read["casa"] < read["fluorescents"]
    assert read["cerdanyola"] < read["fluorescents"]
    assert read["diumenge"] < read["fluorescents"]


def test_a_dropped_silent_h_is_forgiven_like_a_typo() -> None:
    match = SERVICES.match("orari del mercat", language="ca")
    assert match.entry is not None and match.entry.keyword == "MERCAT"


def test_a_question_about_closing_names_no_service_and_asks_the_general_hours() -> None:
    # "a quina hora tanca la piscina?" lends "tanca" to the general topic when no specific service is named.
    for typed in ("a quina hora tanqueu?", "ahir estava tancat, quin horari feu?"):
        match = SERVICES.match(typed, language="ca")
        assert match.entry is not None and match.entry.keyword == "HORARIS", typed


def test_a_word_two_topics_are_named_by_does_not_make_a_second_subject() -> None:
    town = KeywordIndex.build(
        [
            Entry(1, "OCUPACIO", "ca", "jobs", ("ocupacio", "feina"), examples=("busco feina, on m'apunto?",)),
            Entry(
                2, "AJUT LLOGUER", "ca", "rent", ("ajut lloguer", "ajuda lloguer"), examples=("hi ha ajudes per pagar el pis?",)
            ),
            Entry(
                3,
                "SERVEIS SOCIALS",
                "ca",
                "social",
                ("serveis socials", "ajuda social"),
                examples=("on em poden ajudar si no arribo a final de mes?",),
            ),
        ]
    )
    match = town.match("feina, m'hi podeu ajudar?", language="ca")  # "ajudar" names rent aid and social services
    assert match.entry is not None and match.entry.keyword == "OCUPACIO"


def test_asking_for_money_back_or_disputing_a_fine_goes_to_an_operator() -> None:
    refund = SERVICES.match("vaig pagar la piscina dues vegades, com em retorneu els diners?", language="ca")
    assert refund.status == "none"
    assert refund.reason == "'retornar diners' reads as a complaint: left to an operator"
    fine = SERVICES.match("m'han posat una multa davant del mercat", language="ca")
    assert fine.status == "none"
