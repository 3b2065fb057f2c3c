"""`/admin/operators`: the organisation's operators, resetting a password, disabling and enabling."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.admin import admin_column, admin_only, card, field_error, label, page_header, refusal
from citymes_app.components.error_notice import error_notice
from citymes_app.components.frame import operator_frame
from citymes_app.core.auth import MIN_PASSWORD_LENGTH
from citymes_app.state.language import t, t_var
from citymes_app.state.operators_state import OperatorRow, OperatorsState

ROUTE = "/admin/operators"
TITLE = t("Operators") + " · CityMes"
ON_LOAD = OperatorsState.open_operators_page

S = OperatorsState
CONTENT_WIDTH = "1080px"


def not_for_you() -> rx.Component:
    """What an operator who is not an administrator sees instead."""
    return refusal(
        t("Operators are managed by administrators"),
        t("Your organisation's administrators reset passwords and disable accounts. Ask one of them if yours needs it."),
        element_id="operators-admin-only",
        text_width="380px",
    )


def _actions(operator: rx.Var[OperatorRow]) -> rx.Component:
    return rx.hstack(
        rx.button(
            t("Reset password"),
            size="1",
            variant="soft",
            on_click=S.open_reset(operator.id, operator.name),
            class_name="reset-password",
        ),
        rx.cond(
            operator.active,
            rx.button(
                t("Disable"),
                size="1",
                variant="soft",
                color_scheme="red",
                disabled=operator.is_you,
                on_click=S.set_active(operator.id, False),
                class_name="disable-operator",
            ),
            rx.button(
                t("Enable"),
                size="1",
                variant="soft",
                color_scheme="grass",
                on_click=S.set_active(operator.id, True),
                class_name="enable-operator",
            ),
        ),
        spacing="2",
        justify="end",
    )


def _operator_line(operator: rx.Var[OperatorRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(rx.text(operator.name, weight="medium"), rx.cond(operator.is_you, rx.badge(t("you"), variant="soft")))
        ),
        rx.table.cell(operator.email, class_name="operator-email"),
        rx.table.cell(rx.badge(t_var(operator.role), variant="soft", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                operator.active,
                rx.badge(t("Active"), color_scheme="grass", variant="soft"),
                rx.badge(t("Disabled"), color_scheme="red", variant="soft"),
            ),
            class_name="operator-status",
        ),
        rx.table.cell(rx.text(operator.last_seen, size="2", color_scheme="gray")),
        rx.table.cell(_actions(operator)),
        class_name="operator-row",
    )


def operators_card() -> rx.Component:
    """The table of the organisation's operators."""
    return card(
        t("Operators"),
        "users",
        error_notice(S.error, "operators-error"),
        rx.cond(S.notice != "", rx.callout(S.notice, icon="check", color_scheme="grass", size="1", id="operators-notice")),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(t("Name")),
                    rx.table.column_header_cell(t("Email")),
                    rx.table.column_header_cell(t("Role")),
                    rx.table.column_header_cell(t("Status")),
                    rx.table.column_header_cell(t("Last seen")),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(S.operators, _operator_line)),
            size="2",
            variant="surface",
            width="100%",
        ),
        id="operators-card",
    )


def reset_dialog() -> rx.Component:
    """The new password of one operator, typed by the administrator."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("New password for {name}", name=S.reset_name)),
            rx.dialog.description(
                t("Their open sessions end: they sign in again with this password."), size="2", margin_bottom="12px"
            ),
            rx.form(
                rx.vstack(
                    label(t("New password"), "new-password", t("at least {n} characters", n=MIN_PASSWORD_LENGTH)),
                    rx.input(
                        id="new-password",
                        name="password",
                        type="password",
                        auto_complete="new-password",
                        on_change=S.clear_reset_error,
                        width="100%",
                    ),
                    field_error(S.reset_error != "", S.reset_error, "reset-error"),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(t("Set password"), type="submit", id="set-password"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.reset_password,
                reset_on_submit=False,
            ),
        ),
        open=S.reset_id > 0,
        on_open_change=S.set_reset_dialog,
    )


def page() -> rx.Component:
    """The operators page."""
    return operator_frame(
        "operators",
        admin_column(
            admin_only(
                page_header(
                    t("Operators"), t("Who signs in for the organisation: reset a password, disable or enable an account.")
                ),
                operators_card(),
                reset_dialog(),
                content_width=CONTENT_WIDTH,
                refused=not_for_you(),
            ),
        ),
    )
