"""The message path: store an inbound message once, route it, and enqueue the replies in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from citymes_app.core import clock, inbox_states, routing, statistics
from citymes_app.core.routing import AnswerOutcome
from citymes_app.models import (
    Author,
    Channel,
    Citizen,
    CitizenIdentity,
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Measure,
    Message,
    Tenant,
    row_id,
)
from integrations.base import InboundMessage, MessageKind

PREVIEW_LENGTH = 120
_KIND_PREVIEW = {
    MessageKind.PHOTO: "📷 Photo",
    MessageKind.VIDEO: "🎬 Video",
    MessageKind.AUDIO: "🎵 Audio",
    MessageKind.VOICE: "🎤 Voice message",
    MessageKind.DOCUMENT: "📄 Document",
    MessageKind.LOCATION: "📍 Location",
    MessageKind.CONTACT: "👤 Contact",
    MessageKind.UNSUPPORTED: "⚠ Unsupported message",
}


@dataclass
class StoredMedia:
    """A media file already saved in the media folder."""

    path: str
    mime_type: str | None
    filename: str | None


@dataclass
class ReceiveResult:
    """What the pipeline did with one inbound message."""

    duplicate: bool
    message_id: int | None = None
    conversation_id: int | None = None
    tenant_id: int | None = None
    reply_message_ids: list[int] = field(default_factory=list)


def preview(kind: str, text: str) -> str:
    """The one-line summary of a message shown in the queue."""
    label = _KIND_PREVIEW.get(MessageKind(kind), "") if kind != MessageKind.TEXT else ""
    body = " ".join(text.split())
    combined = f"{label} {body}".strip() if label else body
    return combined[:PREVIEW_LENGTH]


def already_stored(session: Session, *, channel_id: int, platform_message_id: str) -> bool:
    """Whether this platform message was stored before (a retried delivery)."""
    return (
        session.exec(
            select(Message.id).where(Message.channel_id == channel_id, Message.platform_message_id == platform_message_id)
        ).first()
        is not None
    )


def _citizen_for(session: Session, *, channel: Channel, inbound: InboundMessage) -> Citizen:
    identity = session.exec(
        select(CitizenIdentity).where(
            CitizenIdentity.tenant_id == channel.tenant_id,
            CitizenIdentity.platform == channel.platform,
            CitizenIdentity.platform_user_id == inbound.sender_id,
        )
    ).first()
    if identity is not None:
        citizen = session.get_one(Citizen, identity.citizen_id)
        citizen.unreachable = False  # they wrote to us, so they no longer block us
        if inbound.sender_name and citizen.display_name != inbound.sender_name:
            citizen.display_name = inbound.sender_name
        if inbound.sender_phone and not citizen.phone:
            citizen.phone = inbound.sender_phone
        if citizen.language is None and inbound.language_code:
            citizen.language = inbound.language_code[:2].lower()
        session.add(citizen)
        return citizen
    citizen = Citizen(
        tenant_id=channel.tenant_id,
        display_name=inbound.sender_name,
        phone=inbound.sender_phone,
        language=inbound.language_code[:2].lower() if inbound.language_code else None,
    )
    session.add(citizen)
    session.flush()
    session.add(
        CitizenIdentity(
            tenant_id=channel.tenant_id,
            citizen_id=row_id(citizen),
            platform=channel.platform,
            platform_user_id=inbound.sender_id,
        )
    )
    return citizen


def _conversation_for(session: Session, *, channel: Channel, citizen: Citizen, inbound: InboundMessage) -> Conversation:
    """The citizen's open conversation on the channel, or a new one opened by this message."""
    conversation = session.exec(
        select(Conversation)
        .where(
            Conversation.citizen_id == citizen.id,
            Conversation.channel_id == channel.id,
            Conversation.status != ConversationStatus.RESOLVED,
        )
        .order_by(col(Conversation.id).desc())
    ).first()
    if conversation is None:
        conversation = Conversation(
            tenant_id=channel.tenant_id,
            citizen_id=row_id(citizen),
            channel_id=row_id(channel),
            address=inbound.address,
            created_at=inbound.sent_at,
        )
        session.add(conversation)
        session.flush()
        statistics.count(
            session, tenant_id=channel.tenant_id, channel_id=row_id(channel), at=conversation.created_at, measure=Measure.OPENED
        )
    return conversation


