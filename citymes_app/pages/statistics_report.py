"""`/statistics/report`: the printable monthly report (managers and administrators) — the chosen month's headline
figures, charts and tables on a plain page, clean when printed to PDF from the browser (print CSS hides the month
picker and the buttons)."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.admin import admin_only, refusal
from citymes_app.components.frame import brand
from citymes_app.components.statistics_charts import answers_chart, by_day_chart, headline_row, heatmap
from citymes_app.components.statistics_tables import channels_table, durations_table, keywords_table, operators_table
from citymes_app.pages.statistics import ROUTE as DASHBOARD_ROUTE
from citymes_app.pages.statistics import choice_select, titled
from citymes_app.state.auth_state import AuthState
from citymes_app.state.language import t
from citymes_app.state.statistics_state import StatisticsState

ROUTE = "/statistics/report"
TITLE = t("Monthly report") + " · CityMes"
ON_LOAD = StatisticsState.open_report_page

S = StatisticsState
# On paper: no buttons or pickers, no shadows, and no panel cut across two pages.
PRINT_CSS = """
@page { size: A4 portrait; margin: 14mm; }
@media print {
  .no-print { display: none !important; }
  body { background: white !important; }
  #report-page { padding: 0 !important; background: white !important; }
  #report-page [id^="panel-"] { break-inside: avoid; box-shadow: none !important; }
  #headlines { break-inside: avoid; }
}
"""


def toolbar() -> rx.Component:
    """The month, the way back, and printing (none of it on paper)."""
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text(t("Dashboard"), size="2"), align="center", spacing="1"),
            href=DASHBOARD_ROUTE,
        ),
        rx.spacer(),
        choice_select(S.month_options, S.month, S.set_month, "report-month"),
        rx.button(
            rx.icon("printer", size=14), t("Print or save as PDF"), on_click=rx.call_script("window.print()"), id="report-print"
        ),
        align="center",
        spacing="3",
        width="100%",
        class_name="no-print",
    )


def title() -> rx.Component:
    return rx.hstack(
        titled(t("Monthly report"), "report-period"),
        rx.spacer(),
        brand("4"),
        align="end",
        width="100%",
    )


def page() -> rx.Component:
    """The report page."""
    return rx.box(
        rx.el.style(PRINT_CSS),
        admin_only(
            toolbar(),
            title(),
            rx.cond(
                S.loaded,
                rx.vstack(
                    headline_row(),
                    by_day_chart(),
                    answers_chart(),
                    durations_table(),
                    heatmap(),
                    operators_table(),
                    keywords_table(),
                    channels_table(),
                    spacing="4",
                    width="100%",
                ),
                rx.center(rx.spinner(size="3"), width="100%", padding="64px"),
            ),
            content_width="960px",
            allowed=AuthState.sees_statistics,
            refused=refusal(
                t("Statistics are for managers and administrators"),
                t("Your organisation's figures are followed by its managers and administrators."),
                element_id="report-refused",
            ),
        ),
        id="report-page",
        background="var(--gray-2)",
        min_height="100vh",
    )
