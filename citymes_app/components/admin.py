"""Pieces shared by the administration pages: the administrators-only gate, the page header, cards, field labels
and the message shown beside a refused field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from citymes_app import styles
from citymes_app.state.auth_state import AuthState
from citymes_app.state.language import t

ADMIN_CONTENT_WIDTH = "1280px"

# A text of the interface: a literal, or (translated) a Var read from the tab's catalog.
Text = str | rx.Var[str]


def refusal(
    heading: Text | None = None,
    explanation: Text | None = None,
    element_id: str = "admin-only",
    text_width: str = "360px",
) -> rx.Component:
    """What an operator who is not an administrator sees instead of the page."""
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon("lock", size=26, color="var(--gray-9)"),
                width="56px",
                height="56px",
                border_radius="50%",
                background="var(--gray-a3)",
            ),
            rx.heading(t("This page is for administrators") if heading is None else heading, size="5", id=element_id),
            rx.text(
                t(
                    "Keywords and office hours are edited by your organisation's administrators. "
                    "Ask one of them if something should change."
                )
                if explanation is None
                else explanation,
                size="2",
                color_scheme="gray",
                text_align="center",
                max_width=text_width,
            ),
            rx.link(
                rx.hstack(rx.icon("inbox", size=14), rx.text(t("Back to the inbox"), size="2"), align="center", spacing="1"),
                href="/inbox",
            ),
            align="center",
            spacing="3",
        ),
        width="100%",
        height="100vh",
    )


def admin_only(
    *content: rx.Component,
    content_width: str = ADMIN_CONTENT_WIDTH,
    refused: rx.Component | None = None,
    allowed: rx.Var[bool] | None = None,
) -> rx.Component:
    """The page for administrators (or for whoever ``allowed`` says, e.g. ``AuthState.sees_statistics``); for anyone
    else, why they cannot use it (``refused``, by default the general refusal), and a spinner until the session is
    known."""
    return rx.cond(
        AuthState.is_admin if allowed is None else allowed,
        rx.box(
            rx.vstack(*content, spacing="5", width="100%", max_width=content_width, margin_x="auto"),
            padding="28px 32px 48px",
            width="100%",
        ),
        rx.cond(
            AuthState.operator_role != "",
            refused if refused is not None else refusal(),
            rx.center(rx.spinner(size="3"), width="100%", height="100vh"),
        ),
    )


def admin_column(*content: rx.Component) -> rx.Component:
    """The scrolling column beside the sidebar."""
    return rx.box(*content, flex="1", height="100vh", overflow_y="auto", min_width="0")


def page_header(title: Text, subtitle: Text, *actions: rx.Component) -> rx.Component:
    """The page's title, what it is for, and its main actions on the right."""
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size="7", letter_spacing="-0.02em"),
            rx.text(subtitle, size="2", color_scheme="gray"),
            spacing="1",
        ),
        rx.spacer(),
        rx.hstack(*actions, spacing="2", align="center", flex_shrink="0", white_space="nowrap"),
        align="end",
        width="100%",
    )


def card(title: Text, icon: str, *children: rx.Component, aside: rx.Component | None = None, **props) -> rx.Component:
    """A titled panel of a page."""
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=16, color="var(--accent-10)"),
                rx.heading(title, size="3", weight="medium"),
                rx.spacer(),
                aside if aside is not None else rx.fragment(),
                align="center",
                spacing="2",
                width="100%",
            ),
            *children,
            spacing="3",
            width="100%",
        ),
        padding="18px 20px",
        background=styles.PANEL_BACKGROUND,
        border=styles.BORDER,
        border_radius="var(--radius-4)",
        box_shadow="0 1px 2px rgba(15, 23, 42, 0.04)",
        width="100%",
        **props,
    )


def label(text: Text, html_for: str, hint: Text = "") -> rx.Component:
    """A form field's label, with a quiet hint after it."""
    return rx.hstack(
        rx.text(text, size="2", weight="medium", as_="label", html_for=html_for),
        rx.text(hint, size="1", color_scheme="gray") if isinstance(hint, rx.Var) or hint else rx.fragment(),
        align="baseline",
        spacing="2",
    )


