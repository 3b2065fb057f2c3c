"""The inbox's keyboard shortcuts (`inbox_keys.jsx`) and the dialog that lists them.

The shortcuts live in the browser and only click or focus what the mouse would (a queue line, Resolve, the reply box),
so they add no server event: every check the server makes on a click holds for a key as well."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.dialog_close import dialog_close
from citymes_app.state.language import t

_SOURCE = rx.asset("inbox_keys.jsx", shared=True)

SHORTCUTS_BUTTON_ID = "shortcuts-button"  # `?` clicks it (see `inbox_keys.jsx`)


class InboxKeys(rx.Component):
    """`InboxKeys` of `inbox_keys.jsx`: listens for the shortcuts on the document while the inbox is shown."""

    library = _SOURCE.importable_path
    tag = "InboxKeys"
    is_default = False


def _shortcut(keys: list[str], action: rx.Var[str]) -> rx.Component:
    return rx.hstack(
        rx.hstack(*[rx.text.kbd(key, size="2") for key in keys], spacing="1", min_width="120px"),
        rx.text(action, size="2"),
        align="center",
        spacing="3",
        width="100%",
        class_name="shortcut",
    )


def shortcuts_dialog() -> rx.Component:
    """A small keyboard button (and `?`) opening the list of the inbox's shortcuts, with the listener itself."""
    return rx.fragment(
        InboxKeys.create(),
        rx.dialog.root(
            rx.dialog.trigger(
                rx.icon_button(
                    rx.icon("keyboard", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    size="1",
                    id=SHORTCUTS_BUTTON_ID,
                    aria_label=t("Keyboard shortcuts"),
                    title=t("Keyboard shortcuts (?)"),
                ),
            ),
            rx.dialog.content(
                rx.dialog.title(t("Keyboard shortcuts")),
                rx.dialog.description(
                    t("The letters and arrows work while you are not writing; Esc leaves the reply box."),
                    size="2",
                    color_scheme="gray",
                    margin_bottom="12px",
                ),
                rx.vstack(
                    _shortcut(["j", "↓"], t("Next conversation")),
                    _shortcut(["k", "↑"], t("Previous conversation")),
                    _shortcut(["r"], t("Write a reply")),
                    _shortcut(["/"], t("Canned responses")),
                    _shortcut(["Enter"], t("Send the reply")),
                    _shortcut(["Shift", "Enter"], t("New line in the reply")),
                    _shortcut(["e"], t("Resolve the conversation")),
                    _shortcut(["Esc"], t("Leave the reply box")),
                    _shortcut(["?"], t("This list")),
                    spacing="2",
                    width="100%",
                ),
                dialog_close(),
                max_width="420px",
                position="relative",
                id="shortcuts-dialog",
            ),
        ),
    )
