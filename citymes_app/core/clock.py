"""The current time, in one place, so tests can stop the clock (office hours, lockouts); and a tenant's clock (its
timezone)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from citymes_app.models import Tenant

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


DEFAULT_TIMEZONE = "Europe/Madrid"


def tenant_timezone(session: Session, *, tenant_id: int) -> ZoneInfo:
    """The tenant's timezone (Europe/Madrid if the stored one is unknown)."""
    tenant = session.get(Tenant, tenant_id)
    try:
        return ZoneInfo(tenant.timezone if tenant else DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)
