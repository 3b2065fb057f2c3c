"""A conversation's state and labels: the state said in the thread header and on its queue line (pending, snoozed until
a time), the menu that changes it, and the labels as chips with the menu that adds them."""

from __future__ import annotations

from typing import Any

import reflex as rx

from citymes_app.components.snooze_dialog import snooze_dialog
from citymes_app.state.inbox_format import LabelChip, QueueLine
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import LanguageState, t


def label_chip(label: rx.Var[LabelChip], removable: bool = False) -> rx.Component:
    """A label as a chip (with a cross that takes it off, in the thread)."""
    remove = rx.icon(
        "x",
        size=12,
        cursor="pointer",
        on_click=InboxState.remove_label(label.id),
        class_name="remove-label",
        custom_attrs={"aria-label": t("Remove the label")},
    )
    return rx.badge(
        rx.icon("tag", size=11),
        label.name,
        remove if removable else rx.fragment(),
        color_scheme=label.color.to(Any),  # a `core.labels.LabelColor`, chosen on the labels page
        variant="surface",
        radius="full",
        size="1",
        class_name="label-chip",
        white_space="nowrap",
    )


def line_state(line: rx.Var[QueueLine]) -> rx.Component:
    """On a queue line: "Pending", or "Snoozed until tomorrow at 08:00" (in the tab's language)."""
    until: Any = line.snoozed_labels
    return rx.match(
        line.status,
        ("pending", rx.badge(t("Pending"), color_scheme="orange", variant="soft", size="1", class_name="line-state")),
        (
            "snoozed",
            rx.badge(
                rx.icon("alarm-clock", size=11),
                t("until {time}", time=until[LanguageState.lang].to(str)),
                color_scheme="violet",
                variant="soft",
                size="1",
                class_name="line-state",
                white_space="nowrap",
            ),
        ),
        rx.fragment(),
    )


def line_labels(line: rx.Var[QueueLine]) -> rx.Component:
    """On a queue line: its labels."""
    return rx.cond(
        line.labels.length() > 0,
        rx.hstack(rx.foreach(line.labels, lambda label: label_chip(label)), spacing="1", wrap="wrap", class_name="line-labels"),
    )


def thread_state() -> rx.Component:
    """In the thread header: the conversation's state."""
    view = InboxState.state_view
    return rx.cond(
        InboxState.selected_in_queue,
        rx.match(
            view.status,
            ("pending", rx.text(t("Pending"), size="1", color_scheme="orange", id="thread-status")),
            (
                "snoozed",
                rx.text(t("Snoozed until {time}", time=view.snoozed_label), size="1", color_scheme="violet", id="thread-status"),
            ),
            rx.text(t("Open conversation"), size="1", color_scheme="gray", id="thread-status", white_space="nowrap"),
        ),
        rx.text(t("Resolved"), size="1", color_scheme="green", id="thread-status"),
    )


def state_menu() -> rx.Component:
    """Change the open conversation's state: open, pending, or snoozed until a time."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("alarm-clock", size=14), t("State"), variant="soft", color_scheme="gray", size="1", id="state-menu"
            ),
        ),
        rx.menu.content(
            rx.menu.item(t("Open"), on_select=InboxState.mark_open, id="state-open"),
            rx.menu.item(t("Pending"), on_select=InboxState.mark_pending, id="state-pending"),
            rx.menu.separator(),
            rx.text(t("Snooze until…"), size="1", color_scheme="gray", padding="4px 12px"),
            rx.menu.item(t("In an hour"), on_select=InboxState.snooze("hour"), id="snooze-hour"),
            rx.menu.item(t("Tomorrow at 08:00"), on_select=InboxState.snooze("tomorrow"), id="snooze-tomorrow"),
            rx.menu.item(t("Next Monday at 08:00"), on_select=InboxState.snooze("monday"), id="snooze-monday"),
            rx.menu.item(t("Choose a date and time…"), on_select=InboxState.open_snooze_dialog, id="snooze-choose"),
        ),
    )


def _offered_label(label: rx.Var[LabelChip]) -> rx.Component:
    return rx.button(
        rx.icon("tag", size=11),
        label.name,
        variant="soft",
        color_scheme="cyan",
        size="1",
        radius="full",
        on_click=InboxState.add_existing_label(label.name),
        class_name="offered-label",
    )


def label_menu() -> rx.Component:
    """Add a label to the open conversation: one of the organisation's, or a new name."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(rx.icon("plus", size=14), t("Label"), variant="ghost", color_scheme="gray", size="1", id="label-menu"),
        ),
        rx.popover.content(
            rx.vstack(
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="label",
                            value=InboxState.label_draft,
                            on_change=InboxState.set_label_draft,
                            placeholder=t("New or existing label"),
                            size="1",
                            flex="1",
                            id="label-input",
                        ),
                        rx.button(t("Add"), size="1", type="submit", id="label-add"),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=InboxState.add_label,
                    reset_on_submit=False,
                    width="100%",
                ),
                rx.cond(
                    InboxState.label_error != "", rx.text(InboxState.label_error, size="1", color_scheme="red", id="label-error")
                ),
                rx.hstack(rx.foreach(InboxState.tenant_labels, _offered_label), spacing="1", wrap="wrap"),
                spacing="2",
                width="260px",
            ),
            side="bottom",
            align="start",
        ),
        on_open_change=InboxState.open_labels,
    )


def labels_bar() -> rx.Component:
    """Under the thread header: the conversation's labels, adding one, and its state menu."""
    return rx.hstack(
        rx.hstack(
            rx.foreach(InboxState.labels, lambda label: label_chip(label, removable=True)),
            label_menu(),
            spacing="2",
            align="center",
            wrap="wrap",
            id="thread-labels",
        ),
        rx.spacer(),
        rx.cond(InboxState.selected_in_queue, state_menu()),
        snooze_dialog(),
        width="100%",
        align="center",
        padding="6px 24px",
        border_bottom="1px solid var(--gray-a4)",
        background="var(--color-panel-solid)",
    )
