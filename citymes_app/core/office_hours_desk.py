"""The office-hours page's use cases: the weekly schedule, holidays, the automatic waiting notices, and whether the
office is open now.

`OfficeHoursDesk` is built once by the wiring; each method re-checks that the caller is an administrator, acts on
the caller's own tenant, runs off the event loop and commits. It returns typed values (times, dates, datetimes on
the tenant's clock); the page's wording lives next to its state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from citymes_app.core import clock, hours, replies, tenants
from citymes_app.core.administration import AdminDesk
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.tenants import NoticeKind
from citymes_app.models import Tenant, row_id


@dataclass(frozen=True)
class WaitingNotice:
    """One automatic waiting notice in one language, as the citizen receives it."""

    language: str
    kind: NoticeKind
    text: str
    custom: bool  # the tenant's own wording (else the default)


@dataclass(frozen=True)
class OfficeHoursOverview:
    """Everything the office-hours page shows, read at one moment."""

    timezone: str
    region: str  # "ES-CT": the country and subdivision whose public holidays apply
    open_now: bool
    holiday_today: str | None  # why the office is closed today, if it is a holiday
    next_opening: datetime | None  # on the tenant's clock; None if closed for the next two months
    slots: list[hours.Slot]
    holidays: list[hours.Holiday]  # of the year asked for
    today: date  # on the tenant's clock
    languages: list[str]
    notices: list[WaitingNotice]


@dataclass(frozen=True)
class OfficeHoursDesk(AdminDesk):
    """The office-hours page's use cases, built once by the wiring."""

    async def overview(self, *, by: SignedInOperator, year: int) -> OfficeHoursOverview:
        """The schedule, now, the holidays of `year` (named in the administrator's language) and the waiting notices
        of the administrator's tenant."""
        return await self._read(by, lambda session, tenant: _overview(session, tenant, year, by.language))

    async def save_schedule(self, *, by: SignedInOperator, slots: list[tuple[int, str, str]]) -> None:
        """Replace the weekly schedule ((weekday, "HH:MM", "HH:MM") slots); `HoursError` and nothing changes."""
        await self._write(by, lambda session, tenant: hours.set_schedule(session, tenant_id=row_id(tenant), slots=slots))

    async def add_holiday(self, *, by: SignedInOperator, day: date, name: str) -> None:
        """Close the office on a day of the town's own; `HoursError` if it has no name or is one already."""
        await self._write(
            by, lambda session, tenant: hours.add_local_holiday(session, tenant_id=row_id(tenant), day=day, name=name)
        )

    async def remove_holiday(self, *, by: SignedInOperator, holiday_id: int) -> None:
        """Open the office again on a local holiday; `HoursError` if there is none with that id."""
        await self._write(
            by, lambda session, tenant: hours.remove_local_holiday(session, tenant_id=row_id(tenant), holiday_id=holiday_id)
        )

    async def save_notice(self, *, by: SignedInOperator, language: str, kind: NoticeKind, text: str) -> None:
        """Word a waiting notice in one language (an empty text restores the default); `TenantError` if refused."""
        await self._write(
            by, lambda session, tenant: tenants.set_auto_reply(session, tenant=tenant, language=language, kind=kind, text=text)
        )


def _overview(session: Session, tenant: Tenant, year: int, language: str) -> OfficeHoursOverview:
    now = clock.now()
    today = now.astimezone(ZoneInfo(tenant.timezone)).date()
    languages = [code for code in tenant.languages.split(",") if code]
    overrides = tenant.auto_replies or {}
    return OfficeHoursOverview(
        timezone=tenant.timezone,
        region="-".join(filter(None, [tenant.holiday_country, tenant.holiday_subdivision])),
        open_now=hours.is_open(session, tenant=tenant, at=now),
        holiday_today=hours.holiday_name(session, tenant=tenant, day=today, language=language),
        next_opening=hours.next_opening(session, tenant=tenant, at=now),
        slots=hours.schedule(session, tenant_id=row_id(tenant)),
        holidays=hours.calendar(session, tenant=tenant, year=year, language=language),
        today=today,
        languages=languages,
        notices=[
            WaitingNotice(
                language=language,
                kind=kind,
                text=replies.text(tenant, language, kind),
                custom=bool(overrides.get(language, {}).get(kind)),
            )
            for language in languages
            for kind in NoticeKind
        ],
    )
