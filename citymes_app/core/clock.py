"""The current time, in one place, so tests can stop the clock (office hours, lockouts)."""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """The current time (timezone-aware UTC), or the frozen time in tests."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Stop the clock at `at` (aware), or let it run again with None."""
    global _frozen
    if at is not None and at.tzinfo is None:
        raise ValueError("freeze() needs a timezone-aware datetime")
    _frozen = at.astimezone(UTC) if at is not None else None
