"""The dashboard's CSV exports: one pure function per chart and table, writing the display rows the page shows
(`state/statistics_rows.py`) under the column titles the page shows, so a download matches the screen row for row.

Each export takes a `StatisticsView` and the reader's words and returns the file's text, its column titles in the
reader's language, the cells people wrote (names of channels, operators and keywords, citizens' questions) guarded by
`csvfiles.safe_cell` so a spreadsheet does not run them (the figures and the trends, "+40 %", are ours and stay as they
are); `EXPORTS` names them for the page's download buttons and for the benchmark, which times each one
without a browser.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence

from citymes_app.core.csvfiles import safe_cell
from citymes_app.i18n import N_, Words
from citymes_app.state.statistics_rows import StatisticsView, weekday_text

# The tables' columns, as their headers on the page say them (msgids: the page and the files translate them).
CHANNEL_COLUMNS = (N_("Channel"), N_("Platform"), N_("Messages in"), N_("Messages out"))
OPERATOR_COLUMNS = (
    N_("Operator"),
    N_("Replies"),
    N_("Conversations resolved"),
    N_("First response (median)"),
    N_("First response (p90)"),
    N_("Conversations open"),
)
KEYWORD_COLUMNS = (N_("Keyword"), N_("Language"), N_("Hits"), N_("Previous period"), N_("Trend"))
UNANSWERED_COLUMNS = (N_("Question"), N_("Times asked"))
DURATION_COLUMNS = (
    N_("Measure"),
    N_("Count"),
    N_("Median (office hours)"),
    N_("p90 (office hours)"),
    N_("Median (clock)"),
    N_("p90 (clock)"),
)
# The charts' series, as their legends say them.
DAY_COLUMNS = (N_("Day"), N_("Messages in"), N_("Automatic answers"), N_("Operator replies"))
HOUR_COLUMNS = (N_("Hour"), N_("Messages in"), N_("Messages out"))
ANSWER_COLUMNS = (N_("Answer"), N_("Questions"), N_("Share"))
HEATMAP_COLUMNS = (N_("Weekday"), *(f"{hour:02d}:00" for hour in range(24)))
LOCATION_COLUMNS = (N_("Latitude"), N_("Longitude"), N_("Locations"))


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]], words: Words) -> str:
    """A CSV file (comma-separated, a header line in the reader's language, `\\r\\n` line ends as spreadsheets
    expect)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([words.translate(column) for column in columns])
    writer.writerows(rows)
    return out.getvalue()


def channels_csv(view: StatisticsView, words: Words) -> str:
    return csv_text(
        CHANNEL_COLUMNS, ((safe_cell(c.name), c.platform, c.messages_in, c.messages_out) for c in view.channels), words
    )


def operators_csv(view: StatisticsView, words: Words) -> str:
    rows = ((safe_cell(o.name), o.replies, o.resolved, o.first_median, o.first_p90, o.open_now) for o in view.operators)
    return csv_text(OPERATOR_COLUMNS, rows, words)


def keywords_csv(view: StatisticsView, words: Words) -> str:
    rows = ((safe_cell(k.keyword), k.language, k.hits, k.previous_hits, k.trend) for k in view.keywords)
    return csv_text(KEYWORD_COLUMNS, rows, words)


def unanswered_csv(view: StatisticsView, words: Words) -> str:
    return csv_text(UNANSWERED_COLUMNS, ((safe_cell(u.text), u.times_asked) for u in view.unanswered), words)


def durations_csv(view: StatisticsView, words: Words) -> str:
    rows = ((d.measure, d.count, d.median_office, d.p90_office, d.median_clock, d.p90_clock) for d in view.durations)
    return csv_text(DURATION_COLUMNS, rows, words)


def by_day_csv(view: StatisticsView, words: Words) -> str:
    return csv_text(DAY_COLUMNS, ((d.day, d.messages_in, d.out_bot, d.out_operator) for d in view.by_day), words)


def by_hour_csv(view: StatisticsView, words: Words) -> str:
    return csv_text(HOUR_COLUMNS, ((h.hour, h.messages_in, h.messages_out) for h in view.by_hour), words)


def answers_csv(view: StatisticsView, words: Words) -> str:
    return csv_text(ANSWER_COLUMNS, ((a.name, a.value, a.share) for a in view.answers), words)


def heatmap_csv(view: StatisticsView, words: Words) -> str:
    """One line per weekday, one column per hour (the grid as drawn)."""
    grid = {(square.day, square.hour): square.messages_in for square in view.heatmap}
    rows = ((weekday_text(day, words), *(grid.get((day, hour), 0) for hour in range(24))) for day in range(7))
    return csv_text(HEATMAP_COLUMNS, rows, words)


def locations_csv(view: StatisticsView, words: Words) -> str:
    return csv_text(LOCATION_COLUMNS, ((p.latitude, p.longitude, p.count) for p in view.pins), words)


# Each export by the name its download button sends (and the file's name: "statistics-<name>-<first>-<last>.csv").
EXPORTS: dict[str, Callable[[StatisticsView, Words], str]] = {
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
