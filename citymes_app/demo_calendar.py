"""When the demo town's citizens write and its office answers: weights for each day and hour of a year of history,
and office time counted on the tenant's own calendar (its weekly slots, the public holidays of its region — Catalan
ones for the demo — and its local holidays), so the generated response times mean what the live ones mean.

Citizens write most on weekday mornings in office hours (Mon–Fri 8–19), less in the evening, little at night, and
much less at weekends, on holidays and in August. Instants are seconds since the epoch (floats): a year of history
is hundreds of thousands of them, and plain numbers keep the generator fast.
"""

from __future__ import annotations

import bisect
import random
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from citymes_app.core.office_time import OfficeCalendar

HOUR = 3600.0
DAY = 86400.0

# Share of a day's messages by local hour (0–23): a working day, and a weekend or holiday.
WORKDAY_HOURS = (
    0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.6, 4.5, 7.5, 9.0, 9.5, 9.0, 7.5, 5.5, 5.5, 6.0, 6.0, 5.0, 4.0, 3.4, 2.8, 1.9, 1.0,
)  # fmt: skip
REST_DAY_HOURS = (
    0.8, 0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.3, 2.6, 3.6, 4.1, 4.0, 3.5, 2.6, 2.5, 2.8, 3.0, 3.2, 3.2, 3.0, 2.5, 1.8, 1.2,
)  # fmt: skip
# How busy each weekday is (0 = Monday): Mondays catch up on the weekend.
WEEKDAY_LOAD = (1.2, 1.05, 1.0, 1.0, 0.85, 0.4, 0.3)
HOLIDAY_LOAD = 0.35  # a public or local holiday on a weekday
AUGUST_LOAD = 0.7  # the town on holiday
GROWTH = 0.25  # the service gains a quarter more use over the year shown

_WORKDAY = tuple(w / sum(WORKDAY_HOURS) for w in WORKDAY_HOURS)
_REST_DAY = tuple(w / sum(REST_DAY_HOURS) for w in REST_DAY_HOURS)


def day_load(day: date, *, closed: bool) -> float:
    """How many messages `day` gets relative to an ordinary Wednesday (before the year's growth)."""
    load = WEEKDAY_LOAD[day.weekday()]
    if closed and day.weekday() < 5:
        load = HOLIDAY_LOAD
    if day.month == 8:
        load *= AUGUST_LOAD
    return load


def hour_shares(day: date, *, closed: bool) -> tuple[float, ...]:
    """The share of `day`'s messages in each local hour (a weekend or holiday has no office rush)."""
    return _REST_DAY if closed or day.weekday() >= 5 else _WORKDAY


class DemoCalendar:
    """A span of history on a tenant's office calendar: when conversations start, and office time within it."""

    def __init__(self, office: OfficeCalendar, *, start: float, end: float) -> None:
        self.office, self.zone, self.start, self.end = office, office.zone, start, end
        self._intervals = lru_cache(maxsize=4096)(self._open_intervals)
        self._hours: list[float] = []  # each UTC hour's start
        self._cumulative: list[float] = []
        total = 0.0
        hour = start - start % HOUR
        while hour < end:
            local = datetime.fromtimestamp(hour, self.zone)
            day = local.date()
            closed = self.office.closed(day)
            growth = 1 + GROWTH * (hour - start) / max(end - start, HOUR)
            total += day_load(day, closed=closed) * hour_shares(day, closed=closed)[local.hour] * growth
            self._hours.append(hour)
            self._cumulative.append(total)
            hour += HOUR

    def conversation_start(self, rng: random.Random) -> int:
        """An instant drawn with the day and hour weights (within the span)."""
        index = bisect.bisect_right(self._cumulative, rng.random() * self._cumulative[-1])
        index = min(index, len(self._hours) - 1)
        return int(min(max(self._hours[index] + rng.random() * HOUR, self.start), self.end - 1))

    def local_day(self, at: float) -> date:
        return datetime.fromtimestamp(at, self.zone).date()

    def _open_intervals(self, day: date) -> tuple[tuple[float, float], ...]:
        """The office's open intervals on local `day`, as instants (none on a closed day)."""
        if self.office.closed(day):
            return ()
        intervals = []
        for slot in self.office.slots:
            if slot.weekday == day.weekday():
                opens = datetime.combine(day, slot.opens, tzinfo=self.zone).astimezone(UTC).timestamp()
                closes = datetime.combine(day, slot.closes, tzinfo=self.zone).astimezone(UTC).timestamp()
                intervals.append((opens, closes))
        return tuple(intervals)

    def is_open(self, at: float) -> bool:
        return any(opens <= at < closes for opens, closes in self._intervals(self.local_day(at)))

    def after_office(self, at: float, seconds: float) -> int:
        """The instant `seconds` of office time after `at` (a wait that starts while the office is closed begins when
        it opens). With no opening in the next 60 days, `at` + `seconds` of clock time."""
        day = self.local_day(at)
        for _ in range(60):
            for opens, closes in self._intervals(day):
                if closes <= at:
                    continue
                begin = max(opens, at)
                if begin + seconds <= closes:
                    return int(begin + seconds)
                seconds -= closes - begin
                at = closes
            day += timedelta(days=1)
        return int(at + seconds)

    def office_between(self, start: float, end: float) -> int:
        """Whole seconds of office time between two instants (as `core.office_time.open_seconds` counts them)."""
        total = 0.0
        day, last = self.local_day(start), self.local_day(end)
        while day <= last:
            for opens, closes in self._intervals(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > 0:
                    total += overlap
            day += timedelta(days=1)
        return int(total)
