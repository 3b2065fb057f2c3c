"""The "try it" box's wording: the verdict and its reason as today, and the keywords the matcher weighed, best first."""

from __future__ import annotations

from dataclasses import replace

from citymes_app.core.keyword_desk import KeywordTrial
from citymes_app.core.matching import Candidate, Entry
from citymes_app.core.routing import AnswerOutcome, Explanation
from citymes_app.state.keywords.display import CandidateRow, trial


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
    explanation = Explanation(AnswerOutcome.OPERATOR, "no keyword fits well enough: the message waits for an operator")

    shown = trial("horari del mercat", KeywordTrial(replace(explanation, candidates=candidates), None))

    assert (shown.label, shown.reason) == (
        "Waits for an operator",
        "No keyword fits well enough: the message waits for an operator.",
    )
    assert shown.candidates == [
        CandidateRow("MERCAT", "CA", "88 %", "horari, mercat"),
        CandidateRow("MERCADO", "ES", "50 %", "mercat"),
        CandidateRow("HORARIS", "CA", "42 %", "horari"),
        CandidateRow("PISCINA", "CA", "10 %", ""),
        CandidateRow("BUS", "CA", "5 %", "hora"),
    ]


def test_without_candidates_try_it_shows_the_verdict_and_reason_as_before() -> None:
    explanation = Explanation(AnswerOutcome.AMBIGUOUS, "several keywords fit", buttons=("HORARIS", "MERCAT"))

    shown = trial("horari mercat", KeywordTrial(explanation, None))

    assert (shown.label, shown.reason, shown.options, shown.candidates) == (
        "Did you mean…?",
        "Several keywords fit.",
        ["HORARIS", "MERCAT"],
        [],
    )
