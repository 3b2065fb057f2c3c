"""`/admin/hours`: office hours (administrators) — the weekly schedule, open now or when next, the year's
holidays (public and local), and the automatic waiting notices per language."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.admin import admin_column, admin_only, card, field_error, label, page_header
from citymes_app.components.frame import operator_frame
from citymes_app.state.hours_display import DayRow, HolidayRow, NoticeRow, SlotEdit
from citymes_app.state.hours_state import HOLIDAY_DAY_ID, HOLIDAY_NAME_ID, HoursState

ROUTE = "/admin/hours"
TITLE = "Office hours · CityMes"
ON_LOAD = HoursState.open_hours_page

S = HoursState


# --- Open now? ---


def _fact(icon: str, title: str, value: rx.Component, **props) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(icon, size=18, color="var(--accent-11)"),
            width="36px",
            height="36px",
            border_radius="10px",
            background="var(--accent-a3)",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(title, size="1", color_scheme="gray"),
            value,
            spacing="0",
            min_width="0",
        ),
        align="center",
        spacing="3",
        padding="14px 18px",
        background=styles.PANEL_BACKGROUND,
        border=styles.BORDER,
        border_radius="var(--radius-4)",
        flex="1",
        min_width="0",
        **props,
    )


def status_strip() -> rx.Component:
    """Whether operators are at work now, when they are next, and on which clock."""
    open_badge = rx.hstack(
        rx.box(width="8px", height="8px", border_radius="50%", background="var(--green-9)"),
        rx.text("Open now", size="3", weight="bold", color="var(--green-11)"),
        align="center",
        spacing="2",
    )
    closed_badge = rx.hstack(
        rx.box(width="8px", height="8px", border_radius="50%", background="var(--red-9)"),
        rx.text("Closed now", size="3", weight="bold", color="var(--red-11)"),
        rx.cond(S.closed_because != "", rx.text(S.closed_because, size="2", color_scheme="gray")),
        align="center",
        spacing="2",
    )
    return rx.hstack(
        _fact("door-open", "Operators", rx.cond(S.open_now, open_badge, closed_badge), id="open-now"),
        _fact(
            "calendar-clock",
            "Next opening",
            rx.text(rx.cond(S.next_opening != "", S.next_opening, "Not in the next two months"), size="3", weight="medium"),
            id="next-opening",
        ),
        _fact(
            "globe",
            "Clock and public holidays",
            rx.text(S.timezone, " · ", S.region, size="3", weight="medium"),
        ),
        spacing="4",
        width="100%",
    )


# --- The weekly schedule. ---


def time_input(name: rx.Var[str], value: rx.Var[str], on_change, class_name: str) -> rx.Component:  # noqa: ANN001
    """A HH:MM field."""
    return rx.input(
        name=name,
        value=value,
        on_change=on_change,
        placeholder="HH:MM",
        max_length=5,
        width="76px",
        size="2",
        text_align="center",
        auto_complete="off",
        class_name=class_name,
        custom_attrs={"inputMode": "numeric"},
    )


def slot_editor(slot: rx.Var[SlotEdit]) -> rx.Component:
    """One opening slot: from, to, remove."""
    return rx.hstack(
        time_input("opens-" + slot.index.to_string(), slot.opens, lambda value: S.set_opens(slot.index, value), "slot-opens"),
        rx.text("–", color_scheme="gray"),
        time_input("closes-" + slot.index.to_string(), slot.closes, lambda value: S.set_closes(slot.index, value), "slot-closes"),
        rx.tooltip(
            rx.icon_button(
                rx.icon("x", size=13),
                variant="ghost",
                color_scheme="gray",
                size="1",
                type="button",
                on_click=S.remove_slot(slot.index),
                aria_label="Remove these hours",
                class_name="slot-remove",
            ),
            content="Remove these hours",
        ),
        align="center",
        spacing="2",
        padding="4px 6px 4px 4px",
        border_radius="var(--radius-3)",
        background="var(--gray-a2)",
        class_name="slot",
        key=slot.index,
    )


def day_row(day: rx.Var[DayRow]) -> rx.Component:
    """A weekday: its slots, or closed."""
    return rx.hstack(
        rx.text(day.name, size="2", weight="medium", width="104px", flex_shrink="0", padding_top="9px"),
        rx.flex(
            rx.cond(
                day.slots.length() > 0,
                rx.foreach(day.slots, slot_editor),
                rx.badge("Closed", variant="soft", color_scheme="gray", size="2", margin_y="4px"),
            ),
            rx.button(
                rx.icon("plus", size=13),
                "Add hours",
                variant="ghost",
                size="1",
                type="button",
                on_click=S.add_slot(day.weekday),
                margin_y="6px",
                class_name="slot-add",
            ),
            wrap="wrap",
            gap="8px",
            align="center",
            flex="1",
        ),
        align="start",
        spacing="3",
        width="100%",
        padding_y="8px",
        border_bottom="1px solid var(--gray-a3)",
        class_name="weekday",
        custom_attrs={"data-weekday": day.weekday.to_string()},
        key=day.weekday,
    )


def schedule_card() -> rx.Component:
    """The weekly schedule, saved as a whole."""
    return card(
        "Weekly schedule",
        "clock",
        rx.text(
            "When operators answer. Several slots a day are fine (09:00–14:00 and 16:00–19:00). Times on the ",
            rx.text.strong(S.timezone),
            " clock.",
            size="1",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                rx.vstack(rx.foreach(S.days, day_row), spacing="0", width="100%", id="schedule"),
                field_error(S.schedule_error != "", S.schedule_error, "schedule-error"),
                rx.hstack(
                    rx.cond(
                        S.schedule_dirty,
                        rx.text("Unsaved changes", size="1", color="var(--amber-11)"),
                    ),
                    rx.spacer(),
                    rx.button(
                        "Undo changes",
                        variant="soft",
                        color_scheme="gray",
                        type="button",
                        on_click=S.undo_schedule,
                        disabled=~S.schedule_dirty,
                    ),
                    rx.button(
                        rx.icon("check", size=15),
                        "Save schedule",
                        type="submit",
                        loading=S.saving_schedule,
                        id="schedule-save",
                    ),
                    align="center",
                    spacing="2",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_schedule,
            width="100%",
        ),
        id="schedule-card",
    )


# --- Holidays. ---


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
                rx.badge("Local", color_scheme="teal", variant="soft", size="1"),
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("trash-2", size=13),
                        variant="ghost",
                        color_scheme="red",
                        size="1",
                        on_click=S.remove_holiday(holiday.local_id),
                        aria_label="Remove this local holiday",
                        class_name="holiday-remove",
                    ),
                    content="Open the office again that day",
                ),
                spacing="2",
                align="center",
            ),
            rx.badge("Public", color_scheme="gray", variant="outline", size="1"),
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
                    label("Date", "holiday-day"),
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
                    label("Name", "holiday-name"),
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
                rx.button(rx.icon("plus", size=14), "Add", type="submit", id="holiday-add", margin_top="22px"),
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
            aria_label="Previous year",
        ),
        rx.text(S.year, size="2", weight="bold", id="holiday-year"),
        rx.icon_button(
            rx.icon("chevron-right", size=14),
            variant="ghost",
            color_scheme="gray",
            size="1",
            on_click=S.show_year(1),
            aria_label="Next year",
        ),
        align="center",
        spacing="2",
    )
    return card(
        "Holidays",
        "calendar-days",
        rx.text(
            "The office is closed on these days: out-of-hours notices say when it opens again. Public holidays of ",
            rx.text.strong(S.region),
            " come from the holidays library; add the town's own.",
            size="1",
            color_scheme="gray",
        ),
        add_holiday_form(),
        rx.vstack(rx.foreach(S.holidays, holiday_row), spacing="0", width="100%", id="holiday-list"),
        aside=year_switch,
        id="holidays-card",
    )


# --- The waiting notices. ---


def notice_editor(notice: rx.Var[NoticeRow]) -> rx.Component:
    """One notice in one language: its wording, saved on its own."""
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.badge(notice.language_name, variant="soft", size="1"),
                rx.text(notice.title, size="2", weight="medium"),
                rx.spacer(),
                rx.cond(
                    notice.custom,
                    rx.badge("Your wording", color_scheme="teal", variant="outline", size="1"),
                    rx.badge("Default wording", color_scheme="gray", variant="outline", size="1"),
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.el.input(type="hidden", name="index", value=notice.index.to_string()),
            rx.text_area(
                name="text",
                value=notice.text,
                on_change=lambda value: S.set_notice_text(notice.index, value),
                rows="3",
                resize="vertical",
                width="100%",
                class_name="notice-text",
                custom_attrs={"dir": "auto"},
            ),
            rx.text(notice.hint, size="1", color_scheme="gray"),
            field_error(notice.error != "", notice.error, "notice-error-" + notice.index.to_string()),
            rx.hstack(
                rx.spacer(),
                rx.cond(
                    notice.custom,
                    rx.button(
                        "Restore default",
                        variant="ghost",
                        color_scheme="gray",
                        size="1",
                        type="button",
                        on_click=S.restore_notice(notice.index),
                    ),
                ),
                rx.button("Save", size="1", type="submit", class_name="notice-save"),
                spacing="3",
                align="center",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        # Which notice travels in the form: a form's submit handler cannot see the loop's variable.
        on_submit=S.save_notice,
        width="100%",
        padding="12px 14px",
        border=styles.BORDER,
        border_radius="var(--radius-3)",
        class_name="notice",
        custom_attrs={"data-language": notice.language, "data-kind": notice.kind},
        key=notice.index,
    )


def notices_card() -> rx.Component:
    """The automatic notices a waiting citizen gets, once per wait."""
    return card(
        "Waiting notices",
        "message-square-text",
        rx.text(
            "When no keyword answers, the citizen waits for an operator and gets one of these notices once, in their language.",
            size="1",
            color_scheme="gray",
        ),
        rx.vstack(rx.foreach(S.notices, notice_editor), spacing="3", width="100%"),
        id="notices-card",
    )


def page() -> rx.Component:
    """The office-hours page."""
    return operator_frame(
        "hours",
        admin_column(
            admin_only(
                page_header(
                    "Office hours", "When operators answer, the days the office is closed, and what citizens hear meanwhile."
                ),
                status_strip(),
                rx.flex(
                    rx.vstack(schedule_card(), notices_card(), spacing="5", flex="1", min_width="0"),
                    rx.vstack(holidays_card(), spacing="5", width="440px", flex_shrink="0"),
                    gap="20px",
                    align="start",
                    width="100%",
                ),
            ),
        ),
    )
