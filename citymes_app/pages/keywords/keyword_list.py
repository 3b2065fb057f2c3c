"""The keyword list: search, the language filter, each keyword with its answer's beginning, edit and delete."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.admin import card
from citymes_app.state.keywords.display import KeywordRow
from citymes_app.state.keywords.editor_state import KeywordEditorState as E
from citymes_app.state.keywords.list_state import ALL_LANGUAGES
from citymes_app.state.keywords.list_state import KeywordsState as S
from citymes_app.state.language import t, tn


def toolbar() -> rx.Component:
    """Search and the language filter."""
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=15)),
            placeholder=t("Search keywords, synonyms, example questions and answers…"),
            value=S.query,
            on_change=S.search,
            id="keyword-search",
            flex="1",
            size="2",
        ),
        rx.select.root(
            rx.select.trigger(id="keyword-language-filter", min_width="150px"),
            rx.select.content(
                rx.select.item(t("All languages"), value=ALL_LANGUAGES),
                rx.foreach(S.languages, lambda option: rx.select.item(option.name, value=option.code)),
            ),
            value=S.language_filter,
            on_change=S.filter_language,
        ),
        spacing="2",
        width="100%",
    )


def _extra(show: rx.Var[bool], icon: str, text: rx.Var[str]) -> rx.Component:
    return rx.cond(show, rx.tooltip(rx.icon(icon, size=13, color="var(--gray-9)"), content=text))


def keyword_cell(row: rx.Var[KeywordRow]) -> rx.Component:
    """The keyword, its star when featured, its synonyms."""
    return rx.vstack(
        rx.hstack(
            rx.cond(
                row.featured,
                rx.tooltip(
                    rx.icon("star", size=14, color="var(--amber-9)", fill="var(--amber-9)", class_name="featured-star"),
                    content=t("Featured: listed by PARAULES CLAU / PALABRAS CLAVE / KEYWORDS"),
                ),
            ),
            rx.link(
                row.keyword,
                on_click=E.edit_keyword(row.id),
                weight="bold",
                size="2",
                color_scheme="gray",
                high_contrast=True,
                underline="hover",
                cursor="pointer",
                class_name="keyword-name",
            ),
            spacing="1",
            align="center",
        ),
        rx.cond(
            row.synonyms != "",
            rx.text(
                row.synonyms, size="1", color_scheme="gray", class_name="keyword-synonyms", width="100%", style=styles.ONE_LINE
            ),
        ),
        spacing="1",
        min_width="0",
        width="100%",
    )


def answer_cell(row: rx.Var[KeywordRow]) -> rx.Component:
    """The answer's beginning and what comes with it."""
    return rx.vstack(
        rx.text(row.preview, size="2", color="var(--gray-11)", class_name="keyword-preview", width="100%", style=styles.ONE_LINE),
        rx.hstack(
            _extra(row.has_link, "link", t("Sends a link")),
            _extra(row.has_media, "paperclip", t("Sends an image or document")),
            _extra(row.has_pin, "map-pin", t("Sends a map pin")),
            rx.cond(
                row.buttons != "",
                rx.text(t("Menu: {buttons}", buttons=row.buttons), size="1", color_scheme="gray", style=styles.ONE_LINE),
            ),
            spacing="2",
            align="center",
            width="100%",
            min_width="0",
        ),
        spacing="1",
        min_width="0",
        width="100%",
    )


def row_actions(row: rx.Var[KeywordRow]) -> rx.Component:
    """Edit and delete."""
    return rx.hstack(
        rx.tooltip(
            rx.icon_button(
                rx.icon("pencil", size=14),
                variant="ghost",
                color_scheme="gray",
                size="1",
                on_click=E.edit_keyword(row.id),
                aria_label=t("Edit"),
                class_name="keyword-edit",
            ),
            content=t("Edit"),
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                color_scheme="red",
                size="1",
                on_click=S.ask_delete(row.id, row.keyword),
                aria_label=t("Delete"),
                class_name="keyword-delete",
            ),
            content=t("Delete"),
        ),
        spacing="3",
        justify="end",
    )


# The list's columns: keyword, language, answer, actions. A grid rather than a table, so a long answer is cut with
# an ellipsis instead of widening the list under the buttons.
LIST_COLUMNS = "minmax(0, 2fr) 52px minmax(0, 5fr) 64px"


def _list_line(*cells: rx.Component, **props) -> rx.Component:
    return rx.grid(*cells, columns=LIST_COLUMNS, gap="12px", align="center", width="100%", **props)


def keyword_row(row: rx.Var[KeywordRow]) -> rx.Component:
    """One keyword of the list."""
    return _list_line(
        keyword_cell(row),
        rx.badge(row.language.upper(), variant="soft", color_scheme="gray", size="1", width="fit-content"),
        answer_cell(row),
        row_actions(row),
        padding="10px 8px",
        border_top="1px solid var(--gray-a4)",
        _hover={"background": "var(--gray-a2)"},
        class_name="keyword-row",
        key=row.id,
        custom_attrs={"data-keyword": row.keyword, "data-language": row.language},
    )


def keyword_list() -> rx.Component:
    """The keywords that match the search."""
    heading = _list_line(
        *[
            rx.text(title, size="1", weight="medium", color_scheme="gray")
            for title in (t("Keyword"), t("Lang."), t("Answer"), "")
        ],
        padding="0 8px 6px",
    )
    table = rx.vstack(heading, rx.foreach(S.rows, keyword_row), spacing="0", width="100%", id="keyword-list")
    empty = rx.center(
        rx.text(t("No keyword matches. Try other words, or create it."), size="2", color_scheme="gray"),
        padding="28px",
        id="keyword-list-empty",
    )
    return card(
        t("Answers"),
        "book-open-text",
        toolbar(),
        rx.cond(S.rows.length() > 0, table, empty),
        aside=rx.text(tn("{n} keyword", "{n} keywords", S.rows.length()), size="1", color_scheme="gray"),
    )


def delete_dialog() -> rx.Component:
    """Confirm before deleting."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Delete {keyword}?", keyword=S.deleting_name)),
            rx.alert_dialog.description(
                t(
                    "Citizens who write it will wait for an operator instead. Its personal codes are deleted too. "
                    "This cannot be undone."
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("Keep it"), variant="soft", color_scheme="gray", on_click=S.cancel_delete)),
                rx.alert_dialog.action(
                    rx.button(t("Delete"), color_scheme="red", on_click=S.confirm_delete, id="confirm-delete"),
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="440px",
        ),
        open=S.deleting_id > 0,
    )
