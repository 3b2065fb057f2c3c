"""Keyword matching at town-hall scale: 10,000 citizen messages against 5,000 keywords (with synonyms).

The messages mix what citizens really send: a keyword alone, a keyword in a short sentence, a keyword with a
typo, and questions no keyword answers. Figures are per message, through `KeywordIndex.match` (the same code the
pipeline runs), index already built; the index build time is reported separately.
"""

from __future__ import annotations

import dataclasses
import json
import random
import string
import time
from collections import Counter
from pathlib import Path

from citymes_app.core.matching import Entry, KeywordIndex, normalize

RESULTS = Path(__file__).parent / "results"
KEYWORDS = 5_000
MESSAGES = 10_000
SEED = 20261122


def _word(rng: random.Random, low: int = 5, high: int = 11) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(low, high)))


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swap two letters


def build_entries(rng: random.Random) -> list[Entry]:
    entries = []
    for n in range(KEYWORDS):
        words = [_word(rng) for _ in range(rng.choice([1, 1, 1, 2]))]
        synonyms = [_word(rng) for _ in range(rng.randint(0, 2))]
        entries.append(
            Entry(
                id=n + 1,
                keyword=" ".join(words).upper(),
                language=rng.choice(["ca", "es", "en"]),
                topic=f"t{n}",
                phrases=tuple(normalize(p) for p in [" ".join(words), *synonyms]),
            )
        )
    return entries


def build_messages(rng: random.Random, entries: list[Entry]) -> list[str]:
    fillers = ["hola", "bon dia", "si us plau", "gracies", "quan", "on es", "necessito", "info"]
    messages = []
    for _ in range(MESSAGES):
        phrase = rng.choice(entries).phrases[0]
        kind = rng.random()
        if kind < 0.35:
            messages.append(phrase.upper())
        elif kind < 0.6:
            messages.append(f"{rng.choice(fillers)}, {phrase} {rng.choice(fillers)}?")
        elif kind < 0.8 and len(phrase) >= 6 and " " not in phrase:
            messages.append(_typo(rng, phrase))
        else:
            messages.append(" ".join(_word(rng, 3, 9) for _ in range(rng.randint(2, 12))))
    return messages


def add_examples(rng: random.Random, entries: list[Entry], total: int) -> list[Entry]:
    """`entries` with `total` example questions shared among them (as evenly as the count allows), each a
    keyword phrase inside a sentence of filler and random words, as administrators write them."""
    openers = ["com puc", "on es", "quan obre", "a quina hora", "cómo pido", "dónde está", "how do I", "what time"]
    per_entry = Counter(n % len(entries) for n in range(total))

    def example(entry: Entry) -> str:
        rest = " ".join(_word(rng, 3, 8) for _ in range(rng.randint(0, 4)))
        return f"{rng.choice(openers)} {rng.choice(entry.phrases)} {rest}?"

    return [
        dataclasses.replace(entry, examples=tuple(example(entry) for _ in range(per_entry[n]))) for n, entry in enumerate(entries)
    ]


def time_matches(index: KeywordIndex, messages: list[str], *, language: str = "ca") -> tuple[dict, dict]:
    """Match every message once through `KeywordIndex.match`; the per-message times (ms) and the verdicts' counts."""
    timings, outcomes = [], {"matched": 0, "ambiguous": 0, "none": 0}
    for text in messages:
        t0 = time.perf_counter()
        match = index.match(text, language=language)
        timings.append(time.perf_counter() - t0)
        outcomes[match.status] += 1
    timings.sort()
    ms = [t * 1000 for t in timings]
    per_message_ms = {
        "p50": round(ms[len(ms) // 2], 3),
        "p90": round(ms[int(len(ms) * 0.9)], 3),
        "p99": round(ms[int(len(ms) * 0.99)], 3),
        "max": round(ms[-1], 3),
        "mean": round(sum(ms) / len(ms), 3),
    }
    return per_message_ms, outcomes


def main() -> dict:
    rng = random.Random(SEED)
    entries = build_entries(rng)
    started = time.perf_counter()
    index = KeywordIndex.build(entries)
    build_seconds = time.perf_counter() - started
    messages = build_messages(rng, entries)
    per_message_ms, outcomes = time_matches(index, messages)
    figures = {
        "benchmark": "keyword matching",
        "keywords": KEYWORDS,
        "phrases_indexed": len(index.by_phrase),
        "messages": MESSAGES,
        "index_build_ms": round(build_seconds * 1000, 1),
        "per_message_ms": per_message_ms,
        "outcomes": outcomes,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "keyword_matching.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
