"""Keyword answers for questions as citizens write them (issue 13): a town's keyword set, a labelled set of citizen
messages, and how often the matcher answers right, answers wrong or asks.

The set lives in `bench/keyword_set/`: `keywords.csv` (a Catalan town hall's keywords in Catalan, Spanish and English,
with synonyms and example questions; `topic` ties translations together) and `messages.csv` (messages written as
citizens write on WhatsApp and Telegram, each labelled with the topic an operator would answer it with, or nothing
when no keyword's answer would satisfy the citizen). It was written without looking at the matcher, so that it cannot
be tuned to it; part of it (`split` = `held_out`) is kept out of any tuning.

The keywords go into a fresh SQLite database through the app's own import, and each message is matched by the index
the message pipeline uses (`keyword_index(...).match(text, language=...)`). A verdict is:
- right: one keyword, of the expected topic;
- wrong: one keyword of another topic, or any keyword when none was expected (the worst outcome: the citizen is
  told something beside the point and nobody reads the question);
- asked: "did you mean…" (neither right nor wrong: the citizen chooses);
- unanswered: none (an operator answers).
`right_rate` = right / covered messages, `wrong_rate` = wrong / all messages, `asked_rate` = asked / covered.

The peer, on the same set in the same run, is RapidPro's keyword trigger (nyaruka/mailroom,
`core/models/trigger.go`, `FindMatchingMsgTrigger`): the message's first word must equal a trigger keyword
("first word" match type), or the message must be that one word ("only"). Its trigger keywords are single words, so
each topic's single-word keywords and synonyms become its triggers. We compare case- and accent-insensitively, more
forgiving than RapidPro's default collation (case only).

The same messages are also measured against `keywords_enriched.csv`: the same keywords with the example questions and
synonyms an administrator adds in a town's first weeks (about 7 example questions a keyword instead of 2–3), with
the same thresholds; `right_rate`/`wrong_rate` at the top stay those of the set as first written.

Speed: the same matcher over 5,000 synthetic keywords with 20,000 example questions (`bench/keyword_matching.py`).
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from bench import keyword_matching
from citymes_app.core import keywords, tenants
from citymes_app.core.db import make_engine, migrate
from citymes_app.core.matching import KeywordIndex, MatchStatus, normalize
from citymes_app.models import Tenant, row_id

SET = Path(__file__).parent / "keyword_set"
KEYWORDS_CSV = SET / "keywords.csv"
# The same town's keywords after its administrator added the example questions and synonyms a town adds in its first
# weeks (about ten example questions per topic, as Dialogflow or Rasa ask for each intent): measured beside the set
# as first written, with the same thresholds. Written from the services, not from the labelled messages.
ENRICHED_CSV = SET / "keywords_enriched.csv"
MESSAGES_CSV = SET / "messages.csv"
RESULTS = Path(__file__).parent / "results"
SPLITS = ("tune", "held_out")
SPEED_EXAMPLES = 20_000


@dataclass(frozen=True)
class LabelledMessage:
    """A citizen's message and the topic that answers it ("" when no keyword does)."""

    text: str
    language: str
    expected: str
    kinds: tuple[str, ...]
    split: str


@dataclass(frozen=True)
class Verdict:
    """What a matcher made of one labelled message."""

    message: LabelledMessage
    status: str  # matched / ambiguous / none
    topics: tuple[str, ...]  # the answer's topic, or the options offered
    reason: str = ""

    @property
    def outcome(self) -> str:
        if self.status == MatchStatus.MATCHED:
            return "right" if self.topics[0] == self.message.expected else "wrong"
        return "asked" if self.status == MatchStatus.AMBIGUOUS else "unanswered"


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of one of the set's files."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def labelled_messages(path: Path = MESSAGES_CSV) -> list[LabelledMessage]:
    """The labelled set (`kind` holds `|`-separated tags)."""
    return [
        LabelledMessage(row["text"], row["language"], row["expected"], tuple(row["kind"].split("|")), row["split"])
        for row in read_csv(path)
    ]


