"""The operators' inbox as use cases: open a conversation, answer it, resolve it, link its citizen — each one a method
that runs off the event loop, commits, then tells the other tabs and wakes the outbox.

Built once by the wiring (`runtime.py`) with the engine, the event bus and the media folder; a state handler calls one
method and shows its typed result (or the `InboxError` / `CitizenError` it raised).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core import (
    citizen_profile,
    citizens,
    conversation_export,
    departments,
    inbox,
    inbox_queue,
    inbox_states,
    inbox_work,
    labels,
    notes,
)
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.clock import tenant_timezone
from citymes_app.core.db import session_scope
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.core.inbox_display import TemplateOption, template_options
from citymes_app.core.media import save_media
from citymes_app.i18n import Words
from citymes_app.models import ConversationStatus
from integrations.base import MessageKind

log = logging.getLogger(__name__)
# How often the snooze alarm looks for conversations whose time has come (a snooze ends within this much of its time).
SNOOZE_ALARM_SECONDS = 10.0


@dataclass(frozen=True)
class QueueSnapshot:
    """The tenant's open conversations (see `inbox.queue` for the order) and the clock they are read on."""

    timezone: ZoneInfo
    conversations: list[inbox.ConversationSummary]


@dataclass(frozen=True)
class ThreadSnapshot:
    """A conversation's last messages, oldest first, who it is with, and whether a free-form reply can go out now;
    its operators' internal notes over the same span, oldest first (the thread shows them among the messages); and
    the citizen behind it, for the citizen panel (a few small indexed reads, redrawn with the thread)."""

    header: inbox.ConversationHeader
    timezone: ZoneInfo
    messages: list[inbox.ThreadMessage]
    window: inbox.ReplyWindow
    notes: list[notes.ThreadNote] = field(default_factory=list)
    citizen: citizen_profile.CitizenProfile | None = None


@dataclass(frozen=True)
class OpenedConversation:
    """Everything a tab shows when an operator opens a conversation."""

    thread: ThreadSnapshot
    templates: list[TemplateOption]


