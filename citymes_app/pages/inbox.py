"""`/inbox`: the live queue on the left, the open conversation and the reply box in the middle, and who the citizen is
on the right."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.assignment import assignee_badge, assignment_buttons, moved_dialog
from citymes_app.components.bubble import chat_bubble
from citymes_app.components.citizen_panel import citizen_panel, toggle_button
from citymes_app.components.conversation_state import labels_bar, thread_state
from citymes_app.components.department import department_badge, department_menu
from citymes_app.components.frame import operator_frame
from citymes_app.components.inbox_clock import page_title
from citymes_app.components.inbox_keys import shortcuts_dialog
from citymes_app.components.inbox_notifier import notifications
from citymes_app.components.link_dialog import link_dialog
from citymes_app.components.presence import colleagues_online, here_too
from citymes_app.components.queue_filters import queue_filters
from citymes_app.components.queue_item import platform_badge, queue_item
from citymes_app.components.reply_box import closed_window_panel, composer, reply_box
from citymes_app.state.inbox_print import PRINT_PREFIX
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import t, tn

ROUTE = "/inbox"
TITLE = t("Inbox") + " · CityMes"
ON_LOAD = InboxState.open_inbox


def empty_state(icon: str, title: rx.Var[str], hint: rx.Var[str], **props) -> rx.Component:
    """A quiet placeholder for an empty panel."""
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=26, color="var(--gray-9)"),
                width="56px",
                height="56px",
                border_radius="50%",
                background="var(--gray-a3)",
            ),
            rx.text(title, size="3", weight="medium"),
            rx.text(hint, size="2", color_scheme="gray", text_align="center", max_width="280px"),
            align="center",
            spacing="2",
        ),
        width="100%",
        flex="1",
        padding="32px",
        **props,
    )


def queue_panel() -> rx.Component:
    """The live queue."""
    return rx.vstack(
        rx.hstack(
            rx.heading(t("Inbox"), size="5"),
            shortcuts_dialog(),
            notifications(),
            rx.spacer(),
            colleagues_online(),
            rx.cond(
                InboxState.waiting_count > 0,
                rx.badge(
                    tn("{n} waiting", "{n} waiting", InboxState.waiting_count), color_scheme="amber", size="2", id="waiting-count"
                ),
            ),
            page_title(InboxState.unread_total, InboxState.waiting_count),
            align="center",
            width="100%",
            padding="20px 18px 12px",
        ),
        queue_filters(),
        rx.cond(
            InboxState.visible_queue.length() > 0,
            rx.box(
                rx.vstack(
                    rx.foreach(
                        InboxState.visible_queue,
                        lambda line: queue_item(line, InboxState.selected_id, InboxState.select),
                    ),
                    spacing="1",
                    padding="0 8px 12px",
                    width="100%",
                ),
                flex="1",
                width="100%",
                overflow_y="auto",
                overflow_x="hidden",
                id="queue",
            ),
            rx.cond(
                InboxState.filtering,
                empty_state(
                    "search-x",
                    t("No conversation matches"),
                    t("Change the search or the filters to see more."),
                    id="queue-empty",
                ),
                empty_state(
                    "inbox",
                    t("No conversations waiting"),
                    t("New messages from citizens appear here as they arrive."),
                    id="queue-empty",
                ),
            ),
        ),
        width=styles.QUEUE_WIDTH,
        min_width=styles.QUEUE_WIDTH,
        height="100vh",
        spacing="0",
        background=styles.PANEL_BACKGROUND,
        border_right=styles.BORDER,
    )


def more_actions() -> rx.Component:
    """The thread header's less frequent actions, in one menu: linking the citizen with another record, the CSV
    export, the printable page (a new tab: the inbox stays as it was)."""
    print_page: rx.Var[str] = PRINT_PREFIX + InboxState.selected_id.to_string()
    return rx.fragment(
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis", size=16),
                    variant="soft",
                    color_scheme="gray",
                    aria_label=t("More actions"),
                    title=t("More actions"),
                    id="thread-more",
                ),
            ),
            rx.menu.content(
                rx.menu.item(
                    rx.icon("link", size=14), t("Link with another citizen…"), on_select=InboxState.open_link, id="link-citizen"
                ),
                rx.menu.separator(),
                rx.menu.item(
                    rx.icon("download", size=14),
                    t("Export as CSV"),
                    on_select=InboxState.export_selected,
                    id="export-conversation",
                ),
                rx.menu.item(
                    rx.icon("printer", size=14),
                    t("Printable page"),
                    on_select=rx.redirect(print_page, is_external=True),
                    id="print-conversation",
                ),
                align="end",
            ),
        ),
        link_dialog(),
    )


def thread_header() -> rx.Component:
    """Who the conversation is with and its tools: the name with the panel, menu and close buttons on the first row; the
    channel, state, assignee and who else is here on the second, with Take, Assign and Resolve at its end (two rows
    whatever the width, so the buttons never push the name out)."""
    badges = rx.hstack(
        platform_badge(InboxState.selected_platform),
        rx.text(InboxState.selected_channel_name, size="1", color_scheme="gray", id="thread-channel", white_space="nowrap"),
        rx.text("·", size="1", color_scheme="gray"),
        thread_state(),
        assignee_badge(),
        department_badge(),
        here_too(),
        rx.cond(
            InboxState.link_notice != "",
            rx.text(InboxState.link_notice, size="1", color_scheme="green", id="link-notice"),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
        row_gap="4px",
        flex="1",
        min_width="0",
    )
    actions = rx.hstack(
        assignment_buttons(),
        department_menu(),
        rx.cond(
            InboxState.selected_in_queue,
            rx.button(
                rx.icon("circle-check", size=16),
                t("Resolve"),
                variant="soft",
                color_scheme="green",
                on_click=InboxState.resolve_selected,
                id="resolve",
            ),
        ),
        spacing="2",
        align="center",
        flex_shrink="0",
    )
    return rx.vstack(
        rx.hstack(
            rx.heading(InboxState.selected_citizen_name, size="4", id="thread-title", style=styles.ONE_LINE, flex="1"),
            toggle_button(),
            more_actions(),
            rx.icon_button(
                rx.icon("x", size=16),
                variant="ghost",
                color_scheme="gray",
                on_click=InboxState.close_conversation,
                aria_label=t("Close the conversation"),
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.hstack(badges, actions, align="center", spacing="3", width="100%", wrap="wrap", row_gap="8px"),
        spacing="2",
        padding="12px 24px",
        width="100%",
        background=styles.PANEL_BACKGROUND,
        border_bottom=styles.BORDER,
    )


def thread_panel() -> rx.Component:
    """The open conversation, or a hint to open one."""
    return rx.cond(
        InboxState.selected_id > 0,
        rx.vstack(
            thread_header(),
            labels_bar(),
            moved_dialog(),
            rx.auto_scroll(
                rx.vstack(
                    rx.foreach(InboxState.thread, chat_bubble),
                    spacing="4",
                    padding="24px",
                    width="100%",
                    max_width="960px",
                    margin_x="auto",
                ),
                flex="1",
                width="100%",
                overflow_y="auto",
                id="thread",
            ),
            composer(
                rx.cond(
                    InboxState.reply_window.applies & ~InboxState.reply_window.open,
                    closed_window_panel(),
                    reply_box(),
                )
            ),
            spacing="0",
            flex="1",
            height="100vh",
            min_width="0",
        ),
        empty_state(
            "messages-square",
            t("Select a conversation"),
            t("Pick a citizen on the left to read the conversation and answer."),
            height="100vh",
            id="thread-empty",
        ),
    )


def page() -> rx.Component:
    """The inbox page."""
    return operator_frame("inbox", queue_panel(), thread_panel(), citizen_panel())
