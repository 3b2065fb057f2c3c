"""The "try it" box's wording: the verdict and its reason as today, and the keywords the matcher weighed, best first."""

from __future__ import annotations

from dataclasses import replace

from citymes_app.core.keyword_desk import KeywordTrial
from citymes_app.core.matching import Candidate, Entry
from citymes_app.core.phrases import Phrase
from citymes_app.core.routing import AnswerOutcome, Explanation
from citymes_app.i18n import words_for
from citymes_app.state.keywords.display import CandidateRow, trial

NOTHING_FOUND = Phrase("no keyword, synonym or close spelling found")


def _entry(entry_id: int, keyword: str, language: str = "ca") -> Entry:
    return Entry(id=entry_id, keyword=keyword, language=language, topic="", phrases=(keyword.lower(),))


def test_try_it_lists_the_five_best_candidates_with_their_scores_and_words() -> None:
    candidates = (
        Candidate(_entry(1, "HORARIS"), 0.42, ("horari",)),
        Candidate(_entry(2, "MERCAT"), 0.875, ("horari", "mercat")),
        Candidate(_entry(3, "MERCADO", "es"), 0.5, ("mercat",)),
        Candidate(_entry(4, "PISCINA"), 0.1),
        Candidate(_entry(5, "BUS"), 0.05, ("hora",)),
        Candidate(_entry(6, "PADRO"), 0.01, ("del",)),
    )
    explanation = Explanation(
        AnswerOutcome.OPERATOR, Phrase("{reason}: the message waits for an operator", {"reason": NOTHING_FOUND})
    )

    shown = trial("horari del mercat", KeywordTrial(replace(explanation, candidates=candidates), None), words_for("en"))

    assert (shown.label, shown.reason) == (
        "Waits for an operator",
        "No keyword, synonym or close spelling found: the message waits for an operator.",
    )
    assert shown.candidates == [
        CandidateRow("MERCAT", "CA", "88 %", "horari, mercat"),
        CandidateRow("MERCADO", "ES", "50 %", "mercat"),
        CandidateRow("HORARIS", "CA", "42 %", "horari"),
        CandidateRow("PISCINA", "CA", "10 %", ""),
        CandidateRow("BUS", "CA", "5 %", "hora"),
    ]


def test_without_candidates_try_it_shows_the_verdict_and_reason_as_before() -> None:
    explanation = Explanation(
        AnswerOutcome.AMBIGUOUS,
        Phrase("several keywords fit: {names}", {"names": "'horaris', 'mercat'"}),
        buttons=("HORARIS", "MERCAT"),
    )

    shown = trial("horari mercat", KeywordTrial(explanation, None), words_for("en"))

    assert (shown.label, shown.reason, shown.options, shown.candidates) == (
        "Did you mean…?",
        "Several keywords fit: 'horaris', 'mercat'.",
        ["HORARIS", "MERCAT"],
        [],
    )


def test_try_it_gives_its_reason_in_the_administrators_language() -> None:
    explanation = Explanation(
        AnswerOutcome.OPERATOR, Phrase("{reason}: the message waits for an operator", {"reason": NOTHING_FOUND})
    )

    catalan = trial("bon dia", KeywordTrial(explanation, None), words_for("ca"))
    spanish = trial("bon dia", KeywordTrial(explanation, None), words_for("es"))

    assert catalan.reason == "No s'ha trobat cap paraula clau, sinònim ni grafia semblant: el missatge espera un operador."
    assert (
        spanish.reason
        == "No se ha encontrado ninguna palabra clave, sinónimo ni grafía parecida: el mensaje espera a un operador."
    )
    assert catalan.label == "Waits for an operator"  # a msgid: the page looks it up in the tab's catalog
