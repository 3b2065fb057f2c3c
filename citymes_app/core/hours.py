"""Office hours: a weekly schedule in the tenant's timezone, public holidays of its region, local holidays.

Public holidays come from the `holidays` library (Spain + Catalonia for the demo); administrators add the
town's own days (patron saint, local fair) as local holidays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa
from sqlmodel import Session, select

from citymes_app.core.db import batch_memo
from citymes_app.core.phrases import Phrase, PhrasedError
from citymes_app.models import LocalHoliday, OfficeHours, Tenant, row_id, table_of

# Monday to Friday, 8:00 to 19:00: the citizen-service office's hours when a tenant has set none.
DEFAULT_SCHEDULE: list[tuple[int, str, str]] = [(day, "08:00", "19:00") for day in range(5)]
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
LOOKAHEAD_DAYS = 60

WEEKDAYS = {
    "ca": ["dilluns", "dimarts", "dimecres", "dijous", "divendres", "dissabte", "diumenge"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
_AT = {"ca": "a les", "es": "a las", "en": "at"}


class HoursError(PhrasedError):
    """A schedule or holiday that cannot be accepted; the message is for the administrator."""


@dataclass(frozen=True)
class Slot:
    """One opening slot: weekday (0 = Monday), opening and closing time."""

    weekday: int
    opens: time
    closes: time


def _parse(value: str) -> time:
    match = _HHMM.match(value.strip())
    if not match:
        raise HoursError("'{value}' is not a time: use HH:MM, e.g. 08:00", value=value)
    return time(int(match.group(1)), int(match.group(2)))


# Built once (read with every batch of messages): composing the statements cost more than running them (py-spy).
_HOURS, _HOLIDAY = table_of(OfficeHours), table_of(LocalHoliday)
_SLOTS = sa.select(_HOURS.c.weekday, _HOURS.c.opens, _HOURS.c.closes).where(_HOURS.c.tenant_id == sa.bindparam("tenant"))
_LOCAL_HOLIDAY = (
    sa.select(_HOLIDAY.c.name)
    .where(_HOLIDAY.c.tenant_id == sa.bindparam("tenant"), _HOLIDAY.c.day == sa.bindparam("day"))
    .limit(1)
)


def schedule(session: Session, *, tenant_id: int) -> list[Slot]:
    """The tenant's weekly slots (the default Mon–Fri 8–19 when none are set), in order."""
    rows = batch_memo(session, ("office-hours", tenant_id), lambda: session.execute(_SLOTS, {"tenant": tenant_id}).all())
    raw = [(r.weekday, r.opens, r.closes) for r in rows] or DEFAULT_SCHEDULE
    return sorted((Slot(day, _parse(o), _parse(c)) for day, o, c in raw), key=lambda s: (s.weekday, s.opens))


def set_schedule(session: Session, *, tenant_id: int, slots: list[tuple[int, str, str]]) -> None:
    """Replace the weekly schedule; `HoursError` names the first bad slot (closing before opening, overlaps)."""
    parsed: list[Slot] = []
    for weekday, opens, closes in slots:
        if weekday not in range(7):
            raise HoursError("weekday {weekday} is not 0 (Monday) to 6 (Sunday)", weekday=str(weekday))
        slot = Slot(weekday, _parse(opens), _parse(closes))
        if slot.closes <= slot.opens:
            raise HoursError(
                "{day}: closing time {closes} is not after opening time {opens}",
                day=Phrase(WEEKDAYS["en"][weekday]),
                closes=closes,
                opens=opens,
            )
        parsed.append(slot)
    parsed.sort(key=lambda s: (s.weekday, s.opens))
    for before, after in zip(parsed, parsed[1:], strict=False):
        if before.weekday == after.weekday and after.opens < before.closes:
            raise HoursError("{day}: the slots overlap", day=Phrase(WEEKDAYS["en"][before.weekday]))
    for row in session.exec(select(OfficeHours).where(OfficeHours.tenant_id == tenant_id)):
        session.delete(row)
    for slot in parsed:
        session.add(
            OfficeHours(
                tenant_id=tenant_id,
                weekday=slot.weekday,
                opens=slot.opens.strftime("%H:%M"),
                closes=slot.closes.strftime("%H:%M"),
            )
        )
    session.flush()


