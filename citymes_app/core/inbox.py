"""The operators' inbox: the queue, a conversation's thread, replies."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import case
from sqlmodel import Session, select

from citymes_app.core import outbox, templates
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.pipeline import preview
from citymes_app.models import (
    Author,
    Channel,
    Citizen,
    Conversation,
    ConversationStatus,
    Message,
    Operator,
    utcnow,
)
from integrations.base import MessageKind, free_form_window_for

MAX_REPLY_LENGTH = 16_000
MAX_CAPTION_LENGTH = 1000  # both platforms cut captions near 1,024 characters
# Sent as photos; any other file goes as a document (both platforms show these inline).
PHOTO_TYPES = {"image/jpeg", "image/png"}  # a channel splits long texts into several platform messages
QUEUE_LIMIT = 100
THREAD_LIMIT = 300


class InboxError(ValueError):
    """An operator action that cannot be done; the message is shown beside the form."""


@dataclass(frozen=True)
class ConversationSummary:
    """One line of the queue."""

    id: int
    citizen_name: str
    channel_name: str
    platform: str
    preview: str
    last_message_at: str  # ISO 8601, UTC
    unread_count: int
    awaiting_operator: bool
    status: str
    citizen_unreachable: bool

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ThreadMessage:
    """One bubble of a conversation's thread."""

    id: int
    direction: str
    author: str
    author_name: str
    kind: str
    text: str
    media_path: str
    media_filename: str
    latitude: float | None
    longitude: float | None
    contact: str
    status: str
    error: str
    created_at: str

    def as_dict(self) -> dict:
        return asdict(self)


def _citizen_label(citizen: Citizen) -> str:
    return citizen.display_name or f"Citizen #{citizen.id}"


def queue(session: Session, *, tenant_id: int, limit: int = QUEUE_LIMIT) -> list[ConversationSummary]:
    """The tenant's open conversations: those waiting for an operator first, newest first."""
    rows = session.exec(
        select(Conversation, Citizen, Channel)
        .join(Citizen, Citizen.id == Conversation.citizen_id)
        .join(Channel, Channel.id == Conversation.channel_id)
        .where(Conversation.tenant_id == tenant_id, Conversation.status != ConversationStatus.RESOLVED)
        .order_by(case((Conversation.awaiting_operator == True, 0), else_=1), Conversation.last_message_at.desc())  # noqa: E712
        .limit(limit)
    ).all()
    return [
        ConversationSummary(
            id=conversation.id,
            citizen_name=_citizen_label(citizen),
            channel_name=channel.name,
            platform=channel.platform,
            preview=conversation.last_message_preview,
            last_message_at=conversation.last_message_at.isoformat(),
            unread_count=conversation.unread_count,
            awaiting_operator=conversation.awaiting_operator,
            status=conversation.status,
            citizen_unreachable=citizen.unreachable,
        )
        for conversation, citizen, channel in rows
    ]


