"""Pieces of the citizen phone: the screen's title bar, its bubbles and the composer."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.state.citizen_state import CitizenState, PhoneMessage
from citymes_app.state.language import t

PHOTO_UPLOAD_ID = "citizen-photo"


def title_bar() -> rx.Component:
    """The chat's header: the bot the citizen writes to."""
    return rx.hstack(
        rx.center(
            rx.icon("landmark", size=18, color="white"),
            width="36px",
            height="36px",
            border_radius="50%",
            background="var(--accent-9)",
        ),
        rx.vstack(
            rx.text(CitizenState.bot_name, size="2", weight="bold", trim="both", id="phone-bot-name"),
            rx.text(
                rx.match(
                    CitizenState.platform, ("whatsapp", t("WhatsApp Business account")), ("telegram", t("Telegram bot")), ""
                ),
                size="1",
                color_scheme="gray",
                trim="both",
                id="phone-platform",
            ),
            spacing="1",
        ),
        align="center",
        spacing="3",
        padding="34px 16px 10px",
        background="white",
        border_bottom="1px solid #d5dde2",
        width="100%",
    )


def _file_link(message: rx.Var[PhoneMessage], icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=16),
            rx.text(rx.cond(message.filename != "", message.filename, t("File")), size="2"),
            spacing="2",
            align="center",
        ),
        href=message.file_url,
        is_external=True,
    )


def _content(message: rx.Var[PhoneMessage]) -> rx.Component:
    text = rx.cond(
        message.text != "",
        rx.text(
            message.text,
            size="2",
            style=styles.MESSAGE_TEXT,
            custom_attrs={"dir": "auto"},
            class_name="phone-text",
        ),
    )
    return rx.match(
        message.kind,
        (
            "photo",
            rx.vstack(
                rx.image(src=message.file_url, max_width="100%", border_radius="10px", alt=t("Photo")),
                text,
                spacing="1",
            ),
        ),
        (
            "location",
            rx.link(
                rx.hstack(rx.icon("map-pin", size=16, color="var(--red-9)"), rx.text(message.place, size="2")),
                href=message.map_url,
                is_external=True,
                class_name="phone-location",
            ),
        ),
        ("contact", rx.hstack(rx.icon("contact", size=16), rx.text(message.contact, size="2"), align="center")),
        ("document", rx.vstack(_file_link(message, "file-text"), text, spacing="1")),
        ("video", rx.vstack(_file_link(message, "film"), text, spacing="1")),
        ("voice", rx.vstack(_file_link(message, "mic"), text, spacing="1")),
        ("audio", rx.vstack(_file_link(message, "music"), text, spacing="1")),
        text,
    )


def _choice(title: rx.Var[str], message: rx.Var[PhoneMessage]) -> rx.Component:
    return rx.button(
        rx.cond(message.buttons_kind == "list", rx.icon("list", size=14), rx.icon("reply", size=14)),
        title,
        on_click=CitizenState.tap_choice(title, message.buttons_kind),
        variant="ghost",
        size="2",
        width="100%",
        disabled=CitizenState.sending,
        class_name="phone-choice",
        type="button",
    )


def _menu(message: rx.Var[PhoneMessage]) -> rx.Component:
    """The buttons or list rows under a town hall's message: tapping one answers with it."""
    return rx.cond(
        message.buttons.length() > 0,
        rx.vstack(
            rx.foreach(message.buttons, lambda title: _choice(title, message)),
            spacing="1",
            width="100%",
            padding_top="6px",
            margin_top="6px",
            border_top="1px solid #e3e8eb",
        ),
    )


def phone_bubble(message: rx.Var[PhoneMessage]) -> rx.Component:
    """One bubble: the citizen on the right, the bot on the left."""
    return rx.box(
        _content(message),
        _menu(message),
        rx.text(message.time_label, size="1", color="var(--gray-9)", text_align="right", margin_top="2px"),
        padding="6px 10px",
        border_radius="14px",
        max_width="82%",
        box_shadow="0 1px 1px rgba(0, 0, 0, 0.08)",
        align_self=rx.cond(message.from_citizen, "flex-end", "flex-start"),
        background=rx.cond(message.from_citizen, rx.cond(CitizenState.platform == "whatsapp", "#d9fdd3", "#e3f8d3"), "white"),
        border_bottom_right_radius=rx.cond(message.from_citizen, "4px", "14px"),
        border_bottom_left_radius=rx.cond(message.from_citizen, "14px", "4px"),
        class_name=rx.cond(message.from_citizen, "phone-bubble from-citizen", "phone-bubble from-bot"),
        key=message.id,
    )


def _tool(icon: str, label: rx.Var[str], **props) -> rx.Component:
    return rx.tooltip(
        rx.icon_button(rx.icon(icon, size=18), variant="ghost", color_scheme="gray", size="2", aria_label=label, **props),
        content=label,
    )


def composer() -> rx.Component:
    """Attach a photo, share the location or the contact, type and send."""
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.upload(
                    _tool("image", t("Send a photo"), type="button"),
                    id=PHOTO_UPLOAD_ID,
                    accept={"image/*": [".jpg", ".jpeg", ".png", ".gif", ".webp"]},
                    multiple=False,
                    max_files=1,
                    no_drag=True,
                    on_drop=CitizenState.send_photo(rx.upload_files(upload_id=PHOTO_UPLOAD_ID)),
                    border="none",
                    padding="0",
                ),
                _tool(
                    "map-pin",
                    t("Share my location"),
                    on_click=CitizenState.share_location,
                    type="button",
                    id="share-location",
                ),
                _tool(
                    "contact",
                    t("Share my contact"),
                    on_click=CitizenState.share_contact,
                    type="button",
                    id="share-contact",
                ),
                rx.input(
                    name="text",
                    id="phone-text",
                    placeholder=t("Message"),
                    value=CitizenState.draft,
                    on_change=CitizenState.set_draft,
                    radius="full",
                    size="2",
                    flex="1",
                    auto_complete="off",
                    custom_attrs={"dir": "auto"},
                ),
                rx.icon_button(
                    rx.icon("send-horizontal", size=16),
                    type="submit",
                    radius="full",
                    size="2",
                    loading=CitizenState.sending,
                    id="phone-send",
                    aria_label=t("Send"),
                ),
                align="center",
                spacing="1",
                width="100%",
            ),
            on_submit=CitizenState.send_text,
            width="100%",
        ),
        padding="8px 10px 18px",
        background="white",
        border_top="1px solid #d5dde2",
        width="100%",
    )
