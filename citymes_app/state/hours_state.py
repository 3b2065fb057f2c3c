"""Office hours (administrators only): the weekly schedule, whether the office is open now and when it opens next,
the year's holidays (public ones from the holidays library, local ones the town adds), and the automatic waiting
notices per language.

Every handler resolves the session cookie again and acts only for an administrator, on the administrator's own
tenant; the rules live in `core.hours` and `core.tenants` (this module only shapes their answers for display).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import reflex as rx
from sqlmodel import Session

from citymes_app.core import clock, hours, replies, tenants
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.db import session_scope
from citymes_app.models import Tenant
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import AuthState, admin_page_visit

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"ca": "Català", "es": "Español", "en": "English"}
NOTICE_TITLES = {
    "in_hours": "In office hours",
    "out_of_hours": "Out of hours and on holidays",
}
NOTICE_HINTS = {
    "in_hours": "Sent once when a message waits for an operator while the office is open.",
    "out_of_hours": "Sent once while the office is closed. Write {next_opening} where the next opening goes",
}
MAX_SLOTS_PER_DAY = 4
# The new local holiday's fields are left to the browser (read from the form, emptied after adding).
HOLIDAY_DAY_ID = "holiday-day"
HOLIDAY_NAME_ID = "holiday-name"
NEW_SLOT = ("09:00", "14:00")


@dataclass(frozen=True)
class SlotRow:
    """One opening slot as edited (times as typed)."""

    weekday: int
    opens: str
    closes: str


@dataclass(frozen=True)
class SlotEdit:
    """A slot of one weekday, with its place in the flat list the handlers change."""

    index: int
    opens: str
    closes: str


@dataclass(frozen=True)
class DayRow:
    """One weekday of the schedule."""

    weekday: int
    name: str
    slots: list[SlotEdit] = field(default_factory=list)


@dataclass(frozen=True)
class HolidayRow:
    """One holiday of the year."""

    key: str
    day: str  # "24/06"
    weekday: str  # "Wed"
    name: str
    local: bool
    local_id: int
    past: bool


@dataclass(frozen=True)
class NoticeRow:
    """One automatic waiting notice in one language."""

    index: int
    language: str
    language_name: str
    kind: str
    title: str
    hint: str
    text: str
    custom: bool  # the tenant's own wording (else the default)
    error: str = ""


@dataclass(frozen=True)
class _Snapshot:
    timezone: str
    region: str
    open_now: bool
    closed_because: str
    next_opening: str
    slots: list[SlotRow]
    holidays: list[HolidayRow]
    notices: list[NoticeRow]


def _tenant(session: Session, operator: SignedInOperator) -> Tenant:
    return tenants.require_tenant(session, slug=operator.tenant_slug)


def _notices(tenant: Tenant, opening: datetime | None) -> list[NoticeRow]:
    rows: list[NoticeRow] = []
    for language in [code for code in tenant.languages.split(",") if code]:
        overrides = (tenant.auto_replies or {}).get(language, {})
        for kind in tenants.AUTO_REPLY_KINDS:
            hint = NOTICE_HINTS[kind]
            if kind == "out_of_hours":
                example = hours.describe_opening(opening, language=language) if opening else ""
                hint += f" (now: “{example}”)." if example else "."
            rows.append(
                NoticeRow(
                    index=len(rows),
                    language=language,
                    language_name=LANGUAGE_NAMES.get(language, language.upper()),
                    kind=kind,
                    title=NOTICE_TITLES[kind],
                    hint=hint,
                    text=replies.text(tenant, language, kind),
                    custom=bool(overrides.get(kind)),
                )
            )
    return rows


def _load(operator: SignedInOperator, year: int) -> _Snapshot:
    now = clock.now()
    with Session(get_runtime().engine) as session:
        tenant = _tenant(session, operator)
        zone = ZoneInfo(tenant.timezone)
        today = now.astimezone(zone).date()
        opening = hours.next_opening(session, tenant=tenant, at=now)
        open_now = hours.is_open(session, tenant=tenant, at=now)
        holiday_today = hours.holiday_name(session, tenant=tenant, day=today)
        slots = [
            SlotRow(slot.weekday, slot.opens.strftime("%H:%M"), slot.closes.strftime("%H:%M"))
            for slot in hours.schedule(session, tenant_id=tenant.id)
        ]
        holidays = [
            HolidayRow(
                key=f"{holiday.day.isoformat()}-{holiday.local_id or 0}",
                day=holiday.day.strftime("%d/%m"),
                weekday=hours.WEEKDAYS["en"][holiday.day.weekday()][:3],
                name=holiday.name,
                local=holiday.local_id is not None,
                local_id=holiday.local_id or 0,
                past=holiday.day < today,
            )
            for holiday in hours.calendar(session, tenant=tenant, year=year)
        ]
        region = "-".join(filter(None, [tenant.holiday_country, tenant.holiday_subdivision]))
        return _Snapshot(
            timezone=tenant.timezone,
            region=region,
            open_now=open_now,
            closed_because=f"{holiday_today} (holiday)" if holiday_today else "",
            next_opening=hours.describe_opening(opening, language="en") if opening else "",
            slots=slots,
            holidays=holidays,
            notices=_notices(tenant, opening),
        )


def _save_schedule(operator: SignedInOperator, slots: list[tuple[int, str, str]]) -> None:
    with session_scope(get_runtime().engine) as session:
        hours.set_schedule(session, tenant_id=operator.tenant_id, slots=slots)


def _add_holiday(operator: SignedInOperator, day: date, name: str) -> None:
    with session_scope(get_runtime().engine) as session:
        hours.add_local_holiday(session, tenant_id=operator.tenant_id, day=day, name=name)


def _remove_holiday(operator: SignedInOperator, holiday_id: int) -> None:
    with session_scope(get_runtime().engine) as session:
        hours.remove_local_holiday(session, tenant_id=operator.tenant_id, holiday_id=holiday_id)


def _save_notice(operator: SignedInOperator, language: str, kind: str, text: str) -> None:
    with session_scope(get_runtime().engine) as session:
        tenants.set_auto_reply(session, tenant=_tenant(session, operator), language=language, kind=kind, text=text)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


class HoursState(rx.State):
    """One administrator's office-hours tab."""

    timezone: str = ""
    region: str = ""
    open_now: bool = False
    closed_because: str = ""
    next_opening: str = ""
    loaded: bool = False

    slots: list[SlotRow] = []
    schedule_error: str = ""
    schedule_dirty: bool = False
    saving_schedule: bool = False

    year: int = 0
    holidays: list[HolidayRow] = []
    holiday_error_field: str = ""  # day | name
    holiday_error: str = ""

    notices: list[NoticeRow] = []

    @rx.var(cache=True)
    def days(self) -> list[DayRow]:
        """The schedule, weekday by weekday (Monday first)."""
        return [
            DayRow(
                weekday=weekday,
                name=hours.WEEKDAYS["en"][weekday],
                slots=[SlotEdit(i, s.opens, s.closes) for i, s in enumerate(self.slots) if s.weekday == weekday],
            )
            for weekday in range(7)
        ]

    @rx.var(cache=True)
    def local_count(self) -> int:
        """How many local holidays the year has."""
        return sum(1 for holiday in self.holidays if holiday.local)

    async def _admin(self) -> SignedInOperator | None:
        auth = await self.get_state(AuthState)
        return await auth._signed_in_admin()

    async def _reload(self, operator: SignedInOperator, *, schedule: bool = True, notice: int | None = None) -> None:
        """Read everything again; unsaved edits survive unless `schedule` (the schedule) or `notice` (that notice;
        -1 for all) says to replace them."""
        snapshot = await asyncio.to_thread(_load, operator, self.year)
        self.timezone, self.region = snapshot.timezone, snapshot.region
        self.open_now, self.closed_because, self.next_opening = (
            snapshot.open_now,
            snapshot.closed_because,
            snapshot.next_opening,
        )
        self.holidays = snapshot.holidays
        if schedule:
            self.slots, self.schedule_dirty, self.schedule_error = snapshot.slots, False, ""
        if notice == -1 or len(self.notices) != len(snapshot.notices):
            self.notices = snapshot.notices
        elif notice is not None:
            self.notices = [
                fresh if i == notice else kept for i, (fresh, kept) in enumerate(zip(snapshot.notices, self.notices, strict=True))
            ]

    @rx.event
    async def open_hours_page(self):
        """Page load: only an administrator gets the page (others see why); load the tenant's hours."""
        operator, instead = await admin_page_visit(self)
        if operator is None:
            return instead
        self.year = clock.now().year
        self.holiday_error, self.holiday_error_field = "", ""
        self.saving_schedule = False
        await self._reload(operator, notice=-1)

    # The weekly schedule.

    def _replace(self, index: int, *, opens: str | None = None, closes: str | None = None) -> None:
        if not 0 <= index < len(self.slots):
            return
        slot = self.slots[index]
        changed = SlotRow(slot.weekday, slot.opens if opens is None else opens, slot.closes if closes is None else closes)
        if changed == slot:
            return  # a debounced change arriving after the save that already read it: keep the save's message
        slots = list(self.slots)
        slots[index] = changed
        self.slots, self.schedule_dirty, self.schedule_error = slots, True, ""

    @rx.event
    def set_opens(self, index: int, value: str):
        """An opening time changed."""
        self._replace(index, opens=value.strip()[:5])

    @rx.event
    def set_closes(self, index: int, value: str):
        """A closing time changed."""
        self._replace(index, closes=value.strip()[:5])

    @rx.event
    def add_slot(self, weekday: int):
        """Another opening slot on a weekday (after its last one)."""
        same_day = [slot for slot in self.slots if slot.weekday == weekday]
        if weekday not in range(7) or len(same_day) >= MAX_SLOTS_PER_DAY:
            return
        opens, closes = NEW_SLOT if not same_day else ("16:00", "19:00")
        self.slots = [*self.slots, SlotRow(weekday, opens, closes)]
        self.schedule_dirty, self.schedule_error = True, ""

    @rx.event
    def remove_slot(self, index: int):
        """Close the office during that slot."""
        if 0 <= index < len(self.slots):
            self.slots = [slot for i, slot in enumerate(self.slots) if i != index]
            self.schedule_dirty, self.schedule_error = True, ""

    @rx.event
    async def save_schedule(self, form_data: dict[str, str]):
        """Replace the weekly schedule; a refused one says why beside the form and nothing changes."""
        operator = await self._admin()
        if operator is None or self.saving_schedule:
            return
        # The browser's values win over the debounced ones held here.
        slots = [
            (
                slot.weekday,
                str(form_data.get(f"opens-{i}", slot.opens)).strip(),
                str(form_data.get(f"closes-{i}", slot.closes)).strip(),
            )
            for i, slot in enumerate(self.slots)
        ]
        self.slots = [SlotRow(*slot) for slot in slots]
        self.saving_schedule, self.schedule_error = True, ""
        yield
        try:
            await asyncio.to_thread(_save_schedule, operator, slots)
        except hours.HoursError as exc:
            self.schedule_error, self.schedule_dirty = _sentence(str(exc)), True
            return
        finally:
            self.saving_schedule = False
        await self._reload(operator)
        yield rx.toast.success("Office hours saved.")

    @rx.event
    async def undo_schedule(self):
        """Forget the unsaved changes."""
        operator = await self._admin()
        if operator is not None:
            await self._reload(operator)

    # Holidays.

    @rx.event
    async def show_year(self, step: int):
        """The previous or the next year's holidays."""
        operator = await self._admin()
        if operator is None:
            return
        self.year = max(2000, min(2100, self.year + step))
        await self._reload(operator, schedule=False)

    @rx.event
    def clear_holiday_error(self):
        """The administrator is changing the new holiday: hide the old message."""
        if self.holiday_error:
            self.holiday_error_field, self.holiday_error = "", ""

    @rx.event
    async def add_holiday(self, form_data: dict[str, str]):
        """Close the office on a day of the town's own (patron saint, local fair)."""
        operator = await self._admin()
        if operator is None:
            return
        typed_day, name = str(form_data.get("day", "")).strip(), str(form_data.get("name", "")).strip()
        try:
            day = date.fromisoformat(typed_day)
        except ValueError:
            self.holiday_error_field = "day"
            self.holiday_error = "Choose the date of the holiday." if not typed_day else "That is not a date."
            return
        try:
            await asyncio.to_thread(_add_holiday, operator, day, name)
        except hours.HoursError as exc:
            self.holiday_error_field = "name" if not name else "day"
            self.holiday_error = _sentence(str(exc))
            return
        self.holiday_error_field, self.holiday_error = "", ""
        self.year = day.year  # show the year the new holiday is in
        await self._reload(operator, schedule=False)
        return [
            rx.set_value(HOLIDAY_DAY_ID, ""),
            rx.set_value(HOLIDAY_NAME_ID, ""),
            rx.toast.success(f"{name} added: the office is closed on {day:%d/%m/%Y}."),
        ]

    @rx.event
    async def remove_holiday(self, holiday_id: int):
        """Open the office again on a local holiday."""
        operator = await self._admin()
        if operator is None:
            return
        try:
            await asyncio.to_thread(_remove_holiday, operator, holiday_id)
        except hours.HoursError as exc:
            await self._reload(operator, schedule=False)
            return rx.toast.error(_sentence(str(exc)))
        await self._reload(operator, schedule=False)

    # The waiting notices.

    def _notice(self, index: int, **changes) -> None:
        if 0 <= index < len(self.notices):
            notices = list(self.notices)
            current = notices[index]
            notices[index] = NoticeRow(**{**current.__dict__, **changes})
            self.notices = notices

    @rx.event
    def set_notice_text(self, index: int, value: str):
        """A notice's wording changed."""
        if 0 <= index < len(self.notices) and self.notices[index].text != value[:1000]:
            self._notice(index, text=value[:1000], error="")

    @rx.event
    async def save_notice(self, form_data: dict[str, str]):
        """Save a notice's wording (an empty text restores the default); the form says which notice it is."""
        operator = await self._admin()
        index = int(form_data["index"]) if str(form_data.get("index", "")).isdigit() else -1
        if operator is None or not 0 <= index < len(self.notices):
            return
        notice = self.notices[index]
        text = str(form_data.get("text", notice.text))
        try:
            await asyncio.to_thread(_save_notice, operator, notice.language, notice.kind, text)
        except tenants.TenantError as exc:
            self._notice(index, text=text, error=_sentence(str(exc)))
            return
        await self._reload(operator, schedule=False, notice=index)
        return rx.toast.success(f"{notice.title} notice saved ({notice.language_name}).")

    @rx.event
    async def restore_notice(self, index: int):
        """Go back to the default wording."""
        operator = await self._admin()
        if operator is None or not 0 <= index < len(self.notices):
            return
        notice = self.notices[index]
        await asyncio.to_thread(_save_notice, operator, notice.language, notice.kind, "")
        await self._reload(operator, schedule=False, notice=index)
