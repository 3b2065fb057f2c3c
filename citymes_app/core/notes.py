"""Internal notes on a conversation: what an operator writes for colleagues ("called her back, waiting for the
brigade"), shown in the thread in time order with the messages and never sent to the citizen.

A note is a row of its own (`ConversationNote`), not a message: nothing here touches the outbox, the conversation's
preview, unread count or version, or the statistics, which read messages only. Any operator of the organisation may add
one to any of its conversations (resolved ones too: a note may explain why); another organisation's conversation is
refused as missing. These functions work inside a session the caller commits (`core.inbox_desk.InboxDesk`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_work import operator_names
from citymes_app.core.reply_window import InboxError
from citymes_app.models import Conversation, ConversationNote, row_id

# Longer than any message a platform takes (Telegram: 4,096), short enough to read in the thread.
MAX_NOTE_LENGTH = 4000
# The thread shows at most this many notes (the newest), like its messages (`inbox.THREAD_LIMIT`).
NOTES_LIMIT = 300


@dataclass(frozen=True)
class ThreadNote:
    """One internal note of a conversation's thread."""

    id: int
    conversation_id: int
    operator_id: int
    operator_name: str  # as colleagues see it ("" if the operator is gone)
    text: str
    created_at: datetime  # UTC


def _own_conversation(session: Session, *, tenant_id: int, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != tenant_id:  # another tenant's: as if missing
        raise InboxError("this conversation does not exist")
    return conversation


def _thread_note(note: ConversationNote, operators: dict[int, str]) -> ThreadNote:
    return ThreadNote(
        id=row_id(note),
        conversation_id=note.conversation_id,
        operator_id=note.operator_id,
        operator_name=operators.get(note.operator_id, ""),
        text=note.text,
        created_at=note.created_at,
    )


def add_note(session: Session, *, operator: SignedInOperator, conversation_id: int, text: str) -> ThreadNote:
    """Store the signed-in operator's note on a conversation of their organisation; returns it.

    Refused (`InboxError`) for another organisation's conversation (as missing), an empty note, or one longer than
    `MAX_NOTE_LENGTH` characters (refused whole rather than cut: a cut note could say something else)."""
    conversation = _own_conversation(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    text = text.strip()
    if not text:
        raise InboxError("write the note before saving it")
    if len(text) > MAX_NOTE_LENGTH:
        raise InboxError(
            "a note has at most {limit} characters (this one has {length}): shorten it",
            limit=MAX_NOTE_LENGTH,
            length=len(text),
        )
    note = ConversationNote(
        tenant_id=operator.tenant_id, conversation_id=row_id(conversation), operator_id=operator.operator_id, text=text
    )
    session.add(note)
    session.flush()
    return _thread_note(note, {operator.operator_id: operator.display_name or operator.email})


def notes(
    session: Session, *, tenant_id: int, conversation_id: int, since: datetime | None = None, limit: int = NOTES_LIMIT
) -> list[ThreadNote]:
    """The last `limit` notes of a conversation of this organisation (from `since` on, when given), oldest first."""
    conversation = _own_conversation(session, tenant_id=tenant_id, conversation_id=conversation_id)
    query = select(ConversationNote).where(
        ConversationNote.tenant_id == tenant_id, ConversationNote.conversation_id == row_id(conversation)
    )
    if since is not None:
        query = query.where(col(ConversationNote.created_at) >= since)
    rows = list(session.exec(query.order_by(col(ConversationNote.id).desc()).limit(limit)))
    rows.reverse()
    operators = operator_names(session, tenant_id=tenant_id) if rows else {}
    return [_thread_note(note, operators) for note in rows]
