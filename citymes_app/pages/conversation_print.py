"""`/inbox/print/<id>`: one conversation on a plain page to print or save as PDF — the organisation, the citizen, the
channel, its dates, state and labels, every message in order (who wrote it, when, media as links) and the internal
notes apart. Opened from the thread header's printer button; print CSS hides the buttons.

Everything the citizen or an operator wrote is shown as text (React escapes it), never as markup.
"""

from __future__ import annotations

import reflex as rx

from citymes_app.components.bubble import media_url
from citymes_app.components.frame import brand
from citymes_app.state.inbox_print import PRINT_PREFIX, ROUTE_ARGUMENT, ConversationPrintState, PrintedLine
from citymes_app.state.language import t

INBOX_ROUTE = "/inbox"
ROUTE = f"{PRINT_PREFIX}[{ROUTE_ARGUMENT}]"
TITLE = t("Conversation") + " · CityMes"
ON_LOAD = ConversationPrintState.open_print_page

S = ConversationPrintState
# On paper: no buttons, no shadows, a message never cut across two pages, and each link's address written out.
PRINT_CSS = """
@page { size: A4 portrait; margin: 14mm; }
@media print {
  .no-print { display: none !important; }
  body { background: white !important; }
  #print-page { padding: 0 !important; background: white !important; }
  #print-sheet { box-shadow: none !important; border: none !important; padding: 0 !important; }
  .printed-line { break-inside: avoid; }
  a.printed-link::after { content: " (" attr(href) ")"; font-size: 9pt; color: #555; word-break: break-all; }
}
"""
SIDE_COLOURS = {"citizen": "var(--gray-a6)", "operator": "var(--accent-8)", "automatic": "var(--gray-8)"}


def toolbar() -> rx.Component:
    """The way back and printing (not on paper)."""
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text(t("Inbox"), size="2"), align="center", spacing="1"),
            href=INBOX_ROUTE,
        ),
        rx.spacer(),
        rx.cond(
            S.found,
            rx.button(
                rx.icon("printer", size=14),
                t("Print or save as PDF"),
                on_click=rx.call_script("window.print()"),
                id="print-conversation-page",
            ),
        ),
        align="center",
        width="100%",
        class_name="no-print",
    )


def _fact(label: rx.Var[str], value: rx.Var[str] | rx.Component, element_id: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray", width="150px", flex_shrink="0"),
        value if isinstance(value, rx.Component) else rx.text(value, size="2", id=element_id),
        align="start",
        width="100%",
    )


def facts() -> rx.Component:
    """Who, where, when, and how the conversation stands."""
    return rx.vstack(
        _fact(t("Organisation"), S.organisation, "print-organisation"),
        _fact(t("Citizen"), S.citizen, "print-citizen"),
        _fact(t("Channel"), S.channel, "print-channel"),
        _fact(t("Started"), S.opened_at, "print-opened"),
        _fact(t("Last message"), S.last_message_at, "print-last"),
        _fact(t("State"), S.status, "print-state"),
        rx.cond(S.assignee != "", _fact(t("Assigned to"), S.assignee, "print-assignee")),
        rx.cond(
            S.labels.length() > 0,
            _fact(
                t("Labels"),
                rx.hstack(
                    rx.foreach(S.labels, lambda name: rx.badge(name, variant="surface", color_scheme="cyan", radius="full")),
                    spacing="1",
                    wrap="wrap",
                    id="print-labels",
                ),
                "print-labels",
            ),
        ),
        _fact(t("Printed"), S.printed_at, "print-printed"),
        rx.text(t("Times on the organisation's clock ({zone}).", zone=S.zone), size="1", color_scheme="gray", id="print-zone"),
        spacing="1",
        width="100%",
    )


