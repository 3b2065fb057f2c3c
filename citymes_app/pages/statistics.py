"""`/statistics`: the managers' live dashboard (managers and administrators) — the filters (period, channel, platform,
operator), the headline figures, the charts and tables, each with its CSV download; today's figures move as
messages arrive."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.admin import Text, admin_column, admin_only, field_error, refusal
from citymes_app.components.frame import operator_frame
from citymes_app.components.statistics_charts import answers_chart, by_day_chart, by_hour_chart, headline_row, heatmap
from citymes_app.components.statistics_map import locations_map
from citymes_app.components.statistics_tables import (
    channels_table,
    durations_table,
    keywords_table,
    operators_table,
    unanswered_table,
)
from citymes_app.core.figures import Period
from citymes_app.state.auth_state import AuthState
from citymes_app.state.language import t, t_marked
from citymes_app.state.statistics_state import PERIOD_LABELS, ChoiceView, StatisticsState

ROUTE = "/statistics"
TITLE = t("Statistics") + " · CityMes"
ON_LOAD = StatisticsState.open_statistics_page
REPORT_ROUTE = "/statistics/report"

S = StatisticsState


def choice_select(choices: rx.Var[list[ChoiceView]], value: rx.Var[str], on_change, element_id: str) -> rx.Component:  # noqa: ANN001
    """One of the filters' menus (channel, platform, operator, month)."""
    return rx.select.root(
        rx.select.trigger(id=element_id, min_width="150px"),
        rx.select.content(rx.foreach(choices, lambda choice: rx.select.item(choice.label, value=choice.value))),
        value=value,
        on_change=on_change,
        size="2",
    )


def custom_range() -> rx.Component:
    """The first and last day of a custom range; a range that cannot be shown is explained under it."""
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.input(type="date", name="first", default_value=S.first, id="range-first", size="2"),
                rx.text(t("to"), size="2", color_scheme="gray"),
                rx.input(type="date", name="last", default_value=S.last, id="range-last", size="2"),
                rx.button(t("Show"), type="submit", size="2", id="range-apply"),
                align="center",
                spacing="2",
            ),
            field_error(S.range_error != "", S.range_error, "range-error"),
            spacing="1",
        ),
        on_submit=S.apply_range,
        reset_on_submit=False,
    )


def filters_bar() -> rx.Component:
    """Period first, then what to narrow to."""
    periods = rx.segmented_control.root(
        *[rx.segmented_control.item(t_marked(label), value=period.value) for period, label in PERIOD_LABELS],
        value=S.period,
        on_change=S.set_period,
        id="stats-period",
    )
    return rx.box(
        rx.vstack(
            rx.hstack(
                periods,
                rx.cond(S.period == Period.MONTH.value, choice_select(S.month_options, S.month, S.set_month, "stats-month")),
                rx.spacer(),
                choice_select(S.channel_choices, S.channel, S.set_channel, "stats-channel"),
                choice_select(S.platform_choices, S.platform, S.set_platform, "stats-platform"),
                choice_select(S.operator_choices, S.operator, S.set_operator, "stats-operator"),
                align="center",
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(S.period == Period.CUSTOM.value, custom_range()),
            spacing="3",
            width="100%",
        ),
        class_name="no-print",
        width="100%",
    )


def live_badge() -> rx.Component:
    """Whether the figures move by themselves (the period includes today), and when they were read."""
    return rx.cond(
        S.live,
        rx.badge(
            rx.box(width="7px", height="7px", border_radius="50%", background="var(--green-9)", class_name="live-dot"),
            t("Live · {time}", time=S.computed_at),
            color_scheme="green",
            variant="soft",
            size="2",
            id="stats-live",
        ),
        rx.badge(t("Figures of {time}", time=S.computed_at), color_scheme="gray", variant="soft", size="2"),
    )


def titled(heading: Text, period_id: str) -> rx.Component:
    """The page's title, and whose figures, of which days, on which clock."""
    return rx.vstack(
        rx.heading(heading, size="7", letter_spacing="-0.02em"),
        rx.text(
            AuthState.tenant_name,
            " · ",
            rx.text.strong(S.period_label, id=period_id),
            " · ",
            t("times in {timezone}", timezone=S.timezone),
            size="2",
            color_scheme="gray",
        ),
        spacing="1",
    )


def header() -> rx.Component:
    return rx.hstack(
        titled(t("Statistics"), "stats-period-label"),
        rx.spacer(),
        live_badge(),
        rx.link(
            rx.button(rx.icon("printer", size=14), t("Monthly report"), variant="outline", size="2"),
            href=REPORT_ROUTE,
            class_name="no-print",
        ),
        align="end",
        spacing="3",
        width="100%",
    )


def two(left: rx.Component, right: rx.Component, columns: str = "minmax(0, 1fr) minmax(0, 1fr)") -> rx.Component:
    """Two panels side by side on a wide screen, stacked on a narrow one."""
    return rx.grid(left, right, columns=rx.breakpoints(initial="1fr", lg=columns), spacing="4", width="100%", align_items="start")


def dashboard() -> rx.Component:
    return rx.vstack(
        headline_row(),
        two(by_day_chart(), answers_chart(), "minmax(0, 2fr) minmax(0, 1fr)"),
        two(by_hour_chart(), channels_table()),
        durations_table(),
        heatmap(),
        operators_table(),
        two(keywords_table(), unanswered_table()),
        locations_map(),
        spacing="4",
        width="100%",
        id="stats-dashboard",
    )


def page() -> rx.Component:
    """The statistics page."""
    return operator_frame(
        "statistics",
        admin_column(
            admin_only(
                header(),
                filters_bar(),
                rx.cond(S.loaded, dashboard(), rx.center(rx.spinner(size="3"), width="100%", padding="64px")),
                allowed=AuthState.sees_statistics,
                refused=refusal(
                    t("Statistics are for managers and administrators"),
                    t(
                        "Your organisation's figures are followed by its managers and administrators. Ask one of them for "
                        "the monthly report."
                    ),
                    element_id="stats-refused",
                ),
            ),
        ),
    )
