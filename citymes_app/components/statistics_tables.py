"""The statistics dashboard's tables: response and resolution times, operators, keywords and their trend, the
unanswered questions, channels. Their headers are the CSV exports' columns (`state/statistics_csv.py`) and their
cells the same display rows, in the same order, so a download matches the table row for row."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import reflex as rx

from citymes_app.components.admin import Text
from citymes_app.components.statistics_charts import panel
from citymes_app.state.language import t, t_marked, tn
from citymes_app.state.statistics_csv import (
    CHANNEL_COLUMNS,
    DURATION_COLUMNS,
    KEYWORD_COLUMNS,
    OPERATOR_COLUMNS,
    UNANSWERED_COLUMNS,
)
from citymes_app.state.statistics_rows import ChannelLine, DurationLine, KeywordLine, OperatorLine, UnansweredLine
from citymes_app.state.statistics_state import StatisticsState

S = StatisticsState
UNANSWERED_REPORT = "/admin/unmatched"
TREND_COLOURS = (("up", "green"), ("down", "red"), ("new", "blue"))


def _cell(value: rx.Var | rx.Component, numeric: bool = False) -> rx.Component:
    content = value if isinstance(value, rx.Component) else rx.text(value, size="2")
    return rx.table.cell(content, text_align="right" if numeric else "left", white_space="nowrap")


def data_table(
    name: str, columns: Sequence[str], rows: rx.Var, row: Callable[[rx.Var], list[rx.Component]], numeric_from: int = 1
) -> rx.Component:
    """A table with the export's headers; every row gets the class `stats-row` (the tests read them)."""
    header = rx.table.row(
        *[
            rx.table.column_header_cell(
                t_marked(title), text_align="right" if index >= numeric_from else "left", white_space="nowrap"
            )
            for index, title in enumerate(columns)
        ]
    )
    table = rx.table.root(
        rx.table.header(header),
        rx.table.body(rx.foreach(rows, lambda line: rx.table.row(*row(line), class_name="stats-row", align="center"))),
        variant="ghost",
        size="1",
        width="100%",
        id=f"table-{name}",
    )
    return rx.box(table, width="100%", overflow_x="auto")


def empty_note(rows: rx.Var, text: Text) -> rx.Component:
    return rx.cond(rows.length() == 0, rx.text(text, size="2", color_scheme="gray", padding_y="8px"))


def durations_table() -> rx.Component:
    """First response, every response, resolution: median and 90th percentile, in office hours and on the clock."""

    def row(line: rx.Var[DurationLine]) -> list[rx.Component]:
        return [
            _cell(rx.text(line.measure, size="2", weight="medium")),
            _cell(line.count, True),
            _cell(rx.text(line.median_office, size="2", weight="bold"), True),
            _cell(rx.text(line.p90_office, size="2", weight="bold"), True),
            _cell(rx.text(line.median_clock, size="2", color_scheme="gray"), True),
            _cell(rx.text(line.p90_clock, size="2", color_scheme="gray"), True),
        ]

    return panel(
        t("Response and resolution times"),
        "timer",
        "durations",
        data_table("durations", DURATION_COLUMNS, S.durations, row),
        rx.text(
            t(
                "Office hours count only the time the office is open: a message on Friday at 18:55 answered on Monday at "
                "8:05 waited 10 minutes."
            ),
            size="1",
            color_scheme="gray",
        ),
    )


def operators_table() -> rx.Component:
    """Each operator's replies, resolutions and first-response times, and the conversations they hold now."""

    def row(line: rx.Var[OperatorLine]) -> list[rx.Component]:
        return [
            _cell(rx.text(line.name, size="2", weight="medium")),
            _cell(line.replies, True),
            _cell(line.resolved, True),
            _cell(line.first_median, True),
            _cell(line.first_p90, True),
            _cell(rx.badge(line.open_now, variant="soft", color_scheme=rx.cond(line.open_now > 0, "amber", "gray")), True),
        ]

    return panel(
        t("Operators"),
        "users",
        "operators",
        data_table("operators", OPERATOR_COLUMNS, S.operators, row),
        empty_note(S.operators, t("No operator replied in this period.")),
    )


def trend_badge(line: rx.Var[KeywordLine]) -> rx.Component:
    icon = rx.match(line.direction, ("up", "trending-up"), ("down", "trending-down"), ("new", "sparkles"), "minus")
    return rx.badge(
        rx.icon(icon, size=12),
        line.trend,
        variant="soft",
        color_scheme=rx.match(line.direction, *TREND_COLOURS, "gray"),
        class_name="keyword-trend",
    )


def keywords_table() -> rx.Component:
    """The keywords that answered most, and their hits against the period before."""

    def row(line: rx.Var[KeywordLine]) -> list[rx.Component]:
        return [
            _cell(rx.text(line.keyword, size="2", weight="medium", font_family="var(--code-font-family)")),
            _cell(rx.text(line.language, size="1", color_scheme="gray")),
            _cell(rx.text(line.hits, size="2", weight="bold"), True),
            _cell(rx.text(line.previous_hits, size="2", color_scheme="gray"), True),
            _cell(trend_badge(line), True),
        ]

    return panel(
        t("Top keywords"),
        "book-open-text",
        "keywords",
        data_table("keywords", KEYWORD_COLUMNS, S.keywords, row, numeric_from=2),
        empty_note(S.keywords, t("No keyword answered in this period.")),
    )


def unanswered_table() -> rx.Component:
    """The questions no keyword answered, most asked first, and the way to the full report."""

    def row(line: rx.Var[UnansweredLine]) -> list[rx.Component]:
        return [_cell(rx.text(line.text, size="2", white_space="normal")), _cell(line.times_asked, True)]

    report = rx.link(
        rx.hstack(rx.text(t("Open the report"), size="2"), rx.icon("arrow-right", size=14), align="center", spacing="1"),
        href=UNANSWERED_REPORT,
        id="unanswered-report-link",
        class_name="no-print",
    )
    return panel(
        t("Unanswered questions"),
        "message-circle-question",
        "unanswered",
        rx.hstack(
            rx.text(
                tn("{n} message no keyword answered", "{n} messages no keyword answered", S.unanswered_total),
                size="2",
                color_scheme="gray",
                id="unanswered-total",
            ),
            rx.spacer(),
            report,
            width="100%",
            align="center",
        ),
        data_table("unanswered", UNANSWERED_COLUMNS, S.unanswered, row),
    )


def channels_table() -> rx.Component:
    """Messages in and out per channel (each number or bot)."""

    def row(line: rx.Var[ChannelLine]) -> list[rx.Component]:
        return [
            _cell(rx.text(line.name, size="2", weight="medium")),
            _cell(rx.badge(line.platform, variant="surface", color_scheme="gray")),
            _cell(line.messages_in, True),
            _cell(line.messages_out, True),
        ]

    return panel(
        t("Channels"),
        "radio-tower",
        "channels",
        data_table("channels", CHANNEL_COLUMNS, S.channels, row, numeric_from=2),
        empty_note(S.channels, t("No channel carried a message in this period.")),
    )
