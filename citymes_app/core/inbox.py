"""The operators' inbox: the queue, a conversation's thread, replies — in typed values (datetimes in UTC, enums).

These functions work inside a session the caller commits; `core.inbox_desk.InboxDesk` is the use case that owns the
transaction and what follows it. How the values are worded on screen is the web layer's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict, Unpack

from sqlmodel import Session, col, select

from citymes_app.core import outbox, statistics, templates
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_queue import QUEUE_LIMIT, ConversationSummary, queue  # noqa: F401 (the queue's home)
from citymes_app.core.inbox_work import changed, check_seen, operator_names
from citymes_app.core.labels import LabelInfo, labels_of
from citymes_app.core.pipeline import preview
from citymes_app.core.reply_window import InboxError, ReplyWindow, require_open_window, window_of
from citymes_app.models import (
    Author,
    Channel,
    Citizen,
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Department,
    Direction,
    Message,
    Tenant,
    row_id,
    utcnow,
)
from integrations.base import MessageKind

MAX_REPLY_LENGTH = 16_000
MAX_CAPTION_LENGTH = 1000  # both platforms cut captions near 1,024 characters
# Sent as photos; any other file goes as a document (both platforms show these inline).
PHOTO_TYPES = {"image/jpeg", "image/png"}  # a channel splits long texts into several platform messages
THREAD_LIMIT = 300


@dataclass(frozen=True)
class ThreadMessage:
    """One bubble of a conversation's thread."""

    id: int
    conversation_id: int
    direction: Direction
    author: Author
    operator_name: str  # who answered, for an operator's message; else empty
    kind: MessageKind
    text: str
    media_path: str  # "tenant_id/name" under the media folder, or ""
    media_filename: str
    latitude: float | None
    longitude: float | None
    contact_name: str  # a shared contact's name and phone, or ""
    contact_phone: str
    status: DeliveryStatus
    error: str
    created_at: datetime  # UTC
    buttons: tuple[str, ...] = ()  # the menu offered under an outbound message (a keyword's related keywords)

    @property
    def outbound(self) -> bool:
        """Written by the town hall (an operator or an automatic answer)."""
        return self.direction == Direction.OUTBOUND


