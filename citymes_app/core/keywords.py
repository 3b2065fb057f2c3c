"""Keywords: the answers that work 24 hours a day — storage, the editor's operations, CSV import and export.

Matching itself lives in `core/matching.py`; this module builds and caches each tenant's index from the database.
"""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from citymes_app.core.csvfiles import as_written, header_problems, open_csv, safe_cell
from citymes_app.core.db import batch_memo
from citymes_app.core.keyword_examples import ExampleError, clean_examples, stored_examples
from citymes_app.core.matching import Entry, KeywordIndex, normalize
from citymes_app.core.phrases import FieldError, Phrase
from citymes_app.models import (
    Keyword,
    KeywordAction,
    KeywordChange,
    Operator,
    PersonalCode,
    Tenant,
    row_id,
    table_of,
    utcnow,
)

CSV_COLUMNS = ["keyword", "response", "language", "synonyms", "featured"]
# Optional columns beyond the five of the contract; files without them import as before.
OPTIONAL_COLUMNS = ["topic", "buttons", "link", "examples"]
REQUIRED_COLUMNS = {"keyword", "response"}
MAX_RESPONSE_LENGTH = 4000
MAX_KEYWORD_LENGTH = 100
# The fields whose change an edit records in the history, by name.
CHANGE_FIELDS = ("keyword", "response", "language", "synonyms", "featured", "topic", "buttons", "link", "latitude", "examples")

_cache_lock = threading.Lock()
_index_cache: dict[int, tuple[tuple, KeywordIndex]] = {}


class KeywordError(FieldError):
    """A keyword form or file that cannot be accepted; `field` says where to show the message."""


@dataclass(frozen=True)
class KeywordAnswer:
    """A keyword's answer as an operator may insert it in a reply: the keyword, its language and the text it sends."""

    id: int
    keyword: str
    language: str
    text: str


def answer_text(keyword: Keyword) -> str:
    """The words a keyword answers with: its text, and its link under it."""
    return keyword.response + (f"\n{keyword.link}" if keyword.link else "")


def keyword_answers(session: Session, *, tenant_id: int) -> list[KeywordAnswer]:
    """The tenant's keywords with the words each answers, by keyword and language (for the reply box)."""
    found = session.exec(
        select(Keyword).where(Keyword.tenant_id == tenant_id).order_by(col(Keyword.normalized), col(Keyword.language))
    )
    return [KeywordAnswer(row_id(k), k.keyword, k.language, answer_text(k)) for k in found]


def split_list(value: str) -> list[str]:
    """The parts of a `|`-separated list (synonyms, buttons) as typed, without the empty ones."""
    return [part.strip() for part in value.split("|") if part.strip()]


# Built once (read with every batch of messages): composing the statements cost more than running them (py-spy).
_KEYWORD, _CODE = table_of(Keyword), table_of(PersonalCode)
_KEYWORDS_NOW = sa.select(sa.func.count(_KEYWORD.c.id), sa.func.max(_KEYWORD.c.id), sa.func.max(_KEYWORD.c.updated_at)).where(
    _KEYWORD.c.tenant_id == sa.bindparam("tenant")
)
_CODES_NOW = sa.select(sa.func.count(_CODE.c.id), sa.func.max(_CODE.c.id)).where(_CODE.c.tenant_id == sa.bindparam("tenant"))


def _fingerprint(session: Session, tenant_id: int) -> tuple:
    keywords = session.execute(_KEYWORDS_NOW, {"tenant": tenant_id}).one()
    codes = session.execute(_CODES_NOW, {"tenant": tenant_id}).one()
    return (*keywords, *codes)


def keyword_index(session: Session, *, tenant_id: int) -> KeywordIndex:
    """The tenant's keyword index, rebuilt only when its keywords or codes changed."""
    fingerprint = batch_memo(session, ("keyword-fingerprint", tenant_id), lambda: _fingerprint(session, tenant_id))
    with _cache_lock:
        cached = _index_cache.get(tenant_id)
        if cached and cached[0] == fingerprint:
            return cached[1]
    with_codes = set(session.exec(select(PersonalCode.keyword_id).where(PersonalCode.tenant_id == tenant_id).distinct()))
    index = KeywordIndex.build(
        Entry(
            id=row_id(k),
            keyword=k.keyword,
            language=k.language,
            topic=k.topic,
            phrases=tuple(dict.fromkeys([k.normalized, *(normalize(s) for s in split_list(k.synonyms))])),
            has_codes=k.id in with_codes,
            examples=tuple(split_list(k.examples)),
        )
        for k in session.exec(select(Keyword).where(Keyword.tenant_id == tenant_id))
    )
    with _cache_lock:
        _index_cache[tenant_id] = (fingerprint, index)
    return index


