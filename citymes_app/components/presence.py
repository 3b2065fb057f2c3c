"""Who else is here, shown where it matters: the colleagues online in the queue's header, who has a conversation open
on its queue line, and in the open thread who else reads it and who is writing a reply to it
(`state/inbox_presence.py`); and the browser's watch on the reply box that says when it rested (`presence.jsx`)."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventHandler, no_args_event_spec

from citymes_app.state.inbox_format import QueueLine
from citymes_app.state.inbox_presence import TYPING_IDLE_SECONDS
from citymes_app.state.inbox_shared import Presence
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import t, tn

_SOURCE = rx.asset("presence.jsx", shared=True)


class WritingWatch(rx.Component):
    """`WritingWatch` of `presence.jsx`: calls `on_idle` once the draft has not changed for `idle_ms`."""

    library = _SOURCE.importable_path
    tag = "WritingWatch"
    is_default = False

    draft: rx.Var[str]
    idle_ms: rx.Var[int]
    on_idle: EventHandler[no_args_event_spec]  # type: ignore[type-arg,valid-type]  # Reflex types these for pyright


def writing_watch() -> rx.Component:
    """Beside the reply box: tells the server when the operator stopped writing."""
    return WritingWatch.create(draft=InboxState.draft, idle_ms=TYPING_IDLE_SECONDS * 1000, on_idle=InboxState.stopped_writing)


def _face(presence: rx.Var[Presence], size: str = "1") -> rx.Component:
    """A colleague's initial, their name on hover."""
    return rx.tooltip(
        rx.avatar(fallback=presence.name[:1], size=size, radius="full", variant="solid", color_scheme="iris"),
        content=presence.name,
    )


def colleagues_online() -> rx.Component:
    """In the queue's header: the colleagues with the inbox open, a face each, with a green dot."""
    return rx.cond(
        InboxState.colleagues_here.length() > 0,
        rx.hstack(
            rx.foreach(
                InboxState.colleagues_here,
                lambda presence: rx.box(
                    _face(presence, size="1"),
                    rx.box(
                        position="absolute",
                        right="-1px",
                        bottom="-1px",
                        width="8px",
                        height="8px",
                        border_radius="50%",
                        background="var(--grass-9)",
                        border="2px solid var(--color-panel-solid)",
                    ),
                    position="relative",
                    class_name="online-colleague",
                    custom_attrs={"data-name": presence.name},
                ),
            ),
            spacing="1",
            align="center",
            id="colleagues-online",
            aria_label=t("Colleagues online"),
        ),
    )


def line_readers(line: rx.Var[QueueLine]) -> rx.Component:
    """On a queue line: the colleagues who have it open (an eye and their initials)."""
    return rx.foreach(
        InboxState.colleagues_reading,
        lambda presence: rx.cond(
            presence.conversation_id == line.id,
            rx.badge(
                rx.cond(presence.typing, rx.icon("pencil", size=11), rx.icon("eye", size=11)),
                presence.name[:1],
                color_scheme="iris",
                variant="outline",
                size="1",
                class_name="line-reader",
                title=presence.name,
            ),
        ),
    )


def here_too() -> rx.Component:
    """In the thread's header: who else has this conversation open."""
    return rx.cond(
        InboxState.colleagues_on_this.length() > 0,
        rx.hstack(
            rx.icon("eye", size=13, color="var(--iris-11)"),
            rx.foreach(InboxState.colleagues_on_this, lambda presence: _face(presence)),
            rx.text(tn("also here", "also here", InboxState.colleagues_on_this.length()), size="1", color="var(--iris-11)"),
            spacing="1",
            align="center",
            id="here-too",
        ),
    )


def writing_now() -> rx.Component:
    """Above the reply box: "Pau is writing a reply…" for each colleague writing to this conversation."""
    return rx.foreach(
        InboxState.colleagues_on_this,
        lambda presence: rx.cond(
            presence.typing,
            rx.hstack(
                rx.icon("pencil-line", size=13),
                rx.text(t("{name} is writing a reply…", name=presence.name), size="1"),
                spacing="1",
                align="center",
                color="var(--iris-11)",
                class_name="writing-now",
                role="status",
            ),
        ),
    )