def load_town(session: Session, path: Path = KEYWORDS_CSV) -> Tenant:
    """A tenant with the town's keyword set (example questions included), imported as an administrator would."""
    tenant = tenants.add_tenant(session, slug="mataro", name="Ajuntament de Mataró", languages="ca,es,en")
    report = keywords.import_keywords_csv(session, tenant=tenant, content=path.read_text(encoding="utf-8"))
    if not report.ok:
        raise SystemExit(f"{path} does not import: " + "; ".join(map(str, report.errors)))
    session.commit()
    return tenant


def town_index(keywords_csv: Path = KEYWORDS_CSV) -> KeywordIndex:
    """The town's keyword index, as the app builds it from a fresh database holding the set."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'town.db'}"
        migrate(url)
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                tenant = load_town(session, keywords_csv)
                return keywords.keyword_index(session, tenant_id=row_id(tenant))
        finally:
            engine.dispose()


def ours(index: KeywordIndex) -> Callable[[LabelledMessage], Verdict]:
    """CityMes' matcher, called as the message pipeline calls it."""

    def judge(message: LabelledMessage) -> Verdict:
        match = index.match(message.text, language=message.language)
        return Verdict(message, match.status, tuple(entry.topic for entry in match.entries), match.reason)

    return judge


def rapidpro_triggers(rows: Iterable[dict[str, str]]) -> dict[str, set[str]]:
    """Trigger word → topics: each keyword's and synonym's single-word forms (RapidPro's keywords are one word)."""
    triggers: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for phrase in [row["keyword"], *keywords.split_list(row["synonyms"])]:
            word = normalize(phrase)
            if word and " " not in word:
                triggers[word].add(normalize(row["topic"]))
    return triggers


def rapidpro(triggers: dict[str, set[str]], *, only: bool) -> Callable[[LabelledMessage], Verdict]:
    """RapidPro's keyword trigger: the first word is a trigger keyword ("only": and it is the whole message)."""

    def judge(message: LabelledMessage) -> Verdict:
        words = normalize(message.text).split()
        if not words or (only and len(words) > 1) or words[0] not in triggers:
            return Verdict(message, MatchStatus.NONE, ())
        topics = tuple(sorted(triggers[words[0]]))
        status = MatchStatus.MATCHED if len(topics) == 1 else MatchStatus.AMBIGUOUS
        return Verdict(message, status, topics, f"first word '{words[0]}'")

    return judge


def rates(verdicts: list[Verdict]) -> dict[str, float | int]:
    """Counts and rates of a group of verdicts."""
    counts = {"right": 0, "wrong": 0, "asked": 0, "unanswered": 0}
    for verdict in verdicts:
        counts[verdict.outcome] += 1
    covered = sum(1 for v in verdicts if v.message.expected)
    return {
        "messages": len(verdicts),
        "covered": covered,
        **counts,
        "right_rate": round(counts["right"] / covered, 4) if covered else 0.0,
        "wrong_rate": round(counts["wrong"] / len(verdicts), 4) if verdicts else 0.0,
        "asked_rate": round(counts["asked"] / covered, 4) if covered else 0.0,
    }


def _grouped(verdicts: list[Verdict], keys: Callable[[LabelledMessage], Iterable[str]]) -> dict[str, dict]:
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        for key in keys(verdict.message):
            groups[key].append(verdict)
    return {key: rates(group) for key, group in sorted(groups.items())}


def report(verdicts: list[Verdict], *, detail: bool) -> dict:
    """The figures of one matcher: overall, per split, per language and per kind; with `detail`, the wrong answers
    and the covered messages left unanswered or asked about, for an engineer to read."""
    figures: dict = {
        **{k: v for k, v in rates(verdicts).items() if k.endswith("_rate")},
        "splits": {"all": rates(verdicts), **_grouped(verdicts, lambda m: [m.split])},
        "by_language": _grouped(verdicts, lambda m: [m.language]),
        "by_kind": _grouped(verdicts, lambda m: m.kinds),
    }
    if detail:
        figures["wrong_answers"] = [_row(v) for v in verdicts if v.outcome == "wrong"]
        figures["missed"] = [_row(v) for v in verdicts if v.message.expected and v.outcome in {"asked", "unanswered"}]
    return figures


