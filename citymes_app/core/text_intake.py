"""The hot path: a citizen's plain text, stored and routed in a handful of SQL statements.

Most of what citizens send is text: a keyword, or a question for an operator. This path stores and routes it with
SQLAlchemy Core on the writer's connection — no ORM unit of work, no object loaded to be changed — deciding with the
same routing functions as `pipeline.receive` (keyword matching, "did you mean", the waiting notice and their texts).
What it does not cover it leaves, untouched, to `pipeline.receive`: media, contacts and locations, the keyword index
commands, the distribution lists' commands (told apart by their first word, without a query), personal codes, and
citizens with a phone number to link (WhatsApp).

Statements for a new citizen's unmatched question: the duplicate check, the identity lookup, the citizen, its
identity, the conversation, the message, the unanswered question, the notice and its outbox item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from citymes_app.core import clock, keywords, lists, routing, statistics
from citymes_app.core.db import batch_memo
from citymes_app.core.matching import MatchStatus, normalize
from citymes_app.core.pipeline import ReceiveResult, preview
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
    Keyword,
    Measure,
    Message,
    OutboxItem,
    Tenant,
    UnmatchedQuery,
    folded,
    table_of,
    utcnow,
)
from integrations.base import InboundMessage, MessageKind

_MESSAGE = table_of(Message)
_OUTBOX = table_of(OutboxItem)
_CITIZEN = table_of(Citizen)
_IDENTITY = table_of(CitizenIdentity)
_CONVERSATION = table_of(Conversation)
_UNMATCHED = table_of(UnmatchedQuery)

# Built once: a statement executed with a dict of values is compiled once per set of keys, not once per message.
_SELECT_CHANNEL = select(table_of(Channel).c.tenant_id, table_of(Channel).c.platform).where(
    table_of(Channel).c.id == bindparam("channel")
)
_SELECT_STORED = select(_MESSAGE.c.id).where(
    _MESSAGE.c.channel_id == bindparam("channel"), _MESSAGE.c.platform_message_id == bindparam("platform_message_id")
)
_SELECT_KNOWN = (
    select(_CITIZEN.c.id, _CITIZEN.c.display_name, _CITIZEN.c.phone, _CITIZEN.c.language, _CITIZEN.c.unreachable)
    .join(_IDENTITY, _IDENTITY.c.citizen_id == _CITIZEN.c.id)
    .where(
        _IDENTITY.c.tenant_id == bindparam("tenant"),
        _IDENTITY.c.platform == bindparam("platform"),
        _IDENTITY.c.platform_user_id == bindparam("sender"),
    )
)
_SELECT_OPEN_CONVERSATION = (
    select(
        _CONVERSATION.c.id,
        _CONVERSATION.c.waiting_notice_sent,
        _CONVERSATION.c.awaiting_operator,
        _CONVERSATION.c.unread_count,
        _CONVERSATION.c.status,
        _CONVERSATION.c.version,
    )
    .where(
        _CONVERSATION.c.citizen_id == bindparam("citizen"),
        _CONVERSATION.c.channel_id == bindparam("channel"),
        _CONVERSATION.c.status != ConversationStatus.RESOLVED.value,
    )
    .order_by(_CONVERSATION.c.id.desc())
    .limit(1)
)
_UPDATE_CONVERSATION = update(_CONVERSATION).where(_CONVERSATION.c.id == bindparam("conversation"))
_UPDATE_CITIZEN = update(_CITIZEN).where(_CITIZEN.c.id == bindparam("citizen"))
_INSERT = {table: insert(table) for table in (_MESSAGE, _OUTBOX, _CITIZEN, _IDENTITY, _CONVERSATION, _UNMATCHED)}


def _insert(connection: Connection, table: Table, values: dict[str, Any]) -> int:
    """Insert one row; its new id."""
    key = connection.execute(_INSERT[table], values).inserted_primary_key
    assert key is not None
    return key[0]


@dataclass(frozen=True)
class ChannelRef:
    """The columns of a channel the message path reads (never its credentials)."""

    id: int
    tenant_id: int
    platform: str


def channel_ref(session: Session, channel_id: int) -> ChannelRef:
    """The channel's reference, read once per batch."""

    def read() -> ChannelRef:
        row = session.connection().execute(_SELECT_CHANNEL, {"channel": channel_id}).one()
        return ChannelRef(channel_id, row.tenant_id, row.platform)

    return batch_memo(session, ("channel", channel_id), read)


@dataclass(frozen=True)
class _Known:
    """A citizen already on record (the columns the path reads)."""

    citizen_id: int
    display_name: str
    phone: str | None
    language: str | None
    unreachable: bool


@dataclass(frozen=True)
class _OpenConversation:
    conversation_id: int
    waiting_notice_sent: bool
    awaiting_operator: bool
    unread_count: int
    status: str
    version: int


