"""Keywords: the answers that work 24 hours a day.

Matching here is exact after normalization (case, accents, punctuation and spacing forgiven); the fuzzy engine
comes later and will replace `find_keyword` behind the same signature.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import Session, select

from citymes_app.models import Keyword, Tenant, utcnow

CSV_COLUMNS = ["keyword", "response", "language", "synonyms", "featured"]
REQUIRED_COLUMNS = {"keyword", "response"}
MAX_RESPONSE_LENGTH = 4000
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces: what citizens type is compared so."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    no_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    no_invisible = "".join(ch for ch in no_accents if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", no_invisible)).strip()


def find_keyword(session: Session, *, tenant_id: int, text: str) -> Keyword | None:
    """The keyword that answers `text` exactly (keyword or synonym), or None."""
    wanted = normalize(text)
    if not wanted:
        return None
    direct = session.exec(
        select(Keyword).where(Keyword.tenant_id == tenant_id, Keyword.normalized == wanted).order_by(Keyword.id)
    ).first()
    if direct is not None:
        return direct
    for keyword in session.exec(select(Keyword).where(Keyword.tenant_id == tenant_id, Keyword.synonyms != "")):
        if wanted in {normalize(s) for s in keyword.synonyms.split("|")}:
            return keyword
    return None


@dataclass(frozen=True)
class KeywordImportReport:
    """What an import did, or why it refused everything: errors name the CSV line."""

    created: int
    updated: int
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def import_keywords_csv(session: Session, *, tenant: Tenant, content: str) -> KeywordImportReport:
    """Import keywords from CSV text; all rows or none (the report lists every refused line)."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    extra = [h for h in header if h not in CSV_COLUMNS]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    if extra or missing:
        problems = []
        if extra:
            problems.append(f"unknown column(s): {', '.join(extra)} (allowed: {', '.join(CSV_COLUMNS)})")
        if missing:
            problems.append(f"missing column(s): {', '.join(missing)}")
        return KeywordImportReport(0, 0, problems)
    languages = tenant.languages.split(",")
    errors: list[str] = []
    rows: list[dict[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for line_no, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            errors.append(f"line {line_no}: more values than columns")
            continue
        keyword, response = row.get("keyword", ""), row.get("response", "")
        language = (row.get("language") or languages[0]).lower()
        featured = row.get("featured", "").lower()
        if not normalize(keyword):
            errors.append(f"line {line_no}: the keyword is empty")
        elif not response:
            errors.append(f"line {line_no}: keyword '{keyword}' has no response")
        elif len(response) > MAX_RESPONSE_LENGTH:
            errors.append(f"line {line_no}: the response is longer than {MAX_RESPONSE_LENGTH} characters")
        elif language not in languages:
            errors.append(f"line {line_no}: language '{language}' is not one of the tenant's ({tenant.languages})")
        elif featured not in {"", "0", "1", "true", "false", "yes", "no"}:
            errors.append(f"line {line_no}: featured must be true or false, not '{featured}'")
        elif (normalize(keyword), language) in seen:
            errors.append(
                f"line {line_no}: keyword '{keyword}' ({language}) repeats line {seen[(normalize(keyword), language)]}"
            )
        else:
            seen[(normalize(keyword), language)] = line_no
            rows.append({**row, "language": language, "featured": featured})
    if errors:
        return KeywordImportReport(0, 0, errors)
    created = updated = 0
    for row in rows:
        existing = session.exec(
            select(Keyword).where(
                Keyword.tenant_id == tenant.id,
                Keyword.normalized == normalize(row["keyword"]),
                Keyword.language == row["language"],
            )
        ).first()
        synonyms = "|".join(s.strip() for s in row.get("synonyms", "").split("|") if s.strip())
        is_featured = row["featured"] in {"1", "true", "yes"}
        if existing:
            existing.keyword, existing.response = row["keyword"], row["response"]
            existing.synonyms, existing.featured, existing.updated_at = synonyms, is_featured, utcnow()
            session.add(existing)
            updated += 1
        else:
            session.add(
                Keyword(
                    tenant_id=tenant.id,
                    keyword=row["keyword"],
                    normalized=normalize(row["keyword"]),
                    language=row["language"],
                    response=row["response"],
                    synonyms=synonyms,
                    featured=is_featured,
                )
            )
            created += 1
    session.flush()
    return KeywordImportReport(created, updated, [])


def export_keywords_csv(session: Session, *, tenant: Tenant) -> str:
    """The tenant's keywords as CSV, in the import format."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for keyword in session.exec(
        select(Keyword).where(Keyword.tenant_id == tenant.id).order_by(Keyword.language, Keyword.keyword)
    ):
        writer.writerow(
            [keyword.keyword, keyword.response, keyword.language, keyword.synonyms, str(keyword.featured).lower()]
        )
    return out.getvalue()
