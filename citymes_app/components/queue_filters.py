"""Above the queue: the search across the organisation's conversations, mine / unassigned / all, and the channel,
state, label, department and order filters (each applied on the server: `state/inbox_filters.py`)."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.department import department_filter_items
from citymes_app.state.inbox_filters import ChannelChoice
from citymes_app.state.inbox_format import LabelChip
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import t

# Radix sizes the segments to the widest label (`min-width: max-content`, equal columns), so a long label ("Sense
# assignar" in Catalan) pushed the control ~12px past the queue. Equal columns that may shrink, with less padding around
# each label, fit every language at the queue's width; a label longer still is cut with an ellipsis, never overflows.
QUEUE_VIEW_FIT = {
    "min_width": "0",
    "grid_auto_columns": "minmax(0, 1fr)",
    "& .rt-SegmentedControlItem": {"min_width": "0"},
    "& .rt-SegmentedControlItemLabel": {"padding_left": "var(--space-2)", "padding_right": "var(--space-2)", "min_width": "0"},
    "& .rt-SegmentedControlItemLabel > span": {"overflow": "hidden", "text_overflow": "ellipsis", "white_space": "nowrap"},
}


def _select(value: rx.Var[str], on_change, element_id: str, *items: rx.Component, label: rx.Var[str]) -> rx.Component:  # noqa: ANN001
    return rx.select.root(
        rx.select.trigger(variant="ghost", id=element_id, custom_attrs={"aria-label": label}),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
        size="1",
    )


def _channel(choice: rx.Var[ChannelChoice]) -> rx.Component:
    return rx.select.item(choice.name, value=choice.id)


def _label(chip: rx.Var[LabelChip]) -> rx.Component:
    return rx.select.item(chip.name, value=chip.id.to_string())


def queue_filters() -> rx.Component:
    """The search box and the filters."""
    return rx.vstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            value=InboxState.search,
            on_change=InboxState.set_search.debounce(350),
            placeholder=t("Search name, phone or message"),
            size="2",
            width="100%",
            id="queue-search",
            type="search",
        ),
        rx.segmented_control.root(
            rx.segmented_control.item(t("All"), value="all"),
            rx.segmented_control.item(t("Mine"), value="mine"),
            rx.segmented_control.item(t("Unassigned"), value="unassigned"),
            value=InboxState.queue_view,
            on_change=InboxState.set_queue_view,
            size="1",
            width="100%",
            id="queue-view",
            style=QUEUE_VIEW_FIT,
        ),
        rx.hstack(
            _select(
                InboxState.state_filter,
                InboxState.set_state_filter,
                "state-filter",
                rx.select.item(t("Open and pending"), value="active"),
                rx.select.item(t("Open"), value="open"),
                rx.select.item(t("Pending"), value="pending"),
                rx.select.item(t("Snoozed"), value="snoozed"),
                rx.select.item(t("Resolved"), value="resolved"),
                label=t("State"),
            ),
            _select(
                InboxState.channel_filter,
                InboxState.set_channel_filter,
                "channel-filter",
                rx.select.item(t("Every channel"), value="all"),
                rx.foreach(InboxState.channel_choices, _channel),
                label=t("Channel"),
            ),
            _select(
                InboxState.label_filter,
                InboxState.set_label_filter,
                "label-filter",
                rx.select.item(t("Any label"), value="all"),
                rx.foreach(InboxState.tenant_labels, _label),
                label=t("Label"),
            ),
            _select(
                InboxState.department_filter,
                InboxState.set_department_filter,
                "department-filter",
                *department_filter_items(),
                label=t("Department"),
            ),
            rx.spacer(),
            _select(
                InboxState.sort_by,
                InboxState.set_sort,
                "queue-sort",
                rx.select.item(t("Newest first"), value="recent"),
                rx.select.item(t("Waiting longest first"), value="waiting"),
                label=t("Order"),
            ),
            spacing="1",
            width="100%",
            align="center",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
        padding="0 16px 10px",
    )