def receive_text(session: Session, *, channel: ChannelRef, inbound: InboundMessage) -> ReceiveResult | None:
    """Store and route a plain text; None (nothing written) when `pipeline.receive` must take it instead."""
    if inbound.kind != MessageKind.TEXT or inbound.media is not None or inbound.sender_phone:
        return None
    normalized = normalize(inbound.text)
    if routing.index_command(normalized) is not None or lists.might_be_command(normalized):
        return None
    connection = session.connection()
    channel_id, tenant_id = channel.id, channel.tenant_id
    duplicate = connection.execute(
        _SELECT_STORED, {"channel": channel_id, "platform_message_id": inbound.platform_message_id}
    ).first()
    if duplicate is not None:
        return ReceiveResult(duplicate=True)
    known = _known_citizen(connection, channel=channel, sender_id=inbound.sender_id)
    if known is not None and known.phone:
        return None  # linking records by phone number is the full path's work
    tenant = batch_memo(session, (Tenant, tenant_id), lambda: session.get_one(Tenant, tenant_id))  # once per batch
    new_language = inbound.language_code[:2].lower() if inbound.language_code else None
    language = (known.language or new_language) if known is not None else new_language
    match = keywords.keyword_index(session, tenant_id=tenant_id).match(inbound.text, language=language)
    if match.entry is not None and match.code:
        return None  # a personal code
    now = clock.now()
    if known is None:
        citizen_id = _new_citizen(connection, channel=channel, inbound=inbound, language=new_language)
        conversation = None
    else:
        citizen_id = known.citizen_id
        conversation = _open_conversation(connection, citizen_id=citizen_id, channel_id=channel_id)

    answers: list[routing.BotReply] = []
    outcome, keyword_id = AnswerOutcome.OPERATOR, None
    if match.entry is not None:
        entry_id = match.entry.id
        outcome, keyword_id = AnswerOutcome.KEYWORD, entry_id
        keyword = batch_memo(session, (Keyword, entry_id), lambda: session.get_one(Keyword, entry_id))
        language = keyword.language
        answers = routing.keyword_replies(keyword)
    elif match.status == MatchStatus.AMBIGUOUS:
        outcome = AnswerOutcome.AMBIGUOUS
        answers = [routing.did_you_mean(tenant, language, [e.keyword for e in match.entries])]
    answered = bool(answers)
    notice_sent = conversation is not None and conversation.waiting_notice_sent
    if not answered and not notice_sent:
        answers = [routing.BotReply(text=routing.waiting_notice(session, tenant=tenant, language=language, now=now))]

    if known is not None:
        _refresh_citizen(session, connection, known=known, inbound=inbound, language=language)
    received_at = inbound.sent_at
    conversation_values: dict[str, object] = {
        "last_message_at": utcnow() if answers else received_at,
        "last_inbound_at": received_at,
        "last_message_preview": preview(MessageKind.TEXT, inbound.text),
    }
    if conversation is not None and conversation.status == ConversationStatus.SNOOZED:  # the citizen wakes it
        conversation_values |= {
            "status": ConversationStatus.OPEN.value,
            "snoozed_until": None,
            "version": conversation.version + 1,
            "changed_by_operator_id": None,
        }
    if not answered:  # it waits for an operator
        unread = conversation.unread_count if conversation is not None else 0
        if conversation is None or not conversation.awaiting_operator:
            conversation_values["awaiting_since"] = received_at  # a new wait begins
        conversation_values |= {
            "awaiting_operator": True,
            "unread_count": unread + 1,
            "waiting_notice_sent": True,
            "status": ConversationStatus.OPEN.value,
        }
    if conversation is None:
        opened_at = received_at  # a conversation opens with the citizen's first message
        conversation_id = _insert(
            connection,
            _CONVERSATION,
            {
                "tenant_id": tenant_id,
                "citizen_id": citizen_id,
                "channel_id": channel_id,
                "address": inbound.address,
                "created_at": opened_at,
                **conversation_values,
            },
        )
        statistics.count(session, tenant_id=tenant_id, channel_id=channel_id, at=opened_at, measure=Measure.OPENED)
    else:
        conversation_id = conversation.conversation_id
        connection.execute(_UPDATE_CONVERSATION, {"conversation": conversation_id, **conversation_values})
        _forget(session, Conversation, conversation_id)
    message_id = _insert(
        connection,
        _MESSAGE,
        {
            "tenant_id": tenant_id,
            "conversation_id": conversation_id,
            "channel_id": channel_id,
            "direction": Direction.INBOUND.value,
            "author": Author.CITIZEN.value,
            "kind": MessageKind.TEXT.value,
            "text": inbound.text,
            "platform_message_id": inbound.platform_message_id,
            "status": DeliveryStatus.RECEIVED.value,
            "created_at": received_at,
            "outcome": outcome.value,
            "keyword_id": keyword_id,
        },
    )
    statistics.message_stored(
        session,
        tenant_id=tenant_id,
        channel_id=channel_id,
        at=received_at,
        direction=Direction.INBOUND,
        author=Author.CITIZEN,
        outcome=outcome,
        keyword_id=keyword_id,
    )
    if not answered and normalized:
        connection.execute(_INSERT[_UNMATCHED], routing.unmatched_query(tenant_id, channel_id, normalized, received_at))
    replied_at = utcnow()
    reply_ids = [
        _enqueue(
            connection,
            tenant_id=tenant_id,
            channel_id=channel_id,
            conversation_id=conversation_id,
            address=inbound.address,
            reply=reply,
            created=replied_at,
        )
        for reply in answers
    ]
    if reply_ids:
        statistics.count(
            session,
            tenant_id=tenant_id,
            channel_id=channel_id,
            at=replied_at,
            measure=Measure.MESSAGES_OUT_BOT,
            n=len(reply_ids),
        )
    return ReceiveResult(
        duplicate=False, message_id=message_id, conversation_id=conversation_id, tenant_id=tenant_id, reply_message_ids=reply_ids
    )


