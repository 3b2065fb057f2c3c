"""The dashboard's CSV exports: one pure function per chart and table, writing the display rows the page shows
(`state/statistics_rows.py`) under the column titles the page shows, so a download matches the screen row for row.

Each export takes a `StatisticsView` and returns the file's text; `EXPORTS` names them for the page's download
buttons and for the benchmark, which times each one without a browser.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence

from citymes_app.state.statistics_rows import WEEKDAYS, StatisticsView

# The tables' columns, as their headers on the page say them (the page imports these).
CHANNEL_COLUMNS = ("Channel", "Platform", "Messages in", "Messages out")
OPERATOR_COLUMNS = ("Operator", "Replies", "Resolved", "First response (median)", "First response (p90)", "Open now")
KEYWORD_COLUMNS = ("Keyword", "Language", "Hits", "Previous period", "Trend")
UNANSWERED_COLUMNS = ("Question", "Times asked")
DURATION_COLUMNS = ("Measure", "Count", "Median (office hours)", "p90 (office hours)", "Median (clock)", "p90 (clock)")
# The charts' series, as their legends say them.
DAY_COLUMNS = ("Day", "Messages in", "Automatic answers", "Operator replies")
HOUR_COLUMNS = ("Hour", "Messages in", "Messages out")
ANSWER_COLUMNS = ("Answer", "Questions", "Share")
HEATMAP_COLUMNS = ("Weekday", *(f"{hour:02d}:00" for hour in range(24)))
LOCATION_COLUMNS = ("Latitude", "Longitude", "Locations")


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV file (comma-separated, a header line, `\\r\\n` line ends as spreadsheets expect)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def channels_csv(view: StatisticsView) -> str:
    return csv_text(CHANNEL_COLUMNS, ((c.name, c.platform, c.messages_in, c.messages_out) for c in view.channels))


def operators_csv(view: StatisticsView) -> str:
    rows = ((o.name, o.replies, o.resolved, o.first_median, o.first_p90, o.open_now) for o in view.operators)
    return csv_text(OPERATOR_COLUMNS, rows)


def keywords_csv(view: StatisticsView) -> str:
    rows = ((k.keyword, k.language, k.hits, k.previous_hits, k.trend) for k in view.keywords)
    return csv_text(KEYWORD_COLUMNS, rows)


def unanswered_csv(view: StatisticsView) -> str:
    return csv_text(UNANSWERED_COLUMNS, ((u.text, u.times_asked) for u in view.unanswered))


def durations_csv(view: StatisticsView) -> str:
    rows = ((d.measure, d.count, d.median_office, d.p90_office, d.median_clock, d.p90_clock) for d in view.durations)
    return csv_text(DURATION_COLUMNS, rows)


def by_day_csv(view: StatisticsView) -> str:
    return csv_text(DAY_COLUMNS, ((d.day, d.messages_in, d.out_bot, d.out_operator) for d in view.by_day))


def by_hour_csv(view: StatisticsView) -> str:
    return csv_text(HOUR_COLUMNS, ((h.hour, h.messages_in, h.messages_out) for h in view.by_hour))


def answers_csv(view: StatisticsView) -> str:
    return csv_text(ANSWER_COLUMNS, ((a.name, a.value, a.share) for a in view.answers))


def heatmap_csv(view: StatisticsView) -> str:
    """One line per weekday, one column per hour (the grid as drawn)."""
    grid = {(square.weekday, square.hour): square.messages_in for square in view.heatmap}
    rows = ((weekday, *(grid.get((weekday, hour), 0) for hour in range(24))) for weekday in WEEKDAYS)
    return csv_text(HEATMAP_COLUMNS, rows)


def locations_csv(view: StatisticsView) -> str:
    return csv_text(LOCATION_COLUMNS, ((p.latitude, p.longitude, p.count) for p in view.pins))


# Each export by the name its download button sends (and the file's name: "statistics-<name>-<first>-<last>.csv").
EXPORTS: dict[str, Callable[[StatisticsView], str]] = {
    "by-day": by_day_csv,
    "by-hour": by_hour_csv,
    "answers": answers_csv,
    "durations": durations_csv,
    "operators": operators_csv,
    "keywords": keywords_csv,
    "unanswered": unanswered_csv,
    "heatmap": heatmap_csv,
    "channels": channels_csv,
    "locations": locations_csv,
}
