"""The office-hours page's use cases: what an administrator saves is what the page reads back (and what citizens
are told), a refused schedule changes nothing, and only an administrator changes it."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from citymes_app.core import auth, hours, tenants
from citymes_app.core.administration import NotAnAdministrator
from citymes_app.core.office_hours_desk import OfficeHoursDesk, WaitingNotice
from citymes_app.core.tenants import NoticeKind
from citymes_app.models import Role, row_id
from tests.helpers import engine_of

MADRID = ZoneInfo("Europe/Madrid")


def _signed_in(session: Session, tenant, *, role: Role) -> auth.SignedInOperator:
    operator = auth.add_operator(session, tenant=tenant, email=f"{role}@{tenant.slug}.test", password="long-enough", role=role)
    session.commit()
    return auth.SignedInOperator(row_id(operator), row_id(tenant), tenant.slug, tenant.name, operator.email, "", operator.role)


@pytest.fixture
def vila(session: Session):
    return tenants.add_tenant(session, slug="vila", name="Vila", languages="ca,es")


async def test_a_saved_schedule_holiday_and_notice_are_what_the_page_reads_back(session: Session, vila) -> None:
    desk = OfficeHoursDesk(engine=engine_of(session))
    admin = _signed_in(session, vila, role=Role.ADMIN)

    await desk.save_schedule(by=admin, slots=[(0, "09:00", "14:00"), (2, "16:00", "19:00")])
    await desk.add_holiday(by=admin, day=date(2026, 11, 30), name="Sant Andreu")
    await desk.save_notice(by=admin, language="es", kind=NoticeKind.IN_HOURS, text="Ahora le atendemos.")
    overview = await desk.overview(by=admin, year=2026)

    # The tests' clock is Tuesday 24/11/2026 at 10:00: closed (Tuesday has no slot); Monday 30/11 is the new holiday.
    assert overview.slots == [hours.Slot(0, time(9), time(14)), hours.Slot(2, time(16), time(19))]
    assert (overview.open_now, overview.holiday_today, overview.today) == (False, None, date(2026, 11, 24))
    assert overview.next_opening == datetime(2026, 11, 25, 16, 0, tzinfo=MADRID)
    local = [h for h in overview.holidays if h.local_id is not None]
    assert [(h.day, h.name) for h in local] == [(date(2026, 11, 30), "Sant Andreu")]
    assert WaitingNotice("es", NoticeKind.IN_HOURS, "Ahora le atendemos.", custom=True) in overview.notices
    assert [(n.language, n.kind, n.custom) for n in overview.notices if not n.custom] == [
        ("ca", NoticeKind.IN_HOURS, False),
        ("ca", NoticeKind.OUT_OF_HOURS, False),
        ("es", NoticeKind.OUT_OF_HOURS, False),
    ]


async def test_a_refused_schedule_changes_nothing_and_says_why(session: Session, vila) -> None:
    desk = OfficeHoursDesk(engine=engine_of(session))
    admin = _signed_in(session, vila, role=Role.ADMIN)
    await desk.save_schedule(by=admin, slots=[(0, "09:00", "14:00")])

    with pytest.raises(hours.HoursError, match="Monday: the slots overlap"):
        await desk.save_schedule(by=admin, slots=[(0, "08:00", "10:00"), (0, "09:00", "14:00")])

    assert (await desk.overview(by=admin, year=2026)).slots == [hours.Slot(0, time(9), time(14))]


async def test_only_an_administrator_changes_the_hours_and_only_their_own_tenants(session: Session, vila) -> None:
    desk = OfficeHoursDesk(engine=engine_of(session))
    operator = _signed_in(session, vila, role=Role.OPERATOR)
    poble = tenants.add_tenant(session, slug="poble", name="Poble")
    vila_admin = _signed_in(session, vila, role=Role.ADMIN)
    await desk.add_holiday(by=vila_admin, day=date(2026, 11, 30), name="Sant Andreu")
    holiday = next(h for h in (await desk.overview(by=vila_admin, year=2026)).holidays if h.local_id)
    assert holiday.local_id is not None

    with pytest.raises(NotAnAdministrator):
        await desk.save_schedule(by=operator, slots=[])
    with pytest.raises(hours.HoursError):
        await desk.remove_holiday(by=_signed_in(session, poble, role=Role.ADMIN), holiday_id=holiday.local_id)

    assert holiday in (await desk.overview(by=vila_admin, year=2026)).holidays
