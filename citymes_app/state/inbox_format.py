"""How the inbox is worded on screen: time labels on the tenant's clock, who wrote each message, the reply window.

`core` hands over datetimes and enums; this module turns them into the small frozen rows the components draw, in the
operator's language (`i18n.Words`: the catalogs for the words, babel's CLDR data for dates and numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton

from citymes_app.core.inbox import ConversationHeader, ReplyWindow, ThreadMessage
from citymes_app.core.inbox_desk import QueueSnapshot, ThreadSnapshot
from citymes_app.core.inbox_display import osm_link
from citymes_app.core.notes import ThreadNote
from citymes_app.i18n import LANGUAGES, N_, Words, words_for
from citymes_app.models import Author, utcnow


@dataclass(frozen=True)
class LabelChip:
    """A label, as a chip."""

    id: int
    name: str
    color: str = "cyan"


@dataclass(frozen=True)
class QueueLine:
    """One line of the live queue, shared by every operator tab of the tenant, whatever each one's language: the
    words a line needs come in each language (`time_labels`) or are looked up in the tab's catalog (`preview_label`,
    the unnamed citizen)."""

    id: int
    citizen_id: int
    citizen_name: str  # "" when the platform gave no name: the tab says "Citizen #12"
    channel_name: str
    platform: str
    preview_icon: str  # the icon of a message that is not text ("camera"), or ""
    preview_label: str  # its kind ("Photo"), a msgid; or ""
    preview: str  # the text or caption after it
    time_labels: dict[str, str]  # language → "14:05", "Yesterday", "Mon", "12 Mar", "12/03/2024"
    unread_count: int
    awaiting_operator: bool
    citizen_unreachable: bool
    assignee_id: int = 0  # who has the conversation (0: nobody) and their name
    assignee_name: str = ""
    status: str = "open"  # open | pending | snoozed
    snoozed_labels: dict[str, str] = field(default_factory=dict)  # language → "tomorrow at 08:00", while snoozed
    labels: list[LabelChip] = field(default_factory=list)
    channel_id: int = 0
    waiting_since: int = 0  # since when it waits for an operator (milliseconds since 1970, for the tab's clock); 0: not
    department_id: int = 0  # the department it is with (0: none) and its name
    department_name: str = ""


@dataclass(frozen=True)
class NoticeLine:
    """What the inbox's notifier (`components/inbox_notifier.jsx`) compares between two versions of the queue: who
    wrote, how much is unread and who has it; never the message text (a browser notification may show on a shared
    screen)."""

    id: int
    citizen_id: int
    name: str  # "" when the platform gave no name: the tab says "Citizen #12"
    unread: int
    assignee_id: int


@dataclass(frozen=True)
class QueueNotices:
    """The queue as the notifier reads it; `version` 0 while the tab is not yet linked to its tenant's inbox (its queue
    then is not the real one, and the notifier waits for the first real one to compare against)."""

    version: int
    lines: list[NoticeLine]


def queue_notices(queue: list[QueueLine], *, version: int) -> QueueNotices:
    """The notifier's summary of the shared queue."""
    return QueueNotices(
        version=version,
        lines=[NoticeLine(line.id, line.citizen_id, line.citizen_name, line.unread_count, line.assignee_id) for line in queue],
    )


@dataclass(frozen=True)
class Bubble:
    """One message of a conversation's thread, or one of its operators' internal notes, ready to draw."""

    id: int  # the message's, or the note's (`note`): the two are numbered apart
    outbound: bool  # operator or automatic answer: drawn on the right
    author: str  # citizen | operator | bot
    author_name: str
    kind: str  # text, photo, video, audio, voice, document, location, contact, unsupported, template; note
    text: str  # the text or the caption, shown as text (never as HTML)
    media_path: str  # "tenant_id/name" under the media folder, or ""
    media_filename: str
    map_url: str  # an OpenStreetMap link for a location, or ""
    coordinates: str  # "41.53810, 2.44450" for a location, or ""
    contact: str  # "name phone" for a shared contact, or ""
    status: str  # received | pending | sent | delivered | read | failed
    error: str
    time_label: str
    note: bool = False  # an internal note: for the organisation's operators only, never sent to the citizen
    buttons: list[str] = field(default_factory=list)  # the menu the town hall offered under it, as the citizen saw it


