"""The statistics dashboard as the page shows it: a `core.figures.Dashboard` turned into display rows (durations as
"2 h 5 min", shares as "73 %", days as "Tue 1 Dec"), and each chart's and table's columns.

Pure Python, no Reflex: the page draws these rows, and the CSV exports (`state/statistics_csv.py`) write the very
same rows, so a download matches the screen row for row. Words, days and numbers come in the reader's language
(`i18n.Words`); the page's own labels (headings, columns) are looked up in the tab's catalog.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from citymes_app.core.figures import Dashboard, Durations, Filters, KeywordRow, Pin
from citymes_app.i18n import N_, Words

NONE = "—"
PLATFORM_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
HEAT_LEVELS = 6  # 0 (nothing) … 5 (the busiest hour of the week)
PIN_RADIUS = (6, 26)  # pixels: the smallest and the largest pin
# The weekdays' short names, Monday first (babel's, in the reader's language: "Mon", "dl.", "lun").
_MONDAY = date(2024, 1, 1)


def weekday_text(weekday: int, words: Words) -> str:
    """A weekday's short name (0 is Monday)."""
    return format_date(_MONDAY + timedelta(days=weekday), "EEE", locale=words.locale)


def duration_text(seconds: float | None, words: Words) -> str:
    """A span as a person says it: "< 1 min", "10 min", "2 h 5 min", "3 d 4 h"; "—" when there is none."""
    if seconds is None:
        return NONE
    minutes = round(seconds / 60)
    if minutes < 1:
        return "< 1 min"
    if minutes < 60:
        return f"{words.number(minutes)} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{words.number(hours)} h {minutes} min" if minutes else f"{words.number(hours)} h"
    days, hours = divmod(hours, 24)
    day = words.t("{n} d", n=words.number(days))
    return f"{day} {hours} h" if hours else day


def half_up(value: float) -> int:
    """Rounded as people round (12.5 → 13, −12.5 → −13), not to the even neighbour as `round` does."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def share_text(share: float | None) -> str:
    """A share as a whole percentage ("73 %"), "—" when there was nothing to share."""
    return NONE if share is None else f"{half_up(share * 100)} %"


def count_text(count: int, words: Words) -> str:
    """A count with its thousands grouped as the reader's language writes them ("12,345"; "12.345" in Catalan)."""
    return words.number(count)


def day_text(day: date, words: Words) -> str:
    """A day of the period: "Tue 1 Dec", "dt., 1 de des.", "mar, 1 dic"."""
    return words.day(day, "MMMEd")


def long_day_text(day: date, words: Words) -> str:
    """A day with its year: "1 Dec 2026", "1 de des. del 2026"."""
    return words.day(day, "yMMMd")


def period_text(filters: Filters, words: Words) -> str:
    """The period in words: "1 Dec 2026", "2 Nov – 1 Dec 2026", "15 Dec 2025 – 14 Jan 2026"."""
    if filters.first == filters.last:
        return long_day_text(filters.first, words)
    if filters.first.year == filters.last.year:
        return f"{words.day(filters.first, 'MMMd')} – {long_day_text(filters.last, words)}"
    return f"{long_day_text(filters.first, words)} – {long_day_text(filters.last, words)}"


def platform_text(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.capitalize())


@dataclass(frozen=True)
class Headline:
    """One headline card."""

    key: str
    label: str
    value: str
    detail: str
    icon: str


@dataclass(frozen=True)
class DayPoint:
    """One day of the messages-by-day chart."""

    day: str  # ISO date, as exported
    label: str  # "Tue 1 Dec", as the axis says
    messages_in: int
    out_bot: int
    out_operator: int


@dataclass(frozen=True)
class HourPoint:
    """One hour of the local day in the messages-by-hour chart."""

    hour: str  # "08:00"
    messages_in: int
    messages_out: int


@dataclass(frozen=True)
class AnswerSlice:
    """How citizens' questions were answered: automatically, clarified, or by an operator."""

    name: str
    value: int
    share: str
    fill: str


@dataclass(frozen=True)
class DurationLine:
    """First response, any response, resolution: median and 90th percentile in office hours and on the clock."""

    measure: str
    count: int
    median_office: str
    p90_office: str
    median_clock: str
    p90_clock: str


