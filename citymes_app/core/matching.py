"""The keyword matcher: what a citizen typed → which keyword answers it, and why.

It forgives what people do when they type on a phone: case, accents, punctuation and extra spaces (everything is
normalized first), a keyword inside a short sentence ("hola, horaris biblioteca?"), and small typos on longer
words. Typos are judged with rapidfuzz's optimal-string-alignment distance (a swapped pair of letters counts as
one typo) and never on short words, where one letter turns a word into another ("padre" is not "padro").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import process
from rapidfuzz.distance import OSA

# A keyword is looked for inside messages of at most this many words; a longer text is a question for a person.
MAX_SENTENCE_WORDS = 8
MAX_PHRASE_WORDS = 4
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces: what citizens type is compared so."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    no_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    no_invisible = "".join(ch for ch in no_accents if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", no_invisible)).strip()


def allowed_typos(length: int) -> int:
    """How many typos a phrase of `length` letters tolerates: none below 6, one up to 8, two from 9."""
    if length < 6:
        return 0
    if length < 9:
        return 1
    return 2


@dataclass(frozen=True)
class Entry:
    """A keyword as the matcher sees it."""

    id: int
    keyword: str
    language: str
    topic: str  # translations share a topic; an empty topic stands alone
    phrases: tuple[str, ...]  # normalized keyword and synonyms
    has_codes: bool = False
    examples: tuple[str, ...] = ()  # questions as citizens write them, as the administrator typed them

    @property
    def concept(self) -> str:
        return self.topic or f"#{self.id}"


class MatchStatus(StrEnum):
    """What the matcher made of a message."""

    MATCHED = "matched"  # one keyword
    AMBIGUOUS = "ambiguous"  # a few candidates: ask which
    NONE = "none"  # no keyword: an operator answers


@dataclass(frozen=True)
class Candidate:
    """A keyword the matcher weighed for a message, with how well it fits and on which words."""

    entry: Entry
    score: float  # 0..1: the share of the message's meaning this keyword explains (rare words weigh more)
    words: tuple[str, ...] = ()  # the message's words that matched it, as typed (normalized)


@dataclass(frozen=True)
class Match:
    """The matcher's verdict, with its candidates and why."""

    status: MatchStatus
    entries: tuple[Entry, ...] = ()
    reason: str = ""
    code: str = ""  # what followed a personal-code keyword
    candidates: tuple[Candidate, ...] = ()  # best first: what the try-it box shows

    @property
    def entry(self) -> Entry | None:
        return self.entries[0] if self.status == MatchStatus.MATCHED else None


@dataclass
class _Hit:
    entry_ids: set[int]
    phrase: str
    typed: str
    distance: int = 0
    span: tuple[int, int] = (0, 0)


