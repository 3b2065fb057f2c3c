"""Why something was refused, in red, where the operator is looking."""

from __future__ import annotations

import reflex as rx


def error_notice(message: rx.Var[str], element_id: str, **props) -> rx.Component:
    """The reason, while there is one (an empty message shows nothing)."""
    return rx.cond(
        message != "",
        rx.callout(
            message, icon="circle-alert", color_scheme="red", size="1", width="100%", id=element_id, role="alert", **props
        ),
    )
