"""Canned responses: an organisation's ready texts that operators insert in a reply by typing `/` and a shortcut.

A text may hold placeholders filled in for the conversation at hand (`{name}`: the citizen's name, `{operator}`: the
operator's name, `{town}`: the organisation's name). Saving refuses a placeholder outside that set, so a typo
(`{nom}`) is caught by the administrator who made it, not by a citizen who reads it. Filling in reports the
placeholders that had no value (a citizen whose platform gave no name) and leaves them visible in the text, so the
operator replaces them before sending.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from citymes_app.core.phrases import FieldError
from citymes_app.models import MAX_CANNED_TEXT_LENGTH, MAX_SHORTCUT_LENGTH, CannedResponse, Operator, Tenant, row_id, utcnow


class Placeholder(StrEnum):
    """What a canned response's text can ask to be filled in, written `{name}` in the text."""

    NAME = "name"  # the citizen's name, as their platform gave it
    OPERATOR = "operator"  # the name of the operator inserting the text
    TOWN = "town"  # the organisation's name

    @property
    def written(self) -> str:
        """The placeholder as it is written in a text: `{name}`."""
        return "{" + self.value + "}"


_KNOWN: dict[str, Placeholder] = {p.value: p for p in Placeholder}
# A word in braces is a placeholder, known or not; other braces ("{", "{ }", "{{1}}") are plain text.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w-]*)\}")
SHORTCUT = re.compile(rf"[a-z0-9](?:[a-z0-9-]{{0,{MAX_SHORTCUT_LENGTH - 1}}})")


class CannedResponseError(FieldError):
    """A canned response that cannot be saved or used; `field` ("shortcut", "text" or "") says where to show it."""


@dataclass(frozen=True)
class CannedListing:
    """A canned response as listed, with who changed it last ("" for the command line or the demo) and when."""

    id: int
    shortcut: str
    text: str
    updated_by: str
    updated_at: datetime  # UTC


@dataclass(frozen=True)
class Filled:
    """A canned response's text filled in; `missing` are the placeholders left in it because they had no value."""

    text: str
    missing: tuple[Placeholder, ...]


def clean_shortcut(shortcut: str) -> str:
    """The shortcut as stored: without spaces around it, a leading "/" or capitals."""
    return shortcut.strip().removeprefix("/").strip().lower()


def known_placeholders(text: str) -> list[Placeholder]:
    """The known placeholders still written in `text`, each once, in the order they first appear."""
    found = (_KNOWN[m.group(1)] for m in PLACEHOLDER.finditer(text) if m.group(1) in _KNOWN)
    return list(dict.fromkeys(found))


def _validate(session: Session, *, tenant_id: int, canned_id: int | None, shortcut: str, text: str) -> None:
    if not shortcut:
        raise CannedResponseError("shortcut", "write the shortcut operators will type after /")
    if len(shortcut) > MAX_SHORTCUT_LENGTH:
        raise CannedResponseError("shortcut", "the shortcut is longer than {n} characters", n=MAX_SHORTCUT_LENGTH)
    if SHORTCUT.fullmatch(shortcut) is None:
        raise CannedResponseError(
            "shortcut", "a shortcut has only lowercase letters, digits and dashes, and starts with a letter or digit"
        )
    if not text.strip():
        raise CannedResponseError("text", "write the text the shortcut inserts")
    if len(text) > MAX_CANNED_TEXT_LENGTH:
        raise CannedResponseError(
            "text", "the text is longer than {n} characters ({length})", n=MAX_CANNED_TEXT_LENGTH, length=len(text)
        )
    unknown = [m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(1) not in _KNOWN]
    if unknown:
        choices = ", ".join(p.written for p in Placeholder)
        raise CannedResponseError(
            "text", "unknown placeholder {placeholder}: the text can use {choices}", placeholder=unknown[0], choices=choices
        )
    clash = session.exec(
        select(CannedResponse).where(CannedResponse.tenant_id == tenant_id, CannedResponse.shortcut == shortcut)
    ).first()
    if clash is not None and clash.id != canned_id:
        raise CannedResponseError("shortcut", "/{shortcut} already exists", shortcut=shortcut)


