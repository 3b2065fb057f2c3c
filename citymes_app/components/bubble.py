"""A message bubble of a conversation's thread: the citizen on the left, the town hall on the right; an operators'
internal note across the middle.

Everything a citizen wrote is shown as text (React escapes it); media come from the API's `/media/...` route,
which checks the operator's session cookie.
"""

from __future__ import annotations

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import Var, VarData

from citymes_app import styles
from citymes_app.state.inbox_format import Bubble
from citymes_app.state.language import t

# Where the backend answers, as the browser must call it: the same origin in prod mode, the backend port in dev.
BACKEND_ORIGIN: Var[str] = Var(
    _js_expr="getBackendURL(env.UPLOAD).origin",
    _var_data=VarData(
        imports={
            "$/utils/state": "getBackendURL",
            "$/env.json": ImportVar(tag="env", is_default=True),
        }
    ),
).to(str)


def media_url(media_path: Var[str]) -> Var[str]:
    """The URL of a stored media file ("tenant_id/name")."""
    return BACKEND_ORIGIN + "/media/" + media_path


def message_text(text: Var[str], **props) -> rx.Component:
    """A message's words, as text, in the direction of their script."""
    return rx.text(text, size="2", style=styles.MESSAGE_TEXT, custom_attrs={"dir": "auto"}, class_name="body", **props)


def _missing_file() -> rx.Component:
    return rx.text(t("The file could not be fetched from the platform."), size="1", color_scheme="gray")


def _with_file(bubble: Var[Bubble], content: rx.Component) -> rx.Component:
    return rx.cond(bubble.media_path != "", content, _missing_file())


def _photo(bubble: Var[Bubble]) -> rx.Component:
    return _with_file(
        bubble,
        rx.link(
            rx.image(
                src=media_url(bubble.media_path),
                alt=t("Photo from the citizen"),
                # Its height is kept before the file arrives, so the thread, scrolled to its newest message when it
                # opens, stays there once the picture is in (a height that grows on load pushes the newest out of view).
                height="240px",
                width="auto",
                max_width="100%",
                object_fit="contain",
                border_radius="var(--radius-3)",
                display="block",
                class_name="photo",
            ),
            href=media_url(bubble.media_path),
            is_external=True,
        ),
    )


def _document(bubble: Var[Bubble]) -> rx.Component:
    return _with_file(
        bubble,
        rx.link(
            rx.hstack(
                rx.icon("file-text", size=18),
                rx.text(rx.cond(bubble.media_filename != "", bubble.media_filename, t("Document")), size="2"),
                rx.icon("download", size=14),
                align="center",
                spacing="2",
            ),
            href=media_url(bubble.media_path),
            is_external=True,
            custom_attrs={"download": bubble.media_filename},
            class_name="document",
        ),
    )


def _player(bubble: Var[Bubble], element) -> rx.Component:  # noqa: ANN001
    return _with_file(
        bubble,
        element(src=media_url(bubble.media_path), controls=True, preload="metadata", max_width="100%"),
    )


def _location(bubble: Var[Bubble]) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("map-pin", size=18, color="var(--red-9)"),
            rx.vstack(
                rx.text(t("Location"), size="2", weight="medium"),
                rx.text(bubble.coordinates, size="1", color_scheme="gray"),
                spacing="0",
            ),
            rx.icon("external-link", size=14),
            align="center",
            spacing="2",
        ),
        href=bubble.map_url,
        is_external=True,
        underline="none",
        class_name="location",
    )


def _contact(bubble: Var[Bubble]) -> rx.Component:
    return rx.hstack(
        rx.icon("contact", size=18),
        rx.text(bubble.contact, size="2", class_name="contact"),
        align="center",
        spacing="2",
    )


def _content(bubble: Var[Bubble]) -> rx.Component:
    caption = rx.cond(bubble.text != "", message_text(bubble.text))
    return rx.match(
        bubble.kind,
        ("photo", rx.vstack(_photo(bubble), caption, spacing="2")),
        ("video", rx.vstack(_player(bubble, rx.el.video), caption, spacing="2")),
        ("voice", rx.vstack(_player(bubble, rx.el.audio), caption, spacing="2")),
        ("audio", rx.vstack(_player(bubble, rx.el.audio), caption, spacing="2")),
        ("document", rx.vstack(_document(bubble), caption, spacing="2")),
        ("location", rx.vstack(_location(bubble), caption, spacing="2")),
        ("contact", _contact(bubble)),
        ("unsupported", _unsupported(bubble)),
        ("template", _template(bubble)),
        message_text(bubble.text),
    )


def _unsupported(bubble: Var[Bubble]) -> rx.Component:
    """Something the platform passes on without its content (a sticker, a reaction, a poll...): said so plainly."""
    return rx.vstack(
        rx.hstack(
            rx.icon("circle-help", size=16, color="var(--amber-10)"),
            rx.text(t("Unsupported message"), size="2", weight="medium"),
            align="center",
            spacing="2",
        ),
        rx.text(
            t(
                "The citizen sent something CityMes cannot show (a sticker, a reaction, a poll…). "
                "Ask them to write it if it matters."
            ),
            size="1",
            color_scheme="gray",
        ),
        rx.cond(bubble.text != "", message_text(bubble.text)),
        spacing="1",
        class_name="unsupported",
    )


