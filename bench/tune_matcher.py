"""How the keyword matcher's thresholds were chosen: a grid search on the labelled set's `tune` split only.

    python -m bench.tune_matcher

Every combination of the matcher's thresholds is tried on the tune split; the chosen one answers the most covered
questions right while answering at most `WRONG_BUDGET` of all tune messages wrongly (1.5 %: the goal is at most 2 %,
with room for the held-out split to differ) (fewer wrong answers, then fewer
questions asked back, break ties; then the values closest to the middle of the grid). The held-out split is
measured once, for the chosen values only, and never steers the choice. The result is written to
`bench/results/matcher_tuning.json`; the chosen values are then written into `citymes_app/core/matching.py` by hand.
The code's values were chosen on the town's keyword set as first written (`keywords.csv`); a path as argument
(`python -m bench.tune_matcher bench/keyword_set/keywords_enriched.csv`) tunes on another set, to compare.

The grid holds the thresholds and, as 0/1, the matcher's signals that tell asking about a service from mentioning it
(complaint words, statements, general and specific topics, a second named topic): a signal is on in the code because
the tune split chose it, not because it fixed a sentence. About 18,000 combinations, some 5 minutes on one core.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.keyword_answers import KEYWORDS_CSV, RESULTS, LabelledMessage, labelled_messages, ours, rates, town_index
from citymes_app.core import matching
from citymes_app.core.matching import Entry, KeywordIndex

WRONG_BUDGET = 0.015
GRID: dict[str, tuple[float, ...]] = {
    "MATCH_SHARE": (0.4, 0.45, 0.5),
    "QUESTION_SHARE": (0.4, 0.45),
    "MARGIN": (0.1, 0.15),
    "STRONG_EVIDENCE": (3.0, math.inf),
    "UNKNOWN_DAMP": (0.3, 0.5, 0.7),
    "FRAME_CREDIT": (0.5, 1.0),
    "SECOND_TOPIC_SHARE": (0.2, 1.0),
    "PHRASE_WEIGHT": (1.0, 1.5),
    "STATEMENT_NEEDS_NAME": (0, 1),
    "COMPLAINTS_TO_OPERATOR": (0, 1),
    "SPECIFIC_WINS": (0, 1),
    "GENERAL_WINS_ALONE": (0, 1),
    "GENERAL_TAKES_FRAMES": (0, 1),
}
# Chosen on the tune split in issue 13's first round and held since: DISTINCTIVE_SHARE 0, COMMON_ZIPF 5.5,
# KNOWN_DAMP 0.3, NAMED_WINS 1, STRONG_SHARE 0.25 (chosen again in the second round's first grid, with the new signals),
# EXAMPLE_CREDIT 0.8 (0.9 scores more on the tune split but breaks a behaviour the tests hold: a topic the message names
# answers over topics sharing only words of their example questions, tests/core/test_matching_evidence.py).
BUILD_TIME = ("DISTINCTIVE_SHARE",)  # the others act when a message is weighed


@contextmanager
def thresholds(values: dict[str, float]) -> Iterator[None]:
    saved = {name: getattr(matching, name) for name in values}
    for name, value in values.items():
        setattr(matching, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(matching, name, value)


def town_entries(keywords_csv: Path = KEYWORDS_CSV) -> list[Entry]:
    return list(town_index(keywords_csv).entries.values())


_built: dict[tuple[float, ...], KeywordIndex] = {}


def measure(entries: list[Entry], messages: list[LabelledMessage], values: dict[str, float]) -> dict[str, float | int]:
    with thresholds(values):
        # The index depends only on the build-time values; the others are read as each message is weighed.
        key = (id(entries), *(values.get(name, getattr(matching, name)) for name in BUILD_TIME))
        if key not in _built:
            _built[key] = KeywordIndex.build(entries)
        judge = ours(_built[key])
        return rates([judge(m) for m in messages])


def _centrality(values: dict[str, float]) -> float:
    return -sum(abs(GRID[n].index(v) - (len(GRID[n]) - 1) / 2) for n, v in values.items())


def main(keywords_csv: Path = KEYWORDS_CSV) -> dict:
    messages = labelled_messages()
    tune = [m for m in messages if m.split == "tune"]
    held_out = [m for m in messages if m.split == "held_out"]
    entries = town_entries(keywords_csv)
    names = list(GRID)
    best: tuple[tuple[float, ...], dict[str, float], dict] | None = None
    tried = 0
    for combination in itertools.product(*GRID.values()):
        values = dict(zip(names, combination, strict=True))
        figures = measure(entries, tune, values)
        tried += 1
        if figures["wrong_rate"] > WRONG_BUDGET:
            continue
        key = (figures["right_rate"], -figures["wrong_rate"], -figures["asked_rate"], _centrality(values))
        if best is None or key > best[0]:
            best = (key, values, figures)
    if best is None:
        raise SystemExit("no combination keeps the tune split's wrong answers within the budget")
    _, chosen, tune_figures = best
    current = {name: getattr(matching, name) for name in names}
    result = {
        "benchmark": "keyword matcher thresholds, chosen on the tune split",
        "wrong_budget": WRONG_BUDGET,
        "combinations_tried": tried,
        "grid": GRID,
        "chosen": chosen,
        "tune": tune_figures,
        "held_out_with_chosen": measure(entries, held_out, chosen),
        "in_the_code_now": current,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "matcher_tuning.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("chosen", "tune", "held_out_with_chosen", "in_the_code_now")}, indent=2))
    return result


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:2]))
