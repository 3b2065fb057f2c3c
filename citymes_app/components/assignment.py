"""Who has a conversation, shown everywhere it is named: a chip on its queue line, a badge with "Take" and "Assign to"
in the thread header, and the question asked when a reply meets a conversation someone else just took or resolved."""

from __future__ import annotations

import reflex as rx

from citymes_app.state.inbox_format import QueueLine
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.inbox_work import ColleagueOption
from citymes_app.state.language import t


def assignee_chip(line: rx.Var[QueueLine]) -> rx.Component:
    """On a queue line: who has the conversation ("You" for the operator looking), nothing when nobody has it."""
    mine = line.assignee_id == InboxState.me_id
    return rx.cond(
        line.assignee_id > 0,
        rx.badge(
            rx.icon("user-round", size=11),
            rx.cond(mine, t("You"), line.assignee_name),
            color_scheme=rx.cond(mine, "iris", "gray"),
            variant="soft",
            size="1",
            class_name="assignee",
            max_width="120px",
            overflow="hidden",
            white_space="nowrap",
        ),
    )


def _colleague_item(colleague: rx.Var[ColleagueOption]) -> rx.Component:
    return rx.menu.item(
        colleague.name,
        rx.cond(colleague.id == InboxState.me_id, rx.text(t("(you)"), color_scheme="gray", size="1")),
        on_select=InboxState.assign_selected(colleague.id),
        class_name="assign-option",
        custom_attrs={"data-operator": colleague.id.to_string()},
    )


def assignee_badge() -> rx.Component:
    """Under the thread's title: who has the conversation, live."""
    return rx.badge(
        rx.icon("user-round", size=12),
        rx.cond(
            InboxState.assignee_id > 0,
            rx.cond(InboxState.assignee_id == InboxState.me_id, t("Assigned to you"), InboxState.assignee_name),
            t("Unassigned"),
        ),
        color_scheme=rx.cond(InboxState.assignee_id > 0, "iris", "gray"),
        variant="soft",
        size="1",
        white_space="nowrap",
        id="thread-assignee",
    )


def assignment_buttons() -> rx.Component:
    """In the thread header: "Take" when the conversation is not the operator's, and "Assign" to a colleague."""
    return rx.hstack(
        rx.cond(
            InboxState.selected_in_queue & (InboxState.assignee_id != InboxState.me_id),
            rx.button(rx.icon("hand", size=16), t("Take"), variant="soft", on_click=InboxState.take_selected, id="take"),
        ),
        rx.cond(
            InboxState.selected_in_queue,
            rx.menu.root(
                rx.menu.trigger(
                    rx.button(rx.icon("user-plus", size=16), t("Assign"), variant="soft", color_scheme="gray", id="assign-menu"),
                ),
                rx.menu.content(
                    rx.foreach(InboxState.colleagues, _colleague_item),
                    rx.menu.separator(),
                    rx.menu.item(t("Nobody"), on_select=InboxState.assign_selected(0), id="assign-nobody"),
                ),
            ),
        ),
        spacing="2",
        align="center",
    )


def moved_dialog() -> rx.Component:
    """Asked before a reply goes to a conversation someone else just took or resolved."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Send this reply?")),
            rx.alert_dialog.description(InboxState.moved_question, id="moved-question"),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        t("Don't send"), variant="soft", color_scheme="gray", on_click=InboxState.keep_draft, id="keep-draft"
                    ),
                ),
                rx.alert_dialog.action(
                    rx.button(t("Send anyway"), on_click=InboxState.send_anyway, id="send-anyway"),
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="440px",
        ),
        open=InboxState.moved_question != "",
    )
