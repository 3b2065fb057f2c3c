"""Who a conversation is with, for the inbox's citizen panel: the citizen's name, the platforms and channels they write
on, their language, since when they write, their earlier conversations with the organisation, and what operators
noted about them (`CitizenNote`: private to the organisation, never sent; a row per note, apart from the
conversation notes of `core.notes`, because it follows the person from one conversation to the next).

Everything is read and written through a conversation of the operator's organisation: the tab has one open, and the
citizen behind it may change when two records are linked (`core.citizens`); another organisation's conversation is
refused as missing. The citizen's distribution lists are in it (`core.lists`): an operator adds them to one on the
conversation's channel, or takes one subscription away, recorded as the operator's doing. Cases are not in the panel
yet: the codebase has none.

A phone number is personal data the organisation's operators may see (they may need to call back): it is shown to
them in full, and never logged. A platform's own user id means nothing to a person, so it is shown masked — enough to
tell two accounts apart. These functions work inside a session the caller commits (`core.inbox_desk.InboxDesk`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from citymes_app.core import lists
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_work import operator_names
from citymes_app.core.reply_window import InboxError
from citymes_app.models import (
    Channel,
    Citizen,
    CitizenIdentity,
    CitizenNote,
    ConsentSource,
    Conversation,
    ConversationStatus,
    ListSubscription,
    row_id,
)

# As long as a conversation note (`core.notes.MAX_NOTE_LENGTH`): the panel is narrower, but a note is refused, not cut.
MAX_CITIZEN_NOTE_LENGTH = 4000
# The panel shows the newest notes and earlier conversations only; the count says how many conversations there are.
CITIZEN_NOTES_LIMIT = 50
EARLIER_LIMIT = 10
# How many last characters of a platform's user id stay visible.
VISIBLE_ID_DIGITS = 4


@dataclass(frozen=True)
class Identity:
    """How the citizen is known on one platform, and the organisation's channels there they wrote to."""

    platform: str
    address: str  # the phone number ("+34612345678") when the platform knows them by it; else "••••5678"
    is_phone: bool
    channels: list[str]  # channel names ("" for a channel without one), oldest first


@dataclass(frozen=True)
class EarlierConversation:
    """Another conversation of the same citizen with the organisation."""

    id: int
    platform: str
    channel_name: str
    status: ConversationStatus
    opened_at: datetime  # UTC
    last_message_at: datetime  # UTC
    preview: str  # as the queue stores it (`core.pipeline.preview`)


@dataclass(frozen=True)
class CitizenNoteEntry:
    """One operator's note on a citizen."""

    id: int
    citizen_id: int
    operator_id: int
    operator_name: str  # as colleagues see it ("" if the operator is gone)
    text: str
    created_at: datetime  # UTC


@dataclass(frozen=True)
class CitizenProfile:
    """The citizen behind a conversation, as the panel shows them."""

    citizen_id: int
    name: str  # "" when no platform told it
    phone: str  # E.164, or ""
    language: str  # "ca", "es"..., or "" when not known yet
    first_seen: datetime  # UTC: when the organisation first heard from them
    unreachable: bool
    identities: list[Identity]
    conversation_count: int  # all of them, this one included
    earlier: list[EarlierConversation]  # the others, most recently active first (at most `EARLIER_LIMIT`)
    notes: list[CitizenNoteEntry]  # newest first (at most `CITIZEN_NOTES_LIMIT`)
    subscriptions: list[lists.CitizenSubscription] = field(default_factory=list)  # oldest first
    organisation_lists: list[lists.ListNames] = field(default_factory=list)  # every list (to add them to one)


def _conversation_citizen(session: Session, *, tenant_id: int, conversation_id: int) -> tuple[Conversation, Citizen]:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != tenant_id:  # another tenant's: as if missing
        raise InboxError("this conversation does not exist")
    citizen = session.get(Citizen, conversation.citizen_id)
    if citizen is None or citizen.tenant_id != tenant_id:
        raise InboxError("this conversation does not exist")
    return conversation, citizen


