"""Office hours: schedule, holidays and the next opening, in the tenant's timezone."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from citymes_app.core import hours, tenants

MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture
def tenant(session: Session):
    return tenants.add_tenant(session, slug="vila", name="Vila")


@pytest.mark.parametrize(
    ("local", "open_"),
    [
        (datetime(2026, 11, 23, 7, 59), False),  # Monday before opening
        (datetime(2026, 11, 23, 8, 0), True),
        (datetime(2026, 11, 27, 18, 59), True),  # Friday
        (datetime(2026, 11, 27, 19, 0), False),
        (datetime(2026, 11, 28, 10, 0), False),  # Saturday
        (datetime(2026, 12, 25, 10, 0), False),  # Christmas
        (datetime(2026, 12, 26, 10, 0), False),  # Saint Stephen's, a holiday in Catalonia
        (datetime(2026, 9, 11, 10, 0), False),  # National Day of Catalonia
    ],
)
def test_default_schedule_and_catalan_holidays(session: Session, tenant, local: datetime, open_: bool) -> None:
    assert hours.is_open(session, tenant=tenant, at=local.replace(tzinfo=MADRID)) is open_


def test_next_opening_skips_weekends_and_holidays(session: Session, tenant) -> None:
    friday_evening = datetime(2026, 12, 4, 20, 0, tzinfo=MADRID)  # Monday 7th open, Tuesday 8th a holiday
    assert hours.next_opening(session, tenant=tenant, at=friday_evening) == datetime(2026, 12, 7, 8, 0, tzinfo=MADRID)
    hours.add_local_holiday(session, tenant_id=tenant.id, day=date(2026, 12, 7), name="Pont")
    assert hours.next_opening(session, tenant=tenant, at=friday_evening) == datetime(2026, 12, 9, 8, 0, tzinfo=MADRID)


def test_split_schedule_with_a_lunch_break(session: Session, tenant) -> None:
    hours.set_schedule(session, tenant_id=tenant.id, slots=[(0, "08:00", "14:00"), (0, "16:00", "19:00")])
    monday = datetime(2026, 11, 23, 15, 0, tzinfo=MADRID)
    assert hours.is_open(session, tenant=tenant, at=monday) is False
    assert hours.next_opening(session, tenant=tenant, at=monday) == datetime(2026, 11, 23, 16, 0, tzinfo=MADRID)


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ([(0, "19:00", "08:00")], "Monday: closing time 08:00 is not after opening time 19:00"),
        ([(0, "08:00", "14:00"), (0, "13:00", "19:00")], "Monday: the slots overlap"),
        ([(7, "08:00", "14:00")], "weekday 7 is not 0 (Monday) to 6 (Sunday)"),
        ([(1, "8h", "14:00")], "'8h' is not a time: use HH:MM, e.g. 08:00"),
    ],
)
def test_bad_schedules_are_refused_with_a_reason(session: Session, tenant, slots, message: str) -> None:
    with pytest.raises(hours.HoursError, match=re.escape(message)):
        hours.set_schedule(session, tenant_id=tenant.id, slots=slots)


def test_opening_is_described_in_the_citizens_language() -> None:
    opening = datetime(2026, 11, 30, 8, 0, tzinfo=MADRID)
    assert hours.describe_opening(opening, language="ca") == "dilluns 30/11 a les 08:00"
    assert hours.describe_opening(opening, language="es") == "lunes 30/11 a las 08:00"
    assert hours.describe_opening(opening, language="en") == "Monday 30/11 at 08:00"


def test_calendar_lists_public_and_local_holidays_in_date_order(session: Session, tenant) -> None:
    local = hours.add_local_holiday(session, tenant_id=tenant.id, day=date(2026, 6, 29), name="Festa Major")
    hours.add_local_holiday(session, tenant_id=tenant.id, day=date(2027, 6, 29), name="Festa Major")
    days = hours.calendar(session, tenant=tenant, year=2026)
    assert days == sorted(days, key=lambda h: h.day)
    assert [h for h in days if h.local_id] == [hours.Holiday(date(2026, 6, 29), "Festa Major", local.id)]
    assert hours.Holiday(date(2026, 9, 11), "National Day of Catalonia") in days  # ES-CT from the library
    assert {h.day.year for h in days} == {2026}


def test_public_holidays_are_named_in_the_readers_language(session: Session, tenant) -> None:
    hours.add_local_holiday(session, tenant_id=tenant.id, day=date(2026, 6, 29), name="Festa Major")
    catalan = hours.calendar(session, tenant=tenant, year=2026, language="ca")
    spanish = hours.calendar(session, tenant=tenant, year=2026, language="es")
    assert hours.Holiday(date(2026, 9, 11), "Diada Nacional de Catalunya") in catalan
    assert any(h.day == date(2026, 12, 25) and h.name == "Natividad del Señor" for h in spanish)
    assert any(h.name == "Festa Major" for h in spanish)  # the town's own names stay as the town wrote them
    assert hours.holiday_name(session, tenant=tenant, day=date(2026, 12, 25), language="ca") == "Nativitat del Senyor"
