"""The managers' figures: what the statistics dashboard shows for a period and filters, read from the hourly counts
and reporting events (`core.statistics`), never by scanning the messages.

Every day is a day on the tenant's clock (`Tenant.timezone`): a period of days covers their local hours, 23 or 25 of
them on the days the clocks change. Times are datetimes and numbers; the wording is the interface's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from citymes_app.core.phrases import PhrasedError


class Period(StrEnum):
    """The periods a manager picks (a month and a custom range take their days from the filter)."""

    TODAY = "today"
    LAST_7_DAYS = "7d"
    LAST_30_DAYS = "30d"
    LAST_90_DAYS = "90d"
    MONTH = "month"
    CUSTOM = "custom"


PERIOD_DAYS = {Period.TODAY: 1, Period.LAST_7_DAYS: 7, Period.LAST_30_DAYS: 30, Period.LAST_90_DAYS: 90}
MAX_DAYS = 732  # the longest custom range: two years


class FiguresError(PhrasedError):
    """A filter that cannot be shown (the message says why, for the person who chose it)."""


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: local days `first`..`last` (both included) and, optionally, one channel, one
    platform, one operator (the operator narrows the operator figures: replies, resolutions, response times)."""

    first: date
    last: date
    channel_id: int | None = None
    platform: str | None = None
    operator_id: int | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Filters:
        """The period of the same length just before (for trends)."""
        return Filters(
            first=self.first - timedelta(days=self.days),
            last=self.first - timedelta(days=1),
            channel_id=self.channel_id,
            platform=self.platform,
            operator_id=self.operator_id,
        )


def period_filters(
    period: Period,
    *,
    today: date,
    month: date | None = None,
    first: date | None = None,
    last: date | None = None,
    channel_id: int | None = None,
    platform: str | None = None,
    operator_id: int | None = None,
) -> Filters:
    """The filters for a period ending today (or the month of `month`, or `first`..`last`); `FiguresError` when a
    custom range is reversed, missing or longer than two years."""
    if period in PERIOD_DAYS:
        first, last = today - timedelta(days=PERIOD_DAYS[period] - 1), today
    elif period == Period.MONTH:
        start = (month or today).replace(day=1)
        first, last = start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    else:
        if first is None or last is None:
            raise FiguresError("choose the first and the last day")
        if last < first:
            raise FiguresError("the last day is before the first")
        if (last - first).days + 1 > MAX_DAYS:
            raise FiguresError("choose at most {n} days", n=MAX_DAYS)
    return Filters(first=first, last=last, channel_id=channel_id, platform=platform, operator_id=operator_id)


@dataclass(frozen=True)
class Totals:
    """The period's headline figures. `automatic_share` = automatic / (automatic + clarified + to_operator): the
    share of citizens' messages answered without a person (None when there were none)."""

    messages_in: int
    messages_out_bot: int
    messages_out_operator: int
    opened: int
    resolved: int
    waiting_now: int  # conversations waiting for an operator right now (not a figure of the period)
    open_now: int  # conversations not resolved right now
    automatic: int  # answered by a keyword, the keyword index, a personal code, a contact confirmation
    clarified: int  # "did you mean A or B?"
    to_operator: int  # left for an operator
    automatic_share: float | None


@dataclass(frozen=True)
class DayRow:
    """One local day of the period (every day is there, with zeros when nothing happened)."""

    day: date
    messages_in: int
    messages_out_bot: int
    messages_out_operator: int
    opened: int
    resolved: int
    automatic: int
    to_operator: int


@dataclass(frozen=True)
class HourRow:
    """One hour of the local day (0–23), summed over the period's days."""

    hour: int
    messages_in: int
    messages_out: int


@dataclass(frozen=True)
class ChannelRow:
    channel_id: int
    name: str
    platform: str
    messages_in: int
    messages_out: int


@dataclass(frozen=True)
class Durations:
    """A set of measured spans: how many, and their median and 90th percentile (None when there are none), in
    office-hours seconds (the headline) and in wall-clock seconds."""

    count: int
    median_office_seconds: float | None
    p90_office_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class OperatorRow:
    """One operator's work in the period, and their load now."""

    operator_id: int
    name: str
    replies: int
    resolved: int
    first_response: Durations
    assigned_open_now: int


@dataclass(frozen=True)
class KeywordRow:
    """A keyword's hits in the period and in the period of the same length before it (its trend)."""

    keyword_id: int
    keyword: str  # "" when the keyword was deleted since
    language: str
    hits: int
    previous_hits: int


@dataclass(frozen=True)
class UnansweredRow:
    """A question no keyword answered, as normalised, and how often it was asked in the period."""

    text: str
    times_asked: int


@dataclass(frozen=True)
class HeatCell:
    """Citizens' messages on one weekday (0 = Monday) at one local hour, over the period."""

    weekday: int
    hour: int
    messages_in: int


@dataclass(frozen=True)
class Pin:
    """Locations citizens sent, gathered by place (`count` of them around `latitude`, `longitude`)."""

    latitude: float
    longitude: float
    count: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows for one set of filters."""

    filters: Filters
    timezone: str
    computed_at: datetime
    totals: Totals
    by_day: list[DayRow]
    by_hour: list[HourRow]
    by_channel: list[ChannelRow]
    first_response: Durations
    responses: Durations  # every wait for an operator, the first of each conversation included
    resolution: Durations
    operators: list[OperatorRow]
    keywords: list[KeywordRow]
    unanswered: list[UnansweredRow]
    unanswered_total: int
    heatmap: list[HeatCell]  # 7 × 24 cells, zeros included
    locations: list[Pin]
    extra: dict[str, object] = field(default_factory=dict)  # figures of later sources (lists, broadcasts, cases)


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    platform: str = ""  # channels only


@dataclass(frozen=True)
class Choices:
    """What the filters offer a tenant's manager, and today's date on the tenant's clock."""

    today: date
    timezone: str
    channels: list[Choice]
    platforms: list[str]
    operators: list[Choice]
