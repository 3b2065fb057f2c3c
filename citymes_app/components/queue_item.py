"""One line of the live queue: who, on which channel, the last words, when, and whether it waits for us."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import StringVar

from citymes_app import styles
from citymes_app.components.assignment import assignee_chip
from citymes_app.components.conversation_state import line_labels, line_state
from citymes_app.components.department import department_chip
from citymes_app.components.inbox_clock import waiting_for
from citymes_app.components.presence import line_readers
from citymes_app.state.inbox_format import PREVIEW_ICONS, QueueLine
from citymes_app.state.language import LanguageState, t, t_var


def platform_icon(platform: rx.Var[str], size: int = 12) -> rx.Component:
    """A small icon for the channel's platform, in the platform's colour."""
    return rx.match(
        platform,
        ("telegram", rx.icon("send", size=size, color="var(--sky-10)", custom_attrs={"aria-label": "Telegram"})),
        ("whatsapp", rx.icon("message-circle", size=size, color="var(--grass-10)", custom_attrs={"aria-label": "WhatsApp"})),
        rx.icon("message-square", size=size),
    )


def platform_label(platform: rx.Var[str]) -> rx.Var[str]:
    """The platform's name as people write it."""
    return rx.match(platform, ("telegram", "Telegram"), ("whatsapp", "WhatsApp"), platform)


def platform_badge(platform: rx.Var[str]) -> rx.Component:
    """The platform's icon and name, for headers and lists."""
    return rx.badge(
        platform_icon(platform),
        platform_label(platform),
        color_scheme=rx.match(platform, ("telegram", "sky"), ("whatsapp", "grass"), "gray"),
        variant="soft",
        size="1",
        class_name="platform",
    )


def waiting_marker(line: rx.Var[QueueLine]) -> rx.Component:
    """Shown on conversations that wait for an operator, with how long they have waited."""
    return rx.badge(
        rx.icon("clock", size=11),
        t("Waiting"),
        waiting_for(line.waiting_since),
        color_scheme="amber",
        variant="soft",
        size="1",
        class_name="waiting",
        white_space="nowrap",
    )


def citizen_name(line: rx.Var[QueueLine]) -> StringVar:
    """The citizen's name, or "Citizen #12" in the tab's language."""
    return rx.cond(line.citizen_name != "", line.citizen_name, t("Citizen #{id}", id=line.citizen_id)).to(str)


def preview(line: rx.Var[QueueLine]) -> rx.Var[str]:
    """The last message's words, after its kind ("Photo · ...") in the tab's language when it is not text."""
    kind = t_var(line.preview_label)
    return rx.cond(line.preview_label != "", rx.cond(line.preview != "", kind + " · " + line.preview, kind), line.preview).to(str)


def preview_icon(line: rx.Var[QueueLine]) -> rx.Component:
    """The icon of a message that is not text (a photo, a location...)."""
    return rx.match(
        line.preview_icon,
        *[(name, rx.icon(name, size=14, flex_shrink="0", color="var(--gray-10)")) for name in PREVIEW_ICONS],
        rx.fragment(),
    )


def time_label(line: rx.Var[QueueLine]) -> rx.Var[str]:
    """When the last message came, in the tab's language (the shared line carries it in each)."""
    labels: Any = line.time_labels  # an object Var: indexed by the tab's language on the client
    return labels[LanguageState.lang].to(str)


def queue_item(line: rx.Var[QueueLine], selected_id: rx.Var[int], on_select) -> rx.Component:  # noqa: ANN001
    """A clickable line of the queue; `on_select(id)` opens the conversation."""
    selected = line.id == selected_id
    unread = line.unread_count > 0
    name = citizen_name(line)
    return rx.box(
        rx.hstack(
            rx.avatar(
                fallback=name[:1],
                size="3",
                radius="full",
                variant="soft",
                color_scheme=rx.cond(line.awaiting_operator, "amber", "gray"),
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        name,
                        size="2",
                        weight=rx.cond(unread, "bold", "medium"),
                        style=styles.ONE_LINE,
                        class_name="citizen-name",
                    ),
                    rx.spacer(),
                    rx.text(time_label(line), size="1", color_scheme="gray", white_space="nowrap"),
                    width="100%",
                    align="center",
                ),
                rx.hstack(
                    rx.hstack(
                        platform_icon(line.platform),
                        rx.text(line.channel_name, size="1", style=styles.ONE_LINE),
                        spacing="1",
                        align="center",
                        color="var(--gray-10)",
                        min_width="60px",
                        max_width="100%",
                    ),
                    rx.cond(line.awaiting_operator, waiting_marker(line)),
                    line_state(line),
                    assignee_chip(line),
                    department_chip(line),
                    line_readers(line),
                    rx.cond(
                        line.citizen_unreachable,
                        rx.badge(t("Blocked the bot"), color_scheme="red", variant="soft", size="1"),
                    ),
                    spacing="2",
                    row_gap="4px",
                    align="center",
                    width="100%",
                    wrap="wrap",
                ),
                rx.hstack(
                    preview_icon(line),
                    rx.text(
                        preview(line),
                        size="2",
                        color=rx.cond(unread, "var(--gray-12)", "var(--gray-11)"),
                        style=styles.ONE_LINE,
                        flex="1",
                        class_name="preview",
                        custom_attrs={"dir": "auto"},
                    ),
                    rx.cond(
                        unread,
                        rx.badge(line.unread_count, variant="solid", radius="full", size="1", class_name="unread"),
                    ),
                    width="100%",
                    align="center",
                ),
                line_labels(line),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        on_click=on_select(line.id),
        padding="12px 14px",
        border_radius="var(--radius-3)",
        background=rx.cond(selected, "var(--accent-a3)", "transparent"),
        _hover={"background": rx.cond(selected, "var(--accent-a4)", "var(--gray-a3)")},
        cursor="pointer",
        width="100%",
        class_name="queue-item",
        key=line.id,  # React keeps each conversation's element when the queue reorders
        custom_attrs={
            "data-conversation": line.id.to_string(),
            "data-platform": line.platform,
            "data-selected": rx.cond(selected, "true", "false"),  # the keyboard's next/previous start from it
            "role": "button",
        },
    )
