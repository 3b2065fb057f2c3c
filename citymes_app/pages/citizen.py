"""`/citizen`: the citizen phone — play a citizen of the demo town and watch the system answer. No login."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.frame import brand, language_switch
from citymes_app.components.phone import composer, phone_bubble, title_bar
from citymes_app.state.citizen_state import CitizenState
from citymes_app.state.language import t

ROUTE = "/citizen"
TITLE = t("Citizen phone") + " · CityMes"
ON_LOAD = CitizenState.open_phone


def _step(number: str, text: rx.Var[str]) -> rx.Component:
    return rx.hstack(
        rx.badge(number, radius="full", variant="solid", size="1"),
        rx.text(text, size="2"),
        align="start",
        spacing="2",
    )


def platform_switch() -> rx.Component:
    """Telegram or WhatsApp, when the installation plays both."""
    return rx.cond(
        CitizenState.platforms.length() > 1,
        rx.segmented_control.root(
            rx.segmented_control.item(rx.hstack(rx.icon("send", size=14), "Telegram", align="center"), value="telegram"),
            rx.segmented_control.item(
                rx.hstack(rx.icon("message-circle", size=14), "WhatsApp", align="center"), value="whatsapp"
            ),
            value=CitizenState.platform,
            on_change=CitizenState.choose_platform,
            width="100%",
            id="platform-switch",
        ),
    )


def settings_card() -> rx.Component:
    """Who the citizen is and which bot or number they write to."""
    return rx.card(
        rx.vstack(
            platform_switch(),
            rx.text(rx.cond(CitizenState.platform == "whatsapp", t("Number"), t("Bot")), size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(placeholder=t("Nothing to write to"), width="100%", id="bot-select"),
                rx.select.content(
                    rx.foreach(CitizenState.platform_channels, lambda line: rx.select.item(line.name, value=line.id)),
                ),
                value=CitizenState.bot_id,
                on_change=CitizenState.choose_bot,
            ),
            rx.text(t("Your name"), size="2", weight="medium"),
            rx.input(
                value=CitizenState.citizen_name,
                on_change=CitizenState.set_citizen_name,
                id="citizen-name",
                width="100%",
            ),
            rx.hstack(
                rx.text(CitizenState.address_label, size="1", color_scheme="gray", id="chat-id"),
                rx.spacer(),
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    t("New citizen"),
                    variant="ghost",
                    size="1",
                    color_scheme="gray",
                    on_click=CitizenState.new_chat,
                ),
                width="100%",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def intro() -> rx.Component:
    """What this page is for."""
    return rx.vstack(
        rx.hstack(brand("6"), rx.spacer(), language_switch(), align="center", width="100%"),
        rx.heading(t("The citizen phone"), size="7", letter_spacing="-0.02em"),
        rx.text(
            t(
                "Play a citizen of the demo town on Telegram or WhatsApp. Your messages travel to the town hall "
                "exactly like a real citizen's, and its answers come back here."
            ),
            size="3",
            color_scheme="gray",
        ),
        rx.vstack(
            _step("1", t("Write HORARIS, DEIXALLERIA or PADRO: the answer comes at once; tap its buttons to go on.")),
            _step("2", t("Write anything else: it waits for an operator in the inbox.")),
            _step("3", t("Send a photo, your location or your contact card like a citizen reporting an incident.")),
            spacing="2",
        ),
        settings_card(),
        rx.cond(
            CitizenState.error != "",
            rx.callout(CitizenState.error, icon="triangle-alert", color_scheme="red", width="100%", id="citizen-error"),
        ),
        rx.link(
            rx.hstack(rx.icon("inbox", size=14), rx.text(t("Open the operators' inbox"), size="2"), align="center"),
            href="/inbox",
            is_external=True,
        ),
        spacing="4",
        max_width="420px",
        width="100%",
    )


def phone() -> rx.Component:
    """The phone: title bar, the chat, the composer."""
    return rx.box(
        rx.box(
            title_bar(),
            rx.auto_scroll(
                rx.vstack(
                    rx.cond(
                        CitizenState.messages.length() == 0,
                        rx.center(
                            rx.text(t("Say hello to the town hall"), size="2", color_scheme="gray"),
                            padding="10px 14px",
                            background="rgba(255,255,255,0.7)",
                            border_radius="12px",
                            align_self="center",
                            margin_top="24px",
                        ),
                    ),
                    rx.foreach(CitizenState.messages, phone_bubble),
                    spacing="2",
                    padding="12px",
                    width="100%",
                ),
                flex="1",
                overflow_y="auto",
                id="phone-chat",
            ),
            composer(),
            style=styles.phone_screen,
            background=rx.cond(
                CitizenState.platform == "whatsapp", styles.PHONE_WHATSAPP_CHAT_BACKGROUND, styles.PHONE_CHAT_BACKGROUND
            ),
        ),
        style=styles.phone_frame,
        id="phone",
    )


def page() -> rx.Component:
    """The citizen phone page."""
    return rx.center(
        rx.flex(
            intro(),
            phone(),
            direction=rx.breakpoints(initial="column", md="row"),
            align="center",
            justify="center",
            gap="64px",
            padding="32px",
            width="100%",
        ),
        min_height="100vh",
        background="linear-gradient(135deg, var(--teal-2) 0%, var(--gray-2) 55%, var(--sky-2) 100%)",
    )