@dataclass(frozen=True)
class WindowView:
    """Whether a free-form reply can go out now, said before the operator writes it."""

    applies: bool  # False: the channel has no such window (any reply goes)
    open: bool
    closes_label: str  # "today at 15:32", "tomorrow at 09:05", "Tue 24 Nov at 10:00", or ""
    time_left: str  # "23 h left", "12 min left", or ""
    explanation: str  # why a free-form reply cannot go out, empty while open


NO_WINDOW = WindowView(applies=False, open=True, closes_label="", time_left="", explanation="")
# The labels `core.pipeline.preview` stores before a message that is not text, as the queue draws them: an icon (no
# emoji font needed) and the kind's name, a msgid (tests/state/test_inbox_format.py keeps the keys equal to core's).
PREVIEW_KINDS = {
    "📷 Photo": ("camera", N_("Photo")),
    "🎬 Video": ("video", N_("Video")),
    "🎵 Audio": ("music", N_("Audio")),
    "🎤 Voice message": ("mic", N_("Voice message")),
    "📄 Document": ("file-text", N_("Document")),
    "📍 Location": ("map-pin", N_("Location")),
    "👤 Contact": ("contact", N_("Contact")),
    "⚠ Unsupported message": ("circle-help", N_("Unsupported message")),
}
PREVIEW_ICONS = tuple(icon for icon, _ in PREVIEW_KINDS.values())


def citizen_label(name: str, citizen_id: int, words: Words) -> str:
    """A citizen as the inbox names them: their name, or their number in this installation."""
    return name or words.t("Citizen #{id}", id=citizen_id)


def conversation_title(header: ConversationHeader, words: Words) -> str:
    """ "Citizen name · channel" for a conversation's header."""
    return f"{citizen_label(header.citizen_name, header.citizen_id, words)} · {header.channel_name}"


def _time(local: datetime, words: Words) -> str:
    return format_skeleton("Hm", local, locale=words.locale)


def clock_label(moment: datetime, *, tz: ZoneInfo, now: datetime, words: Words, with_time: bool = False) -> str:
    """A short label for `moment` as seen on the tenant's clock at `now`, in the operator's language.

    Today shows the time; yesterday, "Yesterday"; the last week, the weekday; older, the day and month (with the
    year when it is not this year). `with_time` adds the time to the older forms (for thread bubbles).
    """
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = _time(local, words)
    days = (today - local.date()).days
    if days <= 0:
        return clock
    if days == 1:
        label = words.t("Yesterday")
    elif days < 7:
        label = format_date(local, "EEE", locale=words.locale)
    elif local.year == today.year:
        label = format_skeleton("MMMd", local, locale=words.locale)
    else:
        label = format_skeleton("yMd", local, locale=words.locale)
    return f"{label} {clock}" if with_time else label


