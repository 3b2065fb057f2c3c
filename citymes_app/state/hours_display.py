"""The office-hours page's rows and wording: what `core.office_hours_desk` returns, shaped for display."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from babel.dates import format_date

from citymes_app.core import hours
from citymes_app.core.office_hours_desk import OfficeHoursOverview, WaitingNotice
from citymes_app.core.tenants import NoticeKind
from citymes_app.i18n import N_, Words
from citymes_app.state.wording import language_name

NOTICE_TITLES = {
    NoticeKind.IN_HOURS: N_("In office hours"),
    NoticeKind.OUT_OF_HOURS: N_("Out of hours and on holidays"),
}
# The weekdays as the schedule names them (msgids: the page translates them), Monday first.
WEEKDAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))


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
    name: str  # its msgid (WEEKDAY_NAMES)
    slots: list[SlotEdit] = field(default_factory=list)


@dataclass(frozen=True)
class HolidayRow:
    """One holiday of the year."""

    key: str
    day: str  # "24/06"
    weekday: str  # "Wed", "dc.", "mié" in the administrator's language
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
class HoursView:
    """The page's reading of an `OfficeHoursOverview`."""

    timezone: str
    region: str
    open_now: bool
    closed_because: str
    next_opening: str
    slots: list[SlotRow]
    holidays: list[HolidayRow]
    notices: list[NoticeRow]


def _notice_hint(notice: WaitingNotice, opening: datetime | None, words: Words) -> str:
    if notice.kind == NoticeKind.IN_HOURS:
        return words.t("Sent once when a message waits for an operator while the office is open.")
    # The placeholder the administrator writes stays as it is: it is given as a value, not formatted away.
    example = hours.describe_opening(opening, language=notice.language) if opening else ""
    if example:
        return words.t(
            "Sent once while the office is closed. Write {placeholder} where the next opening goes (now: “{example}”).",
            placeholder="{next_opening}",
            example=example,
        )
    return words.t(
        "Sent once while the office is closed. Write {placeholder} where the next opening goes.", placeholder="{next_opening}"
    )


def _notice_row(index: int, notice: WaitingNotice, opening: datetime | None, words: Words) -> NoticeRow:
    return NoticeRow(
        index=index,
        language=notice.language,
        language_name=language_name(notice.language),
        kind=notice.kind.value,
        title=words.translate(NOTICE_TITLES[notice.kind]),
        hint=_notice_hint(notice, opening, words),
        text=notice.text,
        custom=notice.custom,
    )


def hours_view(overview: OfficeHoursOverview, words: Words) -> HoursView:
    """Times as "HH:MM", days as "24/06", the next opening and the wording in the administrator's language."""
    opening = overview.next_opening
    return HoursView(
        timezone=overview.timezone,
        region=overview.region,
        open_now=overview.open_now,
        closed_because=words.t("{name} (holiday)", name=overview.holiday_today) if overview.holiday_today else "",
        next_opening=hours.describe_opening(opening, language=words.language) if opening else "",
        slots=[SlotRow(slot.weekday, f"{slot.opens:%H:%M}", f"{slot.closes:%H:%M}") for slot in overview.slots],
        holidays=[
            HolidayRow(
                key=f"{holiday.day.isoformat()}-{holiday.local_id or 0}",
                day=f"{holiday.day:%d/%m}",
                weekday=format_date(holiday.day, "EEE", locale=words.locale),
                name=holiday.name,
                local=holiday.local_id is not None,
                local_id=holiday.local_id or 0,
                past=holiday.day < overview.today,
            )
            for holiday in overview.holidays
        ],
        notices=[_notice_row(i, notice, opening, words) for i, notice in enumerate(overview.notices)],
    )
