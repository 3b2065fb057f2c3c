"""An automatic answer drawn as the citizen's phone shows it: the bot's bubble (text, link, image or document, map
pin) and the related keywords offered as buttons under it."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.bubble import media_url
from citymes_app.state.keywords.display import AnswerCard
from citymes_app.state.language import t


def _media(card: rx.Var[AnswerCard]) -> rx.Component:
    return rx.match(
        card.media_kind,
        (
            "photo",
            rx.image(
                src=media_url(card.media_path),
                alt=card.media_filename,
                max_width="100%",
                max_height="180px",
                border_radius="10px",
                display="block",
                class_name="answer-photo",
            ),
        ),
        (
            "document",
            rx.hstack(
                rx.icon("file-text", size=16),
                rx.text(card.media_filename, size="2", style=styles.ONE_LINE),
                align="center",
                spacing="2",
                padding="6px 8px",
                border_radius="8px",
                background="var(--gray-a3)",
                class_name="answer-document",
            ),
        ),
        rx.fragment(),
    )


def _pin(card: rx.Var[AnswerCard]) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("map-pin", size=16, color="var(--red-9)"),
            rx.text(card.pin, size="2"),
            rx.icon("external-link", size=12),
            align="center",
            spacing="1",
        ),
        href=card.pin_url,
        is_external=True,
        underline="none",
        class_name="answer-pin",
    )


def menu_buttons(names: rx.Var[list[str]], class_name: str = "answer-button") -> rx.Component:
    """Keywords offered as buttons under an answer (Telegram's reply keyboard, WhatsApp's quick replies)."""
    return rx.flex(
        rx.foreach(
            names,
            lambda name: rx.box(
                rx.text(name, size="1", weight="medium", style=styles.ONE_LINE),
                padding="6px 10px",
                border_radius="8px",
                background="rgba(255, 255, 255, 0.85)",
                box_shadow="0 1px 1px rgba(0, 0, 0, 0.08)",
                color="var(--accent-11)",
                text_align="center",
                flex="1 1 40%",
                min_width="0",
                class_name=class_name,
            ),
        ),
        wrap="wrap",
        gap="6px",
        width="100%",
    )


def citizen_bubble(text: rx.Var[str]) -> rx.Component:
    """What the citizen wrote, on the right as on their phone."""
    return rx.box(
        rx.text(text, size="2", style=styles.MESSAGE_TEXT, custom_attrs={"dir": "auto"}),
        padding="6px 10px",
        border_radius="14px",
        border_bottom_right_radius="4px",
        background="#e3f8d3",
        box_shadow="0 1px 1px rgba(0, 0, 0, 0.08)",
        max_width="80%",
        align_self="flex-end",
        class_name="answer-question",
    )


def answer_bubble(
    card: rx.Var[AnswerCard],
    question: rx.Var[str] | None = None,
    empty_hint: rx.Var[str] | None = None,
) -> rx.Component:
    """The bot's answer on the citizen's chat background, after the citizen's message when there is one."""
    bubble = rx.vstack(
        _media(card),
        rx.cond(
            card.text != "",
            rx.text(card.text, size="2", style=styles.MESSAGE_TEXT, custom_attrs={"dir": "auto"}, class_name="answer-text"),
            rx.text(
                t("The answer appears here as you write it.") if empty_hint is None else empty_hint,
                size="2",
                color_scheme="gray",
                font_style="italic",
            ),
        ),
        rx.cond(
            card.link != "",
            rx.link(card.link, href=card.link, is_external=True, size="2", class_name="answer-link", style=styles.ONE_LINE),
        ),
        spacing="2",
        padding="8px 12px",
        background="white",
        border_radius="14px",
        border_bottom_left_radius="4px",
        box_shadow="0 1px 1px rgba(0, 0, 0, 0.08)",
        max_width="92%",
        align_self="flex-start",
        class_name="answer-bubble",
    )
    return rx.vstack(
        rx.cond(question != "", citizen_bubble(question)) if question is not None else rx.fragment(),
        bubble,
        rx.cond(
            card.pin != "",
            rx.box(
                _pin(card),
                padding="8px 12px",
                background="white",
                border_radius="14px",
                box_shadow="0 1px 1px rgba(0, 0, 0, 0.08)",
            ),
        ),
        rx.cond(card.buttons.length() > 0, menu_buttons(card.buttons)),
        spacing="2",
        width="100%",
        padding="14px",
        border_radius="var(--radius-4)",
        background=styles.PHONE_CHAT_BACKGROUND,
    )