def moment_label(moment: datetime, *, tz: ZoneInfo, now: datetime, words: Words) -> str:
    """ "today at 15:32", "tomorrow at 09:05", "yesterday at 18:00", or "Tue 24 Nov at 10:00" on the tenant's clock."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    time = _time(local, words)
    days = (local.date() - today).days
    if days == 0:
        return words.t("today at {time}", time=time)
    if days == 1:
        return words.t("tomorrow at {time}", time=time)
    if days == -1:
        return words.t("yesterday at {time}", time=time)
    return words.t("{day} at {time}", day=format_skeleton("MMMEd", local, locale=words.locale), time=time)


def time_left(left: timedelta, words: Words) -> str:
    """ "23 h left", "12 min left" (never less than a minute)."""
    minutes = max(1, int(left.total_seconds() // 60))
    if minutes < 60:
        return words.t("{n} min left", n=words.number(minutes))
    return words.t("{n} h left", n=words.number(minutes // 60))


def split_preview(preview: str) -> tuple[str, str, str]:
    """A stored preview as (its kind's icon or "", its kind's name — a msgid — or "", the text after it)."""
    for stored, (icon, name) in PREVIEW_KINDS.items():
        if preview == stored or preview.startswith(stored + " "):
            return icon, name, preview[len(stored) + 1 :]
    return "", "", preview


def queue_lines(snapshot: QueueSnapshot, *, now: datetime | None = None) -> list[QueueLine]:
    """The queue as its lines read, in every language (the lines are shared by operators of different languages)."""
    now = now or utcnow()
    every = [words_for(language) for language in LANGUAGES]
    lines = []
    for c in snapshot.conversations:
        icon, label, text = split_preview(c.preview)
        times = {w.language: clock_label(c.last_message_at, tz=snapshot.timezone, now=now, words=w) for w in every}
        until = c.snoozed_until
        snoozed = {w.language: moment_label(until, tz=snapshot.timezone, now=now, words=w) for w in every} if until else {}
        lines.append(
            QueueLine(
                id=c.id,
                citizen_id=c.citizen_id,
                citizen_name=c.citizen_name,
                channel_name=c.channel_name,
                platform=c.platform,
                preview_icon=icon,
                preview_label=label,
                preview=text,
                time_labels=times,
                unread_count=c.unread_count,
                awaiting_operator=c.awaiting_operator,
                citizen_unreachable=c.citizen_unreachable,
                assignee_id=c.assignee_id or 0,
                assignee_name=c.assignee_name,
                status=c.status.value,
                snoozed_labels=snoozed,
                labels=[LabelChip(label.id, label.name, label.color) for label in c.labels],
                channel_id=c.channel_id,
                waiting_since=int(c.awaiting_since.timestamp() * 1000) if c.awaiting_since else 0,
                department_id=c.department_id or 0,
                department_name=c.department_name,
            )
        )
    return lines


def bubble(message: ThreadMessage, *, citizen_name: str, tz: ZoneInfo, now: datetime, words: Words) -> Bubble:
    """One message as its bubble reads; `citizen_name` is how the conversation's header names the citizen."""
    located = message.latitude is not None and message.longitude is not None
    if message.author == Author.OPERATOR:
        author_name = message.operator_name or words.t("Operator")
    elif message.author == Author.BOT:
        author_name = words.t("Automatic answer")
    else:
        author_name = citizen_name
    return Bubble(
        id=message.id,
        outbound=message.outbound,
        author=message.author.value,
        author_name=author_name,
        kind=message.kind.value,
        text=message.text,
        media_path=message.media_path,
        media_filename=message.media_filename,
        map_url=osm_link(message.latitude, message.longitude)
        if message.latitude is not None and message.longitude is not None
        else "",
        coordinates=f"{message.latitude:.5f}, {message.longitude:.5f}" if located else "",
        contact=" ".join(filter(None, [message.contact_name, message.contact_phone])),
        status=message.status.value,
        error=message.error,
        time_label=clock_label(message.created_at, tz=tz, now=now, words=words, with_time=True),
        buttons=list(message.buttons),
    )


def note_bubble(note: ThreadNote, *, tz: ZoneInfo, now: datetime, words: Words) -> Bubble:
    """An internal note as the thread shows it, apart from the messages."""
    return Bubble(
        id=note.id,
        outbound=False,
        author="operator",
        author_name=note.operator_name or words.t("Operator"),
        kind="note",
        text=note.text,
        media_path="",
        media_filename="",
        map_url="",
        coordinates="",
        contact="",
        status="",
        error="",
        time_label=clock_label(note.created_at, tz=tz, now=now, words=words, with_time=True),
        note=True,
    )


def thread_bubbles(snapshot: ThreadSnapshot, *, words: Words, now: datetime | None = None) -> list[Bubble]:
    """A conversation's thread as its bubbles read, oldest first: its messages and its internal notes in time order
    (a note written in the same instant as a message comes after it)."""
    now = now or utcnow()
    name = citizen_label(snapshot.header.citizen_name, snapshot.header.citizen_id, words)
    tz, waiting = snapshot.timezone, list(reversed(snapshot.notes))
    drawn: list[Bubble] = []
    for message in snapshot.messages:  # the messages keep their own order; each note goes before the first one after it
        while waiting and waiting[-1].created_at < message.created_at:
            drawn.append(note_bubble(waiting.pop(), tz=tz, now=now, words=words))
        drawn.append(bubble(message, citizen_name=name, tz=tz, now=now, words=words))
    drawn += [note_bubble(note, tz=tz, now=now, words=words) for note in reversed(waiting)]
    return drawn


def window_view(window: ReplyWindow, *, tz: ZoneInfo, words: Words, now: datetime | None = None) -> WindowView:
    """The free-form window as the reply box says it."""
    if not window.applies:
        return NO_WINDOW
    now = now or utcnow()
    closes = window.closes_at
    return WindowView(
        applies=True,
        open=window.open,
        closes_label=moment_label(closes, tz=tz, now=now, words=words) if closes else "",
        time_left=time_left(closes - now, words) if closes and window.open else "",
        explanation=words.phrase(window.refusal),
    )