@dataclass(frozen=True)
class OperatorLine:
    name: str
    replies: int
    resolved: int
    first_median: str
    first_p90: str
    open_now: int


@dataclass(frozen=True)
class KeywordLine:
    keyword: str
    language: str
    hits: int
    previous_hits: int
    trend: str  # "+40 %", "−20 %", "=", "new"
    direction: str  # "up", "down", "flat", "new"


@dataclass(frozen=True)
class UnansweredLine:
    text: str
    times_asked: int


@dataclass(frozen=True)
class HeatSquare:
    """One weekday × hour cell of the heatmap."""

    day: int  # 0 is Monday
    weekday: str
    hour: int
    messages_in: int
    level: int  # 0 … HEAT_LEVELS - 1
    title: str  # "Tue 08:00 · 14 messages"


@dataclass(frozen=True)
class ChannelLine:
    name: str
    platform: str
    messages_in: int
    messages_out: int


@dataclass(frozen=True)
class PinPoint:
    """A place on the map: `count` locations gathered there, drawn with `radius` pixels."""

    latitude: float
    longitude: float
    count: int
    radius: int


@dataclass(frozen=True)
class StatisticsView:
    """Everything the dashboard shows, ready to draw and to export."""

    period: str
    computed_at: str  # "10:42", on the tenant's clock
    timezone: str
    headlines: list[Headline]
    by_day: list[DayPoint]
    by_hour: list[HourPoint]
    answers: list[AnswerSlice]
    durations: list[DurationLine]
    operators: list[OperatorLine]
    keywords: list[KeywordLine]
    unanswered: list[UnansweredLine]
    unanswered_total: int
    heatmap: list[HeatSquare]
    channels: list[ChannelLine]
    pins: list[PinPoint] = field(default_factory=list)


def headlines(dashboard: Dashboard, words: Words) -> list[Headline]:
    """The headline cards: the share answered without a person first, then the volumes and the queue now."""
    t = dashboard.totals
    questions = t.automatic + t.clarified + t.to_operator

    def count(n: int) -> str:
        return count_text(n, words)

    return [
        Headline(
            "automatic-share",
            words.t("Answered automatically"),
            share_text(t.automatic_share),
            words.t("{n} of {total} questions, without a person", n=count(t.automatic), total=count(questions)),
            "bot",
        ),
        Headline("messages-in", words.t("Messages in"), count(t.messages_in), words.t("from citizens"), "message-square-text"),
        Headline(
            "messages-out",
            words.t("Messages out"),
            count(t.messages_out_bot + t.messages_out_operator),
            words.t(
                "{automatic} automatic · {operators} by operators",
                automatic=count(t.messages_out_bot),
                operators=count(t.messages_out_operator),
            ),
            "send",
        ),
        Headline("opened", words.t("Conversations opened"), count(t.opened), words.t("in the period"), "message-circle-plus"),
        Headline("resolved", words.t("Conversations resolved"), count(t.resolved), words.t("in the period"), "circle-check"),
        Headline(
            "waiting",
            words.t("Waiting now"),
            count(t.waiting_now),
            words.t("of {n} open now", n=count(t.open_now)),
            "hourglass",
        ),
    ]


def answer_slices(dashboard: Dashboard, words: Words) -> list[AnswerSlice]:
    """Automatic versus operator answers (the donut and its legend)."""
    t = dashboard.totals
    total = t.automatic + t.clarified + t.to_operator
    parts = (
        (N_("Answered automatically"), t.automatic, "var(--teal-9)"),
        (N_("Asked to choose a topic"), t.clarified, "var(--amber-9)"),
        (N_("Left for an operator"), t.to_operator, "var(--indigo-9)"),
    )
    return [
        AnswerSlice(words.translate(name), value, share_text(value / total if total else None), fill)
        for name, value, fill in parts
    ]


def duration_line(measure: str, spans: Durations, words: Words) -> DurationLine:
    return DurationLine(
        measure,
        spans.count,
        duration_text(spans.median_office_seconds, words),
        duration_text(spans.p90_office_seconds, words),
        duration_text(spans.median_seconds, words),
        duration_text(spans.p90_seconds, words),
    )


