"""`/admin/departments`: the organisation's departments ("Via pública", "Serveis socials"), how many open
conversations each has, added, renamed and deleted."""

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
from citymes_app.core.departments import MAX_DEPARTMENT_DESCRIPTION, MAX_DEPARTMENT_NAME
from citymes_app.state.departments_state import DepartmentRow, DepartmentsState
from citymes_app.state.language import t, tn

ROUTE = "/admin/departments"
TITLE = t("Departments") + " · CityMes"
ON_LOAD = DepartmentsState.open_departments_page

S = DepartmentsState
CONTENT_WIDTH = "960px"


def not_for_you() -> rx.Component:
    """What an operator who is not an administrator sees instead."""
    return refusal(
        t("Departments are managed by administrators"),
        t("In a conversation, choose its department from the Department menu. Ask an administrator to add or change one."),
        element_id="departments-admin-only",
        text_width="380px",
    )


def _line(row: rx.Var[DepartmentRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.badge(rx.icon("building-2", size=12), row.name, variant="surface", size="2", class_name="department-name"),
        ),
        rx.table.cell(rx.text(row.description, size="2", color_scheme="gray"), class_name="department-description"),
        rx.table.cell(
            rx.text(tn("{n} open conversation", "{n} open conversations", row.open_conversations), size="2", color_scheme="gray"),
            class_name="department-used",
            white_space="nowrap",
        ),
        rx.table.cell(
            row_actions(
                rx.button(t("Edit"), size="1", variant="soft", on_click=S.edit(row.id), class_name="edit-department"),
                on_delete=S.ask_delete(row.id),
                delete_class="delete-department",
            )
        ),
        class_name="department-row",
        custom_attrs={"data-department-id": row.id},
    )


def list_card() -> rx.Component:
    """Every department of the organisation."""
    return card(
        t("Departments"),
        "building-2",
        listing(
            S.departments,
            _line,
            [t("Department"), t("Description"), t("Open conversations"), ""],
            list_id="departments-list",
            empty=t("None yet: add the parts of the town hall conversations go to."),
        ),
        saved_notice(S.notice, "departments-notice"),
    )


def form_card() -> rx.Component:
    """Add a department, or change the one chosen in the list."""
    refused = S.form_error != ""
    return card(
        rx.cond(S.editing_id > 0, t("Change a department"), t("Add a department")),
        "building-2",
        rx.form(
            rx.vstack(
                form_field(
                    label(t("Name"), "department-name", t("unique in the organisation")),
                    rx.input(
                        value=S.form_name,
                        on_change=S.set_form_name,
                        placeholder="Via pública",
                        id="department-name",
                        name="name",
                        max_length=MAX_DEPARTMENT_NAME + 10,
                        width="320px",
                    ),
                    field_error(refused & (S.form_error_field == "name"), S.form_error, "department-name-error"),
                ),
                form_field(
                    label(t("Description"), "department-description", t("optional: what it takes care of")),
                    rx.input(
                        value=S.form_description,
                        on_change=S.set_form_description,
                        placeholder="Carrers, voreres, enllumenat i senyalització",
                        id="department-description",
                        name="description",
                        max_length=MAX_DEPARTMENT_DESCRIPTION + 10,
                        width="100%",
                    ),
                    field_error(refused & (S.form_error_field == "description"), S.form_error, "department-description-error"),
                ),
                field_error(refused & (S.form_error_field == ""), S.form_error, "department-form-error"),
                form_buttons(S, save_id="save-department"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save,
            width="100%",
        ),
        aside=rx.cond(S.editing_id > 0, rx.badge(t("Editing a listed one"), color_scheme="amber", variant="soft")),
        id="department-form",
    )


def delete_dialog() -> rx.Component:
    """Deleting a department asks first, saying how many open conversations are left with none."""
    return delete_row_dialog(
        S,
        rx.fragment(t("Delete the department {name}?", name=S.delete_name)),
        tn(
            "Its {n} open conversation will be left with no department.",
            "Its {n} open conversations will be left with no department.",
            S.delete_used,
        ),
        confirm_id="confirm-delete-department",
    )


def page() -> rx.Component:
    """The departments page."""
    return operator_frame(
        "departments",
        admin_column(
            admin_only(
                page_header(t("Departments"), t("The parts of the organisation a conversation can be given to.")),
                form_card(),
                list_card(),
                delete_dialog(),
                content_width=CONTENT_WIDTH,
                refused=not_for_you(),
            ),
        ),
    )
