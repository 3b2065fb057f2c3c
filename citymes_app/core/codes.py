"""Personal codes: `KEYWORD CODE` gives one citizen a personal answer (the state of *their* procedure).

Codes are never stored, logged or shown: a keyed digest is stored and looked up, so no code is ever compared
character by character. Wrong tries are counted per citizen; after a few in an hour further tries are refused
until the oldest ages out.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import phonenumbers
from sqlalchemy import func
from sqlmodel import Session, col, select

from citymes_app.core.csvfiles import header_problems, open_csv
from citymes_app.core.matching import normalize
from citymes_app.models import Citizen, CodeAttempt, Keyword, PersonalCode, Tenant, row_id

CSV_COLUMNS = ["code", "response", "phone"]
MAX_WRONG_PER_HOUR = 5
WINDOW = timedelta(hours=1)
_CODE_CHARS = re.compile(r"[^0-9A-Za-z]")


class CodeError(ValueError):
    """A personal-code request that cannot be done; the message is for the administrator."""


def normalize_code(code: str) -> str:
    """Codes are compared without spaces, dashes or case: 'ab-12 34' is 'AB1234'."""
    return _CODE_CHARS.sub("", code).upper()


def code_digest(*, keyword_id: int, code: str) -> str:
    """The stored form of a code: an HMAC keyed by the keyword, so equal codes of two keywords differ."""
    return hmac.new(f"citymes-code:{keyword_id}".encode(), normalize_code(code).encode(), hashlib.sha256).hexdigest()


def normalize_phone(phone: str) -> str | None:
    """E.164 form of a phone number, or None if it is not a valid one."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class CodeImportReport:
    """What an import did, or every line it refused (nothing is imported then)."""

    imported: int
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def import_codes_csv(session: Session, *, tenant: Tenant, keyword_text: str, content: str) -> CodeImportReport:
    """Replace the personal codes behind a keyword with the rows of a `code,response,phone` CSV; all or nothing."""
    keywords = session.exec(
        select(Keyword).where(Keyword.tenant_id == tenant.id, Keyword.normalized == normalize(keyword_text))
    ).all()
    if not keywords:
        return CodeImportReport(0, [f"no keyword '{keyword_text}': create it first"])
    keyword = keywords[0]
    reader, header = open_csv(content)
    problems = header_problems(header, allowed=CSV_COLUMNS, required=("code", "response"))
    if problems:
        return CodeImportReport(0, [str(problem) for problem in problems])
    errors: list[str] = []
    rows: list[PersonalCode] = []
    seen: dict[str, int] = {}
    for line_no, raw in enumerate(reader, start=2):
        if None in raw:
            errors.append(f"line {line_no}: more values than columns")
            continue
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        code, response, phone = normalize_code(row.get("code", "")), row.get("response", ""), row.get("phone", "")
        # Error lines name the line, never the code: reports get pasted into tickets.
        if len(code) < 4:
            errors.append(f"line {line_no}: the code is missing or shorter than 4 letters/digits")
        elif not response:
            errors.append(f"line {line_no}: the response is empty")
        elif phone and normalize_phone(phone) is None:
            errors.append(f"line {line_no}: the phone is not a valid international number (e.g. +34600111222)")
        elif code in seen:
            errors.append(f"line {line_no}: the same code as line {seen[code]}")
        else:
            seen[code] = line_no
            rows.append(
                PersonalCode(
                    tenant_id=row_id(tenant),
                    keyword_id=row_id(keyword),
                    code_digest=code_digest(keyword_id=row_id(keyword), code=code),
                    response=response,
                    phone=normalize_phone(phone) if phone else None,
                )
            )
    if errors:
        return CodeImportReport(0, errors)
    for old in session.exec(select(PersonalCode).where(PersonalCode.keyword_id == keyword.id)):
        session.delete(old)
    session.flush()
    session.add_all(rows)
    session.flush()
    return CodeImportReport(len(rows), [])


class CodeStatus(StrEnum):
    """What a citizen's `KEYWORD CODE` came to."""

    ANSWERED = "answered"  # with the personal response
    WRONG = "wrong"  # no such code
    OTHER_PHONE = "other_phone"  # the code is tied to another citizen's phone
    LOCKED = "locked"  # too many wrong codes lately


@dataclass(frozen=True)
class CodeOutcome:
    """The outcome of a personal-code lookup, and the personal response when answered."""

    status: CodeStatus
    response: str = ""


def _wrong_recently(session: Session, *, citizen_id: int, now: datetime) -> int:
    return session.exec(
        select(func.count(col(CodeAttempt.id))).where(
            CodeAttempt.citizen_id == citizen_id,
            CodeAttempt.success == False,  # noqa: E712
            CodeAttempt.at > now - WINDOW,
        )
    ).one()


def answer_code(session: Session, *, keyword: Keyword, citizen: Citizen, code: str, now: datetime) -> CodeOutcome:
    """Look up `code` behind `keyword` for `citizen`, counting wrong tries."""
    citizen_id, keyword_id = row_id(citizen), row_id(keyword)
    if _wrong_recently(session, citizen_id=citizen_id, now=now) >= MAX_WRONG_PER_HOUR:
        return CodeOutcome(CodeStatus.LOCKED)
    row = session.exec(
        select(PersonalCode).where(
            PersonalCode.keyword_id == keyword_id,
            PersonalCode.code_digest == code_digest(keyword_id=keyword_id, code=code),
        )
    ).first()
    outcome = CodeOutcome(CodeStatus.WRONG)
    if row is not None:
        outcome = (
            CodeOutcome(CodeStatus.OTHER_PHONE)
            if row.phone and row.phone != citizen.phone
            else CodeOutcome(CodeStatus.ANSWERED, row.response)
        )
    session.add(
        CodeAttempt(tenant_id=citizen.tenant_id, citizen_id=citizen_id, success=outcome.status == CodeStatus.ANSWERED, at=now)
    )
    session.flush()
    if outcome.status != CodeStatus.ANSWERED and _wrong_recently(session, citizen_id=citizen_id, now=now) >= MAX_WRONG_PER_HOUR:
        return CodeOutcome(CodeStatus.LOCKED)
    return outcome
