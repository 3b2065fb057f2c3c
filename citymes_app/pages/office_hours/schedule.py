"""The weekly schedule card: each weekday's opening slots, edited in place and saved together."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from citymes_app.components.admin import card, field_error
from citymes_app.state.hours_display import DayRow, SlotEdit
from citymes_app.state.hours_state import HoursState as S
from citymes_app.state.language import t, t_var


def time_input(name: rx.Var[str], value: rx.Var[str], on_change: Callable[[str], object], class_name: str) -> rx.Component:
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
                aria_label=t("Remove these hours"),
                class_name="slot-remove",
            ),
            content=t("Remove these hours"),
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
        rx.text(t_var(day.name), size="2", weight="medium", width="104px", flex_shrink="0", padding_top="9px"),
        rx.flex(
            rx.cond(
                day.slots.length() > 0,
                rx.foreach(day.slots, slot_editor),
                rx.badge(t("Closed"), variant="soft", color_scheme="gray", size="2", margin_y="4px"),
            ),
            rx.button(
                rx.icon("plus", size=13),
                t("Add hours"),
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
        t("Weekly schedule"),
        "clock",
        rx.text(
            t(
                "When operators answer. Several slots a day are fine (09:00–14:00 and 16:00–19:00). "
                "Times on the {timezone} clock.",
                timezone=S.timezone,
            ),
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
                        rx.text(t("Unsaved changes"), size="1", color="var(--amber-11)"),
                    ),
                    rx.spacer(),
                    rx.button(
                        t("Undo changes"),
                        variant="soft",
                        color_scheme="gray",
                        type="button",
                        on_click=S.undo_schedule,
                        disabled=~S.schedule_dirty,
                    ),
                    rx.button(
                        rx.icon("check", size=15),
                        t("Save schedule"),
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
