"""`/login`: operators sign in; a wrong password is said beside the form."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.error_notice import error_notice
from citymes_app.components.frame import brand, language_switch
from citymes_app.state.auth_state import AuthState
from citymes_app.state.language import t

ROUTE = "/login"
TITLE = t("Sign in") + " · CityMes"
ON_LOAD = AuthState.open_login


def _field(label: rx.Var[str], **input_props) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=input_props["id"]),
        rx.input(size="3", width="100%", on_change=AuthState.clear_login_error, **input_props),
        spacing="1",
        width="100%",
    )


def login_form() -> rx.Component:
    """Email, password, the reason a sign-in failed, and the button."""
    return rx.form(
        rx.vstack(
            _field(t("Email"), name="email", id="login-email", type="email", placeholder=t("you@townhall.example")),
            _field(t("Password"), name="password", id="login-password", type="password"),
            error_notice(AuthState.login_error, "login-error"),
            rx.button(
                t("Sign in"),
                type="submit",
                size="3",
                width="100%",
                loading=AuthState.signing_in,
                id="login-submit",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=AuthState.sign_in,
        width="100%",
    )


def page() -> rx.Component:
    """The login page."""
    return rx.center(
        rx.vstack(
            rx.hstack(brand("6"), rx.spacer(), language_switch(), width="100%", align="center"),
            rx.card(
                rx.vstack(
                    rx.heading(t("Sign in"), size="6"),
                    rx.text(t("The citizen-service inbox of your organisation."), size="2", color_scheme="gray"),
                    login_form(),
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
            ),
            rx.link(
                rx.hstack(
                    rx.icon("smartphone", size=14),
                    rx.text(t("Just looking? Play a citizen on the demo phone"), size="2"),
                    spacing="2",
                    align="center",
                ),
                href="/citizen",
                color_scheme="gray",
            ),
            align="center",
            spacing="5",
            width="100%",
            max_width="420px",
            padding="24px",
        ),
        min_height="100vh",
        background=styles.PAGE_BACKGROUND,
    )
