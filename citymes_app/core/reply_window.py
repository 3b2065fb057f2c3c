"""WhatsApp's free-form window on an operator's reply: whether it is open, until when, and why a reply is refused
once it has closed (with the approved templates that can still go)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from citymes_app.core import templates
from citymes_app.core.phrases import Phrase, PhrasedError
from citymes_app.models import Channel, Conversation, row_id, utcnow
from integrations.base import free_form_window_for


class InboxError(PhrasedError):
    """An operator action that cannot be done; the message is shown beside the form."""


@dataclass(frozen=True)
class ReplyWindow:
    """Whether a free-form reply can go out in a conversation now, and the templates that can when it cannot."""

    applies: bool  # False: the channel has no such window (any reply goes)
    open: bool
    closes_at: datetime | None  # UTC; None when the channel has no window or the citizen never wrote on it
    refusal: Phrase  # why a free-form reply would be refused now (the `InboxError` it would raise); empty while open
    templates: list[templates.Template] = field(default_factory=list)


def _window_closes_at(session: Session, *, conversation: Conversation) -> tuple[bool, datetime | None]:
    """(has a window, when it closes); closes "never" for channels without one."""
    channel = session.get_one(Channel, conversation.channel_id)
    window = free_form_window_for(channel.platform)
    if window is None:
        return False, None
    if conversation.last_inbound_at is None:
        return True, None  # the citizen never wrote on this channel: closed from the start
    return True, conversation.last_inbound_at + window


def _window_is_open(closes: tuple[bool, datetime | None]) -> bool:
    has_window, closes_at = closes
    # The platform measures its window in real time, so this is the wall clock even when tests stop CityMes' own.
    return not has_window or (closes_at is not None and utcnow() < closes_at)


NOTHING = ""
NO_REFUSAL = Phrase(NOTHING)


def _closed_window_message(session: Session, *, conversation: Conversation) -> Phrase:
    channel = session.get_one(Channel, conversation.channel_id)
    window = free_form_window_for(channel.platform)
    if window is None:  # only asked once the window is found closed, so the channel has one
        raise ValueError(f"channel {channel.id} has no free-form window to be closed")
    hours = int(window.total_seconds() // 3600)
    names = ", ".join(f"{t.name} ({t.language})" for t in templates.list_templates(session, channel_id=row_id(channel)))
    offer = (
        Phrase("Send one of this channel's approved templates instead: {names}.", {"names": names})
        if names
        else Phrase("This channel has no approved template recorded yet: an administrator can add one.")
    )
    return Phrase(
        "The citizen's last message is more than {hours} hours old, so {channel} only delivers an approved template "
        "until they write again; a free-form reply would not arrive. {offer}",
        {"hours": hours, "channel": channel.name, "offer": offer},
    )


def require_open_window(session: Session, *, conversation: Conversation) -> None:
    """Refuse (`InboxError`, saying why and what can go instead) a free-form message once the window has closed."""
    if not _window_is_open(_window_closes_at(session, conversation=conversation)):
        raise InboxError(_closed_window_message(session, conversation=conversation))


def window_of(session: Session, *, conversation: Conversation) -> ReplyWindow:
    """The window of a conversation the caller has checked is the operator's tenant's."""
    closes = _window_closes_at(session, conversation=conversation)
    has_window, closes_at = closes
    available = templates.list_templates(session, channel_id=conversation.channel_id) if has_window else []
    if _window_is_open(closes):
        return ReplyWindow(has_window, True, closes_at, NO_REFUSAL, available)
    return ReplyWindow(has_window, False, closes_at, _closed_window_message(session, conversation=conversation), available)