def _own(session: Session, *, tenant_id: int, canned_id: int) -> CannedResponse:
    canned = session.get(CannedResponse, canned_id)
    if canned is None or canned.tenant_id != tenant_id:
        raise CannedResponseError("", "this canned response does not exist any more")
    return canned


def list_canned(session: Session, *, tenant_id: int) -> list[CannedListing]:
    """The organisation's canned responses by shortcut, each with who changed it last."""
    rows = session.exec(
        select(CannedResponse).where(CannedResponse.tenant_id == tenant_id).order_by(col(CannedResponse.shortcut))
    ).all()
    ids = {canned.updated_by for canned in rows if canned.updated_by is not None}
    names = {
        operator.id: operator.display_name or operator.email
        for operator in session.exec(select(Operator).where(col(Operator.id).in_(ids), Operator.tenant_id == tenant_id))
    }
    return [
        CannedListing(row_id(c), c.shortcut, c.text, names.get(c.updated_by, "") if c.updated_by else "", c.updated_at)
        for c in rows
    ]


def get_canned(session: Session, *, tenant_id: int, canned_id: int) -> CannedResponse:
    """One canned response of the organisation; `CannedResponseError` if it is gone (or another organisation's)."""
    return _own(session, tenant_id=tenant_id, canned_id=canned_id)


def save_canned(
    session: Session, *, tenant: Tenant, canned_id: int | None, shortcut: str, text: str, operator_id: int | None = None
) -> CannedResponse:
    """Create (`canned_id` None) or change a canned response; `CannedResponseError` names the field at fault."""
    tenant_id = row_id(tenant)
    shortcut, text = clean_shortcut(shortcut), text.strip()
    _validate(session, tenant_id=tenant_id, canned_id=canned_id, shortcut=shortcut, text=text)
    if canned_id:
        canned = _own(session, tenant_id=tenant_id, canned_id=canned_id)
    else:
        canned = CannedResponse(tenant_id=tenant_id, shortcut=shortcut, text=text)
    canned.shortcut, canned.text, canned.updated_by, canned.updated_at = shortcut, text, operator_id, utcnow()
    session.add(canned)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # another administrator took the shortcut a moment ago
        raise CannedResponseError("shortcut", "/{shortcut} already exists", shortcut=shortcut) from None
    return canned


def delete_canned(session: Session, *, tenant: Tenant, canned_id: int) -> str:
    """Remove a canned response of the organisation; returns its shortcut."""
    canned = _own(session, tenant_id=row_id(tenant), canned_id=canned_id)
    session.delete(canned)
    session.flush()
    return canned.shortcut


def fill(text: str, *, citizen_name: str, operator_name: str, town_name: str) -> Filled:
    """`text` with its placeholders replaced by the conversation's values; a placeholder whose value is empty stays
    written as it was and is reported in `missing`."""
    values = {
        Placeholder.NAME: citizen_name.strip(),
        Placeholder.OPERATOR: operator_name.strip(),
        Placeholder.TOWN: town_name.strip(),
    }
    missing: list[Placeholder] = []

    def replace(match: re.Match[str]) -> str:
        placeholder = _KNOWN.get(match.group(1))
        if placeholder is None:
            return match.group(0)  # not one of ours (saved before it was refused, or plain text): left alone
        if not values[placeholder]:
            if placeholder not in missing:
                missing.append(placeholder)
            return match.group(0)
        return values[placeholder]

    return Filled(PLACEHOLDER.sub(replace, text), tuple(missing))


class _Shortcut(Protocol):
    @property
    def shortcut(self) -> str: ...


S = TypeVar("S", bound=_Shortcut)


def is_shortcut_typed(typed: str) -> bool:
    """Whether a reply being written is a shortcut being typed ("/", "/ho"), not a message."""
    return typed.startswith("/") and not any(c.isspace() for c in typed)


def matching(listings: Sequence[S], typed: str) -> list[S]:
    """The canned responses whose shortcut starts with what follows the "/" of `typed` (all for a lone "/"); none
    when `typed` is not a shortcut being typed."""
    if not is_shortcut_typed(typed):
        return []
    prefix = typed[1:].lower()
    return [listing for listing in listings if listing.shortcut.startswith(prefix)]