def _own_conversation(session: Session, *, tenant_id: int, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    # Another tenant's conversation is reported exactly like a missing one.
    if conversation is None or conversation.tenant_id != tenant_id:
        raise InboxError("this conversation does not exist")
    return conversation


def _thread_message(message: Message, operators: dict[int, str]) -> ThreadMessage:
    return ThreadMessage(
        id=row_id(message),
        conversation_id=message.conversation_id,
        direction=Direction(message.direction),
        author=Author(message.author),
        operator_name=(
            operators.get(message.operator_id, "")
            if message.author == Author.OPERATOR and message.operator_id is not None
            else ""
        ),
        kind=MessageKind(message.kind),
        text=message.text,
        media_path=message.media_path or "",
        media_filename=message.media_filename or "",
        latitude=message.latitude,
        longitude=message.longitude,
        contact_name=message.contact_name or "",
        contact_phone=message.contact_phone or "",
        status=DeliveryStatus(message.status),
        error=message.error or "",
        created_at=message.created_at,
        buttons=tuple(b for b in message.buttons.split("|") if b),
    )


def thread(session: Session, *, tenant_id: int, conversation_id: int, limit: int = THREAD_LIMIT) -> list[ThreadMessage]:
    """The last `limit` messages of a conversation of this tenant, oldest first."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    operators = operator_names(session, tenant_id=tenant_id)
    rows = list(
        session.exec(
            select(Message).where(Message.conversation_id == conversation.id).order_by(col(Message.id).desc()).limit(limit)
        )
    )
    rows.reverse()
    return [_thread_message(m, operators) for m in rows]


def thread_message(session: Session, *, tenant_id: int, message_id: int) -> ThreadMessage | None:
    """One message of this tenant (a bubble whose delivery status changed), or None."""
    message = session.get(Message, message_id)
    if message is None or message.tenant_id != tenant_id:
        return None
    return _thread_message(message, operator_names(session, tenant_id=tenant_id))


@dataclass(frozen=True)
class ConversationHeader:
    """Who a conversation is with and where: the header of the open conversation."""

    conversation_id: int
    citizen_id: int
    citizen_name: str  # as the platform gave it; may be empty
    channel_name: str
    platform: str
    status: ConversationStatus = ConversationStatus.OPEN
    version: int = 0  # the version of who has it and its state (`core.inbox_work`)
    assignee_id: int | None = None
    assignee_name: str = ""
    snoozed_until: datetime | None = None  # UTC, while snoozed
    labels: tuple[LabelInfo, ...] = ()
    department_id: int | None = None  # the department it is with, and its name ("" when none)
    department_name: str = ""


def conversation_header(session: Session, *, tenant_id: int, conversation_id: int) -> ConversationHeader:
    """The citizen and the channel of a conversation of this tenant; `InboxError` if it is not one."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    citizen = session.get_one(Citizen, conversation.citizen_id)
    channel = session.get_one(Channel, conversation.channel_id)
    assignee = conversation.assigned_operator_id
    return ConversationHeader(
        row_id(conversation),
        row_id(citizen),
        citizen.display_name or "",
        channel.name,
        channel.platform,
        status=ConversationStatus(conversation.status),
        version=conversation.version,
        assignee_id=assignee,
        assignee_name=operator_names(session, tenant_id=tenant_id).get(assignee, "") if assignee else "",
        snoozed_until=conversation.snoozed_until,
        labels=tuple(labels_of(session, tenant_id=tenant_id, conversation_ids=[conversation_id]).get(conversation_id, ())),
        department_id=conversation.department_id,
        department_name=_department_name(session, tenant_id=tenant_id, department_id=conversation.department_id),
    )


def _department_name(session: Session, *, tenant_id: int, department_id: int | None) -> str:
    department = session.get(Department, department_id) if department_id is not None else None
    return department.name if department is not None and department.tenant_id == tenant_id else ""


def mark_read(session: Session, *, tenant_id: int, conversation_id: int) -> bool:
    """The operator opened the conversation: nothing unread any more. Whether anything was unread."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    if not conversation.unread_count:
        return False
    conversation.unread_count = 0
    session.add(conversation)
    return True


def reply(
    session: Session,
    *,
    operator: SignedInOperator,
    conversation_id: int,
    text: str,
    at: datetime | None = None,
    seen_version: int | None = None,
) -> Message:
    """An operator's text reply, put in the outbox (written `at` now, or at a time of an imported history);
    `InboxError` says why it cannot be sent (`ConversationMoved` when someone else took or resolved the conversation
    since the operator saw `seen_version`)."""
    if not text.strip():
        raise InboxError("write a reply before sending")
    if len(text) > MAX_REPLY_LENGTH:
        raise InboxError("the reply is too long ({length} characters; at most {limit})", length=len(text), limit=MAX_REPLY_LENGTH)
    return _send_free_form(
        session,
        operator=operator,
        conversation_id=conversation_id,
        seen_version=seen_version,
        text=text,
        created_at=at or utcnow(),
    )


def send_attachment(
    session: Session,
    *,
    operator: SignedInOperator,
    conversation_id: int,
    media_path: str,
    mime_type: str,
    filename: str,
    caption: str = "",
    seen_version: int | None = None,
) -> Message:
    """Send a stored file (a photo when it is an image, else a document) with an optional caption."""
    if len(caption) > MAX_CAPTION_LENGTH:
        raise InboxError(
            "the caption is too long ({length} characters; at most {limit})", length=len(caption), limit=MAX_CAPTION_LENGTH
        )
    kind = MessageKind.PHOTO if mime_type in PHOTO_TYPES else MessageKind.DOCUMENT
    return _send_free_form(
        session,
        operator=operator,
        conversation_id=conversation_id,
        seen_version=seen_version,
        text=caption,
        kind=kind,
        media_path=media_path,
        media_mime=mime_type,
        media_filename=filename,
    )


def send_location(
    session: Session,
    *,
    operator: SignedInOperator,
    conversation_id: int,
    latitude: float,
    longitude: float,
    seen_version: int | None = None,
) -> Message:
    """Send a map pin (an office, the place of an incident)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InboxError("latitude must be within ±90 and longitude within ±180")
    return _send_free_form(
        session,
        operator=operator,
        conversation_id=conversation_id,
        seen_version=seen_version,
        kind=MessageKind.LOCATION,
        latitude=latitude,
        longitude=longitude,
    )


class _FreeFormContent(TypedDict, total=False):
    """What an operator's free-form message carries, as `outbox.enqueue` takes it."""

    text: str
    kind: MessageKind
    media_path: str
    media_mime: str
    media_filename: str
    latitude: float
    longitude: float
    created_at: datetime


def _send_free_form(
    session: Session,
    *,
    operator: SignedInOperator,
    conversation_id: int,
    seen_version: int | None,
    **content: Unpack[_FreeFormContent],
) -> Message:
    """Every operator message but a template: the same checks, the outbox, the conversation no longer waiting."""
    conversation = _own_conversation(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    check_seen(session, conversation=conversation, operator=operator, seen_version=seen_version)
    citizen = session.get_one(Citizen, conversation.citizen_id)
    if citizen.unreachable:
        raise InboxError("this citizen has blocked the channel: the reply cannot be delivered")
    require_open_window(session, conversation=conversation)
    message = outbox.enqueue(
        session, conversation=conversation, author=Author.OPERATOR, operator_id=operator.operator_id, **content
    )
    return _answered(session, conversation=conversation, operator=operator, message=message)


def _answered(session: Session, *, conversation: Conversation, operator: SignedInOperator, message: Message) -> Message:
    """After any operator message: the conversation no longer waits, nothing unread, and it is theirs if nobody's."""
    statistics.operator_answered(
        session,
        tenant=session.get_one(Tenant, operator.tenant_id),
        conversation=conversation,
        operator_id=operator.operator_id,
        at=message.created_at,
    )
    conversation.awaiting_operator = False
    conversation.waiting_notice_sent = False  # the next wait gets its own notice
    conversation.unread_count = 0
    conversation.last_message_preview = preview(message.kind, message.text)
    taken = conversation.assigned_operator_id is None
    if taken or conversation.status == ConversationStatus.RESOLVED:
        changed(conversation, by=operator.operator_id)  # taken by answering it, or reopened
    if taken:
        conversation.assigned_operator_id = operator.operator_id
    if conversation.status == ConversationStatus.RESOLVED:
        conversation.status = ConversationStatus.OPEN
    session.add(conversation)
    session.flush()
    return message


def resolve(
    session: Session, *, tenant_id: int, conversation_id: int, operator_id: int | None = None, at: datetime | None = None
) -> None:
    """Close a conversation (`operator_id` resolved it, `at` now or at a time of an imported history); the citizen's
    next message opens a new one."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    if conversation.status == ConversationStatus.RESOLVED:
        return  # resolved twice (two tabs): counted once
    statistics.conversation_resolved(
        session, tenant=session.get_one(Tenant, tenant_id), conversation=conversation, operator_id=operator_id, at=at or utcnow()
    )
    conversation.status = ConversationStatus.RESOLVED
    changed(conversation, by=operator_id)
    conversation.awaiting_operator = False
    conversation.unread_count = 0
    session.add(conversation)


# --- The free-form window and approved templates -----------------------------------------------------------


def reply_window(session: Session, *, tenant_id: int, conversation_id: int) -> ReplyWindow:
    """Whether the operator may write freely now (say so before they type), with the templates to offer if not."""
    return window_of(session, conversation=_own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id))


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
    seen_version: int | None = None,
) -> Message:
    """Put an approved template (with its parameters) in the outbox; allowed inside and outside the window."""
    conversation = _own_conversation(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    check_seen(session, conversation=conversation, operator=operator, seen_version=seen_version)
    citizen = session.get_one(Citizen, conversation.citizen_id)
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
    return _answered(session, conversation=conversation, operator=operator, message=message)
