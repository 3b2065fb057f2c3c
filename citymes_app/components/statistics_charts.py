"""The statistics dashboard's figures that are drawn: headline cards, Recharts charts (messages by day and by hour,
how questions were answered) and the weekday × hour heatmap; each panel with its CSV download."""

from __future__ import annotations

from typing import Any

import reflex as rx

from citymes_app import styles
from citymes_app.components.admin import Text, card
from citymes_app.state.language import t
from citymes_app.state.statistics_rows import AnswerSlice, Headline, HeatSquare
from citymes_app.state.statistics_state import StatisticsState

S = StatisticsState
IN_COLOUR = "var(--teal-9)"
BOT_COLOUR = "var(--amber-9)"
OPERATOR_COLOUR = "var(--indigo-9)"
OUT_COLOUR = "var(--indigo-8)"
# The heatmap's shades, from no message to the busiest hour (`statistics_rows.HEAT_LEVELS`).
HEAT_SHADES = ("var(--gray-3)", "var(--teal-4)", "var(--teal-6)", "var(--teal-8)", "var(--teal-9)", "var(--teal-11)")
CHART_HEIGHT = 260


def chart_data(rows: rx.Var) -> rx.Var:
    """Display rows as the records Recharts reads (each row's fields by name)."""
    return rows.to(list[dict[str, Any]])


def csv_button(table: str) -> rx.Component:
    """Download one chart's or table's rows, as the screen shows them."""
    return rx.tooltip(
        rx.button(
            rx.icon("download", size=13),
            "CSV",
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=S.download(table),
            id=f"download-{table}",
            class_name="no-print",
        ),
        content=t("Download as CSV"),
    )


def panel(title: Text, icon: str, table: str, *children: rx.Component, **props) -> rx.Component:
    """A dashboard card with its CSV download."""
    return card(title, icon, *children, aside=csv_button(table), id=f"panel-{table}", **props)


def headline_card(headline: rx.Var[Headline]) -> rx.Component:
    """One figure of the headline row; the share answered automatically is set apart."""
    featured = headline.key == "automatic-share"
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.icon(headline.icon, size=15),
                rx.text(headline.label, size="2", weight="medium"),
                align="center",
                spacing="2",
                color=rx.cond(featured, "var(--teal-1)", "var(--gray-11)"),
            ),
            rx.text(
                headline.value,
                size="7",
                weight="bold",
                letter_spacing="-0.03em",
                id="headline-" + headline.key,
                class_name="headline-value",
            ),
            rx.text(
                headline.detail,
                size="1",
                color=rx.cond(featured, "var(--teal-2)", "var(--gray-10)"),
                style=styles.ONE_LINE,
            ),
            spacing="1",
            min_width="0",
        ),
        padding="16px 18px",
        border_radius="var(--radius-4)",
        background=rx.cond(featured, "linear-gradient(135deg, var(--teal-9), var(--teal-11))", styles.PANEL_BACKGROUND),
        color=rx.cond(featured, "white", "var(--gray-12)"),
        border=rx.cond(featured, "1px solid var(--teal-10)", styles.BORDER),
        box_shadow="0 1px 2px rgba(15, 23, 42, 0.04)",
        min_width="0",
        class_name="headline-card",
    )


def headline_row() -> rx.Component:
    return rx.grid(
        rx.foreach(S.headlines, headline_card),
        columns=rx.breakpoints(initial="2", md="3", xl="6"),
        spacing="3",
        width="100%",
        id="headlines",
    )


def _axes(x_key: str) -> list[rx.Component]:
    tick = {"fontSize": 11, "fill": "var(--gray-10)"}
    return [
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False, stroke="var(--gray-a4)"),
        rx.recharts.x_axis(data_key=x_key, tick=tick, tick_line=False, axis_line=False, min_tick_gap=12),
        rx.recharts.y_axis(tick=tick, tick_line=False, axis_line=False, allow_decimals=False, width=44),
        rx.recharts.graphing_tooltip(cursor={"fill": "var(--gray-a3)"}),
        rx.recharts.legend(icon_type="circle", icon_size=8, wrapper_style={"fontSize": 12}),
    ]