def find_keyword(session: Session, *, tenant_id: int, text: str, language: str | None = None) -> Keyword | None:
    """The keyword that answers `text` unambiguously, or None."""
    entry = keyword_index(session, tenant_id=tenant_id).match(text, language=language).entry
    return session.get(Keyword, entry.id) if entry else None


def featured(session: Session, *, tenant_id: int, language: str) -> list[Keyword]:
    """The featured keywords in `language`, in the administrator's order."""
    return list(
        session.exec(
            select(Keyword)
            .where(Keyword.tenant_id == tenant_id, Keyword.language == language, Keyword.featured == True)  # noqa: E712
            .order_by(col(Keyword.position), Keyword.keyword)
        )
    )


def all_in_language(session: Session, *, tenant_id: int, language: str) -> list[Keyword]:
    """Every keyword in `language`, alphabetically."""
    return list(
        session.exec(
            select(Keyword).where(Keyword.tenant_id == tenant_id, Keyword.language == language).order_by(Keyword.keyword)
        )
    )


def search(session: Session, *, tenant_id: int, query: str = "", language: str = "") -> list[Keyword]:
    """Keywords whose keyword, synonyms, example questions or response contain `query` (all when empty), featured
    first."""
    rows = session.exec(
        select(Keyword)
        .where(Keyword.tenant_id == tenant_id)
        .order_by(col(Keyword.featured).desc(), col(Keyword.position), Keyword.keyword, Keyword.language)
    ).all()
    wanted = normalize(query)
    return [
        k
        for k in rows
        if (not language or k.language == language)
        and (not wanted or wanted in normalize(f"{k.keyword} {k.synonyms} {k.examples} {k.response}"))
    ]


def record_change(
    session: Session, *, keyword: Keyword, operator_id: int | None, action: KeywordAction, summary: str = ""
) -> None:
    """Note in the keyword history who (None: the command line) did what to `keyword`; `summary` names the fields."""
    session.add(
        KeywordChange(
            tenant_id=keyword.tenant_id,
            keyword_id=keyword.id,
            keyword=keyword.keyword,
            operator_id=operator_id,
            action=action,
            summary=summary[:500],
        )
    )


def history(session: Session, *, tenant_id: int, limit: int = 50) -> list[KeywordChange]:
    """The latest keyword changes of a tenant, newest first."""
    return list(
        session.exec(
            select(KeywordChange)
            .where(KeywordChange.tenant_id == tenant_id)
            .order_by(col(KeywordChange.at).desc(), col(KeywordChange.id).desc())
            .limit(limit)
        )
    )


@dataclass
class KeywordForm:
    """What the editor (or a CSV line) says a keyword should be."""

    keyword: str
    response: str
    language: str
    synonyms: str = ""
    featured: bool = False
    topic: str = ""
    buttons: str = ""
    link: str = ""
    latitude: float | None = None
    longitude: float | None = None
    examples: tuple[str, ...] | None = None  # questions as citizens write them; None keeps the stored ones


def _validate(session: Session, *, tenant: Tenant, form: KeywordForm, keyword_id: int | None) -> str:
    normalized = normalize(form.keyword)
    if not normalized:
        raise KeywordError("keyword", "the keyword is empty")
    if len(form.keyword) > MAX_KEYWORD_LENGTH:
        raise KeywordError("keyword", "the keyword is longer than {n} characters", n=MAX_KEYWORD_LENGTH)
    if not form.response.strip():
        raise KeywordError("response", "keyword '{keyword}' has no response", keyword=form.keyword)
    if len(form.response) > MAX_RESPONSE_LENGTH:
        raise KeywordError("response", "the response is longer than {n} characters", n=MAX_RESPONSE_LENGTH)
    if form.language not in tenant.languages.split(","):
        raise KeywordError(
            "language",
            "language '{language}' is not one of the tenant's ({languages})",
            language=form.language,
            languages=tenant.languages,
        )
    if form.link and not form.link.startswith(("https://", "http://")):
        raise KeywordError("link", "a link starts with https://")
    if (form.latitude is None) != (form.longitude is None):
        raise KeywordError("latitude", "a map pin needs both latitude and longitude")
    if (
        form.latitude is not None
        and form.longitude is not None
        and not (-90 <= form.latitude <= 90 and -180 <= form.longitude <= 180)
    ):
        raise KeywordError("latitude", "latitude must be within ±90 and longitude within ±180")
    if form.examples is not None:
        try:
            clean_examples(form.examples)
        except ExampleError as exc:
            raise KeywordError("examples", exc.phrase) from None
    clash = session.exec(
        select(Keyword).where(Keyword.tenant_id == tenant.id, Keyword.normalized == normalized, Keyword.language == form.language)
    ).first()
    if clash is not None and clash.id != keyword_id:
        raise KeywordError(
            "keyword", "keyword '{keyword}' ({language}) already exists", keyword=clash.keyword, language=form.language
        )
    return normalized


