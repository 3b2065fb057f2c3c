"""The keyword matcher: what a citizen typed → which keyword answers it, and why.

It takes messages as citizens write them: any length, with greetings and context ("Bon dia, necessito saber on he
de portar la documentació per a l'ajut del lloguer"), case, accents and punctuation as they come, words in another
form than the keyword's ("recolliu" for "recollida", "tanqueu" for "tancar": `word_forms`) and small typos on longer
words. Typos are judged with rapidfuzz's optimal-string-alignment distance (a swapped pair of letters counts as one
typo), never on short words, where one letter turns a word into another ("padre" is not "padro"), and never on the
first letter.

Every keyword is a small document — its name, synonyms and the example questions administrators wrote for it —
and keywords that are translations of each other (one topic, or one name shared across languages) are one. A
message's words are weighted by how rare they are among those documents (BM25's inverse document frequency), and a
keyword's score is the share of the message's weight it explains. A keyword's word that is common in everyday
language ("hora", "avui": wordfreq's frequencies, `word_forms.zipf`) weighs a little less than a rarer one. The one
that explains most wins when it explains enough (about half the message, or a quarter when that quarter is several
rare words of one topic) and clearly more than any other topic: "horari del mercat" is the market's ("mercat" is
rarer than "horari"). Of topics that fit about as well, the only one the message names (its name or a synonym) wins
over those that share only words of their example questions ("a quina hora obre el mercat dissabte"); a tie between
two topics asks "did you mean…?" in the order the message mentions them, and a message that merely mentions a
keyword's word while saying something else (a complaint about the bus) explains too little and goes to an operator.

What tells "asks about X" from "merely mentions X":
- Words that set the scene weigh less than words about something: an unknown word as common as "casa" or "avui", a
  day or a month, a name written with a capital inside a sentence ("des de Cerdanyola").
- An example question that names its topic ("a quina hora tanca la biblioteca?") lends its other words to that topic
  only beside the name: "a quina hora tanqueu?" is not the library's. A topic other topics' questions ask about
  ("horari", "open": opening hours) is general: named beside a specific topic, the specific one answers with both's
  words ("deixalleria opening times"); alone, it answers what names nothing in particular ("what time do you close?").
- A message worded as a question ("on", "quan", "cómo", "?") may be answered from example questions; one that is not
  (a farewell, a story) only by a topic it names or whose example reports it is like ("un fanal no funciona").
- A word of complaint or dispute ("reclamació", "ruido", "multa", "retorneu ... els diners") sends the message to an
  operator, whatever it names (unless the town's keywords name that word: a "SOROLL" keyword answers); a second
  topic named by words of its own ("treballo al mercat ... parada") makes the matcher ask rather than guess.
The thresholds were chosen on the tune split of a labelled set of citizen messages (`bench/keyword_set/`,
`python -m bench.tune_matcher`, see `bench/keyword_answers.py`): every switch above was in the grid and chosen on.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import process
from rapidfuzz.distance import OSA

from citymes_app.core.phrases import Phrase
from citymes_app.core.word_forms import (
    CALENDAR,
    COMPLAINT,
    COMPLAINT_PAIRS,
    STEM_LETTERS,
    allowed_typos,
    asks,
    base_forms,
    bm25_idf,
    normalize,
    proper_names,
    share_stem,
    stopwords,
    strip_accents,
    words,
    zipf,
)

__all__ = ["Candidate", "Entry", "KeywordIndex", "Match", "MatchStatus", "allowed_typos", "normalize"]

MAX_PHRASE_WORDS = 4
# A keyword answers when it explains at least this share of the message's weight, and this much more than the next
# topic; two topics within the margin of each other, both explaining at least ASK_SHARE, are asked about.
MATCH_SHARE = 0.45
MARGIN = 0.1
ASK_SHARE = 0.3
# ... or when it explains at least STRONG_SHARE with words weighing as much as this many rare words.
STRONG_EVIDENCE = 3.0
STRONG_SHARE = 0.25
# A word used by more topics than this makes none of them a candidate on its own.
SEED_TOPICS = 64
# A word no keyword uses weighs like a word only one keyword uses, times this.
UNKNOWN_WORD_WEIGHT = 1.0
# The words of a whole name of several words weigh this many times their own weight.
PHRASE_WEIGHT = 1.5
# A word met in a keyword's example questions counts for this much of a word of its name or synonyms.
EXAMPLE_CREDIT = 0.8
# A word that meets a keyword's word through a shared stem or a typo counts for less than the word itself.
STEM_CREDIT = 0.9
TYPO_CREDIT = 0.8
# A word of a name of several words as common as this in everyday language ("de", "del", "what") is grammar, not
# the town's word.
FUNCTION_WORD_ZIPF = 6.0
# A listed stopword a town's keywords use in at most this share of topics is a word of theirs, not filler.
DISTINCTIVE_SHARE = 0.0
# A keyword's word that is common in everyday language says less about its topic: one as common as COMMON_ZIPF or
# more ("hora", "avui") loses KNOWN_DAMP of its weight, one as rare as RARE_ZIPF or rarer ("deixalleria") none.
COMMON_ZIPF = 5.5
RARE_ZIPF = 3.0
KNOWN_DAMP = 0.3
# A word no keyword uses that is common in everyday language ("casa", "avui") sets the scene rather than saying what the
# message is about: it loses up to UNKNOWN_DAMP of its weight, by how common it is; a name written with a capital
# inside a sentence (a place, a person) or a day, month or time of day ("diumenge", "avui") loses all of UNKNOWN_DAMP.
UNKNOWN_DAMP = 0.5
# A word of a topic's example questions that all name the topic ("a quina hora tanca la biblioteca?") counts this much
# of an example word when the message does not name the topic: "a quina hora tanqueu?" asks the general hours.
FRAME_CREDIT = 0.5
# A topic other topics' example questions ask about, by one of its names, in at least this many topics is general
# ("horari", "open": opening hours); named beside a specific topic, the specific one answers, with both's words.
GENERAL_TOPIC_ASKERS = 2
SPECIFIC_WINS = True
# ... and a general topic about as good as others that share only its words answers (nothing specific is named).
GENERAL_WINS_ALONE = True
# ... and with no specific topic named, the frame words of specific topics' questions ask the one general topic.
GENERAL_TAKES_FRAMES = True
# A message that names a second topic by words of its own, explaining at least this share, asks which (1.0: never).
SECOND_TOPIC_SHARE = 0.2
# A message worded as a question ("on", "quan", "cómo", "?") answers with this share instead of MATCH_SHARE; one that
# is not a question answers only with a topic it names (sharing words with example questions is not asking them).
QUESTION_SHARE = 0.45
STATEMENT_NEEDS_NAME = True
# A message with a word of complaint ("reclamació", "ruido", "rude") that no keyword of the town names is left to an
# operator: it asks someone to act, whatever service it mentions.
COMPLAINTS_TO_OPERATOR = True
# Of topics that fit about as well, the only one the message names (by its name or a synonym, not words of its example
# questions) answers, when it explains enough: "a quina hora obre el mercat dissabte" is the market's, although the
# library's and the town hall's example questions ask "a quina hora obre ... dissabte" too.
NAMED_WINS = True


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
    why: Phrase = Phrase("")  # the reason, a template the interface words in each language
    code: str = ""  # what followed a personal-code keyword
    candidates: tuple[Candidate, ...] = ()  # best first: what the try-it box shows

    @property
    def reason(self) -> str:
        """Why, in English."""
        return str(self.why)

    @property
    def entry(self) -> Entry | None:
        return self.entries[0] if self.status == MatchStatus.MATCHED else None


@dataclass(frozen=True)
class _Word:
    """A word of the message with the keyword terms it meets, how, and how much it weighs."""

    typed: str  # accent-free, as typed
    terms: frozenset[str]
    how: str  # "word", "stem", "typo" or "" (no keyword uses it)
    weight: float
    term: str = ""  # for a typo: the term it was read as
    distance: int = 0


@dataclass
class KeywordIndex:
    """All of a tenant's keywords, indexed for matching."""

    entries: dict[int, Entry] = field(default_factory=dict)
    by_phrase: dict[str, set[int]] = field(default_factory=dict)
    concept_of: dict[int, str] = field(default_factory=dict)  # entry id → its concept (translations share one)
    postings: dict[str, set[str]] = field(default_factory=dict)  # term → the concepts that use it (idf counts these)
    # term → the concepts that use it alone: as a one-word name or synonym, or in an example question. A word of a
    # longer name ("punto" of "punto limpio") counts only with the rest of that name (`phrases`).
    alone: dict[str, set[str]] = field(default_factory=dict)
    phrases: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = field(default_factory=dict)
    named_by: dict[str, set[str]] = field(default_factory=dict)  # term → the concepts whose name or synonym has it
    one_word_named: dict[str, set[str]] = field(default_factory=dict)  # term → the concepts it names on its own
    stated: dict[str, set[str]] = field(default_factory=dict)  # term → concepts with an example that is no question
    members: dict[str, set[int]] = field(default_factory=dict)  # concept → its entries
    generic: dict[str, set[str]] = field(default_factory=dict)  # term → concepts with an example not naming them
    surface: set[str] = field(default_factory=set)  # the words of `alone` as written (accent-free), not their lemmas
    idf: dict[str, float] = field(default_factory=dict)
    general: frozenset[str] = frozenset()  # concepts other topics' example questions ask about (opening hours)
    complaint: frozenset[str] = frozenset()  # words of complaint, but for those the town's keywords name
    complaint_pairs: frozenset[tuple[str, str]] = frozenset()  # ... and pairs of words ("retornar", "diners")
    filler: frozenset[str] = frozenset()  # stopwords and courtesies, but for the words this town's keywords use
    by_prefix: dict[str, list[str]] = field(default_factory=dict)  # first letters → longer terms (shared stems)
    # (first letter, length) → the words of names and synonyms: what a typo is read as
    by_start: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    typo_windows: dict[tuple[str, int, int], list[str]] = field(default_factory=dict)  # by_start's lists around a length
    rare_word_weight: float = 1.0  # the weight of a word one topic uses
    unknown_weight: float = 1.0

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> KeywordIndex:
        index = cls()
        for entry in entries:
            index.entries[entry.id] = entry
            for phrase in entry.phrases:
                if phrase:
                    index.by_phrase.setdefault(phrase, set()).add(entry.id)
        index._join_translations()
        texts = [  # names and synonyms first: an example question is read knowing its topic's names
            *((index.concept_of[entry.id], p, True) for entry in index.entries.values() for p in entry.phrases),
            *((index.concept_of[entry.id], e, False) for entry in index.entries.values() for e in entry.examples),
        ]
        concepts = len(set(index.concept_of.values())) or 1
        # A listed stopword the town's keywords use in few topics is a word of theirs ("open" for opening hours).
        users: dict[str, set[str]] = {}
        for concept, text, _ in texts:
            for word in words(text):
                for form in base_forms(word):
                    users.setdefault(form, set()).add(concept)
        # The words of names and synonyms are the town's ("open" of "opening hours", "demanar" of "demanar hora"), but
        # for the grammar's own words inside a longer name ("de" of "llicencia de gos").
        named = {form for _, text, is_name in texts if is_name for word in words(text) for form in base_forms(word)}
        one_word_names = {f for _, text, is_name in texts if is_name and len(words(text)) == 1 for f in base_forms(text)}
        name_words = {f for f in named if zipf(f) < FUNCTION_WORD_ZIPF} | one_word_names
        town_words = {f for f, u in users.items() if len(u) <= DISTINCTIVE_SHARE * concepts} | name_words
        index.filler = frozenset(stopwords() - town_words)
        index.complaint = frozenset(COMPLAINT - named)
        index.complaint_pairs = frozenset(pair for pair in COMPLAINT_PAIRS if named.isdisjoint(pair))
        for concept, text, is_name in texts:
            written = words(text)
            parts: tuple[frozenset[str], ...]
            if len(written) == 1 and is_name:  # a one-word name or synonym is itself, whatever it is
                parts = (base_forms(written[0]),)
            else:  # "punt de recollida", "a quina hora obriu": only the words of the topic
                parts = tuple(content for w in written if len(w) > 2 and (content := index.content_forms(base_forms(w))))
            if len(parts) == 1 or not is_name:
                index.surface.update(strip_accents(word) for word in written)
            # "a quina hora tanca la biblioteca?": the library's question about its hours; its other words are the
            # frame of a question any topic can be asked, and say "library" only beside the library's name.
            names_topic = not is_name and any(concept in index.named_by.get(f, ()) for forms in parts for f in forms)
            for forms in parts:
                for form in forms:
                    if not is_name and not names_topic:
                        index.generic.setdefault(form, set()).add(concept)
                    if not is_name and not asks(text):  # "un fanal no funciona": a report, as citizens make them
                        index.stated.setdefault(form, set()).add(concept)
                    index.postings.setdefault(form, set()).add(concept)
                    if len(parts) == 1 or not is_name:
                        index.alone.setdefault(form, set()).add(concept)
                    else:
                        index.phrases.setdefault(form, []).append((concept, parts))
                    if is_name:
                        index.named_by.setdefault(form, set()).add(concept)
        # A topic whose names other topics' example questions ask about ("horari de les parades del mercat", "when is
        # the market open?") is an aspect of many services: general.
        asked_about: dict[str, set[str]] = {}
        one_word_named = index.one_word_named
        for concept, text, is_name in texts:
            if is_name and len(words(text)) == 1:
                for form in base_forms(text):
                    one_word_named.setdefault(form, set()).add(concept)
        for concept, text, is_name in texts:
            asked = {f for w in words(text) for f in index.content_forms(base_forms(w))}
            if is_name or not any(concept in index.named_by.get(f, ()) for f in asked):
                continue  # only a question that names its own topic asks about an aspect of it
            for owner in {o for f in asked for o in one_word_named.get(f, ()) if o != concept}:
                asked_about.setdefault(owner, set()).add(concept)
        index.general = frozenset(c for c, askers in asked_about.items() if len(askers) >= GENERAL_TOPIC_ASKERS)
        for term in named:
            if len(term) >= 6:  # only words this long forgive a typo
                index.by_start.setdefault((term[0], len(term)), []).append(term)
        for term, concepts_using in index.postings.items():
            index.idf[term] = bm25_idf(concepts, len(concepts_using))
            if len(term) > STEM_LETTERS:
                index.by_prefix.setdefault(term[:STEM_LETTERS], []).append(term)
        index.rare_word_weight = bm25_idf(concepts, 1)
        zipf("")  # everyday words' frequencies loaded now, not on a citizen's message
        index.unknown_weight = index.rare_word_weight * UNKNOWN_WORD_WEIGHT
        return index

    def _join_translations(self) -> None:
        """One concept per topic; keywords of different languages sharing a name or synonym are one too."""
        parent: dict[int, int] = {i: i for i in self.entries}

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        by_topic: dict[str, int] = {}
        for entry in self.entries.values():
            if entry.topic:
                parent[root(entry.id)] = root(by_topic.setdefault(entry.topic, entry.id))
        for ids in self.by_phrase.values():
            first, *others = sorted(ids)
            for other in others:
                if self.entries[other].language != self.entries[first].language:
                    parent[root(other)] = root(first)
        for entry_id in self.entries:
            lead = self.entries[root(entry_id)]
            self.concept_of[entry_id] = lead.topic or f"#{lead.id}"
            self.members.setdefault(self.concept_of[entry_id], set()).add(entry_id)

    # --- matching ----------------------------------------------------------------------------------------

    def match(self, text: str, *, language: str | None = None) -> Match:
        """Find the keyword that answers `text`; prefer translations in `language`."""
        normalized = normalize(text)
        if not normalized:
            return Match(MatchStatus.NONE, why=Phrase("nothing to match"))
        if normalized in self.by_phrase:
            ids = self.by_phrase[normalized]
            entry = self._prefer(ids, language)
            if len({self.concept_of[i] for i in ids}) == 1:
                reason = Phrase("'{word}' is the keyword or one of its synonyms", {"word": normalized})
                return Match(MatchStatus.MATCHED, (entry,), why=reason, candidates=(Candidate(entry, 1.0, (normalized,)),))
        code_match = self._personal_code(normalized.split(), language)
        if code_match is not None:
            return code_match
        complaint = self._complaint(text)
        if complaint and COMPLAINTS_TO_OPERATOR:
            return Match(MatchStatus.NONE, why=Phrase("'{word}' reads as a complaint: left to an operator", {"word": complaint}))
        return self._weigh(self._read(text), language, question=asks(text))

    def _complaint(self, text: str) -> str:
        """The words that make `text` a complaint or a dispute ("reclamació", "retorneu ... diners"), or ""."""
        forms = {word: base_forms(word) for word in words(text)}
        single = next((word for word, its in forms.items() if not its.isdisjoint(self.complaint)), "")
        if single or not self.complaint_pairs:
            return single
        every = set().union(*forms.values()) if forms else set()
        return next((" ".join(pair) for pair in self.complaint_pairs if every.issuperset(pair)), "")

    def _personal_code(self, typed: list[str], language: str | None) -> Match | None:
        for size in range(min(MAX_PHRASE_WORDS, len(typed) - 1), 0, -1):
            phrase = " ".join(typed[:size])
            ids = {i for i in self.by_phrase.get(phrase, set()) if self.entries[i].has_codes}
            if ids:
                chosen = self._prefer(ids, language)
                return Match(
                    MatchStatus.MATCHED,
                    (chosen,),
                    why=Phrase("personal-code keyword '{phrase}' followed by a code", {"phrase": phrase}),
                    code="".join(typed[size:]),
                )
        return None

    def _read(self, text: str) -> list[_Word]:
        """The message's words that carry meaning, each with the keyword terms it meets.

        A word typed alone is taken as a keyword typed: as it is, or with a typo, but not as another form of a
        word ("hora" alone is not "hores").
        """
        read: list[_Word] = []
        typed_words = words(text)
        names = proper_names(text)
        for word in typed_words:
            typed = strip_accents(word)
            if len(typed) <= 2 and typed not in self.by_phrase:
                continue  # "l'", "q", "xq": no topic in a letter or two, unless a keyword is named so
            if len(typed_words) > 1:
                forms = self.content_forms(base_forms(word))
                terms = frozenset(f for f in forms if f in self.postings)
            else:
                forms = frozenset({typed})
                terms = forms & self.surface
            if terms:
                damp = 1 - KNOWN_DAMP * (1 - rarity(typed))
                read.append(_Word(typed, terms, "word", damp * max(self.idf[t] for t in terms)))
                continue
            if not forms or typed.isdigit():
                continue  # filler or a number
            typo = self._typo(typed) or self._mute_h(typed)
            if typo is not None:
                term, distance = typo
                weight = TYPO_CREDIT * self.idf[term]
                read.append(_Word(typed, frozenset({term}), "typo", weight, term, distance))
                continue
            stems = frozenset(t for t in self.by_prefix.get(typed[:STEM_LETTERS], ()) if share_stem(typed, t))
            if stems and len(typed_words) > 1:
                read.append(_Word(typed, stems, "stem", STEM_CREDIT * max(self.idf[t] for t in stems)))
                continue
            # "gastadas", "fluorescents": an inflected form is as everyday as its most common form
            everyday = 1.0 if typed in names or not forms.isdisjoint(CALENDAR) else 1 - min(map(rarity, forms))
            read.append(_Word(typed, frozenset(), "", self.unknown_weight * (1 - UNKNOWN_DAMP * everyday)))
        return read

    def _mute_h(self, typed: str) -> tuple[str, int] | None:
        """'orari' for 'horari': Catalan and Spanish write an h nobody pronounces, and citizens leave it out."""
        term = "h" + typed
        return (term, 1) if len(typed) >= 4 and term in self.postings else None

    def content_forms(self, forms: frozenset[str]) -> frozenset[str]:
        """A word's forms, or none when the word is filler: a stopword or courtesy, or a form of one ("necessito")."""
        return frozenset() if not forms.isdisjoint(self.filler) else forms

    def _typo(self, typed: str) -> tuple[str, int] | None:
        limit = allowed_typos(len(typed))
        if limit == 0:
            return None
        candidates = self._typo_candidates(typed[0], len(typed), limit)
        best: tuple[str, int] | None = None
        for term, distance, _ in process.extract(typed, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None):
            # Both sides must be long enough for this many typos.
            if distance <= allowed_typos(len(term)) and (best is None or distance < best[1]):
                best = (term, int(distance))
        return best

    def _typo_candidates(self, first: str, length: int, limit: int) -> list[str]:
        key = (first, length, limit)
        if key not in self.typo_windows:
            self.typo_windows[key] = [
                t for n in range(length - limit, length + limit + 1) for t in self.by_start.get((first, n), ())
            ]
        return self.typo_windows[key]

    # --- verdict -----------------------------------------------------------------------------------------

    def _weigh(self, read: list[_Word], language: str | None, *, question: bool = True) -> Match:
        # The words of a keyword's name of several words, all there ("ajut ... lloguer"), say more together.
        phrases = list(self._whole_phrases(read))
        in_phrases = {i for _, positions in phrases for i in positions}
        read = [dataclasses.replace(w, weight=w.weight * PHRASE_WEIGHT) if i in in_phrases else w for i, w in enumerate(read)]
        total = sum(w.weight for w in read)
        if total == 0:
            return Match(MatchStatus.NONE, why=Phrase("only greetings and courtesies: nothing to match"))
        # Candidates come from the words few topics use; a word most topics use ("horari" in a town of a thousand
        # keywords) still counts for the candidates but does not make every topic one.
        credited: dict[str, set[int]] = {}
        common: list[tuple[int, list[set[str]]]] = []
        for position, word in enumerate(read):
            users = [self.alone.get(t, set()) for t in word.terms]
            if sum(map(len, users)) > SEED_TOPICS:
                common.append((position, users))
                continue
            for concept in set().union(*users):
                credited.setdefault(concept, set()).add(position)
        for concept, phrase_positions in phrases:
            credited.setdefault(concept, set()).update(phrase_positions)
        for position, users in common:
            for concept, positions in credited.items():
                if any(concept in u for u in users):
                    positions.add(position)
        named_whole = {(concept, i) for concept, positions in phrases for i in positions}  # a whole name
        named_at = {
            c: {i for i in positions if (c, i) in named_whole or self._names(read[i], c)} for c, positions in credited.items()
        }
        explained = {
            c: sum(self._credit(read[i], c, i in named_at[c], bool(named_at[c])) for i in positions)
            for c, positions in credited.items()
        }
        if SPECIFIC_WINS:
            self._fold_general(read, credited, explained, named_at, total)
        if GENERAL_TAKES_FRAMES:
            self._general_takes_frames(read, credited, explained, named_at)
        if not explained:
            return Match(MatchStatus.NONE, why=Phrase("no keyword, synonym or close spelling found"))
        ranked = heapq.nsmallest(5, explained, key=lambda c: (-explained[c], c))
        matched = {c: [read[i] for i in sorted(credited[c])] for c in ranked}
        candidates = tuple(
            Candidate(self._prefer(self.members[c], language), round(explained[c] / total, 3), tuple(w.typed for w in matched[c]))
            for c in ranked
        )
        best = explained[ranked[0]] / total
        runner_up = explained[ranked[1]] / total if len(ranked) > 1 else 0.0
        # A long message explained in part, but by strong evidence (several rare words of one topic), answers too.
        enough = self._answers(ranked[0], matched[ranked[0]], best, explained[ranked[0]], question, bool(named_at[ranked[0]]))
        # "treballo al mercat i vull saber com es demana una parada": a second topic named by words of its own is a
        # second subject; the citizen chooses (or an operator reads it), a single answer could be beside the point.
        second = [
            c
            for c in ranked[1:]
            if explained[c] / total >= SECOND_TOPIC_SHARE
            and c not in self.general
            and ranked[0] not in self.general
            and any(self._names_only(read[i], c) for i in named_at[c] - credited[ranked[0]])
        ]
        if enough and second:
            ordered = sorted([ranked[0], *second], key=lambda c: min(credited[c]))
            options = [candidates[ranked.index(c)] for c in ordered][:3]
            names = ", ".join(f"'{c.entry.keyword.lower()}'" for c in options)
            return Match(
                MatchStatus.AMBIGUOUS,
                tuple(c.entry for c in options),
                Phrase("the message names two topics: {names}", {"names": names}),
                candidates=candidates,
            )
        if enough and best - runner_up >= MARGIN:
            winner = candidates[0]
            return Match(MatchStatus.MATCHED, (winner.entry,), self._why(winner, matched[ranked[0]], best), candidates=candidates)
        close = [c for c in ranked if explained[c] / total >= max(ASK_SHARE, best - MARGIN)]
        # "what time do you close?", "q hora obriu?": topics that share only a general topic's words (the bus's "what
        # time is the next bus?") do not make a question about nothing in particular theirs.
        generals = [c for c in close if c in self.general]
        if GENERAL_WINS_ALONE and len(close) > 1 and len(generals) == 1:
            general = generals[0]
            share = explained[general] / total
            if all(credited[c] <= credited[general] for c in close) and self._answers(
                general, matched[general], share, explained[general], question, bool(named_at[general])
            ):
                winner = candidates[ranked.index(general)]
                return Match(
                    MatchStatus.MATCHED, (winner.entry,), self._why(winner, matched[general], share), candidates=candidates
                )
        named = [c for c in close if named_at[c]]
        if NAMED_WINS and len(close) > 1 and len(named) == 1:
            concept = named[0]
            share = explained[concept] / total
            if self._answers(concept, matched[concept], share, explained[concept], question, True):
                winner = candidates[ranked.index(concept)]
                others = ", ".join(f"'{self._prefer(self.members[c], language).keyword.lower()}'" for c in close if c != concept)
                why = Phrase(
                    "{why}; only it is named ({others} share words of their example questions)",
                    {"why": self._why(winner, matched[concept], share), "others": others},
                )
                return Match(MatchStatus.MATCHED, (winner.entry,), why=why, candidates=candidates)
        # Topics about as good as each other are offered in the order the message mentions them.
        close_candidates = [candidates[ranked.index(c)] for c in sorted(close, key=lambda c: min(credited[c]))]
        if len(close_candidates) > 1:
            names = ", ".join(f"'{c.entry.keyword.lower()}'" for c in close_candidates[:3])
            return Match(
                MatchStatus.AMBIGUOUS,
                tuple(c.entry for c in close_candidates[:3]),
                Phrase("several keywords fit: {names}", {"names": names}),
                candidates=candidates,
            )
        return Match(
            MatchStatus.NONE,
            why=Phrase(
                "'{keyword}' explains only {share} of the message: left to an operator",
                {"keyword": candidates[0].entry.keyword, "share": f"{best:.0%}"},
            ),
            candidates=candidates,
        )

    def _fold_general(
        self,
        read: list[_Word],
        credited: dict[str, set[int]],
        explained: dict[str, float],
        named_at: dict[str, set[int]],
        total: float,
    ) -> None:
        """ "deixalleria opening times", "horari del mercat": a general topic named beside a specific one asks about
        the specific one. The general topic's words become the specific topic's (they say what is asked about it)."""
        naming = [c for c, positions in named_at.items() if positions]
        generals = [c for c in naming if c in self.general]
        if not generals:
            return
        general_positions = set().union(*(credited[c] for c in generals))
        specifics = [  # named by a word of its own, not only by the general topic's ("time" of "bus times")
            c for c in naming if c not in self.general and explained[c] / total >= ASK_SHARE and named_at[c] - general_positions
        ]
        if not specifics:
            return
        specific = max(specifics, key=lambda c: (explained[c], c))
        for general in generals:
            for position in credited.pop(general) - credited[specific]:
                credited[specific].add(position)
                explained[specific] += self._credit(read[position], general, position in named_at[general], True)
            del explained[general]

    def _general_takes_frames(
        self, read: list[_Word], credited: dict[str, set[int]], explained: dict[str, float], named_at: dict[str, set[int]]
    ) -> None:
        """ "xq estaba cerrado hoy? q horario teneis": with no specific topic named, the words other topics' questions
        ask about them ("cierra" of "a qué hora cierra la biblioteca?") ask the one general topic in the message."""
        generals = [c for c in credited if c in self.general]
        if len(generals) != 1 or any(positions for c, positions in named_at.items() if c not in self.general):
            return
        general = generals[0]
        for concept, positions in credited.items():
            if concept == general:
                continue
            for position in positions - credited[general]:
                if self._credit(read[position], concept, False, False) < read[position].weight * EXAMPLE_CREDIT:
                    credited[general].add(position)  # a frame word of that topic's questions
                    explained[general] += read[position].weight * EXAMPLE_CREDIT

    def _answers(self, concept: str, matched: list[_Word], share: float, explained: float, question: bool, named: bool) -> bool:
        """Whether a topic explains enough of a message to answer it (see `enough_share`); a message that asks
        nothing answers only with a topic it names or whose example reports are like it ("un fanal no funciona")."""
        stated = any(concept in self.stated.get(t, ()) for w in matched for t in w.terms)
        if not question and STATEMENT_NEEDS_NAME and not named and not stated:
            return False
        return enough_share(share, explained / self.rare_word_weight, question=question)

    def _names(self, word: _Word, concept: str) -> bool:
        """Whether a word names this topic: a word of its name or synonyms ("santes" of "les santes"), not only of its
        example questions."""
        return any(concept in self.named_by.get(t, ()) for t in word.terms)

    def _names_only(self, word: _Word, concept: str) -> bool:
        """Whether a word names this topic and no other ("treball" the jobs'; "ajuda" names rent aid and social
        services alike)."""
        return any(self.named_by.get(t) == {concept} for t in word.terms)

    def _credit(self, word: _Word, concept: str, named: bool, topic_named: bool) -> float:
        """A word counts in full for a topic it names, less for one whose example questions use it, and less still
        when those questions all name their topic and the message does not (the frame of a question)."""
        if not named and not topic_named and all(concept not in self.generic.get(t, ()) for t in word.terms):
            return word.weight * EXAMPLE_CREDIT * FRAME_CREDIT
        return word.weight if named else word.weight * EXAMPLE_CREDIT

    def _whole_phrases(self, read: list[_Word]) -> Iterable[tuple[str, list[int]]]:
        """Names of several words all of whose words are in the message, with the positions of those words."""
        seen: set[tuple[str, tuple[frozenset[str], ...]]] = set()
        for word in read:
            for concept, parts in (p for t in word.terms for p in self.phrases.get(t, ())):
                if (concept, parts) in seen:
                    continue
                seen.add((concept, parts))
                positions = [next((i for i, w in enumerate(read) if w.terms & forms), -1) for forms in parts]
                if -1 not in positions:
                    yield concept, positions

    def _why(self, winner: Candidate, matched: list[_Word], share: float) -> Phrase:
        typed = " ".join(w.typed for w in matched)
        for phrase in winner.entry.phrases:
            if phrase and f" {phrase} " in f" {typed} ":
                return Phrase("'{phrase}' found in the message", {"phrase": phrase})
        typos = [w for w in matched if w.how == "typo"]
        if typos and len(matched) == 1:
            word = typos[0]
            values = {"typed": word.typed, "term": word.term, "n": word.distance}
            if word.distance > 1:
                return Phrase("'{typed}' looks like '{term}' ({n} typos)", values)
            return Phrase("'{typed}' looks like '{term}' ({n} typo)", values)
        listed = ", ".join(f"'{w.typed}'" for w in matched)
        return Phrase("{listed} fit it ({share} of the message)", {"listed": listed, "share": f"{share:.0%}"})

    def _prefer(self, ids: set[int], language: str | None) -> Entry:
        entries = sorted((self.entries[i] for i in ids), key=lambda e: e.id)
        for entry in entries:
            if entry.language == language:
                return entry
        return entries[0]


def rarity(word: str) -> float:
    """0 for a word as common as COMMON_ZIPF or more in everyday language, 1 for one as rare as RARE_ZIPF or rarer."""
    return min(1.0, max(0.0, (COMMON_ZIPF - zipf(word)) / (COMMON_ZIPF - RARE_ZIPF)))


def enough_share(share: float, evidence: float, *, question: bool = False) -> bool:
    """Whether a topic explains enough of a message: MATCH_SHARE of it (QUESTION_SHARE of a question), or STRONG_SHARE
    with words weighing as much as STRONG_EVIDENCE rare words (a long message explained in part, by several rare words
    of one topic)."""
    needed = min(MATCH_SHARE, QUESTION_SHARE) if question else MATCH_SHARE
    return share >= needed or (evidence >= STRONG_EVIDENCE and share >= STRONG_SHARE)