def keyword_trend(row: KeywordRow, words: Words) -> tuple[str, str]:
    """A keyword's hits against the period before: ("+40 %", "up"), ("−20 %", "down"), ("=", "flat"), ("new", "new")."""
    if row.previous_hits == 0:
        return (words.t("new"), "new") if row.hits else ("=", "flat")
    change = half_up((row.hits - row.previous_hits) * 100 / row.previous_hits)
    if change > 0:
        return f"+{change} %", "up"
    if change < 0:
        return f"−{-change} %", "down"
    return "=", "flat"


def heat_squares(dashboard: Dashboard, words: Words) -> list[HeatSquare]:
    """The 7 × 24 heatmap, Monday first, each cell's shade relative to the busiest hour."""
    cells = sorted(dashboard.heatmap, key=lambda cell: (cell.weekday, cell.hour))
    busiest = max((cell.messages_in for cell in cells), default=0)
    squares = []
    for cell in cells:
        level = 0 if not cell.messages_in else max(1, math.ceil(cell.messages_in * (HEAT_LEVELS - 1) / busiest))
        weekday = weekday_text(cell.weekday, words)
        messages = words.tn("{n} message", "{n} messages", cell.messages_in)
        title = f"{weekday} {cell.hour:02d}:00 · {messages}"
        squares.append(HeatSquare(cell.weekday, weekday, cell.hour, cell.messages_in, level, title))
    return squares


def pin_points(pins: list[Pin]) -> list[PinPoint]:
    """The map's pins, their area growing with how many locations each gathers."""
    most = max((pin.count for pin in pins), default=1)
    low, high = PIN_RADIUS
    return [
        PinPoint(pin.latitude, pin.longitude, pin.count, round(low + (high - low) * math.sqrt(pin.count / most))) for pin in pins
    ]


def statistics_view(dashboard: Dashboard, words: Words) -> StatisticsView:
    """Everything the page shows for `dashboard`, worded in `words`' language."""
    zone = ZoneInfo(dashboard.timezone)
    computed = dashboard.computed_at.astimezone(zone) if dashboard.computed_at.tzinfo else dashboard.computed_at
    return StatisticsView(
        period=period_text(dashboard.filters, words),
        computed_at=computed.strftime("%H:%M:%S"),
        timezone=dashboard.timezone,
        headlines=headlines(dashboard, words),
        by_day=[
            DayPoint(r.day.isoformat(), day_text(r.day, words), r.messages_in, r.messages_out_bot, r.messages_out_operator)
            for r in dashboard.by_day
        ],
        by_hour=[
            HourPoint(f"{r.hour:02d}:00", r.messages_in, r.messages_out) for r in sorted(dashboard.by_hour, key=lambda r: r.hour)
        ],
        answers=answer_slices(dashboard, words),
        durations=[
            duration_line(words.t("First response"), dashboard.first_response, words),
            duration_line(words.t("Every response"), dashboard.responses, words),
            duration_line(words.t("Resolution"), dashboard.resolution, words),
        ],
        operators=[
            OperatorLine(
                o.name,
                o.replies,
                o.resolved,
                duration_text(o.first_response.median_office_seconds, words),
                duration_text(o.first_response.p90_office_seconds, words),
                o.assigned_open_now,
            )
            for o in dashboard.operators
        ],
        keywords=[
            KeywordLine(
                k.keyword or words.t("(deleted keyword)"), k.language.upper(), k.hits, k.previous_hits, *keyword_trend(k, words)
            )
            for k in dashboard.keywords
        ],
        unanswered=[UnansweredLine(u.text, u.times_asked) for u in dashboard.unanswered],
        unanswered_total=dashboard.unanswered_total,
        heatmap=heat_squares(dashboard, words),
        channels=[ChannelLine(c.name, platform_text(c.platform), c.messages_in, c.messages_out) for c in dashboard.by_channel],
        pins=pin_points(dashboard.locations),
    )


def clock_now(timezone: str) -> datetime:
    """Now on the tenant's clock (to know its today)."""
    return datetime.now(ZoneInfo(timezone))
