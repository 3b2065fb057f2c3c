"""Operators: password hashing (argon2), login and browser sessions."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from citymes_app.core import clock
from citymes_app.core.phrases import PhrasedError
from citymes_app.i18n import organisation_language, supported
from citymes_app.models import Operator, OperatorSession, Role, Tenant, row_id

# How long a browser stays signed in, in one place: at most SESSION_LIFETIME after signing in, and no longer than
# SESSION_IDLE_TIMEOUT after its last use. `last_seen_at` is written at most once per LAST_SEEN_RESOLUTION, so a
# busy tab does not write on every event.
SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE_TIMEOUT = timedelta(hours=2)
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs as long as a wrong password (made on first
    use: hashing takes a moment every command and process would otherwise pay at import)."""
    return _hasher.hash("not-a-real-password")


class AuthError(PhrasedError):
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
    language: str = "ca"  # the interface's language: the operator's choice, else the organisation's first language


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def check_password(password: str) -> None:
    """`AuthError` if `password` is too short to be accepted for an operator."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError("the password needs at least {n} characters", n=MIN_PASSWORD_LENGTH)


def add_operator(
    session: Session, *, tenant: Tenant, email: str, password: str, role: str = Role.OPERATOR, display_name: str = ""
) -> Operator:
    """Create an operator of `tenant`; `AuthError` for a bad email, role or password, or a taken email."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise AuthError("'{email}' is not an email address", email=email)
    if role not in {r.value for r in Role}:
        raise AuthError("unknown role '{role}': use operator, manager or admin", role=role)
    check_password(password)
    if session.exec(select(Operator).where(Operator.email == email)).first():
        raise AuthError("an operator with email {email} already exists", email=email)
    operator = Operator(
        tenant_id=row_id(tenant),
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
        _hasher.verify(operator.password_hash if operator else _dummy_hash(), password)
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
        .join(Operator, col(Operator.id) == OperatorSession.operator_id)
        .where(
            col(OperatorSession.token_hash).in_(list(digests)),
            OperatorSession.expires_at > clock.now(),
            col(OperatorSession.last_seen_at) > clock.now() - SESSION_IDLE_TIMEOUT,
            Operator.active,
            Operator.tenant_id == tenant_id,
        )
    )
    return set(rows)


def open_session(session: Session, *, operator: Operator) -> str:
    """Start a browser session for `operator`; returns the token to keep in the browser."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        OperatorSession(
            token_hash=session_digest(token),
            operator_id=row_id(operator),
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return token


def resolve_session(session: Session, *, token: str, refresh: bool = True) -> SignedInOperator | None:
    """The operator behind a session token, or None if it is unknown, idle too long, past its maximum age, or the
    operator was disabled. With `refresh`, a use at least a minute after the last one moves `last_seen_at` (the
    caller commits)."""
    if not token:
        return None
    row = session.exec(select(OperatorSession).where(OperatorSession.token_hash == session_digest(token))).first()
    now = clock.now()
    if row is None or row.expires_at <= now or row.last_seen_at + SESSION_IDLE_TIMEOUT <= now:
        return None
    operator = session.get(Operator, row.operator_id)
    if operator is None or not operator.active:
        return None
    if refresh and now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
        session.add(row)
    return signed_in(session, operator=operator)


def signed_in(session: Session, *, operator: Operator) -> SignedInOperator:
    """Who `operator` is to the inbox once signed in: their organisation, role and interface language."""
    tenant = session.get_one(Tenant, operator.tenant_id)
    return SignedInOperator(
        operator_id=row_id(operator),
        tenant_id=row_id(tenant),
        tenant_slug=tenant.slug,
        tenant_name=tenant.name,
        email=operator.email,
        display_name=operator.display_name,
        role=operator.role,
        language=supported(operator.language) or organisation_language(tenant.languages),
    )


def choose_language(session: Session, *, token: str, language: str) -> SignedInOperator | None:
    """Remember the interface's language of the operator signed in with `token` (only theirs: the session says who);
    `AuthError` for a language we do not have. None if the token is no longer signed in (nothing changes)."""
    code = supported(language)
    if code is None or code != language:
        raise AuthError("unknown language '{language}': use ca, es or en", language=language)
    signed_in = resolve_session(session, token=token, refresh=False)
    if signed_in is None:
        return None
    operator = session.get_one(Operator, signed_in.operator_id)
    operator.language = code
    session.add(operator)
    return dataclasses.replace(signed_in, language=code)


def close_session(session: Session, *, token: str) -> None:
    """Log out: forget the session token."""
    row = session.exec(select(OperatorSession).where(OperatorSession.token_hash == session_digest(token))).first()
    if row is not None:
        session.delete(row)


def close_operator_sessions(session: Session, *, operator_id: int) -> None:
    """Sign an operator out of every browser: forget all their session tokens."""
    session.execute(delete(OperatorSession).where(col(OperatorSession.operator_id) == operator_id))