def _apply(keyword: Keyword, form: KeywordForm, normalized: str) -> None:
    keyword.keyword, keyword.normalized = form.keyword.strip(), normalized
    keyword.response, keyword.language = form.response.strip(), form.language
    keyword.synonyms = "|".join(split_list(form.synonyms))
    keyword.buttons = "|".join(split_list(form.buttons))
    keyword.featured, keyword.topic, keyword.link = form.featured, normalize(form.topic), form.link.strip()
    keyword.latitude, keyword.longitude = form.latitude, form.longitude
    if form.examples is not None:
        keyword.examples = "|".join(clean_examples(form.examples))
    keyword.updated_at = utcnow()


def create_keyword(session: Session, *, tenant: Tenant, form: KeywordForm, operator_id: int | None = None) -> Keyword:
    """Add a keyword; `KeywordError` names the field that is wrong."""
    normalized = _validate(session, tenant=tenant, form=form, keyword_id=None)
    keyword = Keyword(tenant_id=row_id(tenant), keyword="", normalized="", response="", updated_by=operator_id)
    _apply(keyword, form, normalized)
    session.add(keyword)
    session.flush()
    record_change(session, keyword=keyword, operator_id=operator_id, action=KeywordAction.CREATED)
    return keyword


def update_keyword(
    session: Session, *, tenant: Tenant, keyword_id: int, form: KeywordForm, operator_id: int | None = None
) -> Keyword:
    """Change a keyword; the history notes which fields changed."""
    keyword = session.get(Keyword, keyword_id)
    if keyword is None or keyword.tenant_id != tenant.id:
        raise KeywordError("keyword", "this keyword does not exist any more")
    normalized = _validate(session, tenant=tenant, form=form, keyword_id=keyword_id)
    before = keyword.model_dump()
    _apply(keyword, form, normalized)
    keyword.updated_by = operator_id
    changed = [name for name in CHANGE_FIELDS if before[name] != getattr(keyword, name)]
    session.add(keyword)
    record_change(session, keyword=keyword, operator_id=operator_id, action=KeywordAction.UPDATED, summary=", ".join(changed))
    session.flush()
    return keyword


def delete_keyword(session: Session, *, tenant: Tenant, keyword_id: int, operator_id: int | None = None) -> None:
    """Remove a keyword and its personal codes."""
    keyword = session.get(Keyword, keyword_id)
    if keyword is None or keyword.tenant_id != tenant.id:
        raise KeywordError("keyword", "this keyword does not exist any more")
    for code in session.exec(select(PersonalCode).where(PersonalCode.keyword_id == keyword_id)):
        session.delete(code)
    record_change(session, keyword=keyword, operator_id=operator_id, action=KeywordAction.DELETED)
    session.delete(keyword)
    session.flush()


def reorder_featured(session: Session, *, tenant: Tenant, keyword_ids: list[int], operator_id: int | None = None) -> None:
    """Set the order of the featured list (ids first to last)."""
    for position, keyword_id in enumerate(keyword_ids):
        keyword = session.get(Keyword, keyword_id)
        if keyword is not None and keyword.tenant_id == tenant.id:
            keyword.position = position
            keyword.updated_at = utcnow()
            session.add(keyword)
    session.flush()


@dataclass(frozen=True)
class KeywordImportReport:
    """What an import did, or why it refused everything: errors name the CSV line (phrases: `str()` gives the English
    text, the interface words them in the reader's language)."""

    created: int
    updated: int
    errors: list[Phrase]

    @property
    def ok(self) -> bool:
        return not self.errors


