"""The keyword editor's rows, answer cards and wording: what `core.keyword_desk` returns, shaped for display."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from citymes_app.core.inbox_display import osm_link
from citymes_app.core.keyword_desk import KeywordChangeEntry, KeywordTrial
from citymes_app.core.keywords import split_list
from citymes_app.core.matching import Candidate
from citymes_app.core.media import guess_mime
from citymes_app.i18n import N_, Words
from citymes_app.models import Keyword, KeywordAction, row_id
from citymes_app.state.wording import language_name, sentence

PREVIEW_CHARACTERS = 160
# Labels are msgids: the page translates them (and colours the history's badges by the English one).
ACTION_LABELS = {
    KeywordAction.CREATED: N_("Created"),
    KeywordAction.UPDATED: N_("Edited"),
    KeywordAction.DELETED: N_("Deleted"),
    KeywordAction.IMPORTED: N_("Imported"),
}
# A changed field as the history names it.
FIELD_LABELS = {
    "keyword": N_("keyword"),
    "response": N_("response"),
    "language": N_("language"),
    "synonyms": N_("synonyms"),
    "examples": N_("examples"),
    "buttons": N_("buttons"),
    "topic": N_("topic"),
    "featured": N_("featured"),
    "link": N_("link"),
    "media": N_("media"),
    "latitude": N_("map pin"),
    "longitude": N_("map pin"),
}
OUTCOME_LABELS = {
    "keyword": N_("Keyword answer"),
    "personal_code": N_("Personal code"),
    "index": N_("Keyword index"),
    "list": N_("Distribution list command"),
    "ambiguous": N_("Did you mean…?"),
    "operator": N_("Waits for an operator"),
}
COMMAND_LINE = N_("Command line")
SHOWN_CANDIDATES = 5


@dataclass(frozen=True)
class LanguageOption:
    """A language the tenant answers in."""

    code: str
    name: str


@dataclass(frozen=True)
class KeywordRow:
    """One line of the keyword list."""

    id: int
    keyword: str
    language: str
    featured: bool
    synonyms: str  # "horari, horaris oac"
    preview: str  # the answer's beginning, on one line
    topic: str
    buttons: str  # "DEIXALLERIA, PADRO"
    has_link: bool
    has_media: bool
    has_pin: bool


@dataclass(frozen=True)
class FeaturedRow:
    """A featured keyword, in the order the index command lists them."""

    id: int
    keyword: str


@dataclass(frozen=True)
class ChangeRow:
    """One line of "who changed what and when"."""

    id: int
    when: str  # on the tenant's clock
    operator: str
    action: str  # its msgid (ACTION_LABELS)
    keyword: str
    fields: str  # "answer, synonyms" for an edit, in the administrator's language


@dataclass(frozen=True)
class AnswerCard:
    """An automatic answer as the citizen's phone would show it."""

    text: str = ""
    link: str = ""
    buttons: list[str] = field(default_factory=list)
    media_kind: str = ""  # photo | document | ""
    media_path: str = ""
    media_filename: str = ""
    pin: str = ""  # "41.53810, 2.44450"
    pin_url: str = ""


@dataclass(frozen=True)
class CandidateRow:
    """A keyword the matcher weighed for the sentence, as "try it" lists it."""

    keyword: str
    language: str  # "CA"
    score: str  # "87 %"
    words: str  # the sentence's words that matched it: "horari, mercat"


@dataclass(frozen=True)
class Trial:
    """What the "try it" box found for a sentence."""

    text: str = ""
    outcome: str = ""
    label: str = ""  # its msgid (OUTCOME_LABELS)
    reason: str = ""
    keyword: str = ""
    language: str = ""
    card: AnswerCard = field(default_factory=AnswerCard)
    options: list[str] = field(default_factory=list)
    candidates: list[CandidateRow] = field(default_factory=list)  # best first


