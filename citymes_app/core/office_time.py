"""Time counted in office hours: how long a citizen waited while the office was open (a message on Friday at 18:55
answered on Monday at 8:05 waited 10 minutes, not 61 hours). Weekends, public and local holidays and the hours the
office is closed do not count; a day the clocks change is counted in real seconds (a 23- or 25-hour day)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from citymes_app.core import hours
from citymes_app.core.hours import Slot
from citymes_app.models import LocalHoliday, Tenant, row_id

# Longer spans are counted up to this many days (a conversation left open for years still gets a figure).
MAX_DAYS = 800


def open_seconds(
    start: datetime, end: datetime, *, zone: ZoneInfo, slots: Sequence[Slot], closed: Callable[[date], bool]
) -> float:
    """Seconds between `start` and `end` (aware) that fall inside the weekly `slots` (local times of `zone`) on days
    that are not `closed`."""
    if end <= start:
        return 0.0
    first = start.astimezone(zone).date()
    last = min(end.astimezone(zone).date(), first + timedelta(days=MAX_DAYS))
    total = 0.0
    day = first
    while day <= last:
        if not closed(day):
            for slot in slots:
                if slot.weekday != day.weekday():
                    continue
                # Each end of the slot goes to UTC on its own: arithmetic on aware local times ignores a clock change.
                opens = datetime.combine(day, slot.opens, tzinfo=zone).astimezone(UTC)
                closes = datetime.combine(day, slot.closes, tzinfo=zone).astimezone(UTC)
                overlap = (min(closes, end) - max(opens, start)).total_seconds()
                if overlap > 0:
                    total += overlap
        day += timedelta(days=1)
    return total


@dataclass(frozen=True)
class OfficeCalendar:
    """A tenant's clock, weekly slots and the days its office is closed (public and local holidays)."""

    zone: ZoneInfo
    slots: list[Slot]
    closed: Callable[[date], bool]


def office_calendar(session: Session, *, tenant: Tenant, first: date, last: date) -> OfficeCalendar:
    """`tenant`'s office calendar, its local holidays read for the days `first`..`last`."""
    local = set(
        session.exec(
            select(col(LocalHoliday.day)).where(
                LocalHoliday.tenant_id == row_id(tenant), col(LocalHoliday.day) >= first, col(LocalHoliday.day) <= last
            )
        )
    )

    def closed(day: date) -> bool:
        return day in local or hours.public_holiday(tenant, day) is not None

    return OfficeCalendar(ZoneInfo(tenant.timezone), hours.schedule(session, tenant_id=row_id(tenant)), closed)


def office_seconds(session: Session, *, tenant: Tenant, start: datetime, end: datetime) -> float:
    """Seconds of `tenant`'s office hours between `start` and `end`."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(tenant.timezone)
    office = office_calendar(session, tenant=tenant, first=start.astimezone(zone).date(), last=end.astimezone(zone).date())
    return open_seconds(start, end, zone=zone, slots=office.slots, closed=office.closed)
