"""The keyword editor's side cards: "try it", the featured order, and who changed what and when."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.admin import card
from citymes_app.components.answer_bubble import answer_bubble, menu_buttons
from citymes_app.state.keywords.display import CandidateRow, ChangeRow, FeaturedRow
from citymes_app.state.keywords.list_state import KeywordsState as S
from citymes_app.state.keywords.trial_state import KeywordTrialState as T
from citymes_app.state.language import t, t_var


def change_row(change: rx.Var[ChangeRow]) -> rx.Component:
    """One change."""
    return rx.table.row(
        rx.table.cell(rx.text(change.when, size="1", white_space="nowrap", color_scheme="gray")),
        rx.table.cell(rx.text(change.operator, size="2")),
        rx.table.cell(
            rx.badge(
                t_var(change.action),
                size="1",
                variant="soft",
                color_scheme=rx.match(change.action, ("Deleted", "red"), ("Created", "green"), ("Imported", "blue"), "gray"),
            )
        ),
        rx.table.cell(rx.text(change.keyword, size="2", weight="medium")),
        rx.table.cell(rx.text(change.fields, size="1", color_scheme="gray")),
        class_name="change-row",
        key=change.id,
    )


def history_card() -> rx.Component:
    """Who changed what and when (times on the town hall's clock)."""
    return card(
        t("Who changed what and when"),
        "history",
        rx.cond(
            S.changes.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(t("When")),
                            rx.table.column_header_cell(t("Who")),
                            rx.table.column_header_cell(t("What")),
                            rx.table.column_header_cell(t("Keyword")),
                            rx.table.column_header_cell(t("Changed")),
                        )
                    ),
                    rx.table.body(rx.foreach(S.changes, change_row)),
                    size="1",
                    variant="ghost",
                    width="100%",
                ),
                max_height="360px",
                overflow_y="auto",
                width="100%",
            ),
            rx.text(t("No changes yet."), size="2", color_scheme="gray"),
        ),
        id="keyword-history",
    )


def _outcome_badge() -> rx.Component:
    return rx.badge(
        t_var(T.trial.label),
        size="2",
        variant="soft",
        color_scheme=rx.match(
            T.trial.outcome,
            ("keyword", "teal"),
            ("personal_code", "violet"),
            ("index", "blue"),
            ("list", "cyan"),
            ("ambiguous", "amber"),
            "gray",
        ),
        id="try-outcome",
    )


