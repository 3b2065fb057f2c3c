"""`/admin/labels`: the organisation's labels, how many conversations carry each, renamed, coloured and deleted."""

from __future__ import annotations

from typing import Any

import reflex as rx

from citymes_app.components.admin import (
    admin_column,
    admin_only,
    card,
    delete_row_dialog,
    field_error,
    listing,
    page_header,
    refusal,
    row_actions,
    saved_notice,
)
from citymes_app.components.frame import operator_frame
from citymes_app.core.labels import MAX_LABEL_LENGTH
from citymes_app.state.labels_state import ColorChoice, LabelRow, LabelsState
from citymes_app.state.language import t, t_var, tn

ROUTE = "/admin/labels"
TITLE = t("Labels") + " · CityMes"
ON_LOAD = LabelsState.open_labels_page

S = LabelsState
CONTENT_WIDTH = "880px"


def not_for_you() -> rx.Component:
    """What an operator who is not an administrator sees instead."""
    return refusal(
        t("Labels are renamed and deleted by administrators"),
        t("In a conversation, add a label from the Label menu under its header. Ask an administrator to rename or delete one."),
        element_id="labels-admin-only",
        text_width="380px",
    )


def _rename_form(row: rx.Var[LabelRow]) -> rx.Component:
    refused = S.form_error != ""
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.input(
                    value=S.form_name,
                    on_change=S.set_form_name,
                    id="label-name",
                    name="name",
                    max_length=MAX_LABEL_LENGTH,
                    auto_focus=True,
                    width="240px",
                    size="2",
                    custom_attrs={"aria-label": t("New name of the label")},
                ),
                rx.button(rx.icon("check", size=14), t("Save"), size="1", type="submit", loading=S.saving, id="save-label"),
                rx.button(t("Cancel"), size="1", type="button", variant="soft", color_scheme="gray", on_click=S.cancel_edit),
                spacing="2",
                align="center",
            ),
            field_error(refused & (S.form_error_field == "name"), S.form_error, "label-name-error"),
            spacing="1",
        ),
        on_submit=S.save,
    )


def _color_item(choice: rx.Var[ColorChoice]) -> rx.Component:
    return rx.select.item(
        rx.hstack(
            rx.box(width="10px", height="10px", border_radius="50%", background=f"var(--{choice.value}-9)"),
            rx.text(t_var(choice.name)),
            align="center",
            spacing="2",
        ),
        value=choice.value,
    )


def _color_menu(row: rx.Var[LabelRow]) -> rx.Component:
    """The label's colour, changed at once when another is chosen."""
    return rx.select.root(
        rx.select.trigger(variant="ghost", class_name="label-color", custom_attrs={"aria-label": t("Colour")}),
        rx.select.content(rx.foreach(S.color_choices, _color_item)),
        value=row.color,
        on_change=lambda color: S.set_color(row.id, color),
        size="1",
    )


def _line(row: rx.Var[LabelRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.cond(
                S.editing_id == row.id,
                _rename_form(row),
                rx.badge(
                    rx.icon("tag", size=12),
                    row.name,
                    variant="surface",
                    color_scheme=row.color.to(Any),
                    radius="full",
                    size="2",
                    class_name="label-name",
                ),
            ),
        ),
        rx.table.cell(_color_menu(row)),
        rx.table.cell(
            rx.text(tn("{n} conversation", "{n} conversations", row.conversations), size="2", color_scheme="gray"),
            class_name="label-used",
            white_space="nowrap",
        ),
        rx.table.cell(
            row_actions(
                rx.cond(
                    S.editing_id != row.id,
                    rx.button(t("Rename"), size="1", variant="soft", on_click=S.edit(row.id), class_name="rename-label"),
                ),
                on_delete=S.ask_delete(row.id),
                delete_class="delete-label",
            )
        ),
        class_name="label-row",
        custom_attrs={"data-label-id": row.id},
    )


def list_card() -> rx.Component:
    """Every label of the organisation."""
    return card(
        t("Labels"),
        "tags",
        listing(
            S.labels,
            _line,
            [t("Label"), t("Colour"), t("Used on"), ""],
            list_id="labels-list",
            empty=t("None yet: operators add labels to conversations from the inbox."),
        ),
        field_error((S.form_error != "") & (S.form_error_field == ""), S.form_error, "labels-error"),
        saved_notice(S.notice, "labels-notice"),
    )


def delete_dialog() -> rx.Component:
    """Deleting a label asks first, saying how many conversations lose it."""
    return delete_row_dialog(
        S,
        rx.fragment(t("Delete the label {name}?", name=S.delete_name)),
        tn(
            "It will be taken off the {n} conversation that carries it.",
            "It will be taken off the {n} conversations that carry it.",
            S.delete_used,
        ),
        confirm_id="confirm-delete-label",
    )


def page() -> rx.Component:
    """The labels page."""
    return operator_frame(
        "labels",
        admin_column(
            admin_only(
                page_header(t("Labels"), t("The words your operators tag conversations with.")),
                list_card(),
                delete_dialog(),
                content_width=CONTENT_WIDTH,
                refused=not_for_you(),
            ),
        ),
    )
