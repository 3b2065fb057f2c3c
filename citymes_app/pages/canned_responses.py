"""`/admin/canned-responses`: the texts operators insert in a reply by typing `/` and a shortcut."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.admin import (
    admin_column,
    admin_only,
    card,
    delete_row_dialog,
    field_error,
    form_buttons,
    form_field,
    label,
    listing,
    page_header,
    refusal,
    row_actions,
    saved_notice,
)
from citymes_app.components.frame import operator_frame
from citymes_app.state.canned_state import CannedResponsesState, CannedRow, PlaceholderHint
from citymes_app.state.language import t, t_var

ROUTE = "/admin/canned-responses"
TITLE = t("Canned responses") + " · CityMes"
ON_LOAD = CannedResponsesState.open_canned_page

S = CannedResponsesState
CONTENT_WIDTH = "1080px"


def not_for_you() -> rx.Component:
    """What an operator who is not an administrator sees instead."""
    return refusal(
        t("Canned responses are edited by administrators"),
        t("In a conversation, type / in the reply box to insert one. Ask an administrator if one should be added or changed."),
        element_id="canned-admin-only",
        text_width="380px",
    )


def _line(row: rx.Var[CannedRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code("/", row.shortcut, variant="ghost"), white_space="nowrap", class_name="canned-shortcut"),
        rx.table.cell(rx.text(row.text, size="2", white_space="pre-wrap"), class_name="canned-text"),
        rx.table.cell(rx.text(row.changed, size="1", color_scheme="gray"), white_space="nowrap"),
        rx.table.cell(
            row_actions(
                rx.button(t("Edit"), size="1", variant="soft", on_click=S.edit(row.id), class_name="edit-canned"),
                on_delete=S.ask_delete(row.id, row.shortcut),
                delete_class="delete-canned",
            )
        ),
        class_name="canned-row",
        custom_attrs={"data-shortcut": row.shortcut},
    )


def list_card() -> rx.Component:
    """Every canned response of the organisation."""
    return card(
        t("Canned responses"),
        "message-square-quote",
        listing(
            S.canned,
            _line,
            [t("Shortcut"), t("Text"), t("Last changed"), ""],
            list_id="canned-list",
            empty=t("None yet: add the answers your operators write most often."),
        ),
        saved_notice(S.notice, "canned-notice"),
    )


def _hint(hint: rx.Var[PlaceholderHint]) -> rx.Component:
    return rx.hstack(
        rx.code(hint.written, size="1"), rx.text(t_var(hint.meaning), size="1", color_scheme="gray"), spacing="1", align="center"
    )


def form_card() -> rx.Component:
    """Add a canned response, or change the one chosen in the list."""
    refused = S.form_error != ""
    return card(
        t("Write a canned response"),
        "file-plus",
        rx.form(
            rx.vstack(
                form_field(
                    label(t("Shortcut"), "canned-shortcut", t("lowercase letters, digits and dashes; operators type / and it")),
                    rx.input(
                        value=S.form_shortcut,
                        on_change=S.set_form_shortcut,
                        placeholder="hola",
                        id="canned-shortcut",
                        name="shortcut",
                        max_length=40,
                        width="280px",
                    ),
                    field_error(refused & (S.form_error_field == "shortcut"), S.form_error, "canned-shortcut-error"),
                ),
                form_field(
                    label(t("Text"), "canned-text", t("filled in for the conversation when inserted")),
                    rx.text_area(
                        value=S.form_text,
                        on_change=S.set_form_text,
                        placeholder="Bon dia {name}, sóc {operator}, de l'Ajuntament. En què us puc ajudar?",
                        id="canned-text",
                        name="text",
                        rows="4",
                        width="100%",
                    ),
                    field_error(refused & (S.form_error_field == "text"), S.form_error, "canned-text-error"),
                    rx.hstack(rx.foreach(S.placeholder_hints, _hint), spacing="4", wrap="wrap"),
                ),
                field_error(refused & (S.form_error_field == ""), S.form_error, "canned-form-error"),
                form_buttons(S, save_id="save-canned"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save,
            width="100%",
        ),
        aside=rx.cond(S.editing_id > 0, rx.badge(t("Editing a listed one"), color_scheme="amber", variant="soft")),
        id="canned-form",
    )


def delete_dialog() -> rx.Component:
    """Deleting a canned response asks first."""
    return delete_row_dialog(
        S,
        rx.fragment(t("Delete /{shortcut}?", shortcut=S.delete_shortcut)),
        t("Operators will no longer be able to insert it."),
        confirm_id="confirm-delete-canned",
    )


def page() -> rx.Component:
    """The canned responses page."""
    return operator_frame(
        "canned",
        admin_column(
            admin_only(
                page_header(t("Canned responses"), t("Texts operators insert in a reply by typing / and the shortcut.")),
                form_card(),
                list_card(),
                delete_dialog(),
                content_width=CONTENT_WIDTH,
                refused=not_for_you(),
            ),
        ),
    )
