""" "Choose a date and time…" in the state menu: a day and a time of day on the organisation's clock, sent as typed; the
server checks them (`core.inbox_states.typed_snooze_end`) and a refusal shows beside the fields."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.dialog_close import dialog_close
from citymes_app.components.error_notice import error_notice
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import t


def _field(label: rx.Var[str], control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", flex="1")


def snooze_dialog() -> rx.Component:
    """The dialog (opened by the menu's item through `InboxState.open_snooze_dialog`)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Snooze until a date and time")),
            rx.dialog.description(
                t(
                    "The conversation opens again at that time on the organisation's clock ({zone}), or as soon as the "
                    "citizen writes. At most a year ahead.",
                    zone=InboxState.snooze_zone,
                ),
                size="2",
                color_scheme="gray",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    rx.hstack(
                        _field(
                            t("Day"),
                            rx.input(
                                type="date",
                                name="day",
                                value=InboxState.snooze_day,
                                on_change=InboxState.set_snooze_day,
                                min=InboxState.snooze_first_day,
                                id="snooze-day",
                                width="100%",
                            ),
                        ),
                        _field(
                            t("Time"),
                            rx.input(
                                type="time",
                                name="time",
                                value=InboxState.snooze_time,
                                on_change=InboxState.set_snooze_time,
                                id="snooze-time",
                                width="100%",
                            ),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    error_notice(InboxState.snooze_error, "snooze-error"),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                        rx.button(rx.icon("alarm-clock", size=14), t("Snooze"), type="submit", id="snooze-typed"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=InboxState.snooze_until_typed,
                reset_on_submit=False,
                width="100%",
            ),
            dialog_close(),
            max_width="440px",
            position="relative",
            id="snooze-dialog",
        ),
        open=InboxState.snooze_open,
        on_open_change=InboxState.set_snooze_open,
    )