def masked(platform_user_id: str) -> str:
    """A platform's user id as the panel shows it: its last digits only."""
    return "••••" + platform_user_id[-VISIBLE_ID_DIGITS:]


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _identities(session: Session, citizen: Citizen) -> list[Identity]:
    citizen_id = row_id(citizen)
    channels: dict[str, list[str]] = {}
    for platform, name in session.exec(
        select(Channel.platform, Channel.name)
        .join(Conversation, col(Conversation.channel_id) == Channel.id)
        .where(Conversation.tenant_id == citizen.tenant_id, Conversation.citizen_id == citizen_id)
        .group_by(col(Channel.id), col(Channel.platform), col(Channel.name))
        .order_by(col(Channel.id))
    ):
        channels.setdefault(platform, []).append(name or "")
    phone = _digits(citizen.phone or "")
    found = []
    for identity in session.exec(
        select(CitizenIdentity)
        .where(CitizenIdentity.tenant_id == citizen.tenant_id, CitizenIdentity.citizen_id == citizen_id)
        .order_by(col(CitizenIdentity.id))
    ):
        # A platform that knows people by their number (its user id is the number) shows it; the others' ids are opaque.
        is_phone = bool(phone) and _digits(identity.platform_user_id) == phone
        found.append(
            Identity(
                platform=identity.platform,
                address=citizen.phone or "" if is_phone else masked(identity.platform_user_id),
                is_phone=is_phone,
                channels=channels.get(identity.platform, []),
            )
        )
    return found


def _earlier(session: Session, citizen: Citizen, *, but: int) -> tuple[int, list[EarlierConversation]]:
    where = (Conversation.tenant_id == citizen.tenant_id, Conversation.citizen_id == row_id(citizen))
    count = session.exec(select(func.count()).select_from(Conversation).where(*where)).one()
    rows = session.exec(
        select(Conversation, Channel)
        .join(Channel, col(Conversation.channel_id) == Channel.id)
        .where(*where, Conversation.id != but)
        .order_by(col(Conversation.last_message_at).desc(), col(Conversation.id).desc())
        .limit(EARLIER_LIMIT)
    )
    return count, [
        EarlierConversation(
            id=row_id(conversation),
            platform=channel.platform,
            channel_name=channel.name or "",
            status=ConversationStatus(conversation.status),
            opened_at=conversation.created_at,
            last_message_at=conversation.last_message_at,
            preview=conversation.last_message_preview,
        )
        for conversation, channel in rows
    ]


def _entry(note: CitizenNote, operators: dict[int, str]) -> CitizenNoteEntry:
    return CitizenNoteEntry(
        id=row_id(note),
        citizen_id=note.citizen_id,
        operator_id=note.operator_id,
        operator_name=operators.get(note.operator_id, ""),
        text=note.text,
        created_at=note.created_at,
    )


def citizen_notes(
    session: Session, *, tenant_id: int, citizen_id: int, limit: int = CITIZEN_NOTES_LIMIT
) -> list[CitizenNoteEntry]:
    """The newest `limit` notes on a citizen of this organisation, newest first (none for another's)."""
    rows = list(
        session.exec(
            select(CitizenNote)
            .where(CitizenNote.tenant_id == tenant_id, CitizenNote.citizen_id == citizen_id)
            .order_by(col(CitizenNote.id).desc())
            .limit(limit)
        )
    )
    operators = operator_names(session, tenant_id=tenant_id) if rows else {}
    return [_entry(note, operators) for note in rows]


def citizen_profile(session: Session, *, tenant_id: int, conversation_id: int) -> CitizenProfile:
    """The citizen behind a conversation of this organisation; `InboxError` (as missing) for another's."""
    conversation, citizen = _conversation_citizen(session, tenant_id=tenant_id, conversation_id=conversation_id)
    count, earlier = _earlier(session, citizen, but=row_id(conversation))
    return CitizenProfile(
        citizen_id=row_id(citizen),
        name=citizen.display_name,
        phone=citizen.phone or "",
        language=citizen.language or "",
        first_seen=citizen.created_at,
        unreachable=citizen.unreachable,
        identities=_identities(session, citizen),
        conversation_count=count,
        earlier=earlier,
        notes=citizen_notes(session, tenant_id=tenant_id, citizen_id=row_id(citizen)),
        subscriptions=lists.citizen_subscriptions(session, tenant_id=tenant_id, citizen_id=row_id(citizen)),
        organisation_lists=lists.list_names_by_language(session, tenant_id=tenant_id),
    )


def citizen_conversations(session: Session, *, tenant_id: int, citizen_id: int) -> list[int]:
    """Every conversation of a citizen of this organisation: the tabs showing any of them show the citizen's notes."""
    where = (Conversation.tenant_id == tenant_id, Conversation.citizen_id == citizen_id)
    return [conversation_id for conversation_id in session.exec(select(Conversation.id).where(*where)) if conversation_id]


