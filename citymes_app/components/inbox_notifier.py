"""The inbox's notifications (`inbox_notifier.jsx`): a toast, an optional beep and, while the tab is hidden, a browser
notification when a citizen writes or a conversation is assigned to the operator; and the bell menu that switches the
browser notifications and the sound on or off.

All of it runs in the browser from the live queue the tab already receives (`InboxState.notice_queue`), so it adds no
server event, but one: clicking a browser notification brings the tab forward and opens its conversation through the
same handler a click on its queue line calls (`on_open`, so the server checks it as it checks that click). The choices
stay in the browser (localStorage), like the browser's own permission."""

from __future__ import annotations

import reflex as rx
from reflex.event import passthrough_event_spec

from citymes_app.state.inbox_format import QueueNotices
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import t

_SOURCE = rx.asset("inbox_notifier.jsx", shared=True)


class InboxNotifier(rx.Component):
    """`InboxNotifier` of `inbox_notifier.jsx`: compares each version of the queue with the one before."""

    library = _SOURCE.importable_path
    tag = "InboxNotifier"
    is_default = False

    notices: rx.Var[QueueNotices]
    me: rx.Var[int]
    selected: rx.Var[int]
    new_message: rx.Var[str]
    assigned: rx.Var[str]
    citizen: rx.Var[str]
    # A browser notification was clicked: the id of the conversation it is about.
    on_open: rx.EventHandler[passthrough_event_spec(int)]  # type: ignore[type-arg,valid-type]  # Reflex reads the spec at run time


class NotificationBell(rx.Component):
    """`NotificationBell` of `inbox_notifier.jsx`: the menu switching browser notifications and sound."""

    library = _SOURCE.importable_path
    tag = "NotificationBell"
    is_default = False

    label: rx.Var[str]
    browser_label: rx.Var[str]
    sound_label: rx.Var[str]
    blocked_label: rx.Var[str]


def notifications() -> rx.Component:
    """The bell menu in the inbox's header, with the notifier itself."""
    return rx.fragment(
        InboxNotifier.create(
            notices=InboxState.notice_queue,
            me=InboxState.me_id,
            selected=InboxState.selected_id,
            new_message=t("New message from {name}"),
            assigned=t("Conversation assigned to you: {name}"),
            citizen=t("Citizen #{id}"),
            on_open=InboxState.select,
        ),
        NotificationBell.create(
            label=t("Notifications"),
            browser_label=t("Browser notifications"),
            sound_label=t("Sound"),
            blocked_label=t("Browser notifications (blocked in the browser's settings)"),
        ),
    )
