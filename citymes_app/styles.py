"""Look and feel in one place: the Radix theme and the few shared measures and surfaces."""

from __future__ import annotations

import reflex as rx
from reflex_base.components.component import ComponentStyle

THEME = rx.theme(accent_color="teal", gray_color="slate", radius="large", scaling="100%", appearance="light")

SIDEBAR_WIDTH = "232px"
QUEUE_WIDTH = "360px"
CITIZEN_PANEL_WIDTH = "300px"  # the inbox's third pane: who the conversation is with
BUBBLE_MAX_WIDTH = "min(70%, 560px)"

PAGE_BACKGROUND = "var(--gray-2)"
PANEL_BACKGROUND = "var(--color-panel-solid)"
BORDER = "1px solid var(--gray-a5)"

# Applied to the whole app: system fonts, and nothing scrolls but the panels meant to.
BASE_STYLE: ComponentStyle = {
    "font_family": "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "::selection": {"background_color": "var(--accent-a5)"},
}

# Messages are text: keep the citizen's line breaks, break very long words, let the script pick its direction.
MESSAGE_TEXT = {
    "white_space": "pre-wrap",
    "overflow_wrap": "anywhere",
    "line_height": "1.45",
}

BUBBLE_CITIZEN_BACKGROUND = PANEL_BACKGROUND
BUBBLE_OPERATOR_BACKGROUND = "var(--accent-3)"
BUBBLE_OPERATOR_BORDER = "1px solid var(--accent-a5)"
BUBBLE_BOT_BACKGROUND = "var(--gray-3)"
# Internal notes (operators only, never sent): amber, across the thread, and the composer while it writes one.
NOTE_BACKGROUND = "var(--amber-3)"
NOTE_BORDER = "1px dashed var(--amber-8)"
NOTE_MAX_WIDTH = "min(90%, 720px)"

# The citizen phone.
PHONE_WIDTH = "384px"
PHONE_HEIGHT = "min(760px, calc(100vh - 64px))"
PHONE_CHAT_BACKGROUND = "#dfe7ec"
PHONE_WHATSAPP_CHAT_BACKGROUND = "#efeae2"
phone_frame = {
    "width": PHONE_WIDTH,
    "height": PHONE_HEIGHT,
    "border_radius": "44px",
    "padding": "12px",
    "background": "#1c2024",
    "box_shadow": "0 24px 60px rgba(15, 23, 42, 0.35), inset 0 0 0 2px #3a3f44",
    "flex_shrink": "0",
}
phone_screen = {
    "width": "100%",
    "height": "100%",
    "border_radius": "34px",
    "overflow": "hidden",
    "background": PHONE_CHAT_BACKGROUND,
    "display": "flex",
    "flex_direction": "column",
}

# One line, cut with an ellipsis (Reflex's Text has no `truncate` prop).
ONE_LINE = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis", "min_width": "0"}
