"""The ✕ in the top corner of the inbox's dialogs."""

from __future__ import annotations

import reflex as rx

from citymes_app.state.language import t


def dialog_close() -> rx.Component:
    """Closes the dialog it is in (its content needs `position="relative"`)."""
    return rx.dialog.close(
        rx.icon_button(
            rx.icon("x", size=16),
            variant="ghost",
            color_scheme="gray",
            position="absolute",
            top="14px",
            right="14px",
            aria_label=t("Close"),
        ),
    )