def import_keywords_csv(session: Session, *, tenant: Tenant, content: str, operator_id: int | None = None) -> KeywordImportReport:
    """Import keywords from CSV text; all rows or none (the report lists every refused line with its number)."""
    reader, header = open_csv(content)
    problems = header_problems(header, allowed=CSV_COLUMNS + OPTIONAL_COLUMNS, required=REQUIRED_COLUMNS)
    if problems:
        return KeywordImportReport(0, 0, problems)
    default_language = tenant.languages.split(",")[0]
    errors: list[Phrase] = []
    planned: list[tuple[KeywordForm, Keyword | None]] = []
    seen: dict[tuple[str, str], int] = {}
    for line_no, raw in enumerate(reader, start=2):
        if None in raw:
            errors.append(Phrase("line {line}: more values than columns", {"line": str(line_no)}))
            continue
        row = {k.strip(): as_written((v or "").strip()) for k, v in raw.items() if k is not None}
        featured_text = row.get("featured", "").lower()
        if featured_text not in {"", "0", "1", "true", "false", "yes", "no"}:
            errors.append(
                Phrase(
                    "line {line}: featured must be true or false, not '{value}'", {"line": str(line_no), "value": featured_text}
                )
            )
            continue
        form = KeywordForm(
            keyword=row.get("keyword", ""),
            response=row.get("response", ""),
            language=(row.get("language") or default_language).lower(),
            synonyms=row.get("synonyms", ""),
            featured=featured_text in {"1", "true", "yes"},
            topic=row.get("topic", ""),
            buttons=row.get("buttons", ""),
            link=row.get("link", ""),
            # A file without the column keeps each keyword's examples (an older export must not erase them).
            examples=tuple(stored_examples(row.get("examples", ""))) if "examples" in header else None,
        )
        key = (normalize(form.keyword), form.language)
        if key[0] and key in seen:
            errors.append(
                Phrase(
                    "line {line}: keyword '{keyword}' ({language}) repeats line {first}",
                    {"line": str(line_no), "keyword": form.keyword, "language": form.language, "first": str(seen[key])},
                )
            )
            continue
        existing = session.exec(
            select(Keyword).where(Keyword.tenant_id == tenant.id, Keyword.normalized == key[0], Keyword.language == form.language)
        ).first()
        try:
            _validate(session, tenant=tenant, form=form, keyword_id=existing.id if existing else None)
        except KeywordError as exc:
            errors.append(Phrase("line {line}: {problem}", {"line": str(line_no), "problem": exc.phrase}))
            continue
        seen[key] = line_no
        planned.append((form, existing))
    if errors:
        return KeywordImportReport(0, 0, errors)
    created = updated = 0
    for form, existing in planned:
        if existing is None:
            keyword = Keyword(tenant_id=row_id(tenant), keyword="", normalized="", response="", updated_by=operator_id)
            created += 1
        else:
            keyword = existing
            updated += 1
        _apply(keyword, form, normalize(form.keyword))
        keyword.updated_by = operator_id
        session.add(keyword)
        session.flush()
        record_change(session, keyword=keyword, operator_id=operator_id, action=KeywordAction.IMPORTED)
    return KeywordImportReport(created, updated, [])


def export_keywords_csv(session: Session, *, tenant: Tenant) -> str:
    """The tenant's keywords as CSV, in the import format (optional columns included); texts that a spreadsheet would
    run as a formula are guarded (`csvfiles.safe_cell`), and the import takes the guard off again."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + OPTIONAL_COLUMNS)
    rows = session.exec(select(Keyword).where(Keyword.tenant_id == tenant.id).order_by(Keyword.language, Keyword.keyword))
    for k in rows:
        featured = str(k.featured).lower()
        texts = (k.keyword, k.response, k.language, k.synonyms, featured, k.topic, k.buttons, k.link, k.examples)
        writer.writerow([safe_cell(value) for value in texts])
    return out.getvalue()


def get_keyword(session: Session, *, tenant_id: int, keyword_id: int) -> Keyword:
    """One keyword of the tenant, for the editor; `KeywordError` if it is gone (or another tenant's)."""
    keyword = session.get(Keyword, keyword_id)
    if keyword is None or keyword.tenant_id != tenant_id:
        raise KeywordError("keyword", "this keyword does not exist any more")
    return keyword


def set_keyword_media(
    session: Session,
    *,
    tenant: Tenant,
    keyword_id: int,
    media_path: str | None,
    media_filename: str | None,
    operator_id: int | None = None,
) -> Keyword:
    """Attach an image or document (already stored with `media.save_media`) to a keyword's answer, or remove it
    with `media_path=None`; the history notes the change."""
    keyword = get_keyword(session, tenant_id=row_id(tenant), keyword_id=keyword_id)
    media_path = media_path or None
    if keyword.media_path == media_path:
        return keyword
    keyword.media_path = media_path
    keyword.media_filename = ((media_filename or "")[:255] or None) if media_path else None
    keyword.updated_by = operator_id
    keyword.updated_at = utcnow()
    session.add(keyword)
    record_change(session, keyword=keyword, operator_id=operator_id, action=KeywordAction.UPDATED, summary="media")
    session.flush()
    return keyword


def history_with_authors(session: Session, *, tenant_id: int, limit: int = 50) -> list[tuple[KeywordChange, str]]:
    """The latest keyword changes, newest first, each with the name of the operator who made it ("" for the
    command line, which acts as no one)."""
    changes = history(session, tenant_id=tenant_id, limit=limit)
    ids = {change.operator_id for change in changes if change.operator_id is not None}
    names = {
        operator.id: operator.display_name or operator.email
        for operator in session.exec(select(Operator).where(col(Operator.id).in_(ids), Operator.tenant_id == tenant_id))
    }
    return [(change, names.get(change.operator_id, "")) for change in changes]