def _attachments(line: rx.Var[PrintedLine]) -> rx.Component:
    return rx.fragment(
        rx.cond(
            line.media_path != "",
            rx.link(
                rx.hstack(rx.icon("paperclip", size=13), rx.text(line.media_name, size="2"), align="center", spacing="1"),
                href=media_url(line.media_path),
                is_external=True,
                class_name="printed-link media-link",
            ),
        ),
        rx.cond(
            line.map_link != "",
            rx.link(
                rx.hstack(rx.icon("map-pin", size=13), rx.text(line.coordinates, size="2"), align="center", spacing="1"),
                href=line.map_link,
                is_external=True,
                class_name="printed-link map-link",
            ),
        ),
        rx.cond(line.contact != "", rx.text(line.contact, size="2")),
    )


def printed_line(line: rx.Var[PrintedLine]) -> rx.Component:
    """A message (or a note): who and when, its kind, its words as text, its file or place."""
    return rx.box(
        rx.hstack(
            rx.text(line.who, size="2", weight="bold", class_name="printed-who"),
            rx.text(line.when, size="1", color_scheme="gray", class_name="printed-when"),
            rx.cond(line.kind != "", rx.badge(line.kind, variant="soft", color_scheme="gray", size="1")),
            spacing="2",
            align="baseline",
            wrap="wrap",
        ),
        rx.cond(
            line.text != "",
            rx.text(line.text, size="2", white_space="pre-wrap", custom_attrs={"dir": "auto"}, class_name="printed-text"),
        ),
        _attachments(line),
        padding="6px 0 6px 12px",
        border_left=rx.match(
            line.side,
            ("operator", f"3px solid {SIDE_COLOURS['operator']}"),
            ("automatic", f"3px dashed {SIDE_COLOURS['automatic']}"),
            ("note", "3px solid var(--amber-8)"),
            f"3px solid {SIDE_COLOURS['citizen']}",
        ),
        width="100%",
        class_name="printed-line",
    )


def record() -> rx.Component:
    """The conversation, found and of the operator's organisation."""
    return rx.vstack(
        rx.hstack(
            rx.heading(t("Conversation with {citizen}", citizen=S.citizen), size="6", id="print-title"),
            rx.spacer(),
            brand("4"),
            align="start",
            width="100%",
        ),
        facts(),
        rx.divider(),
        rx.heading(t("Messages"), size="4"),
        rx.cond(
            S.messages.length() > 0,
            rx.vstack(rx.foreach(S.messages, printed_line), spacing="2", width="100%", id="print-messages"),
            rx.text(t("No messages."), size="2", color_scheme="gray"),
        ),
        rx.cond(
            S.notes.length() > 0,
            rx.vstack(
                rx.divider(),
                rx.heading(t("Internal notes"), size="4"),
                rx.text(t("Written by the organisation's operators; never sent to the citizen."), size="2", color_scheme="gray"),
                rx.vstack(rx.foreach(S.notes, printed_line), spacing="2", width="100%"),
                spacing="3",
                width="100%",
                id="print-notes",
            ),
        ),
        spacing="4",
        width="100%",
    )


def not_found() -> rx.Component:
    """Any id that is not a conversation of the operator's organisation."""
    return rx.vstack(
        rx.heading(t("Conversation not found"), size="5"),
        rx.text(t("There is no such conversation in your organisation's inbox."), size="2", color_scheme="gray"),
        spacing="2",
        id="print-not-found",
    )


def page() -> rx.Component:
    """The printable page."""
    return rx.box(
        rx.el.style(PRINT_CSS),
        rx.vstack(
            toolbar(),
            rx.box(
                rx.cond(
                    S.loaded,
                    rx.cond(S.found, record(), not_found()),
                    rx.center(rx.spinner(size="3"), width="100%", padding="64px"),
                ),
                background="var(--color-panel-solid)",
                border="1px solid var(--gray-a5)",
                border_radius="var(--radius-4)",
                box_shadow="var(--shadow-2)",
                padding="32px",
                width="100%",
                id="print-sheet",
            ),
            spacing="4",
            width="100%",
            max_width="860px",
            margin_x="auto",
        ),
        id="print-page",
        background="var(--gray-2)",
        min_height="100vh",
        padding="24px",
    )