def _row(verdict: Verdict) -> dict[str, str]:
    message = verdict.message
    got = verdict.topics[0] if verdict.status == MatchStatus.MATCHED else f"{verdict.status}: {', '.join(verdict.topics)}"
    return {
        "text": message.text,
        "language": message.language,
        "expected": message.expected,
        "got": got.rstrip(": "),
        "reason": verdict.reason,
        "kind": "|".join(message.kinds),
        "split": message.split,
    }


def speed() -> dict:
    """Per-message time of the matcher with 5,000 keywords and 20,000 example questions (synthetic)."""
    rng = random.Random(keyword_matching.SEED)
    entries = keyword_matching.add_examples(rng, keyword_matching.build_entries(rng), SPEED_EXAMPLES)
    started = time.perf_counter()
    index = KeywordIndex.build(entries)
    build_ms = (time.perf_counter() - started) * 1000
    per_message_ms, outcomes = keyword_matching.time_matches(index, keyword_matching.build_messages(rng, entries))
    return {
        "keywords": len(entries),
        "example_questions": sum(len(e.examples) for e in entries),
        "messages": keyword_matching.MESSAGES,
        "index_build_ms": round(build_ms, 1),
        "per_message_ms": per_message_ms,
        "outcomes": outcomes,
    }


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def run() -> dict:
    """Measure CityMes and the peer on the labelled set, and the matcher's speed."""
    messages = labelled_messages()
    keyword_rows = read_csv(KEYWORDS_CSV)
    judge = ours(town_index())
    enriched = ours(town_index(ENRICHED_CSV))
    verdicts = [judge(m) for m in messages]
    triggers = rapidpro_triggers(keyword_rows)
    first_word = [rapidpro(triggers, only=False)(m) for m in messages]
    only_word = [rapidpro(triggers, only=True)(m) for m in messages]
    return {
        "benchmark": "keyword answers",
        "commit": _commit(),
        "set": {
            "keywords": len(keyword_rows),
            "topics": len({row["topic"] for row in keyword_rows}),
            "messages": len(messages),
            "covered": sum(1 for m in messages if m.expected),
            "held_out": sum(1 for m in messages if m.split == "held_out"),
        },
        **report(verdicts, detail=True),
        "enriched": {
            "keywords_csv": ENRICHED_CSV.name,
            "example_questions": sum(len(keywords.split_list(row["examples"])) for row in read_csv(ENRICHED_CSV)),
            **report([enriched(m) for m in messages], detail=False),
        },
        "peer": {
            "name": "RapidPro keyword trigger (nyaruka/mailroom core/models/trigger.go, FindMatchingMsgTrigger)",
            "trigger_words": len(triggers),
            "first_word": report(first_word, detail=False),
            "only": report(only_word, detail=False),
        },
        "speed": speed(),
    }


def _table(figures: dict) -> str:
    lines = [f"{'':28} {'right':>7} {'wrong':>7} {'asked':>7}   (right, asked: of covered; wrong: of all)"]

    def line(name: str, block: dict) -> None:
        lines.append(f"{name:28} {block['right_rate']:>7.1%} {block['wrong_rate']:>7.1%} {block['asked_rate']:>7.1%}")

    for split in ("all", *SPLITS):
        line(f"CityMes {split}", figures["splits"][split])
    for split in ("all", *SPLITS):
        line(f"CityMes enriched set {split}", figures["enriched"]["splits"][split])
    for rule in ("first_word", "only"):
        for split in ("all", "held_out"):
            line(f"RapidPro {rule} {split}", figures["peer"][rule]["splits"][split])
    timing = figures["speed"]["per_message_ms"]
    lines.append(
        f"speed ({figures['speed']['keywords']} keywords, {figures['speed']['example_questions']} examples): "
        f"p50 {timing['p50']} ms, p99 {timing['p99']} ms"
    )
    return "\n".join(lines)


def main(output: str = "keyword_answers.json") -> dict:
    """Run, write `bench/results/<output>` and print a short table."""
    figures = run()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / output).write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(_table(figures))
    print(f"{len(figures['wrong_answers'])} wrong answers, {len(figures['missed'])} covered messages missed: {RESULTS / output}")
    return figures


if __name__ == "__main__":
    main(*sys.argv[1:2])