def _template(bubble: Var[Bubble]) -> rx.Component:
    """An approved template sent outside the free-form window: its text as the citizen reads it."""
    return rx.vstack(
        rx.badge(rx.icon("file-check", size=11), t("Approved template"), variant="outline", size="1", color_scheme="gray"),
        message_text(bubble.text),
        spacing="1",
        class_name="template",
    )


def delivery_status(bubble: Var[Bubble]) -> rx.Component:
    """Under an outbound bubble: pending, sent, delivered, read, or failed with the reason."""
    return rx.match(
        bubble.status,
        ("pending", rx.hstack(rx.icon("clock", size=12), rx.text(t("Pending"), size="1"), spacing="1", align="center")),
        ("sent", rx.hstack(rx.icon("check", size=12), rx.text(t("Sent"), size="1"), spacing="1", align="center")),
        (
            "delivered",
            rx.hstack(rx.icon("check-check", size=12), rx.text(t("Delivered"), size="1"), spacing="1", align="center"),
        ),
        (
            "read",
            rx.hstack(
                rx.icon("check-check", size=12, color="var(--accent-9)"),
                rx.text(t("Read"), size="1"),
                spacing="1",
                align="center",
            ),
        ),
        (
            "failed",
            rx.hstack(
                rx.icon("circle-alert", size=12),
                rx.text(t("Failed: {reason}", reason=bubble.error), size="1"),
                spacing="1",
                align="center",
                color="var(--red-11)",
            ),
        ),
        rx.fragment(),
    )


def note_bubble(bubble: Var[Bubble]) -> rx.Component:
    """An internal note: across the middle of the thread, amber, said to be for operators only."""
    return rx.vstack(
        rx.hstack(
            rx.icon("notebook-pen", size=12),
            rx.text(t("Internal note · {name}", name=bubble.author_name), size="1", weight="medium", class_name="note-label"),
            rx.text("·", size="1"),
            rx.text(bubble.time_label, size="1"),
            spacing="1",
            align="center",
            color="var(--amber-11)",
        ),
        message_text(bubble.text),
        spacing="1",
        padding="8px 14px",
        border_radius="10px",
        background=styles.NOTE_BACKGROUND,
        border=styles.NOTE_BORDER,
        align_self="center",
        width=styles.NOTE_MAX_WIDTH,
        class_name="note",
        custom_attrs={"data-author": "note"},
    )


def chat_bubble(bubble: Var[Bubble]) -> rx.Component:
    """One entry of the thread: a message, or an internal note (keyed apart: a note and a message may share an id)."""
    return rx.fragment(
        rx.cond(bubble.note, note_bubble(bubble), message_bubble(bubble)),
        key=rx.cond(bubble.note, "note-", "message-") + bubble.id.to_string(),
    )


def menu_buttons(bubble: Var[Bubble]) -> rx.Component:
    """Under a town hall's message: the menu it offered (a keyword's related keywords), as the citizen's buttons."""
    return rx.cond(
        bubble.buttons.length() > 0,
        rx.hstack(
            rx.foreach(
                bubble.buttons,
                lambda label: rx.badge(
                    label, variant="surface", color_scheme="gray", radius="large", size="2", class_name="menu-button"
                ),
            ),
            spacing="1",
            wrap="wrap",
            justify="end",
            class_name="menu-buttons",
            aria_label=t("Buttons offered to the citizen"),
        ),
    )


def message_bubble(bubble: Var[Bubble]) -> rx.Component:
    """One message of the thread."""
    header = rx.hstack(
        rx.cond(bubble.author == "bot", rx.icon("bot", size=12)),
        rx.text(bubble.author_name, size="1", weight="medium"),
        rx.text("·", size="1"),
        rx.text(bubble.time_label, size="1"),
        spacing="1",
        align="center",
        color="var(--gray-10)",
    )
    return rx.vstack(
        header,
        rx.box(
            _content(bubble),
            padding="8px 12px",
            border_radius="14px",
            max_width="100%",
            background=rx.match(
                bubble.author,
                ("citizen", styles.BUBBLE_CITIZEN_BACKGROUND),
                ("bot", styles.BUBBLE_BOT_BACKGROUND),
                styles.BUBBLE_OPERATOR_BACKGROUND,
            ),
            border=rx.cond(bubble.author == "operator", styles.BUBBLE_OPERATOR_BORDER, styles.BORDER),
            border_top_left_radius=rx.cond(bubble.outbound, "14px", "4px"),
            border_top_right_radius=rx.cond(bubble.outbound, "4px", "14px"),
        ),
        menu_buttons(bubble),
        rx.cond(bubble.outbound, rx.box(delivery_status(bubble), color="var(--gray-10)", class_name="status")),
        align=rx.cond(bubble.outbound, "end", "start"),
        align_self=rx.cond(bubble.outbound, "flex-end", "flex-start"),
        spacing="1",
        max_width=styles.BUBBLE_MAX_WIDTH,
        class_name=rx.cond(bubble.outbound, "bubble bubble-out", "bubble bubble-in"),
        custom_attrs={"data-author": bubble.author},
    )
