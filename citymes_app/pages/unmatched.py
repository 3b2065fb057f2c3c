"""`/admin/unmatched`: the unanswered-questions report (managers and administrators) — what citizens asked that no
keyword answered, in the last 7, 30 or 90 days, most asked first; an administrator answers one with a keyword in one
click (the question becomes one of its example questions), and a taught question says which keyword answers it."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.admin import admin_column, admin_only, card, page_header, refusal
from citymes_app.components.frame import operator_frame
from citymes_app.state.auth_state import AuthState
from citymes_app.state.language import t
from citymes_app.state.unmatched_state import PERIODS, UnmatchedRow, UnmatchedState

ROUTE = "/admin/unmatched"
TITLE = t("Unanswered questions") + " · CityMes"
ON_LOAD = UnmatchedState.open_report_page

S = UnmatchedState


def period_selector() -> rx.Component:
    """The last 7, 30 or 90 days."""
    return rx.segmented_control.root(
        *[rx.segmented_control.item(t("{n} days", n=days), value=days) for days in PERIODS],
        value=S.period,
        on_change=S.set_period,
        id="unmatched-period",
    )


def teach_control(row: rx.Var[UnmatchedRow]) -> rx.Component:
    """Answer the question with a keyword: pick it, and one click adds the question to its example questions."""
    picker = rx.select.root(
        rx.select.trigger(placeholder=t("Answer with keyword…"), width="200px", class_name="unmatched-pick"),
        rx.select.content(
            rx.foreach(S.keyword_choices, lambda choice: rx.select.item(choice.label, value=choice.id)),
            position="popper",
        ),
        value=row.choice,
        on_change=lambda value: S.choose_keyword(row.text, value),
        size="1",
    )
    teach = rx.button(
        rx.icon("graduation-cap", size=13),
        t("Teach"),
        size="1",
        disabled=row.choice == "",
        loading=S.teaching == row.text,
        on_click=S.teach(row.text, row.choice),
        class_name="unmatched-teach",
    )
    create = rx.tooltip(
        rx.link(rx.icon("plus", size=14), href="/admin/keywords", class_name="unmatched-create"),
        content=t("Create keyword"),
    )
    return rx.hstack(picker, teach, create, align="center", spacing="2", wrap="nowrap")


def taught_badge(row: rx.Var[UnmatchedRow]) -> rx.Component:
    """The question is one of a keyword's example questions: that keyword answers it now."""
    return rx.badge(
        rx.icon("check", size=12),
        t("Answered by {keyword}", keyword=row.taught),
        color_scheme="teal",
        variant="soft",
        size="1",
        class_name="unmatched-taught",
    )


def question_row(row: rx.Var[UnmatchedRow]) -> rx.Component:
    """One question: its text, how often and when last, and the way to answer it with a keyword."""
    return rx.table.row(
        rx.table.cell(rx.text(row.text, size="2", weight="medium", class_name="unmatched-text")),
        rx.table.cell(rx.badge(row.times, variant="soft", size="2", class_name="unmatched-times"), text_align="center"),
        rx.table.cell(rx.text(row.last_asked, size="2", color_scheme="gray", white_space="nowrap")),
        rx.table.cell(rx.text(row.channels, size="2", color_scheme="gray"), text_align="center"),
        rx.table.cell(
            # Only administrators edit keywords; a manager is pointed to them instead of to a refusal.
            rx.cond(
                row.taught != "",
                taught_badge(row),
                rx.cond(
                    AuthState.is_admin,
                    teach_control(row),
                    rx.text(t("Ask an administrator"), size="2", color_scheme="gray", class_name="unmatched-ask-admin"),
                ),
            ),
        ),
        align="center",
        class_name="unmatched-row",
        key=row.key,
    )


def report_card() -> rx.Component:
    """The table of questions, and how many messages went unanswered in all."""
    total = rx.hstack(
        rx.text(t("Unanswered messages:"), size="2", color_scheme="gray"),
        rx.text(S.total, size="2", weight="bold", id="unmatched-total"),
        align="center",
        spacing="1",
    )
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(t("Question")),
                rx.table.column_header_cell(t("Times asked"), text_align="center"),
                rx.table.column_header_cell(t("Last asked ({timezone})", timezone=S.timezone)),
                rx.table.column_header_cell(t("Channels"), text_align="center"),
                rx.table.column_header_cell(""),
            )
        ),
        rx.table.body(rx.foreach(S.rows, question_row)),
        variant="ghost",
        size="2",
        width="100%",
        id="unmatched-table",
    )
    empty = rx.center(
        rx.vstack(
            rx.icon("circle-check", size=24, color="var(--green-9)"),
            rx.text(t("Every message in this period was answered by a keyword."), size="2", color_scheme="gray"),
            align="center",
            spacing="2",
        ),
        padding="32px",
        width="100%",
        id="unmatched-empty",
    )
    return card(
        t("Questions no keyword answered"),
        "message-circle-question",
        rx.text(
            t(
                "Grouped by the text as matching sees it (lower case, no accents). The most asked are the keywords worth "
                "writing next."
            ),
            size="1",
            color_scheme="gray",
        ),
        rx.cond(S.rows.length() > 0, table, rx.cond(S.loaded, empty, rx.fragment())),
        aside=total,
        id="unmatched-card",
    )


def page() -> rx.Component:
    """The unanswered-questions page."""
    return operator_frame(
        "unmatched",
        admin_column(
            admin_only(
                page_header(
                    t("Unanswered questions"),
                    t("What citizens ask that no keyword answers."),
                    period_selector(),
                ),
                report_card(),
                allowed=AuthState.sees_statistics,
                refused=refusal(
                    t("This report is for managers and administrators"),
                    t(
                        "Which questions no keyword answers is followed by your organisation's managers and administrators. "
                        "Ask one of them if citizens keep asking something."
                    ),
                    element_id="unmatched-refused",
                ),
            ),
        ),
    )