def candidate_row(candidate: rx.Var[CandidateRow]) -> rx.Component:
    """One keyword the matcher weighed: its name and language, its score, the words that matched it."""
    return rx.hstack(
        rx.vstack(
            rx.text(
                rx.text.strong(candidate.keyword, class_name="try-candidate-keyword"),
                rx.text.span(" · ", candidate.language, color="var(--gray-10)"),
                size="2",
            ),
            rx.cond(
                candidate.words != "",
                rx.text(candidate.words, size="1", color_scheme="gray", class_name="try-candidate-words"),
            ),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.badge(candidate.score, variant="soft", color_scheme="gray", size="1", class_name="try-candidate-score"),
        align="center",
        spacing="2",
        width="100%",
        class_name="try-candidate",
    )


def trial_candidates() -> rx.Component:
    """The keywords the matcher weighed, best first: why the winner won, or why none did."""
    return rx.cond(
        T.trial.candidates.length() > 0,
        rx.vstack(
            rx.text(t("Keywords weighed"), size="1", weight="medium", color_scheme="gray"),
            rx.foreach(T.trial.candidates, candidate_row),
            spacing="1",
            width="100%",
            padding_top="4px",
            border_top="1px solid var(--gray-a4)",
            id="try-candidates",
        ),
    )


def trial_result() -> rx.Component:
    """What would answer the sentence, and why."""
    return rx.vstack(
        rx.hstack(
            _outcome_badge(),
            rx.cond(
                T.trial.keyword != "",
                rx.text(
                    rx.text.strong(T.trial.keyword, id="try-keyword"),
                    rx.cond(T.trial.language != "", rx.text.span(" · ", T.trial.language)),
                    size="2",
                ),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(T.trial.reason, size="2", color_scheme="gray", id="try-reason"),
        trial_candidates(),
        rx.match(
            T.trial.outcome,
            ("keyword", answer_bubble(T.trial.card, question=T.trial.text)),
            (
                "operator",
                rx.text(
                    t("The citizen gets the waiting notice of the office hours page."),
                    size="1",
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                T.trial.options.length() > 0,
                rx.box(
                    menu_buttons(T.trial.options, class_name="try-option"),
                    padding="10px",
                    border_radius="var(--radius-3)",
                    background=styles.PHONE_CHAT_BACKGROUND,
                    width="100%",
                ),
            ),
        ),
        spacing="2",
        width="100%",
        id="try-result",
    )


def try_card() -> rx.Component:
    """Run the real matcher on a sentence: nothing is sent, nothing is recorded."""
    return card(
        t("Try it"),
        "flask-conical",
        rx.text(t("Write what a citizen might send. Nothing is sent or recorded."), size="1", color_scheme="gray"),
        rx.form(
            rx.hstack(
                rx.input(
                    name="sentence",
                    placeholder="hola, horaris biblioteca?",
                    value=T.trial_text,
                    on_change=T.set_trial_text,
                    id="try-text",
                    flex="1",
                    auto_complete="off",
                    custom_attrs={"dir": "auto"},
                ),
                rx.button(t("Try"), type="submit", loading=T.trying, id="try-submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=T.try_sentence,
            width="100%",
        ),
        rx.cond(T.trial.outcome != "", trial_result()),
        id="try-it",
    )


def featured_row(row: rx.Var[FeaturedRow], index: rx.Var[int]) -> rx.Component:
    """One featured keyword with its up and down buttons."""
    last = S.featured_rows.length() - 1
    return rx.hstack(
        rx.text(index + 1, size="1", color_scheme="gray", width="18px", text_align="right"),
        rx.text(row.keyword, size="2", weight="medium", flex="1", style=styles.ONE_LINE, class_name="featured-name"),
        rx.icon_button(
            rx.icon("arrow-up", size=14),
            variant="ghost",
            color_scheme="gray",
            size="1",
            disabled=index == 0,
            on_click=S.move_featured(row.id, -1),
            aria_label=t("Move up"),
            class_name="featured-up",
        ),
        rx.icon_button(
            rx.icon("arrow-down", size=14),
            variant="ghost",
            color_scheme="gray",
            size="1",
            disabled=index == last,
            on_click=S.move_featured(row.id, 1),
            aria_label=t("Move down"),
            class_name="featured-down",
        ),
        align="center",
        spacing="2",
        padding="6px 8px",
        border_radius="var(--radius-2)",
        _hover={"background": "var(--gray-a2)"},
        width="100%",
        class_name="featured-row",
        key=row.id,
        custom_attrs={"data-keyword": row.keyword},
    )


def featured_card() -> rx.Component:
    """The order in which the index command lists the featured keywords, per language."""
    return card(
        t("Featured order"),
        "star",
        rx.text(
            t("The order of the list a citizen gets with PARAULES CLAU, PALABRAS CLAVE or KEYWORDS."),
            size="1",
            color_scheme="gray",
        ),
        rx.segmented_control.root(
            rx.foreach(S.languages, lambda option: rx.segmented_control.item(option.name, value=option.code)),
            value=S.featured_language,
            on_change=S.show_featured,
            size="1",
            width="100%",
        ),
        rx.cond(
            S.featured_rows.length() > 0,
            rx.vstack(rx.foreach(S.featured_rows, featured_row), spacing="0", width="100%", id="featured-list"),
            rx.text(
                t("No featured keyword in this language: switch on “Featured” in a keyword's form."),
                size="2",
                color_scheme="gray",
            ),
        ),
        id="featured-order",
    )