def receive(session: Session, *, channel: Channel, inbound: InboundMessage, media: StoredMedia | None = None) -> ReceiveResult:
    """Store `inbound` (once per platform message id) and route it; the caller commits, then acknowledges.

    Routing: an exact keyword answers at once (the reply goes to the outbox in this same transaction);
    anything else waits for an operator.
    """
    channel_id = row_id(channel)
    if already_stored(session, channel_id=channel_id, platform_message_id=inbound.platform_message_id):
        return ReceiveResult(duplicate=True)
    citizen = _citizen_for(session, channel=channel, inbound=inbound)
    conversation = _conversation_for(session, channel=channel, citizen=citizen, inbound=inbound)
    message = Message(
        tenant_id=channel.tenant_id,
        conversation_id=row_id(conversation),
        channel_id=channel_id,
        direction=Direction.INBOUND,
        author=Author.CITIZEN,
        kind=inbound.kind,
        text=inbound.text,
        media_path=media.path if media else None,
        media_mime=media.mime_type if media else None,
        media_filename=media.filename if media else None,
        latitude=inbound.latitude,
        longitude=inbound.longitude,
        contact_name=inbound.contact_name,
        contact_phone=inbound.contact_phone,
        platform_message_id=inbound.platform_message_id,
        status=DeliveryStatus.RECEIVED,
        created_at=inbound.sent_at,
    )
    session.add(message)
    # A concurrent delivery of the same update fails here with IntegrityError; `ingest` rolls back and
    # reports it as a duplicate.
    session.flush()

    result = ReceiveResult(duplicate=False, message_id=message.id, conversation_id=conversation.id, tenant_id=channel.tenant_id)
    conversation.last_message_at = message.created_at
    conversation.last_inbound_at = message.created_at
    conversation.last_message_preview = preview(message.kind, message.text)
    if conversation.status == ConversationStatus.RESOLVED:
        conversation.status = ConversationStatus.OPEN
    inbox_states.citizen_wrote(conversation)

    tenant = session.get_one(Tenant, channel.tenant_id)
    now = clock.now()
    routed = routing.Routed()
    if inbound.kind == MessageKind.TEXT:
        routed = routing.route_text(
            session,
            tenant=tenant,
            conversation=conversation,
            citizen=citizen,
            text=inbound.text,
            now=now,
            asked_at=message.created_at,
        )
    elif inbound.kind == MessageKind.CONTACT and inbound.sender_phone:
        routed = routing.confirm_own_contact(session, tenant=tenant, conversation=conversation, citizen=citizen)
    if not routed.answered:
        if not conversation.awaiting_operator:
            conversation.awaiting_since = message.created_at  # a new wait begins
        conversation.awaiting_operator = True
        conversation.unread_count += 1
        conversation.status = ConversationStatus.OPEN
        routing.notify_waiting(session, tenant=tenant, conversation=conversation, citizen=citizen, routed=routed, now=now)
    result.reply_message_ids.extend(routed.reply_ids)
    message.outcome = routed.outcome or AnswerOutcome.OPERATOR
    message.keyword_id = routed.keyword_id
    statistics.message_stored(
        session,
        tenant_id=channel.tenant_id,
        channel_id=channel_id,
        at=message.created_at,
        direction=Direction.INBOUND,
        author=Author.CITIZEN,
        outcome=message.outcome,
        keyword_id=message.keyword_id,
    )
    session.add(message)
    session.add(citizen)
    session.add(conversation)
    session.flush()
    return result