def one_line(text: str, limit: int = PREVIEW_CHARACTERS) -> str:
    """The text on one line, cut with an ellipsis beyond `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def media_kind(path: str) -> str:
    """How the phone shows an attached file: "photo", "document", or "" without one."""
    if not path:
        return ""
    return "photo" if guess_mime(path).startswith("image/") else "document"


def coordinate(value: str) -> float | None:
    """A latitude or longitude as typed ("41,538" too); None when empty; ValueError when not a number."""
    value = value.strip().replace(",", ".")
    return float(value) if value else None


def pin(latitude: str, longitude: str) -> tuple[str, str]:
    """The map pin as shown ("41.53810, 2.44450") and its map link; empty unless both are numbers."""
    try:
        lat, lon = coordinate(latitude), coordinate(longitude)
    except ValueError:
        return "", ""
    if lat is None or lon is None:
        return "", ""
    return f"{lat:.5f}, {lon:.5f}", osm_link(lat, lon)


def keyword_row(keyword: Keyword) -> KeywordRow:
    """A keyword as the list shows it."""
    return KeywordRow(
        id=row_id(keyword),
        keyword=keyword.keyword,
        language=keyword.language,
        featured=keyword.featured,
        synonyms=", ".join(split_list(keyword.synonyms)),
        preview=one_line(keyword.response),
        topic=keyword.topic,
        buttons=", ".join(split_list(keyword.buttons)),
        has_link=bool(keyword.link),
        has_media=bool(keyword.media_path),
        has_pin=keyword.latitude is not None,
    )


def change_row(change: KeywordChangeEntry, words: Words) -> ChangeRow:
    """A line of the history as shown."""
    named = (words.translate(FIELD_LABELS[name]) if name in FIELD_LABELS else name for name in change.fields)
    return ChangeRow(
        id=change.id,
        when=f"{change.at:%d/%m/%Y %H:%M}",
        operator=change.author or words.translate(COMMAND_LINE),
        action=ACTION_LABELS.get(change.action, change.action),
        keyword=change.keyword,
        fields=", ".join(dict.fromkeys(named)),
    )


def answer_card(keyword: Keyword) -> AnswerCard:
    """A stored keyword's answer as the citizen's phone would show it."""
    shown_pin, pin_url = ("", "")
    if keyword.latitude is not None and keyword.longitude is not None:
        shown_pin, pin_url = pin(str(keyword.latitude), str(keyword.longitude))
    return AnswerCard(
        text=keyword.response,
        link=keyword.link,
        buttons=split_list(keyword.buttons),
        media_kind=media_kind(keyword.media_path or ""),
        media_path=keyword.media_path or "",
        media_filename=keyword.media_filename or "",
        pin=shown_pin,
        pin_url=pin_url,
    )


def trial(text: str, found: KeywordTrial, words: Words) -> Trial:
    """What the "try it" box shows for a sentence."""
    explanation = found.explanation
    answers = explanation.outcome == "keyword"
    card = AnswerCard()
    if answers:
        card = answer_card(found.keyword) if found.keyword else AnswerCard(text=explanation.answer)
        card = replace(card, buttons=list(explanation.buttons))
    return Trial(
        text=text,
        outcome=explanation.outcome,
        label=OUTCOME_LABELS.get(explanation.outcome, explanation.outcome),
        reason=sentence(explanation.why, words),
        keyword=explanation.keyword,
        language=language_name(explanation.language) if explanation.language else "",
        card=card,
        options=[] if answers else list(explanation.buttons),
        candidates=candidate_rows(explanation.candidates),
    )


def candidate_rows(candidates: tuple[Candidate, ...]) -> list[CandidateRow]:
    """The best `SHOWN_CANDIDATES` of the matcher's candidates, best first, scores as whole percentages."""
    best = sorted(candidates, key=lambda candidate: candidate.score, reverse=True)[:SHOWN_CANDIDATES]
    return [
        CandidateRow(
            keyword=candidate.entry.keyword,
            language=candidate.entry.language.upper(),
            score=f"{round(candidate.score * 100)} %",
            words=", ".join(candidate.words),
        )
        for candidate in best
    ]