def _own_conversation(session: Session, *, tenant_id: int, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    # Another tenant's conversation is reported exactly like a missing one.
    if conversation is None or conversation.tenant_id != tenant_id:
        raise InboxError("this conversation does not exist")
    return conversation


def thread(session: Session, *, tenant_id: int, conversation_id: int, limit: int = THREAD_LIMIT) -> list[ThreadMessage]:
    """The last `limit` messages of a conversation of this tenant, oldest first."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    citizen = session.get(Citizen, conversation.citizen_id)
    operators = {op.id: op.display_name for op in session.exec(select(Operator).where(Operator.tenant_id == tenant_id))}
    rows = list(
        session.exec(select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id.desc()).limit(limit))
    )
    rows.reverse()
    names = {Author.CITIZEN: _citizen_label(citizen), Author.BOT: "Automatic answer"}
    return [
        ThreadMessage(
            id=m.id,
            direction=m.direction,
            author=m.author,
            author_name=operators.get(m.operator_id, "Operator")
            if m.author == Author.OPERATOR
            else names.get(m.author, m.author),
            kind=m.kind,
            text=m.text,
            media_path=m.media_path or "",
            media_filename=m.media_filename or "",
            latitude=m.latitude,
            longitude=m.longitude,
            contact=" ".join(filter(None, [m.contact_name, m.contact_phone])),
            status=m.status,
            error=m.error or "",
            created_at=m.created_at.isoformat(),
        )
        for m in rows
    ]


def conversation_title(session: Session, *, tenant_id: int, conversation_id: int) -> str:
    """ "Citizen name · channel" for a conversation's header."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    citizen = session.get(Citizen, conversation.citizen_id)
    channel = session.get(Channel, conversation.channel_id)
    return f"{_citizen_label(citizen)} · {channel.name}"


@dataclass(frozen=True)
class ConversationHeader:
    """Who a conversation is with and where: the header of the open conversation."""

    conversation_id: int
    title: str  # "Citizen name · channel"
    citizen_id: int
    citizen_name: str
    channel_name: str
    platform: str

    def as_dict(self) -> dict:
        """Plain values, for the web layer."""
        return asdict(self)


def conversation_header(session: Session, *, tenant_id: int, conversation_id: int) -> ConversationHeader:
    """The citizen and the channel of a conversation of this tenant; `InboxError` if it is not one."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    citizen = session.get(Citizen, conversation.citizen_id)
    channel = session.get(Channel, conversation.channel_id)
    name = _citizen_label(citizen)
    return ConversationHeader(conversation.id, f"{name} · {channel.name}", citizen.id, name, channel.name, channel.platform)


def mark_read(session: Session, *, tenant_id: int, conversation_id: int) -> None:
    """The operator opened the conversation: nothing unread any more."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    if conversation.unread_count:
        conversation.unread_count = 0
        session.add(conversation)


def reply(session: Session, *, operator: SignedInOperator, conversation_id: int, text: str) -> Message:
    """An operator's text reply, put in the outbox; `InboxError` says why it cannot be sent."""
    if not text.strip():
        raise InboxError("write a reply before sending")
    if len(text) > MAX_REPLY_LENGTH:
        raise InboxError(f"the reply is too long ({len(text)} characters; at most {MAX_REPLY_LENGTH})")
    return _send_free_form(session, operator=operator, conversation_id=conversation_id, text=text)


def send_attachment(
    session: Session,
    *,
    operator: SignedInOperator,
    conversation_id: int,
    media_path: str,
    mime_type: str,
    filename: str,
    caption: str = "",
) -> Message:
    """Send a stored file (a photo when it is an image, else a document) with an optional caption."""
    if len(caption) > MAX_CAPTION_LENGTH:
        raise InboxError(f"the caption is too long ({len(caption)} characters; at most {MAX_CAPTION_LENGTH})")
    kind = MessageKind.PHOTO if mime_type in PHOTO_TYPES else MessageKind.DOCUMENT
    return _send_free_form(
        session,
        operator=operator,
        conversation_id=conversation_id,
        text=caption,
        kind=kind,
        media_path=media_path,
        media_mime=mime_type,
        media_filename=filename,
    )


def send_location(
    session: Session, *, operator: SignedInOperator, conversation_id: int, latitude: float, longitude: float
) -> Message:
    """Send a map pin (an office, the place of an incident)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InboxError("latitude must be within ±90 and longitude within ±180")
    return _send_free_form(
        session,
        operator=operator,
        conversation_id=conversation_id,
        kind=MessageKind.LOCATION,
        latitude=latitude,
        longitude=longitude,
    )


def _send_free_form(session: Session, *, operator: SignedInOperator, conversation_id: int, **content: object) -> Message:
    """Every operator message but a template: the same checks, the outbox, the conversation no longer waiting."""
    conversation = _own_conversation(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    citizen = session.get(Citizen, conversation.citizen_id)
    if citizen.unreachable:
        raise InboxError("this citizen has blocked the channel: the reply cannot be delivered")
    _require_open_window(session, conversation=conversation)
    message = outbox.enqueue(
        session, conversation=conversation, author=Author.OPERATOR, operator_id=operator.operator_id, **content
    )
    conversation.awaiting_operator = False
    conversation.waiting_notice_sent = False  # the next wait gets its own notice
    conversation.unread_count = 0
    conversation.status = ConversationStatus.OPEN
    conversation.last_message_preview = preview(message.kind, message.text)
    if conversation.assigned_operator_id is None:
        conversation.assigned_operator_id = operator.operator_id
    session.add(conversation)
    session.flush()
    return message


def resolve(session: Session, *, tenant_id: int, conversation_id: int) -> None:
    """Close a conversation; the citizen's next message opens a new one."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    conversation.status = ConversationStatus.RESOLVED
    conversation.awaiting_operator = False
    conversation.unread_count = 0
    session.add(conversation)


# --- The free-form window and approved templates -----------------------------------------------------------


@dataclass(frozen=True)
class ReplyWindow:
    """Whether a free-form reply can go out in a conversation now, and the templates that can when it cannot."""

    open: bool
    closes_at: str | None  # ISO 8601, UTC; None when the channel has no window
    explanation: str  # empty while open
    templates: list[templates.Template] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain values, for the web layer."""
        return asdict(self)


def _window_closes_at(session: Session, *, conversation: Conversation) -> tuple[bool, datetime | None]:
    """(has a window, when it closes); closes "never" for channels without one."""
    channel = session.get(Channel, conversation.channel_id)
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


def _closed_window_message(session: Session, *, conversation: Conversation) -> str:
    channel = session.get(Channel, conversation.channel_id)
    hours = int(free_form_window_for(channel.platform).total_seconds() // 3600)
    names = ", ".join(f"{t.name} ({t.language})" for t in templates.list_templates(session, channel_id=channel.id))
    offer = (
        f"Send one of this channel's approved templates instead: {names}."
        if names
        else "This channel has no approved template recorded yet: an administrator can add one."
    )
    return (
        f"The citizen's last message is more than {hours} hours old, so {channel.name} only delivers an approved "
        f"template until they write again; a free-form reply would not arrive. {offer}"
    )


def _require_open_window(session: Session, *, conversation: Conversation) -> None:
    if not _window_is_open(_window_closes_at(session, conversation=conversation)):
        raise InboxError(_closed_window_message(session, conversation=conversation))


def reply_window(session: Session, *, tenant_id: int, conversation_id: int) -> ReplyWindow:
    """Whether the operator may write freely now (say so before they type), with the templates to offer if not."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    closes = _window_closes_at(session, conversation=conversation)
    closes_at = closes[1].isoformat() if closes[1] is not None else None
    available = templates.list_templates(session, channel_id=conversation.channel_id) if closes[0] else []
    if _window_is_open(closes):
        return ReplyWindow(True, closes_at, "", available)
    return ReplyWindow(False, closes_at, _closed_window_message(session, conversation=conversation), available)


def conversation_templates(session: Session, *, tenant_id: int, conversation_id: int) -> list[templates.Template]:
    """The approved templates of the channel a conversation runs on."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    return templates.list_templates(session, channel_id=conversation.channel_id)


def send_template(
    session: Session,
    *,
    operator: SignedInOperator,
    conversation_id: int,
    name: str,
    language: str | None = None,
    params: list[str] | tuple[str, ...] = (),
) -> Message:
    """Put an approved template (with its parameters) in the outbox; allowed inside and outside the window."""
    conversation = _own_conversation(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    citizen = session.get(Citizen, conversation.citizen_id)
    if citizen.unreachable:
        raise InboxError("this citizen has blocked the channel: the message cannot be delivered")
    try:
        template = templates.find_template(session, channel_id=conversation.channel_id, name=name, language=language)
        cleaned = templates.check_params(template, params)
    except templates.TemplateError as exc:
        raise InboxError(str(exc)) from None
    text = templates.render(template.body, cleaned)
    message = outbox.enqueue(
        session,
        conversation=conversation,
        author=Author.OPERATOR,
        text=text,
        kind=MessageKind.TEMPLATE,
        operator_id=operator.operator_id,
        template={"name": template.name, "language": template.language, "params": cleaned},
    )
    conversation.awaiting_operator = False
    conversation.waiting_notice_sent = False  # as after a reply: the next wait gets its own notice
    conversation.unread_count = 0
    conversation.status = ConversationStatus.OPEN
    conversation.last_message_preview = preview(message.kind, text)
    if conversation.assigned_operator_id is None:
        conversation.assigned_operator_id = operator.operator_id
    session.add(conversation)
    session.flush()
    return message
