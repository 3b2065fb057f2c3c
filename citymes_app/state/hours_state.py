"""Office hours (administrators only): the weekly schedule, whether the office is open now and when it opens next,
the year's holidays (public ones from the holidays library, local ones the town adds), and the automatic waiting
notices per language.

Every handler resolves the session cookie again and calls one method of `core.office_hours_desk.OfficeHoursDesk`,
which acts only for an administrator, on the administrator's own tenant; `hours_display` shapes its answers.
"""

from __future__ import annotations

import logging
from datetime import date

import reflex as rx

from citymes_app.core import clock, hours, tenants
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.tenants import NoticeKind
from citymes_app.i18n import words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import admin_page_visit, signed_in_admin
from citymes_app.state.hours_display import WEEKDAY_NAMES, DayRow, HolidayRow, NoticeRow, SlotEdit, SlotRow, hours_view
from citymes_app.state.language import on_language_switch
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)

MAX_SLOTS_PER_DAY = 4
# The new local holiday's fields are left to the browser (read from the form, emptied after adding).
HOLIDAY_DAY_ID = "holiday-day"
HOLIDAY_NAME_ID = "holiday-name"
NEW_SLOT = ("09:00", "14:00")


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
                name=WEEKDAY_NAMES[weekday],
                slots=[SlotEdit(i, s.opens, s.closes) for i, s in enumerate(self.slots) if s.weekday == weekday],
            )
            for weekday in range(7)
        ]

    @rx.var(cache=True)
    def local_count(self) -> int:
        """How many local holidays the year has."""
        return sum(1 for holiday in self.holidays if holiday.local)

    async def _reload(self, operator: SignedInOperator, *, schedule: bool = True, notice: int | None = None) -> None:
        """Read everything again; unsaved edits survive unless `schedule` (the schedule) or `notice` (that notice;
        -1 for all) says to replace them."""
        words = words_for(operator.language)
        snapshot = hours_view(await get_runtime().office_hours_desk.overview(by=operator, year=self.year), words)
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
        operator = await signed_in_admin(self)
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
            await get_runtime().office_hours_desk.save_schedule(by=operator, slots=slots)
        except hours.HoursError as exc:
            self.schedule_error, self.schedule_dirty = sentence(exc, words_for(operator.language)), True
            return
        finally:
            self.saving_schedule = False
        await self._reload(operator)
        yield rx.toast.success(words_for(operator.language).t("Office hours saved."))

    @rx.event
    async def undo_schedule(self):
        """Forget the unsaved changes."""
        operator = await signed_in_admin(self)
        if operator is not None:
            await self._reload(operator)

    # Holidays.

    @rx.event
    async def show_year(self, step: int):
        """The previous or the next year's holidays."""
        operator = await signed_in_admin(self)
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
        operator = await signed_in_admin(self)
        if operator is None:
            return
        words = words_for(operator.language)
        typed_day, name = str(form_data.get("day", "")).strip(), str(form_data.get("name", "")).strip()
        try:
            day = date.fromisoformat(typed_day)
        except ValueError:
            self.holiday_error_field = "day"
            self.holiday_error = words.t("Choose the date of the holiday.") if not typed_day else words.t("That is not a date.")
            return
        try:
            await get_runtime().office_hours_desk.add_holiday(by=operator, day=day, name=name)
        except hours.HoursError as exc:
            self.holiday_error_field = "name" if not name else "day"
            self.holiday_error = sentence(exc, words)
            return
        self.holiday_error_field, self.holiday_error = "", ""
        self.year = day.year  # show the year the new holiday is in
        await self._reload(operator, schedule=False)
        return [
            rx.set_value(HOLIDAY_DAY_ID, ""),
            rx.set_value(HOLIDAY_NAME_ID, ""),
            rx.toast.success(words.t("{name} added: the office is closed on {day}.", name=name, day=f"{day:%d/%m/%Y}")),
        ]

    @rx.event
    async def remove_holiday(self, holiday_id: int):
        """Open the office again on a local holiday."""
        operator = await signed_in_admin(self)
        if operator is None:
            return
        try:
            await get_runtime().office_hours_desk.remove_holiday(by=operator, holiday_id=holiday_id)
        except hours.HoursError as exc:
            await self._reload(operator, schedule=False)
            return rx.toast.error(sentence(exc, words_for(operator.language)))
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
        operator = await signed_in_admin(self)
        index = int(form_data["index"]) if str(form_data.get("index", "")).isdigit() else -1
        if operator is None or not 0 <= index < len(self.notices):
            return
        notice = self.notices[index]
        text = str(form_data.get("text", notice.text))
        try:
            await get_runtime().office_hours_desk.save_notice(
                by=operator, language=notice.language, kind=NoticeKind(notice.kind), text=text
            )
        except tenants.TenantError as exc:
            self._notice(index, text=text, error=sentence(exc, words_for(operator.language)))
            return
        await self._reload(operator, schedule=False, notice=index)
        return rx.toast.success(
            words_for(operator.language).t(
                "Notice “{title}” saved ({language}).", title=notice.title, language=notice.language_name
            )
        )

    @rx.event
    async def restore_notice(self, index: int):
        """Go back to the default wording."""
        operator = await signed_in_admin(self)
        if operator is None or not 0 <= index < len(self.notices):
            return
        notice = self.notices[index]
        await get_runtime().office_hours_desk.save_notice(
            by=operator, language=notice.language, kind=NoticeKind(notice.kind), text=""
        )
        await self._reload(operator, schedule=False, notice=index)

    @rx.event
    async def relabel(self):
        """The administrator switched language: what the server worded again (unsaved edits are kept)."""
        operator = await signed_in_admin(self)
        if operator is not None and self.year:
            self.holiday_error, self.holiday_error_field = "", ""
            await self._reload(operator, schedule=False, notice=-1)


on_language_switch(HoursState.relabel)
