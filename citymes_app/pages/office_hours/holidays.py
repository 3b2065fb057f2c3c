"""The holidays card: the year's public and local holidays, and adding the town's own."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.admin import card, field_error, label
from citymes_app.state.hours_display import HolidayRow
from citymes_app.state.hours_state import HOLIDAY_DAY_ID, HOLIDAY_NAME_ID
from citymes_app.state.hours_state import HoursState as S
from citymes_app.state.language import t


def holiday_row(holiday: rx.Var[HolidayRow]) -> rx.Component:
    """One holiday: public (from the library) or local (removable)."""
    return rx.hstack(
        rx.vstack(
            rx.text(holiday.day, size="2", weight="bold", line_height="1.1"),
            rx.text(holiday.weekday, size="1", color_scheme="gray", line_height="1.1"),
            spacing="0",
            align="center",
            width="44px",
            flex_shrink="0",
        ),
        rx.text(holiday.name, size="2", flex="1", style=styles.ONE_LINE, class_name="holiday-name"),
        rx.cond(
            holiday.local,
            rx.hstack(
                rx.badge(t("Local"), color_scheme="teal", variant="soft", size="1"),
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("trash-2", size=13),
                        variant="ghost",
                        color_scheme="red",
                        size="1",
                        on_click=S.remove_holiday(holiday.local_id),
                        aria_label=t("Remove this local holiday"),
                        class_name="holiday-remove",
                    ),
                    content=t("Open the office again that day"),
                ),
                spacing="2",
                align="center",
            ),
            rx.badge(t("Public"), color_scheme="gray", variant="outline", size="1"),
        ),
        align="center",
        spacing="3",
        padding="7px 8px",
        border_radius="var(--radius-2)",
        opacity=rx.cond(holiday.past, "0.55", "1"),
        _hover={"background": "var(--gray-a2)"},
        width="100%",
        class_name=rx.cond(holiday.local, "holiday holiday-local", "holiday holiday-public"),
        key=holiday.key,
    )


def add_holiday_form() -> rx.Component:
    """A local holiday: a date and a name."""
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    label(t("Date"), "holiday-day"),
                    rx.input(
                        type="date",
                        name="day",
                        id=HOLIDAY_DAY_ID,
                        on_change=S.clear_holiday_error,
                        width="100%",
                    ),
                    spacing="1",
                    width="150px",
                    flex_shrink="0",
                ),
                rx.vstack(
                    label(t("Name"), "holiday-name"),
                    rx.input(
                        name="name",
                        id=HOLIDAY_NAME_ID,
                        on_change=S.clear_holiday_error,
                        placeholder="Festa Major",
                        width="100%",
                        auto_complete="off",
                    ),
                    spacing="1",
                    flex="1",
                ),
                rx.button(rx.icon("plus", size=14), t("Add"), type="submit", id="holiday-add", margin_top="22px"),
                spacing="2",
                align="start",
                width="100%",
            ),
            field_error(S.holiday_error_field == "day", S.holiday_error, "holiday-day-error"),
            field_error(S.holiday_error_field == "name", S.holiday_error, "holiday-name-error"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.add_holiday,
        width="100%",
        padding="12px",
        border_radius="var(--radius-3)",
        background="var(--gray-a2)",
    )


def holidays_card() -> rx.Component:
    """The year's holidays, and adding the town's own."""
    year_switch = rx.hstack(
        rx.icon_button(
            rx.icon("chevron-left", size=14),
            variant="ghost",
            color_scheme="gray",
            size="1",
            on_click=S.show_year(-1),
            aria_label=t("Previous year"),
        ),
        rx.text(S.year, size="2", weight="bold", id="holiday-year"),
        rx.icon_button(
            rx.icon("chevron-right", size=14),
            variant="ghost",
            color_scheme="gray",
            size="1",
            on_click=S.show_year(1),
            aria_label=t("Next year"),
        ),
        align="center",
        spacing="2",
    )
    return card(
        t("Holidays"),
        "calendar-days",
        rx.text(
            t(
                "The office is closed on these days: out-of-hours notices say when it opens again. Public holidays of "
                "{region} come from the holidays library; add the town's own.",
                region=S.region,
            ),
            size="1",
            color_scheme="gray",
        ),
        add_holiday_form(),
        rx.vstack(rx.foreach(S.holidays, holiday_row), spacing="0", width="100%", id="holiday-list"),
        aside=year_switch,
        id="holidays-card",
    )