def by_day_chart() -> rx.Component:
    """Messages by day: citizens' messages beside the answers (automatic and by operators, stacked)."""
    chart = rx.recharts.bar_chart(
        *_axes("label"),
        rx.recharts.bar(data_key="messages_in", name=t("Messages in"), fill=IN_COLOUR, radius=[3, 3, 0, 0]),
        rx.recharts.bar(data_key="out_bot", name=t("Automatic answers"), fill=BOT_COLOUR, stack_id="out"),
        rx.recharts.bar(
            data_key="out_operator", name=t("Operator replies"), fill=OPERATOR_COLOUR, stack_id="out", radius=[3, 3, 0, 0]
        ),
        data=chart_data(S.by_day),
        bar_category_gap="18%",
        width="100%",
        height=CHART_HEIGHT,
    )
    return panel(t("Messages by day"), "chart-column", "by-day", chart)


def by_hour_chart() -> rx.Component:
    """Messages by hour of the (local) day, summed over the period."""
    chart = rx.recharts.area_chart(
        *_axes("hour"),
        rx.recharts.area(
            data_key="messages_in", name=t("Messages in"), stroke=IN_COLOUR, fill=IN_COLOUR, fill_opacity=0.25, type_="monotone"
        ),
        rx.recharts.area(
            data_key="messages_out",
            name=t("Messages out"),
            stroke=OUT_COLOUR,
            fill=OUT_COLOUR,
            fill_opacity=0.15,
            type_="monotone",
        ),
        data=chart_data(S.by_hour),
        width="100%",
        height=CHART_HEIGHT,
    )
    return panel(t("Messages by hour of the day"), "clock", "by-hour", chart)


def answer_legend_line(part: rx.Var[AnswerSlice]) -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="50%", background=part.fill, flex_shrink="0"),
        rx.text(part.name, size="2", flex="1"),
        rx.text(part.value, size="2", weight="medium"),
        rx.text(part.share, size="2", color_scheme="gray", width="48px", text_align="right"),
        align="center",
        spacing="2",
        width="100%",
        class_name="answer-line",
    )


def answers_chart() -> rx.Component:
    """Automatic versus operator answers: the service's headline, as a donut and its legend."""
    donut = rx.recharts.pie_chart(
        rx.recharts.pie(
            data=chart_data(S.answers),
            data_key="value",
            name_key="name",
            inner_radius="62%",
            outer_radius="92%",
            padding_angle=2,
            stroke="none",
        ),
        rx.recharts.graphing_tooltip(),
        width="100%",
        height=180,
    )
    return panel(
        t("How questions were answered"),
        "bot",
        "answers",
        donut,
        rx.vstack(rx.foreach(S.answers, answer_legend_line), spacing="2", width="100%"),
    )


def heat_square(square: rx.Var[HeatSquare]) -> rx.Component:
    return rx.box(
        title=square.title,
        background=rx.match(square.level, *[(level, shade) for level, shade in enumerate(HEAT_SHADES)], HEAT_SHADES[0]),
        border_radius="3px",
        height="22px",
        class_name="heat-square",
        data_count=square.messages_in,
    )


def heatmap() -> rx.Component:
    """Citizens' messages by weekday and local hour: when the office is asked most."""
    # The rows' weekdays, Monday first (short names: the column is narrow).
    WEEKDAY_LABELS = (t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun"))  # noqa: N806
    hours = rx.grid(
        rx.box(),
        *[
            rx.text(f"{hour:02d}" if hour % 3 == 0 else "", size="1", color_scheme="gray", text_align="left")
            for hour in range(24)
        ],
        columns="36px repeat(24, minmax(0, 1fr))",
        spacing="1",
        width="100%",
    )
    rows = [
        rx.grid(
            rx.text(name, size="1", color_scheme="gray", line_height="22px"),
            rx.foreach(S.heatmap[index * 24 : (index + 1) * 24], heat_square),
            columns="36px repeat(24, minmax(0, 1fr))",
            spacing="1",
            width="100%",
        )
        for index, name in enumerate(WEEKDAY_LABELS)
    ]
    scale = rx.hstack(
        rx.text(t("Fewer"), size="1", color_scheme="gray"),
        *[rx.box(width="14px", height="10px", border_radius="2px", background=shade) for shade in HEAT_SHADES],
        rx.text(t("More"), size="1", color_scheme="gray"),
        spacing="1",
        align="center",
    )
    return panel(
        t("When citizens write"),
        "grid-3x3",
        "heatmap",
        rx.vstack(hours, *rows, spacing="1", width="100%", id="heatmap"),
        rx.hstack(rx.text(S.timezone, size="1", color_scheme="gray"), rx.spacer(), scale, width="100%"),
    )
