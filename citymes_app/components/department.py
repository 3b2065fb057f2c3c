"""The department a conversation is with, shown where it is named: a chip on its queue line, a badge in the thread
header with the "Department" menu beside "Assign" (give, transfer, take off), and the queue's department filter."""

from __future__ import annotations

import reflex as rx

from citymes_app.state.inbox_departments import DepartmentChoice
from citymes_app.state.inbox_format import QueueLine
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import t


def department_chip(line: rx.Var[QueueLine]) -> rx.Component:
    """On a queue line: the department it is with, nothing when none."""
    return rx.cond(
        line.department_id > 0,
        rx.badge(
            rx.icon("building-2", size=11),
            line.department_name,
            color_scheme="teal",
            variant="soft",
            size="1",
            class_name="line-department",
            max_width="140px",
            overflow="hidden",
            white_space="nowrap",
        ),
    )


def department_badge() -> rx.Component:
    """In the thread header: the department the conversation is with, live."""
    return rx.cond(
        InboxState.department_id > 0,
        rx.badge(
            rx.icon("building-2", size=12),
            InboxState.department_name,
            color_scheme="teal",
            variant="soft",
            size="1",
            white_space="nowrap",
            id="thread-department",
        ),
    )


def _department_item(choice: rx.Var[DepartmentChoice]) -> rx.Component:
    return rx.menu.item(
        choice.name,
        rx.cond(choice.id == InboxState.department_id, rx.icon("check", size=14)),
        on_select=InboxState.set_selected_department(choice.id),
        class_name="department-option",
        custom_attrs={"data-department": choice.id.to_string()},
    )


def department_menu() -> rx.Component:
    """In the thread header, beside "Assign": give the conversation to a department, transfer it, or take it off."""
    return rx.cond(
        InboxState.selected_in_queue,
        rx.menu.root(
            rx.menu.trigger(
                # An icon alone: the header's row already holds Take, Assign and Resolve beside the badges.
                rx.icon_button(
                    rx.icon("building-2", size=16),
                    variant="soft",
                    color_scheme="gray",
                    id="department-menu",
                    custom_attrs={"aria-label": t("Department"), "title": t("Give to a department")},
                ),
            ),
            rx.menu.content(
                rx.cond(
                    InboxState.tenant_departments.length() > 0,
                    rx.foreach(InboxState.tenant_departments, _department_item),
                    rx.text(
                        t("No departments yet: an administrator adds them."), size="1", color_scheme="gray", padding="4px 12px"
                    ),
                ),
                rx.menu.separator(),
                rx.menu.item(t("No department"), on_select=InboxState.set_selected_department(0), id="department-none"),
            ),
            on_open_change=InboxState.open_departments,
        ),
    )


def _filter_item(choice: rx.Var[DepartmentChoice]) -> rx.Component:
    return rx.select.item(choice.name, value=choice.id.to_string())


def department_filter_items() -> list[rx.Component]:
    """The queue's department filter: any, none, or one of the organisation's."""
    return [
        rx.select.item(t("Any department"), value="all"),
        rx.select.item(t("No department"), value="none"),
        rx.foreach(InboxState.tenant_departments, _filter_item),
    ]