@dataclass
class InboxDesk:
    """The inbox's use cases, built once by the wiring."""

    engine: Engine
    bus: EventBus
    media_dir: Path
    # How many threads were read from the database since start: what live updates by conversation keep small.
    thread_loads: int = field(default=0, init=False)

    # --- Reading ------------------------------------------------------------------------------------------

    async def queue(self, *, tenant_id: int) -> QueueSnapshot:
        """The tenant's live queue."""
        return await asyncio.to_thread(self._queue, tenant_id)

    def _queue(self, tenant_id: int) -> QueueSnapshot:
        with Session(self.engine) as session:
            return QueueSnapshot(tenant_timezone(session, tenant_id=tenant_id), inbox.queue(session, tenant_id=tenant_id))

    async def search(self, *, tenant_id: int, words: str) -> QueueSnapshot:
        """The organisation's conversations (any state) whose citizen or messages hold `words`, as queue lines."""
        return await asyncio.to_thread(
            self._listing, tenant_id, lambda session: inbox_queue.search(session, tenant_id=tenant_id, words=words)
        )

    async def resolved(self, *, tenant_id: int) -> QueueSnapshot:
        """The organisation's most recently active resolved conversations, as queue lines."""
        return await asyncio.to_thread(
            self._listing, tenant_id, lambda session: inbox_queue.resolved(session, tenant_id=tenant_id)
        )

    def _listing(self, tenant_id: int, read) -> QueueSnapshot:  # noqa: ANN001
        with Session(self.engine) as session:
            return QueueSnapshot(tenant_timezone(session, tenant_id=tenant_id), read(session))

    async def channels(self, *, tenant_id: int) -> list[inbox_queue.ChannelOption]:
        """The organisation's channels, for the queue's filter."""
        return await asyncio.to_thread(self._read, inbox_queue.channel_options, tenant_id)

    async def timezone(self, *, tenant_id: int) -> ZoneInfo:
        """The organisation's clock."""
        return await asyncio.to_thread(self._read, tenant_timezone, tenant_id)

    async def thread(self, *, tenant_id: int, conversation_id: int) -> ThreadSnapshot:
        """A conversation's thread and reply window; `InboxError` if it is not this tenant's."""
        self.thread_loads += 1
        return await asyncio.to_thread(self._thread, tenant_id, conversation_id)

    def _thread(self, tenant_id: int, conversation_id: int) -> ThreadSnapshot:
        with Session(self.engine) as session:
            return self._thread_in(session, tenant_id, conversation_id)

    @staticmethod
    def _thread_in(session: Session, tenant_id: int, conversation_id: int) -> ThreadSnapshot:
        messages = inbox.thread(session, tenant_id=tenant_id, conversation_id=conversation_id)
        # A thread cut at its oldest messages shows the notes of the span it shows, not older ones above them.
        since = messages[0].created_at if len(messages) >= inbox.THREAD_LIMIT else None
        return ThreadSnapshot(
            header=inbox.conversation_header(session, tenant_id=tenant_id, conversation_id=conversation_id),
            timezone=tenant_timezone(session, tenant_id=tenant_id),
            messages=messages,
            window=inbox.reply_window(session, tenant_id=tenant_id, conversation_id=conversation_id),
            notes=notes.notes(session, tenant_id=tenant_id, conversation_id=conversation_id, since=since),
            citizen=citizen_profile.citizen_profile(session, tenant_id=tenant_id, conversation_id=conversation_id),
        )

    async def messages(self, *, tenant_id: int, message_ids: list[int]) -> tuple[ZoneInfo, list[inbox.ThreadMessage]]:
        """These messages of the tenant as they are now (the bubbles whose delivery status changed), and the clock."""
        return await asyncio.to_thread(self._messages, tenant_id, message_ids)

    def _messages(self, tenant_id: int, message_ids: list[int]) -> tuple[ZoneInfo, list[inbox.ThreadMessage]]:
        with Session(self.engine) as session:
            found = (inbox.thread_message(session, tenant_id=tenant_id, message_id=m) for m in message_ids)
            return tenant_timezone(session, tenant_id=tenant_id), [message for message in found if message is not None]

    # --- Opening, resolving ---------------------------------------------------------------------------------

    async def open_conversation(self, *, tenant_id: int, conversation_id: int) -> OpenedConversation:
        """Open a conversation: mark it read (the other tabs' badges follow) and return what the tab shows."""
        self.thread_loads += 1
        opened, was_unread = await asyncio.to_thread(self._open, tenant_id, conversation_id)
        if was_unread:
            self.bus.publish(InboxEvent(tenant_id, conversation_id, InboxEventKind.CONVERSATION))
        return opened

    def _open(self, tenant_id: int, conversation_id: int) -> tuple[OpenedConversation, bool]:
        with session_scope(self.engine) as session:
            was_unread = inbox.mark_read(session, tenant_id=tenant_id, conversation_id=conversation_id)
            opened = OpenedConversation(
                thread=self._thread_in(session, tenant_id, conversation_id),
                templates=template_options(session, tenant_id=tenant_id, conversation_id=conversation_id),
            )
            return opened, was_unread

    async def resolve(self, *, operator: SignedInOperator, conversation_id: int) -> None:
        """Close a conversation; the citizen's next message opens a new one."""
        await asyncio.to_thread(self._resolve, operator, conversation_id)
        self.bus.publish(InboxEvent(operator.tenant_id, conversation_id, InboxEventKind.CONVERSATION))

    def _resolve(self, operator: SignedInOperator, conversation_id: int) -> None:
        with session_scope(self.engine) as session:
            inbox.resolve(
                session, tenant_id=operator.tenant_id, conversation_id=conversation_id, operator_id=operator.operator_id
            )

    # --- Who has it ------------------------------------------------------------------------------------------

    async def colleagues(self, *, tenant_id: int) -> list[inbox_work.Colleague]:
        """The organisation's active operators, whom a conversation can be assigned to."""
        return await asyncio.to_thread(self._colleagues, tenant_id)

    def _colleagues(self, tenant_id: int) -> list[inbox_work.Colleague]:
        with Session(self.engine) as session:
            return inbox_work.colleagues(session, tenant_id=tenant_id)

    async def assign(self, *, operator: SignedInOperator, conversation_id: int, assignee_id: int | None) -> int:
        """Give the conversation to an operator of the organisation (None: to nobody); every tab shows it. Returns the
        conversation's new version."""
        version = await asyncio.to_thread(self._assign, operator, conversation_id, assignee_id)
        self.bus.publish(InboxEvent(operator.tenant_id, conversation_id, InboxEventKind.CONVERSATION))
        return version

    def _assign(self, operator: SignedInOperator, conversation_id: int, assignee_id: int | None) -> int:
        with session_scope(self.engine) as session:
            conversation = inbox_work.assign(session, operator=operator, conversation_id=conversation_id, assignee_id=assignee_id)
            return conversation.version

    async def tenant_departments(self, *, tenant_id: int) -> list[departments.DepartmentInfo]:
        """The organisation's departments, which a conversation can be given to."""
        return await asyncio.to_thread(self._read, departments.tenant_departments, tenant_id)

    async def set_department(self, *, operator: SignedInOperator, conversation_id: int, department_id: int | None) -> int:
        """Give the conversation to a department of the organisation, transfer it to another, or take it off (None);
        every tab shows it. Returns the conversation's new version."""
        version = await asyncio.to_thread(self._set_department, operator, conversation_id, department_id)
        self.bus.publish(InboxEvent(operator.tenant_id, conversation_id, InboxEventKind.CONVERSATION))
        return version

    def _set_department(self, operator: SignedInOperator, conversation_id: int, department_id: int | None) -> int:
        with session_scope(self.engine) as session:
            return departments.set_department(
                session, operator=operator, conversation_id=conversation_id, department_id=department_id
            ).version

    async def take(self, *, operator: SignedInOperator, conversation_id: int) -> int:
        """The operator takes the conversation; returns its new version."""
        return await self.assign(operator=operator, conversation_id=conversation_id, assignee_id=operator.operator_id)

    # --- State and labels ------------------------------------------------------------------------------------

    async def set_state(
        self, *, operator: SignedInOperator, conversation_id: int, state: ConversationStatus, until: datetime | None = None
    ) -> int:
        """Make the conversation open, pending or snoozed until a time to come; returns its new version."""
        version = await asyncio.to_thread(self._set_state, operator, conversation_id, state, until)
        self.bus.publish(InboxEvent(operator.tenant_id, conversation_id, InboxEventKind.CONVERSATION))
        return version

    def _set_state(
        self, operator: SignedInOperator, conversation_id: int, state: ConversationStatus, until: datetime | None
    ) -> int:
        with session_scope(self.engine) as session:
            return inbox_states.set_state(
                session, operator=operator, conversation_id=conversation_id, state=state, until=until
            ).version

    async def snooze_typed(self, *, operator: SignedInOperator, conversation_id: int, day: object, at: object) -> int:
        """Snooze the conversation until a day and time the operator typed on the organisation's clock (checked here:
        a real time, to come, a year ahead at most); returns its new version."""
        version = await asyncio.to_thread(self._snooze_typed, operator, conversation_id, day, at)
        self.bus.publish(InboxEvent(operator.tenant_id, conversation_id, InboxEventKind.CONVERSATION))
        return version

    def _snooze_typed(self, operator: SignedInOperator, conversation_id: int, day: object, at: object) -> int:
        with session_scope(self.engine) as session:
            return inbox_states.snooze_typed(session, operator=operator, conversation_id=conversation_id, day=day, at=at).version

    async def wake_due(self) -> int:
        """Open again the snoozed conversations whose time has come, telling their organisations' tabs; how many."""
        woken = await asyncio.to_thread(self._wake_due)
        for tenant_id, conversation_id in woken:
            self.bus.publish(InboxEvent(tenant_id, conversation_id, InboxEventKind.CONVERSATION))
        return len(woken)

    def _wake_due(self) -> list[tuple[int, int]]:
        with session_scope(self.engine) as session:
            return inbox_states.wake_due(session)

    async def snooze_alarm(self, *, interval: float = SNOOZE_ALARM_SECONDS) -> None:
        """Lifespan task: every `interval` seconds, open again the snoozed conversations whose time has come."""
        while True:
            try:
                await self.wake_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not stop the alarm for good
                log.exception("the snooze alarm could not wake the conversations due")
            await asyncio.sleep(interval)

    async def tenant_labels(self, *, tenant_id: int) -> list[labels.LabelInfo]:
        """The organisation's labels."""
        return await asyncio.to_thread(self._read, labels.tenant_labels, tenant_id)

    def _read(self, read, tenant_id: int):  # noqa: ANN001, ANN202
        with Session(self.engine) as session:
            return read(session, tenant_id=tenant_id)

    async def add_label(self, *, operator: SignedInOperator, conversation_id: int, name: str) -> labels.LabelInfo:
        """Put a label (an existing one of the organisation, or a new one) on the conversation; every tab shows it."""
        label = await asyncio.to_thread(self._commit_label, labels.add_label, operator, conversation_id, name=name)
        self.bus.publish(InboxEvent(operator.tenant_id, conversation_id, InboxEventKind.CONVERSATION))
        return label

    async def remove_label(self, *, operator: SignedInOperator, conversation_id: int, label_id: int) -> None:
        """Take a label off the conversation; every tab shows it."""
        await asyncio.to_thread(self._commit_label, labels.remove_label, operator, conversation_id, label_id=label_id)
        self.bus.publish(InboxEvent(operator.tenant_id, conversation_id, InboxEventKind.CONVERSATION))

    def _commit_label(self, change, operator: SignedInOperator, conversation_id: int, **what: object):  # noqa: ANN001, ANN202
        with session_scope(self.engine) as session:
            return change(session, operator=operator, conversation_id=conversation_id, **what)

    # --- Answering ------------------------------------------------------------------------------------------

    async def reply(self, *, operator: SignedInOperator, conversation_id: int, text: str, seen_version: int | None = None) -> int:
        """An operator's text reply, in the outbox; returns the message's id (`InboxError` says why not;
        `ConversationMoved` when someone else took or resolved it since the operator saw `seen_version`)."""
        message_id = await asyncio.to_thread(
            self._commit, inbox.reply, operator, conversation_id, text=text, seen_version=seen_version
        )
        return self._sent(operator, conversation_id, message_id)

    async def send_attachment(
        self,
        *,
        operator: SignedInOperator,
        conversation_id: int,
        data: bytes,
        mime_type: str,
        filename: str,
        caption: str,
        seen_version: int | None = None,
    ) -> int:
        """Store a photo or a document and send it with an optional caption; returns the message's id."""
        media_path = await asyncio.to_thread(
            save_media,
            self.media_dir,
            tenant_id=operator.tenant_id,
            data=data,
            kind=MessageKind.PHOTO if mime_type in inbox.PHOTO_TYPES else MessageKind.DOCUMENT,
            filename=filename,
            mime_type=mime_type,
        )
        message_id = await asyncio.to_thread(
            self._commit,
            inbox.send_attachment,
            operator,
            conversation_id,
            media_path=media_path,
            mime_type=mime_type,
            filename=filename,
            caption=caption,
            seen_version=seen_version,
        )
        return self._sent(operator, conversation_id, message_id)

    async def send_location(
        self,
        *,
        operator: SignedInOperator,
        conversation_id: int,
        latitude: float,
        longitude: float,
        seen_version: int | None = None,
    ) -> int:
        """Send a map pin; returns the message's id."""
        message_id = await asyncio.to_thread(
            self._commit,
            inbox.send_location,
            operator,
            conversation_id,
            latitude=latitude,
            longitude=longitude,
            seen_version=seen_version,
        )
        return self._sent(operator, conversation_id, message_id)

    async def send_template(
        self,
        *,
        operator: SignedInOperator,
        conversation_id: int,
        name: str,
        language: str,
        params: list[str],
        seen_version: int | None = None,
    ) -> int:
        """Send an approved template, filled in (inside or outside the free-form window); returns the message's id."""
        message_id = await asyncio.to_thread(
            self._commit,
            inbox.send_template,
            operator,
            conversation_id,
            name=name,
            language=language,
            params=params,
            seen_version=seen_version,
        )
        return self._sent(operator, conversation_id, message_id)

    def _commit(self, send, operator: SignedInOperator, conversation_id: int, **content: object) -> int:  # noqa: ANN001
        with session_scope(self.engine) as session:
            return send(session, operator=operator, conversation_id=conversation_id, **content).id

    def _sent(self, operator: SignedInOperator, conversation_id: int, message_id: int) -> int:
        self.bus.wake_outbox()
        self.bus.publish(InboxEvent(operator.tenant_id, conversation_id, InboxEventKind.MESSAGE, message_id))
        return message_id

    # --- Internal notes -------------------------------------------------------------------------------------

    async def add_note(self, *, operator: SignedInOperator, conversation_id: int, text: str) -> notes.ThreadNote:
        """Store an operator's internal note on a conversation of their organisation; the tabs that have it open show
        it. Nothing goes to the citizen: the outbox is not woken and the queue is not redrawn (`InboxError` says why
        not: another organisation's conversation, an empty or too long note)."""
        note = await asyncio.to_thread(self._add_note, operator, conversation_id, text)
        self.bus.publish(InboxEvent(operator.tenant_id, conversation_id, InboxEventKind.NOTE, note.id))
        return note

    def _add_note(self, operator: SignedInOperator, conversation_id: int, text: str) -> notes.ThreadNote:
        with session_scope(self.engine) as session:
            return notes.add_note(session, operator=operator, conversation_id=conversation_id, text=text)

    # --- Notes on the citizen --------------------------------------------------------------------------------

    async def add_citizen_note(
        self, *, operator: SignedInOperator, conversation_id: int, text: str
    ) -> citizen_profile.CitizenNoteEntry:
        """Store an operator's note on the citizen behind a conversation of their organisation; every tab showing one
        of that citizen's conversations shows it (`InboxError` says why not: another organisation's conversation, an
        empty or too long note)."""
        note, shown_in = await asyncio.to_thread(self._add_citizen_note, operator, conversation_id, text)
        self._citizen_changed(operator.tenant_id, shown_in)
        return note

    def _add_citizen_note(
        self, operator: SignedInOperator, conversation_id: int, text: str
    ) -> tuple[citizen_profile.CitizenNoteEntry, list[int]]:
        with session_scope(self.engine) as session:
            note = citizen_profile.add_citizen_note(session, operator=operator, conversation_id=conversation_id, text=text)
            conversations = citizen_profile.citizen_conversations(
                session, tenant_id=operator.tenant_id, citizen_id=note.citizen_id
            )
            return note, conversations

    async def edit_citizen_note(self, *, operator: SignedInOperator, note_id: int, text: str) -> None:
        """Change one of the operator's own notes on a citizen; the tabs showing that citizen follow."""
        await self._change_citizen(citizen_profile.edit_citizen_note, operator, note_id=note_id, text=text)

    async def delete_citizen_note(self, *, operator: SignedInOperator, note_id: int) -> None:
        """Delete one of the operator's own notes on a citizen; the tabs showing that citizen follow."""
        await self._change_citizen(citizen_profile.delete_citizen_note, operator, note_id=note_id)

    async def _change_citizen(self, change, operator: SignedInOperator, **what: object) -> None:  # noqa: ANN001
        # A change of a note on the citizen or of their lists: every tab showing one of their conversations follows.
        def commit() -> list[int]:
            with session_scope(self.engine) as session:
                citizen_id = change(session, operator=operator, **what)
                return citizen_profile.citizen_conversations(session, tenant_id=operator.tenant_id, citizen_id=citizen_id)

        self._citizen_changed(operator.tenant_id, await asyncio.to_thread(commit))

    # --- The citizen's distribution lists ---------------------------------------------------------------------

    async def add_to_list(self, *, operator: SignedInOperator, conversation_id: int, list_id: int) -> None:
        """Put the citizen behind a conversation on a list, on the conversation's channel (recorded as this operator's
        doing); every tab showing that citizen follows (`InboxError` says why not)."""
        await self._change_citizen(citizen_profile.add_to_list, operator, conversation_id=conversation_id, list_id=list_id)

    async def remove_from_list(self, *, operator: SignedInOperator, conversation_id: int, subscription_id: int) -> None:
        """Take one of the citizen's subscriptions away (recorded as this operator's doing); the tabs follow."""
        await self._change_citizen(
            citizen_profile.remove_from_list, operator, conversation_id=conversation_id, subscription_id=subscription_id
        )

    def _citizen_changed(self, tenant_id: int, conversation_ids: list[int]) -> None:
        # A note event: the bridge redraws only the tabs showing these conversations, and reads no queue.
        for conversation_id in conversation_ids:
            self.bus.publish(InboxEvent(tenant_id, conversation_id, InboxEventKind.NOTE))

    # --- Export ---------------------------------------------------------------------------------------------

    async def export_csv(self, *, operator: SignedInOperator, conversation_id: int, words: Words) -> str:
        """The whole conversation (every message and note) as a CSV file in the reader's words; `InboxError` if it is
        not of the operator's organisation. Logs who exported what, never its content."""
        content = await asyncio.to_thread(self._export_csv, operator.tenant_id, conversation_id, words)
        log.info("operator %s exported conversation %s", operator.operator_id, conversation_id)
        return content

    def _export_csv(self, tenant_id: int, conversation_id: int, words: Words) -> str:
        with Session(self.engine) as session:
            return conversation_export.conversation_csv(
                session, tenant_id=tenant_id, conversation_id=conversation_id, words=words
            )

    async def printable(self, *, operator: SignedInOperator, conversation_id: int) -> conversation_export.ConversationRecord:
        """The whole conversation (every message and note, the organisation, its state and labels) for the printable
        page; `InboxError` if it is not of the operator's organisation. Logs who printed what, never its content."""
        record = await asyncio.to_thread(self._printable, operator.tenant_id, conversation_id)
        log.info("operator %s opened conversation %s to print", operator.operator_id, conversation_id)
        return record

    def _printable(self, tenant_id: int, conversation_id: int) -> conversation_export.ConversationRecord:
        with Session(self.engine) as session:
            return conversation_export.conversation_record(session, tenant_id=tenant_id, conversation_id=conversation_id)

    # --- One citizen across platforms -----------------------------------------------------------------------

    async def link_candidates(self, *, tenant_id: int, citizen_id: int, search: str) -> list[citizens.LinkCandidate]:
        """The tenant's other citizens this one may be linked with, optionally narrowed by name or phone."""
        return await asyncio.to_thread(self._link_candidates, tenant_id, citizen_id, search)

    def _link_candidates(self, tenant_id: int, citizen_id: int, search: str) -> list[citizens.LinkCandidate]:
        with Session(self.engine) as session:
            return citizens.link_candidates(session, tenant_id=tenant_id, exclude_id=citizen_id, search=search)

    async def link_citizens(
        self, *, tenant_id: int, conversation_id: int, keep_id: int, merge_id: int
    ) -> inbox.ConversationHeader:
        """Make `merge_id` part of `keep_id` (seen from `conversation_id`); returns that conversation's new header."""
        header = await asyncio.to_thread(self._link, tenant_id, conversation_id, keep_id, merge_id)
        self.bus.publish(InboxEvent(tenant_id, conversation_id, InboxEventKind.CONVERSATION))
        return header

    def _link(self, tenant_id: int, conversation_id: int, keep_id: int, merge_id: int) -> inbox.ConversationHeader:
        with session_scope(self.engine) as session:
            citizens.link_citizens(session, tenant_id=tenant_id, keep_id=keep_id, merge_id=merge_id)
            return inbox.conversation_header(session, tenant_id=tenant_id, conversation_id=conversation_id)