def _note_text(text: str) -> str:
    """A note's text as kept: trimmed; `InboxError` when empty or longer than `MAX_CITIZEN_NOTE_LENGTH` (refused whole
    rather than cut)."""
    text = text.strip()
    if not text:
        raise InboxError("write the note before saving it")
    if len(text) > MAX_CITIZEN_NOTE_LENGTH:
        raise InboxError(
            "a note has at most {limit} characters (this one has {length}): shorten it",
            limit=MAX_CITIZEN_NOTE_LENGTH,
            length=len(text),
        )
    return text


def add_citizen_note(session: Session, *, operator: SignedInOperator, conversation_id: int, text: str) -> CitizenNoteEntry:
    """Store the signed-in operator's note on the citizen behind a conversation of their organisation; returns it.

    Refused (`InboxError`) for another organisation's conversation (as missing), an empty note, or one longer than
    `MAX_CITIZEN_NOTE_LENGTH` characters."""
    _, citizen = _conversation_citizen(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    text = _note_text(text)
    note = CitizenNote(tenant_id=operator.tenant_id, citizen_id=row_id(citizen), operator_id=operator.operator_id, text=text)
    session.add(note)
    session.flush()
    return _entry(note, {operator.operator_id: operator.display_name or operator.email})


def _organisation_note(session: Session, *, operator: SignedInOperator, note_id: int) -> CitizenNote:
    """A note of the operator's organisation; another organisation's, or a missing one, is refused as missing.
    (Only its author may change or take it back: a colleague's words are theirs.)"""
    note = session.get(CitizenNote, note_id)
    if note is None or note.tenant_id != operator.tenant_id:
        raise InboxError("this note does not exist")
    return note


def edit_citizen_note(session: Session, *, operator: SignedInOperator, note_id: int, text: str) -> int:
    """Change the text of one of the signed-in operator's own notes on a citizen (as `add_citizen_note` checks it);
    returns the citizen's id (whose panels change)."""
    note = _organisation_note(session, operator=operator, note_id=note_id)
    if note.operator_id != operator.operator_id:
        raise InboxError("only the operator who wrote a note can change it")
    note.text = _note_text(text)
    session.add(note)
    session.flush()
    return note.citizen_id


def delete_citizen_note(session: Session, *, operator: SignedInOperator, note_id: int) -> int:
    """Delete one of the signed-in operator's own notes on a citizen; returns the citizen's id (whose panels change)."""
    note = _organisation_note(session, operator=operator, note_id=note_id)
    if note.operator_id != operator.operator_id:
        raise InboxError("only the operator who wrote a note can delete it")
    citizen_id = note.citizen_id
    session.delete(note)
    session.flush()
    return citizen_id


def add_to_list(session: Session, *, operator: SignedInOperator, conversation_id: int, list_id: int) -> int:
    """Put the citizen behind a conversation of the organisation on one of its lists, on the conversation's channel,
    recorded as the operator's doing; returns the citizen's id (whose panels change). `InboxError` for another
    organisation's conversation or list (as missing), or when they are already on it there."""
    conversation, citizen = _conversation_citizen(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    try:
        added = lists.subscribe(
            session,
            tenant_id=operator.tenant_id,
            list_id=list_id,
            citizen_id=row_id(citizen),
            channel_id=conversation.channel_id,
            source=ConsentSource.OPERATOR,
            operator_id=operator.operator_id,
        )
    except lists.ListError as exc:
        raise InboxError(exc.phrase) from exc
    if not added:
        raise InboxError("the citizen is already on this list on this channel")
    return row_id(citizen)


def remove_from_list(session: Session, *, operator: SignedInOperator, conversation_id: int, subscription_id: int) -> int:
    """Take one subscription of the citizen behind a conversation of the organisation away, recorded as the operator's
    doing; returns the citizen's id. `InboxError` (as missing) for anyone else's subscription."""
    _, citizen = _conversation_citizen(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    subscription = session.get(ListSubscription, subscription_id) if type(subscription_id) is int else None
    if subscription is None or subscription.tenant_id != operator.tenant_id or subscription.citizen_id != citizen.id:
        raise InboxError("this subscription does not exist")
    lists.remove_subscription(
        session,
        tenant_id=operator.tenant_id,
        subscription_id=subscription_id,
        source=ConsentSource.OPERATOR,
        operator_id=operator.operator_id,
    )
    return row_id(citizen)
