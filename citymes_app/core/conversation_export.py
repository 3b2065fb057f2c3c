"""A whole conversation for an operator who must hand it on (a complaint file, a court, a colleague without access):
every message (not only the thread's last page) and every internal note, in time order, read once by
`conversation_record` and written out two ways — as a CSV file here (`conversation_csv`), and as the printable page
(`pages/conversation_print.py`), which draws the same record.

The column titles and the words for who wrote a line are the reader's (`Words`); the cells the citizen or an operator
wrote are made safe for spreadsheets (`csvfiles.safe_cell`). Another organisation's conversation is refused as missing,
with the same `InboxError` the inbox raises.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from citymes_app.core import inbox, notes
from citymes_app.core.clock import tenant_timezone
from citymes_app.core.csvfiles import safe_cell
from citymes_app.i18n import N_, Words
from citymes_app.models import Author, Conversation, Tenant

# Far above any real conversation; the export reads the whole of it, where the thread reads its last page.
EVERYTHING = 1_000_000
COLUMNS = (
    N_("Time"),
    N_("Who"),
    N_("Direction"),
    N_("Kind"),
    N_("Text"),
    N_("Media link"),
    N_("Latitude"),
    N_("Longitude"),
    N_("Delivery status"),
)
NOTE = "note"


@dataclass(frozen=True)
class ExportLine:
    """One line of the file: a message or a note, before it is worded."""

    created_at: datetime  # UTC
    author: Author | None  # None for a note
    name: str  # the operator's name (a reply, a note) or ""
    direction: str  # "in", "out" or "note"
    kind: str  # a `MessageKind` value, or "note"
    text: str
    media_path: str
    media_filename: str
    latitude: float | None
    longitude: float | None
    status: str
    contact_name: str = ""  # a shared contact's name and phone
    contact_phone: str = ""

    @property
    def note(self) -> bool:
        """An internal note (never sent to the citizen)."""
        return self.author is None

    @property
    def media_link(self) -> str:
        """Where the inbox serves its photo, video, voice note or file ("" if none)."""
        return f"/media/{self.media_path}" if self.media_path else ""


@dataclass(frozen=True)
class ConversationRecord:
    """A whole conversation as the export and the printable page show it."""

    organisation: str
    header: inbox.ConversationHeader  # the citizen, the channel, its state, who has it, its labels
    timezone: ZoneInfo  # the organisation's clock
    opened_at: datetime  # UTC
    last_message_at: datetime  # UTC
    lines: list[ExportLine]  # every message and note, oldest first


def conversation_record(session: Session, *, tenant_id: int, conversation_id: int) -> ConversationRecord:
    """Who the conversation is with, where, its state and labels, the organisation and its clock, and every message
    and note of a conversation of this tenant, oldest first (`InboxError` if it is not one: checked before anything is
    read)."""
    header = inbox.conversation_header(session, tenant_id=tenant_id, conversation_id=conversation_id)
    messages = inbox.thread(session, tenant_id=tenant_id, conversation_id=conversation_id, limit=EVERYTHING)
    written = notes.notes(session, tenant_id=tenant_id, conversation_id=conversation_id, limit=EVERYTHING)
    lines = [
        ExportLine(
            m.created_at,
            m.author,
            m.operator_name,
            m.direction.value,
            m.kind.value,
            m.text,
            m.media_path,
            m.media_filename,
            m.latitude,
            m.longitude,
            m.status.value,
            m.contact_name,
            m.contact_phone,
        )
        for m in messages
    ]
    lines += [ExportLine(n.created_at, None, n.operator_name, NOTE, NOTE, n.text, "", "", None, None, "") for n in written]
    # Stable: a message and a note written in the same instant keep messages first.
    lines.sort(key=lambda line: line.created_at)
    conversation = session.get_one(Conversation, conversation_id)
    return ConversationRecord(
        organisation=session.get_one(Tenant, tenant_id).name,
        header=header,
        timezone=tenant_timezone(session, tenant_id=tenant_id),
        opened_at=conversation.created_at,
        last_message_at=conversation.last_message_at,
        lines=lines,
    )


def who_wrote(line: ExportLine, header: inbox.ConversationHeader, words: Words) -> str:
    """Who wrote a line, in the reader's words: the citizen's name, the operator's, "Automatic answer", or "Internal
    note · <operator>"."""
    if line.author is None:
        return words.t("Internal note · {name}", name=line.name or words.t("Operator"))
    if line.author == Author.BOT:
        return words.t("Automatic answer")
    if line.author == Author.OPERATOR:
        return line.name or words.t("Operator")
    return header.citizen_name or words.t("Citizen #{id}", id=header.citizen_id)


def conversation_csv(session: Session, *, tenant_id: int, conversation_id: int, words: Words) -> str:
    """The conversation as a CSV file: a header line in the reader's language, then one line per message or note with
    its time (ISO, in the tenant's timezone), who wrote it, in/out/note, its kind, its text or caption, its media link
    (the path the inbox serves it under), its coordinates when a location, and its delivery status."""
    record = conversation_record(session, tenant_id=tenant_id, conversation_id=conversation_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([words.translate(column) for column in COLUMNS])
    for line in record.lines:
        writer.writerow(
            [
                line.created_at.astimezone(record.timezone).isoformat(timespec="seconds"),
                safe_cell(who_wrote(line, record.header, words)),
                line.direction,
                line.kind,
                safe_cell(line.text),
                line.media_link,
                "" if line.latitude is None else line.latitude,
                "" if line.longitude is None else line.longitude,
                line.status,
            ]
        )
    return out.getvalue()
