"""Operators: password hashing (argon2), login and browser sessions."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from citymes_app.models import Operator, OperatorSession, Role, Tenant, utcnow

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AuthError(ValueError):
    """A login or operator form that cannot be accepted; the message is for the person."""


@dataclass(frozen=True)
class SignedInOperator:
    """Who is behind a browser session."""

    operator_id: int
    tenant_id: int
    tenant_slug: str
    tenant_name: str
    email: str
    display_name: str
    role: str


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def add_operator(
    session: Session, *, tenant: Tenant, email: str, password: str, role: str = Role.OPERATOR, display_name: str = ""
) -> Operator:
    """Create an operator of `tenant`; `AuthError` for a bad email, role or password, or a taken email."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise AuthError(f"'{email}' is not an email address")
    if role not in {r.value for r in Role}:
        raise AuthError(f"unknown role '{role}': use operator, manager or admin")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if session.exec(select(Operator).where(Operator.email == email)).first():
        raise AuthError(f"an operator with email {email} already exists")
    operator = Operator(
        tenant_id=tenant.id,
        email=email,
        role=role,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password),
    )
    session.add(operator)
    session.flush()
    return operator


def authenticate(session: Session, *, email: str, password: str) -> Operator | None:
    """The active operator with these credentials, or None."""
    operator = session.exec(select(Operator).where(Operator.email == email.strip().lower())).first()
    try:
        _hasher.verify(operator.password_hash if operator else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if operator is None or not operator.active:
        return None
    if _hasher.check_needs_rehash(operator.password_hash):
        operator.password_hash = hash_password(password)
        session.add(operator)
    return operator


def session_digest(token: str) -> str:
    """What the database keeps of a session token (and what a live view remembers of the session it opened with)."""
    return hashlib.sha256(token.encode()).hexdigest()


def sessions_still_open(session: Session, *, tenant_id: int, digests: Collection[str]) -> set[str]:
    """Which of these session digests still belong to a signed-in, active operator of `tenant_id`."""
    if not digests:
        return set()
    rows = session.exec(
        select(OperatorSession.token_hash)
        .join(Operator, Operator.id == OperatorSession.operator_id)
        .where(
            col(OperatorSession.token_hash).in_(list(digests)),
            OperatorSession.expires_at > utcnow(),
            Operator.active,
            Operator.tenant_id == tenant_id,
        )
    )
    return set(rows)


def open_session(session: Session, *, operator: Operator) -> str:
    """Start a browser session for `operator`; returns the token to keep in the browser."""
    token = secrets.token_urlsafe(32)
    session.add(OperatorSession(token_hash=session_digest(token), operator_id=operator.id, expires_at=utcnow() + SESSION_LIFETIME))
    session.flush()
    return token


def resolve_session(session: Session, *, token: str) -> SignedInOperator | None:
    """The operator behind a session token, or None if it is unknown, expired or the operator was disabled."""
    if not token:
        return None
    row = session.exec(select(OperatorSession).where(OperatorSession.token_hash == session_digest(token))).first()
    if row is None or row.expires_at < utcnow():
        return None
    operator = session.get(Operator, row.operator_id)
    if operator is None or not operator.active:
        return None
    tenant = session.get(Tenant, operator.tenant_id)
    return SignedInOperator(
        operator_id=operator.id,
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        tenant_name=tenant.name,
        email=operator.email,
        display_name=operator.display_name,
        role=operator.role,
    )


def close_session(session: Session, *, token: str) -> None:
    """Log out: forget the session token."""
    row = session.exec(select(OperatorSession).where(OperatorSession.token_hash == session_digest(token))).first()
    if row is not None:
        session.delete(row)
