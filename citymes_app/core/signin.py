"""Signing operators in, throttled per account and per address, and signing them out of one or every browser.

Throttling counts failed tries in a moving window (the `limits` library): in memory for one worker, in Redis when
`REFLEX_REDIS_URL` is set so that every worker counts the same tries. A throttled account or address is refused
even with the right password until the window has room again, and the answer is the same whether the account
exists or not: an unknown email is counted and throttled exactly like a known one.

The counters are keyed by digests of the email and the address, so the store holds neither.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from dataclasses import dataclass
from enum import StrEnum

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.engine import Engine

from citymes_app.core import auth
from citymes_app.core.db import session_scope
from citymes_app.models import row_id

# How many failed tries are allowed, in one place.
FAILED_TRIES_PER_ACCOUNT = "5 per 15 minutes"
FAILED_TRIES_PER_ADDRESS = "20 per 15 minutes"


class SignInOutcome(StrEnum):
    SIGNED_IN = "signed_in"
    REFUSED = "refused"  # wrong email or password, or a disabled operator
    THROTTLED = "throttled"  # too many failed tries: not even checked


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in attempt came to; `token` is set when signed in, `retry_after_minutes` when throttled."""

    outcome: SignInOutcome
    token: str = ""
    operator_id: int | None = None
    retry_after_minutes: int = 0


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]


class SignInThrottle:
    """Failed sign-in tries per account (the email typed, existing or not) and per address, in a moving window."""

    def __init__(
        self,
        storage_uri: str = "memory://",
        *,
        per_account: str = FAILED_TRIES_PER_ACCOUNT,
        per_address: str = FAILED_TRIES_PER_ADDRESS,
        scope: str = "citymes",
    ) -> None:
        # `scope` names this installation's counters in the store (several may share one Redis).
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._scope = scope
        self._per_account: RateLimitItem = parse(per_account)
        self._per_address: RateLimitItem = parse(per_address)

    def _keys(self, email: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return [
            (self._per_account, _digest("signin-account", email.strip().lower())),
            (self._per_address, _digest("signin-address", address or "unknown")),
        ]

    def wait(self, *, email: str, address: str) -> int:
        """Whole minutes until this email may be tried from this address again; 0 if it may be tried now."""
        seconds = 0.0
        for item, key in self._keys(email, address):
            if not self._limiter.test(item, self._scope, key):
                reset_at = self._limiter.get_window_stats(item, self._scope, key).reset_time
                seconds = max(seconds, reset_at - time.time(), 1.0)
        return math.ceil(seconds / 60)

    def record_failure(self, *, email: str, address: str) -> None:
        """Count a failed try against the account and the address."""
        for item, key in self._keys(email, address):
            self._limiter.hit(item, self._scope, key)


def throttle_storage_uri(redis_url: str | None) -> str:
    """Where the throttle counts: the Redis Reflex shares between workers, else this process's memory."""
    return redis_url if redis_url else "memory://"


@dataclass(frozen=True)
class SignInDesk:
    """Signing in and out, built once by the wiring."""

    engine: Engine
    throttle: SignInThrottle

    async def sign_in(self, *, email: str, password: str, address: str) -> SignInResult:
        """Check the credentials unless the account or the address is throttled; open a session if they are right."""
        minutes = await asyncio.to_thread(self.throttle.wait, email=email, address=address)
        if minutes:
            return SignInResult(SignInOutcome.THROTTLED, retry_after_minutes=minutes)
        signed = await asyncio.to_thread(self._check, email, password)
        if signed is None:
            await asyncio.to_thread(self.throttle.record_failure, email=email, address=address)
            return SignInResult(SignInOutcome.REFUSED)
        token, operator_id = signed
        return SignInResult(SignInOutcome.SIGNED_IN, token=token, operator_id=operator_id)

    def _check(self, email: str, password: str) -> tuple[str, int] | None:
        with session_scope(self.engine) as session:
            operator = auth.authenticate(session, email=email, password=password)
            if operator is None:
                return None
            return auth.open_session(session, operator=operator), row_id(operator)

    async def sign_out(self, *, token: str) -> None:
        """End this browser's session."""
        await asyncio.to_thread(self._close, token, False)

    async def sign_out_everywhere(self, *, token: str) -> int | None:
        """End every session of the operator behind `token` (all their browsers); returns the operator's id, or
        None if the token was no longer signed in."""
        return await asyncio.to_thread(self._close, token, True)

    async def operator_for(self, *, token: str) -> auth.SignedInOperator | None:
        """The operator behind a session token, or None (signed out, expired, disabled). Resolving moves the
        session's `last_seen_at` (at most once a minute), so this commits."""
        return await asyncio.to_thread(self._resolve, token)

    def _resolve(self, token: str) -> auth.SignedInOperator | None:
        with session_scope(self.engine) as session:
            return auth.resolve_session(session, token=token)

    async def choose_language(self, *, token: str, language: str) -> auth.SignedInOperator | None:
        """Remember the interface's language of the operator behind `token` (only theirs); `AuthError` for a language
        we do not have; None if the token is no longer signed in."""
        return await asyncio.to_thread(self._choose_language, token, language)

    def _choose_language(self, token: str, language: str) -> auth.SignedInOperator | None:
        with session_scope(self.engine) as session:
            return auth.choose_language(session, token=token, language=language)

    async def sessions_still_open(self, *, tenant_id: int, digests: set[str]) -> set[str]:
        """Which of these session digests still belong to a signed-in operator of the tenant."""
        return await asyncio.to_thread(self._still_open, tenant_id, digests)

    def _still_open(self, tenant_id: int, digests: set[str]) -> set[str]:
        with session_scope(self.engine) as session:
            return auth.sessions_still_open(session, tenant_id=tenant_id, digests=digests)

    def _close(self, token: str, everywhere: bool) -> int | None:
        with session_scope(self.engine) as session:
            if not everywhere:
                auth.close_session(session, token=token)
                return None
            operator = auth.resolve_session(session, token=token, refresh=False)
            if operator is None:
                auth.close_session(session, token=token)
                return None
            auth.close_operator_sessions(session, operator_id=operator.operator_id)
            return operator.operator_id
