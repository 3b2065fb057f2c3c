"""The printable page of one conversation (`/inbox/print/<id>`): the record the CSV export reads
(`core.conversation_export.conversation_record`), worded on the server in the signed-in operator's language, with
times on the organisation's clock.

The page's on_load empties what the tab showed before, checks the signed-in operator, then asks the desk for the
conversation of *their* organisation: an id from another organisation, a missing one or anything that is not a number
all end the same way, as a plain "not found", with nothing loaded. The id in the URL is only ever a question.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.conversation_export import ConversationRecord, ExportLine, who_wrote
from citymes_app.core.inbox_display import osm_link
from citymes_app.i18n import N_, Words, words_for
from citymes_app.models import Author, ConversationStatus, utcnow
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE, AuthState
from citymes_app.state.inbox_format import citizen_label
from citymes_app.state.language import on_language_switch

log = logging.getLogger(__name__)

# The page's address: this prefix and the conversation's id (`pages/conversation_print.py`).
PRINT_PREFIX = "/inbox/print/"
ROUTE_ARGUMENT = "conversation"
# Ids are database integers: anything longer is not one of ours.
MAX_ID_DIGITS = 18
PLATFORM_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
# A message's kind as the page names it (the queue's msgids for the same kinds).
KIND_NAMES = {
    "photo": N_("Photo"),
    "video": N_("Video"),
    "audio": N_("Audio"),
    "voice": N_("Voice message"),
    "document": N_("Document"),
    "location": N_("Location"),
    "contact": N_("Contact"),
    "template": N_("Template"),
    "unsupported": N_("Unsupported message"),
}


@dataclass(frozen=True)
class PrintedLine:
    """A message or a note as the page prints it (worded, times on the organisation's clock)."""

    key: str
    who: str  # the citizen's name, the operator's, "Automatic answer"; for a note, the operator's
    when: str  # "24 Nov 2026, 10:00"
    side: str  # "citizen", "operator", "automatic" or "note"
    kind: str  # "Photo", "Location"... in the reader's words, or "" for text
    text: str  # as written: the page shows it as text
    media_path: str  # "tenant_id/name" under the media route, or ""
    media_name: str  # the file's name, or the kind's name
    map_link: str  # an OpenStreetMap page for a location, or ""
    coordinates: str
    contact: str


def conversation_id_from(argument: object) -> int | None:
    """The conversation id of the URL, if it is a plain positive number (anything else names no conversation)."""
    if not isinstance(argument, str) or not argument.isascii() or not argument.isdigit() or len(argument) > MAX_ID_DIGITS:
        return None
    number = int(argument)
    return number or None


def state_words(record: ConversationRecord, words: Words) -> str:
    """The conversation's state as the page says it: "Open", "Pending", "Snoozed until 24 Nov 2026, 08:00", "Resolved"."""
    header = record.header
    if header.status == ConversationStatus.SNOOZED and header.snoozed_until is not None:
        return words.t("Snoozed until {time}", time=words.moment(header.snoozed_until.astimezone(record.timezone)))
    # A snooze always has its time; one without would be open in all but name.
    names = {ConversationStatus.PENDING: N_("Pending"), ConversationStatus.RESOLVED: N_("Resolved")}
    return words.translate(names.get(header.status, N_("Open")))


def printed_line(number: int, line: ExportLine, record: ConversationRecord, words: Words) -> PrintedLine:
    """One line of the record as the page prints it."""
    located = line.latitude is not None and line.longitude is not None
    if line.note:
        side, who = "note", line.name or words.t("Operator")
    else:
        side = {Author.BOT: "automatic", Author.OPERATOR: "operator"}.get(line.author or Author.CITIZEN, "citizen")
        who = who_wrote(line, record.header, words)
    kind = words.translate(KIND_NAMES[line.kind]) if line.kind in KIND_NAMES else ""
    return PrintedLine(
        key=str(number),
        who=who,
        when=words.moment(line.created_at.astimezone(record.timezone)),
        side=side,
        kind=kind,
        text=line.text,
        media_path=line.media_path,
        media_name=line.media_filename or kind,
        map_link=osm_link(line.latitude, line.longitude) if line.latitude is not None and line.longitude is not None else "",
        coordinates=f"{line.latitude:.5f}, {line.longitude:.5f}" if located else "",
        contact=" ".join(filter(None, [line.contact_name, line.contact_phone])),
    )


class ConversationPrintState(rx.State):
    """What the printable page shows: nothing until the checks pass, "not found" when they do not."""

    loaded: bool = False  # the on_load ran to its end (found or not)
    found: bool = False
    conversation_id: int = 0
    organisation: str = ""
    citizen: str = ""
    channel: str = ""  # its name, and its platform unless the name says it
    opened_at: str = ""
    last_message_at: str = ""
    printed_at: str = ""
    zone: str = ""  # the organisation's clock, which every time on the page is read on ("Europe/Madrid")
    status: str = ""
    assignee: str = ""
    labels: list[str] = []
    messages: list[PrintedLine] = []
    notes: list[PrintedLine] = []

    def _show(self, record: ConversationRecord, words: Words) -> None:
        header, tz = record.header, record.timezone
        self.conversation_id = header.conversation_id
        self.organisation = record.organisation
        self.citizen = citizen_label(header.citizen_name, header.citizen_id, words)
        platform = PLATFORM_NAMES.get(header.platform, header.platform)
        named = platform.lower() in header.channel_name.lower()  # "Telegram @vilademo_bot" names its platform already
        self.channel = header.channel_name if named else f"{header.channel_name} · {platform}"
        self.opened_at = words.moment(record.opened_at.astimezone(tz))
        self.last_message_at = words.moment(record.last_message_at.astimezone(tz))
        self.printed_at, self.zone = words.moment(utcnow().astimezone(tz)), str(tz)
        self.status, self.assignee = state_words(record, words), header.assignee_name
        self.labels = [label.name for label in header.labels]
        lines = [printed_line(number, line, record, words) for number, line in enumerate(record.lines)]
        self.messages = [line for line in lines if line.side != "note"]
        self.notes = [line for line in lines if line.side == "note"]
        self.found = True

    async def _load(self, operator: SignedInOperator, conversation_id: int | None) -> None:
        """Load the conversation if it is of the operator's organisation (else the page says "not found")."""
        self.reset()
        if conversation_id is None:
            self.loaded = True
            return
        try:
            record = await get_runtime().inbox.printable(operator=operator, conversation_id=conversation_id)
        except inbox.InboxError:
            log.info("operator %s asked to print a conversation that is not theirs or not there", operator.operator_id)
            self.loaded = True
            return
        self._show(record, words_for(operator.language))
        self.loaded = True

    @rx.event
    async def open_print_page(self):
        """Page load: what the tab showed before is forgotten; a signed-out browser goes to the login page; the
        conversation of the URL is shown only if it is of the signed-in operator's organisation."""
        self.reset()
        operator = await (await self.get_state(AuthState))._signed_in()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        await self._load(operator, conversation_id_from(self.router.page.params.get(ROUTE_ARGUMENT, "")))
        return None

    @rx.event
    async def relabel(self):
        """The operator switched language: word the page again (checked again, like a load)."""
        if not self.found:
            return
        operator = await (await self.get_state(AuthState))._signed_in()
        if operator is None:
            self.reset()
            return
        await self._load(operator, self.conversation_id)


on_language_switch(ConversationPrintState.relabel)
