"""The waiting notices card: the automatic notice a waiting citizen gets, per language, in the tenant's words."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.admin import card, field_error
from citymes_app.state.hours_display import NoticeRow
from citymes_app.state.hours_state import HoursState as S
from citymes_app.state.language import t


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
                    rx.badge(t("Your wording"), color_scheme="teal", variant="outline", size="1"),
                    rx.badge(t("Default wording"), color_scheme="gray", variant="outline", size="1"),
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
                        t("Restore default"),
                        variant="ghost",
                        color_scheme="gray",
                        size="1",
                        type="button",
                        on_click=S.restore_notice(notice.index),
                    ),
                ),
                rx.button(t("Save"), size="1", type="submit", class_name="notice-save"),
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
        t("Waiting notices"),
        "message-square-text",
        rx.text(
            t(
                "When no keyword answers, the citizen waits for an operator "
                "and gets one of these notices once, in their language."
            ),
            size="1",
            color_scheme="gray",
        ),
        rx.vstack(rx.foreach(S.notices, notice_editor), spacing="3", width="100%"),
        id="notices-card",
    )
