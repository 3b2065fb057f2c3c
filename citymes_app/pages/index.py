"""`/`: straight to the inbox (which sends a signed-out browser to the login page)."""

from __future__ import annotations

import reflex as rx

from citymes_app.state.auth_state import HOME_ROUTE

ROUTE = "/"
TITLE = "CityMes"
ON_LOAD = rx.redirect(HOME_ROUTE)


def page() -> rx.Component:
    """Nothing to see: the redirect happens on load."""
    return rx.center(rx.spinner(size="3"), min_height="100vh")