def _known_citizen(connection: Connection, *, channel: ChannelRef, sender_id: str) -> _Known | None:
    row = connection.execute(
        _SELECT_KNOWN, {"tenant": channel.tenant_id, "platform": channel.platform, "sender": sender_id}
    ).first()
    return _Known(*row) if row is not None else None


def _new_citizen(connection: Connection, *, channel: ChannelRef, inbound: InboundMessage, language: str | None) -> int:
    created = utcnow()
    citizen_id = _insert(
        connection,
        _CITIZEN,
        {
            "tenant_id": channel.tenant_id,
            "display_name": inbound.sender_name,
            "language": language,
            "unreachable": False,
            "created_at": created,
        },
    )
    identity = {
        "tenant_id": channel.tenant_id,
        "citizen_id": citizen_id,
        "platform": channel.platform,
        "platform_user_id": inbound.sender_id,
        "created_at": created,
    }
    connection.execute(_INSERT[_IDENTITY], identity)
    return citizen_id


def _open_conversation(connection: Connection, *, citizen_id: int, channel_id: int) -> _OpenConversation | None:
    row = connection.execute(_SELECT_OPEN_CONVERSATION, {"citizen": citizen_id, "channel": channel_id}).first()
    return _OpenConversation(*row) if row is not None else None


def _refresh_citizen(
    session: Session, connection: Connection, *, known: _Known, inbound: InboundMessage, language: str | None
) -> None:
    """What a message tells about its sender: they can be reached, their current name, their language."""
    changes: dict[str, object] = {}
    if known.unreachable:
        changes["unreachable"] = False  # they wrote to us, so they no longer block us
    if inbound.sender_name and known.display_name != inbound.sender_name:
        changes["display_name"] = inbound.sender_name
        changes["search_name"] = folded(inbound.sender_name)  # a Core update: the ORM's event does not see it
    if language != known.language:
        changes["language"] = language
    if changes:
        connection.execute(_UPDATE_CITIZEN, {"citizen": known.citizen_id, **changes})
        _forget(session, Citizen, known.citizen_id)


def _enqueue(
    connection: Connection,
    *,
    tenant_id: int,
    channel_id: int,
    conversation_id: int,
    address: str,
    reply: routing.BotReply,
    created: datetime,
) -> int:
    """The bot's reply and its outbox item (as `outbox.enqueue` writes them)."""
    message_id = _insert(
        connection,
        _MESSAGE,
        {
            "tenant_id": tenant_id,
            "conversation_id": conversation_id,
            "channel_id": channel_id,
            "direction": Direction.OUTBOUND.value,
            "author": Author.BOT.value,
            "kind": reply.kind.value,
            "text": reply.text,
            "media_path": reply.media_path,
            "media_mime": reply.media_mime,
            "media_filename": reply.media_filename,
            "latitude": reply.latitude,
            "longitude": reply.longitude,
            "buttons": "|".join(reply.buttons),
            "status": DeliveryStatus.PENDING.value,
            "created_at": created,
        },
    )
    item = {
        "tenant_id": tenant_id,
        "channel_id": channel_id,
        "message_id": message_id,
        "address": address,
        "next_attempt_at": created,
        "created_at": created,
    }
    connection.execute(_INSERT[_OUTBOX], item)
    return message_id


def _forget(session: Session, model: type, row: int) -> None:
    """The session's copy of a row changed here behind its back is expired, so the full path reloads it."""
    kept = session.identity_map.get(identity_key(model, row))
    if kept is not None:
        session.expire(kept)