def form_field(*children: rx.Component) -> rx.Component:
    """A form field: its label, its control, the reason it was refused and any note, stacked close together."""
    return rx.vstack(*children, spacing="1", width="100%")


def confirm_dialog(
    title: rx.Component,
    description: Text,
    *,
    keep: rx.Component,
    confirm: rx.Component,
    open: rx.Var[bool],
    on_open_change: rx.EventHandler,
) -> rx.Component:
    """A question asked before a change that is hard to undo: keep things as they are, or go ahead (red)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(keep),
                rx.alert_dialog.action(confirm),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
        ),
        open=open,
        on_open_change=on_open_change,
    )


def field_error(show: rx.Var[bool], message: rx.Var[str], element_id: str) -> rx.Component:
    """The reason a field was refused, right under it."""
    return rx.cond(
        show,
        rx.hstack(
            rx.icon("circle-alert", size=13, flex_shrink="0"),
            rx.text(message, size="1", id=element_id, class_name="field-error"),
            spacing="1",
            align="center",
            color="var(--red-11)",
            role="alert",
        ),
    )


def listing(
    rows: rx.Var[list[Any]], line: Callable[[Any], rx.Component], headers: list[Text], *, list_id: str, empty: Text
) -> rx.Component:
    """An administration page's table of what the organisation has (one `line` per row), or `empty` when it has none."""
    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*(rx.table.column_header_cell(header) for header in headers))),
            rx.table.body(rx.foreach(rows, line)),
            size="2",
            variant="surface",
            width="100%",
            id=list_id,
        ),
        rx.text(empty, size="2", color_scheme="gray"),
    )


def row_actions(edit: rx.Component, *, on_delete: Any, delete_class: str) -> rx.Component:
    """A table row's buttons: `edit` (Edit, Rename...) and Delete (which asks first)."""
    return rx.hstack(
        edit,
        rx.button(t("Delete"), size="1", variant="soft", color_scheme="red", on_click=on_delete, class_name=delete_class),
        spacing="2",
        justify="end",
    )


def saved_notice(notice: rx.Var[str], notice_id: str) -> rx.Component:
    """What the last change did ("Department Cultura added."), under the table."""
    return rx.cond(notice != "", rx.text(notice, size="2", color_scheme="grass", id=notice_id))


def csv_upload_button(*, upload_id: str, importing: rx.Var[bool], on_drop: Any, columns: Text) -> rx.Component:
    """ "Import CSV": choosing a file imports it at once (all or nothing); the tooltip names the columns."""
    return rx.upload(
        rx.tooltip(
            rx.button(
                rx.icon("upload", size=15), t("Import CSV"), variant="soft", color_scheme="gray", type="button", loading=importing
            ),
            content=columns,
        ),
        id=upload_id,
        accept={"text/csv": [".csv"], "text/plain": [".txt"]},
        multiple=False,
        max_files=1,
        no_drag=True,
        on_drop=on_drop,
        border="none",
        padding="0",
    )


def form_buttons(form: Any, *, save_id: str) -> rx.Component:
    """An administration form's buttons (`form` an `AdminForm` state): Cancel while changing a row, and Add / Save."""
    return rx.hstack(
        rx.spacer(),
        rx.cond(
            form.editing_id > 0,
            rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray", on_click=form.cancel_edit),
        ),
        rx.button(
            rx.icon("check", size=14),
            rx.cond(form.editing_id > 0, t("Save"), t("Add")),
            type="submit",
            loading=form.saving,
            id=save_id,
        ),
        align="center",
        spacing="2",
        width="100%",
    )


def delete_row_dialog(form: Any, title: rx.Component, description: Text, *, confirm_id: str) -> rx.Component:
    """Deleting a row of an administration page (`form` an `AdminForm` state) asks first: Keep it, or Delete."""
    return confirm_dialog(
        title,
        description,
        keep=rx.button(t("Keep it"), variant="soft", color_scheme="gray"),
        confirm=rx.button(t("Delete"), color_scheme="red", on_click=form.confirm_delete, id=confirm_id),
        open=form.delete_id > 0,
        on_open_change=form.set_delete_dialog,
    )
