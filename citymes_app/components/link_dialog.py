""" "Link with another citizen…": an operator who knows two records are one person makes them one, after confirming."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.dialog_close import dialog_close
from citymes_app.components.error_notice import error_notice
from citymes_app.components.queue_item import platform_badge
from citymes_app.core.citizens import LinkCandidate
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import t, tn


def _candidate(candidate: rx.Var[LinkCandidate]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.avatar(fallback=candidate.name[:1], size="2", radius="full", variant="soft"),
            rx.vstack(
                rx.text(candidate.name, size="2", weight="medium", style=styles.ONE_LINE, class_name="candidate-name"),
                rx.hstack(
                    rx.foreach(candidate.platforms, platform_badge),
                    rx.cond(candidate.phone != "", rx.text(candidate.phone, size="1", color_scheme="gray")),
                    rx.text(tn("{n} conversation", "{n} conversations", candidate.conversations), size="1", color_scheme="gray"),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.icon("chevron-right", size=16, color="var(--gray-9)"),
            align="center",
            spacing="3",
            width="100%",
        ),
        on_click=InboxState.pick_link_target(candidate.id, candidate.name),
        padding="8px 10px",
        border_radius="var(--radius-3)",
        _hover={"background": "var(--gray-a3)"},
        cursor="pointer",
        width="100%",
        class_name="link-candidate",
        custom_attrs={"role": "button"},
    )


def _choose() -> rx.Component:
    return rx.vstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            value=InboxState.link_search,
            on_change=InboxState.search_link.debounce(250),
            placeholder=t("Search by name or phone"),
            width="100%",
            id="link-search",
        ),
        rx.cond(
            InboxState.link_candidates.length() > 0,
            rx.scroll_area(
                rx.vstack(rx.foreach(InboxState.link_candidates, _candidate), spacing="1", width="100%"),
                max_height="320px",
                type="auto",
                scrollbars="vertical",
            ),
            rx.text(t("No other citizen matches."), size="2", color_scheme="gray", padding="12px 4px"),
        ),
        spacing="3",
        width="100%",
    )


def _confirm() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.text(
                t(
                    "Link {other} with {citizen}? They become one citizen: every conversation and message of both is kept, "
                    "under {citizen}. This cannot be undone.",
                    other=InboxState.link_target_name,
                    citizen=InboxState.selected_citizen_name,
                ),
            ),
            icon="triangle-alert",
            color_scheme="amber",
            width="100%",
        ),
        error_notice(InboxState.link_error, "link-error"),
        rx.hstack(
            rx.button(t("Back"), variant="soft", color_scheme="gray", on_click=InboxState.back_to_candidates),
            rx.button(
                rx.icon("link", size=14),
                t("Link them"),
                color_scheme="amber",
                on_click=InboxState.confirm_link,
                id="confirm-link",
            ),
            justify="end",
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def link_dialog() -> rx.Component:
    """The dialog ("Link with another citizen…" in the thread header's menu opens it)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Link with another citizen")),
            rx.dialog.description(
                t(
                    "If {citizen} is the same person as another citizen (for example they also write on another platform "
                    "or number), link them so their conversations are seen together.",
                    citizen=InboxState.selected_citizen_name,
                ),
                size="2",
                color_scheme="gray",
                margin_bottom="12px",
            ),
            rx.cond(InboxState.link_target_id > 0, _confirm(), _choose()),
            dialog_close(),
            max_width="520px",
            position="relative",
            id="link-dialog",
        ),
        open=InboxState.link_open,
        on_open_change=InboxState.set_link_open,
    )