def add_local_holiday(session: Session, *, tenant_id: int, day: date, name: str) -> LocalHoliday:
    """Close the office on `day`; `HoursError` if it is already a local holiday or has no name."""
    if not name.strip():
        raise HoursError("give the holiday a name")
    if session.exec(select(LocalHoliday).where(LocalHoliday.tenant_id == tenant_id, LocalHoliday.day == day)).first():
        raise HoursError("{day} is already a local holiday", day=day.isoformat())
    holiday = LocalHoliday(tenant_id=tenant_id, day=day, name=name.strip()[:200])
    session.add(holiday)
    session.flush()
    return holiday


def remove_local_holiday(session: Session, *, tenant_id: int, holiday_id: int) -> None:
    """Open the office again on a local holiday."""
    holiday = session.get(LocalHoliday, holiday_id)
    if holiday is None or holiday.tenant_id != tenant_id:
        raise HoursError("this holiday does not exist")
    session.delete(holiday)


# The holidays library's name for a language, where it differs from ours.
_HOLIDAY_LANGUAGES = {"en": "en_US"}


@lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str | None, year: int, language: str | None = None) -> dict[date, str]:
    """The region's public holidays of `year`, named in `language` when the library has it (else its own)."""
    wanted = _HOLIDAY_LANGUAGES.get(language or "", language)
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
        if wanted and wanted in found.supported_languages:
            found = holidays.country_holidays(country, subdiv=subdivision or None, years=year, language=wanted)
        return dict(found)
    except NotImplementedError:
        return {}


def holiday_name(session: Session, *, tenant: Tenant, day: date, language: str | None = None) -> str | None:
    """Why the office is closed on `day` (a public or local holiday; a public one named in `language` when the holidays
    library has it), or None."""
    local = batch_memo(
        session,
        ("local-holiday", tenant.id, day),
        lambda: session.execute(_LOCAL_HOLIDAY, {"tenant": tenant.id, "day": day}).scalar(),
    )
    if local is not None:
        return local
    return public_holiday(tenant, day, language)


def public_holiday(tenant: Tenant, day: date, language: str | None = None) -> str | None:
    """The public holiday of the tenant's region on `day` (named in `language` when the library has it), or None."""
    return _public_holidays(tenant.holiday_country, tenant.holiday_subdivision, day.year, language).get(day)


def is_open(session: Session, *, tenant: Tenant, at: datetime) -> bool:
    """Whether operators are at work at `at` (aware)."""
    local = at.astimezone(ZoneInfo(tenant.timezone))
    if holiday_name(session, tenant=tenant, day=local.date()):
        return False
    return any(
        s.weekday == local.weekday() and s.opens <= local.time() < s.closes for s in schedule(session, tenant_id=row_id(tenant))
    )


def next_opening(session: Session, *, tenant: Tenant, at: datetime) -> datetime | None:
    """When the office next opens after `at`, in the tenant's timezone (None if closed for two months)."""
    zone = ZoneInfo(tenant.timezone)
    local = at.astimezone(zone)
    slots = schedule(session, tenant_id=row_id(tenant))
    for offset in range(LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        if holiday_name(session, tenant=tenant, day=day):
            continue
        for slot in (s for s in slots if s.weekday == day.weekday()):
            opening = datetime.combine(day, slot.opens, tzinfo=zone)
            if opening > local:
                return opening
    return None


def describe_opening(opening: datetime, *, language: str) -> str:
    """'dilluns 23/11 a les 08:00' in the citizen's language (Catalan, Spanish or English)."""
    lang = language if language in WEEKDAYS else "en"
    day = WEEKDAYS[lang][opening.weekday()]
    return f"{day} {opening:%d/%m} {_AT[lang]} {opening:%H:%M}"


@dataclass(frozen=True)
class Holiday:
    """A day the office is closed: public (from the holidays library) or local (`local_id` set, removable)."""

    day: date
    name: str
    local_id: int | None = None


def calendar(session: Session, *, tenant: Tenant, year: int, language: str | None = None) -> list[Holiday]:
    """Every holiday of `year`, public and local, in date order (the office-hours page's list); public holidays
    named in `language` when the holidays library has it."""
    public = [
        Holiday(d, n) for d, n in _public_holidays(tenant.holiday_country, tenant.holiday_subdivision, year, language).items()
    ]
    local = [
        Holiday(h.day, h.name, h.id)
        for h in session.exec(select(LocalHoliday).where(LocalHoliday.tenant_id == tenant.id))
        if h.day.year == year
    ]
    return sorted(public + local, key=lambda h: (h.day, h.local_id is not None, h.name))