@dataclass
class KeywordIndex:
    """All of a tenant's keywords, indexed for matching."""

    entries: dict[int, Entry] = field(default_factory=dict)
    by_phrase: dict[str, set[int]] = field(default_factory=dict)
    # Phrases grouped by length, so a typo search compares only phrases of a similar length.
    by_length: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> KeywordIndex:
        index = cls()
        for entry in entries:
            index.entries[entry.id] = entry
            for phrase in entry.phrases:
                if phrase:
                    index.by_phrase.setdefault(phrase, set()).add(entry.id)
        for phrase in index.by_phrase:
            index.by_length.setdefault(len(phrase), []).append(phrase)
        return index

    def match(self, text: str, *, language: str | None = None) -> Match:
        """Find the keyword that answers `text`; prefer translations in `language`."""
        normalized = normalize(text)
        if not normalized:
            return Match(MatchStatus.NONE, reason="nothing to match")
        words = normalized.split()
        if normalized in self.by_phrase:
            return self._verdict([_Hit(self.by_phrase[normalized], normalized, normalized)], language, "exact")
        code_match = self._personal_code(words, language)
        if code_match is not None:
            return code_match
        if len(words) > MAX_SENTENCE_WORDS:
            return Match(MatchStatus.NONE, reason=f"a message of {len(words)} words is left to an operator")
        hits = self._in_sentence(words)
        if hits:
            return self._verdict(hits, language, "sentence")
        hits = self._typos(words)
        if hits:
            return self._verdict(hits, language, "typo")
        return Match(MatchStatus.NONE, reason="no keyword, synonym or close spelling found")

    # --- steps -------------------------------------------------------------------------------------------

    def _personal_code(self, words: list[str], language: str | None) -> Match | None:
        for size in range(min(MAX_PHRASE_WORDS, len(words) - 1), 0, -1):
            phrase = " ".join(words[:size])
            ids = {i for i in self.by_phrase.get(phrase, set()) if self.entries[i].has_codes}
            if ids:
                chosen = self._prefer(ids, language)
                return Match(
                    MatchStatus.MATCHED,
                    (chosen,),
                    reason=f"personal-code keyword '{phrase}' followed by a code",
                    code="".join(words[size:]),
                )
        return None

    def _in_sentence(self, words: list[str]) -> list[_Hit]:
        hits: list[_Hit] = []
        for size in range(min(MAX_PHRASE_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                span = (start, start + size)
                if any(h.span[0] <= span[0] and span[1] <= h.span[1] for h in hits):
                    continue  # inside a longer phrase already found ("punt verd" before "verd")
                phrase = " ".join(words[start : start + size])
                if phrase in self.by_phrase:
                    hits.append(_Hit(self.by_phrase[phrase], phrase, phrase, 0, span))
        return hits

    def _typos(self, words: list[str]) -> list[_Hit]:
        best: list[_Hit] = []
        for size in range(min(MAX_PHRASE_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                typed = " ".join(words[start : start + size])
                limit = allowed_typos(len(typed))
                if limit == 0:
                    continue
                candidates = [
                    phrase
                    for length in range(len(typed) - limit, len(typed) + limit + 1)
                    for phrase in self.by_length.get(length, ())
                ]
                for phrase, distance, _ in process.extract(
                    typed, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None
                ):
                    # Both sides must be long enough for this many typos, and the first letter must agree:
                    # people rarely mistype the first letter, and it keeps "casa" from becoming "cosa".
                    if distance > allowed_typos(len(phrase)) or phrase[0] != typed[0]:
                        continue
                    best.append(_Hit(self.by_phrase[phrase], phrase, typed, distance, (start, start + size)))
        if not best:
            return []
        closest = min(h.distance for h in best)
        return [h for h in best if h.distance == closest]

    # --- verdict -----------------------------------------------------------------------------------------

    def _prefer(self, ids: set[int], language: str | None) -> Entry:
        entries = sorted((self.entries[i] for i in ids), key=lambda e: e.id)
        for entry in entries:
            if entry.language == language:
                return entry
        return entries[0]

    def _verdict(self, hits: list[_Hit], language: str | None, how: str) -> Match:
        concepts: dict[str, set[int]] = {}
        for hit in hits:
            for entry_id in hit.entry_ids:
                concepts.setdefault(self.entries[entry_id].concept, set()).add(entry_id)
        if len(concepts) == 1:
            (ids,) = concepts.values()
            entry = self._prefer(ids, language)
            hit = hits[0]
            reason = {
                "exact": f"'{hit.phrase}' is the keyword or one of its synonyms",
                "sentence": f"'{hit.phrase}' found in the message",
                "typo": f"'{hit.typed}' looks like '{hit.phrase}' ({hit.distance} typo{'s' if hit.distance > 1 else ''})",
            }[how]
            return Match(MatchStatus.MATCHED, (entry,), reason=reason)
        options = tuple(self._prefer(ids, language) for ids in concepts.values())
        names = ", ".join(f"'{h.phrase}'" for h in hits)
        return Match(MatchStatus.AMBIGUOUS, options[:3], reason=f"several keywords fit: {names}")
