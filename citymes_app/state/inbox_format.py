"""How the inbox is worded on screen: time labels on the tenant's clock, who wrote each message, the reply window.

`core` hands over datetimes and enums; this module turns them into the small frozen rows the components draw. The
English phrases live here, in one place, for the coming translation of the interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from citymes_app.core.inbox import ConversationHeader, ReplyWindow, ThreadMessage
from citymes_app.core.inbox_desk import QueueSnapshot, ThreadSnapshot
from citymes_app.core.inbox_display import osm_link
from citymes_app.models import Author, utcnow


@dataclass(frozen=True)
class QueueLine:
    """One line of the live queue."""

    id: int
    citizen_name: str
    channel_name: str
    platform: str
    preview: str
    time_label: str  # "14:05", "Yesterday", "Mon", "12 Mar", "12/03/2024"
    unread_count: int
    awaiting_operator: bool
    citizen_unreachable: bool


@dataclass(frozen=True)
class Bubble:
    """One message of a conversation's thread, ready to draw."""

    id: int
    outbound: bool  # operator or automatic answer: drawn on the right
    author: str  # citizen | operator | bot
    author_name: str
    kind: str  # text, photo, video, audio, voice, document, location, contact, unsupported, template
    text: str  # the text or the caption, shown as text (never as HTML)
    media_path: str  # "tenant_id/name" under the media folder, or ""
    media_filename: str
    map_url: str  # an OpenStreetMap link for a location, or ""
    coordinates: str  # "41.53810, 2.44450" for a location, or ""
    contact: str  # "name phone" for a shared contact, or ""
    status: str  # received | pending | sent | delivered | read | failed
    error: str
    time_label: str


@dataclass(frozen=True)
class WindowView:
    """Whether a free-form reply can go out now, said before the operator writes it."""

    applies: bool  # False: the channel has no such window (any reply goes)
    open: bool
    closes_label: str  # "today at 15:32", "tomorrow at 09:05", "Tue 24 Nov at 10:00", or ""
    time_left: str  # "23 h left", "12 min left", or ""
    explanation: str  # why a free-form reply cannot go out, empty while open


NO_WINDOW = WindowView(applies=False, open=True, closes_label="", time_left="", explanation="")
AUTOMATIC_ANSWER = "Automatic answer"
SOME_OPERATOR = "Operator"


def citizen_label(name: str, citizen_id: int) -> str:
    """A citizen as the inbox names them: their name, or their number in this installation."""
    return name or f"Citizen #{citizen_id}"


def conversation_title(header: ConversationHeader) -> str:
    """ "Citizen name · channel" for a conversation's header."""
    return f"{citizen_label(header.citizen_name, header.citizen_id)} · {header.channel_name}"


def clock_label(moment: datetime, *, tz: ZoneInfo, now: datetime, with_time: bool = False) -> str:
    """A short label for `moment` as seen on the tenant's clock at `now`.

    Today shows the time; yesterday, "Yesterday"; the last week, the weekday; older, the day and month (with the
    year when it is not this year). `with_time` adds the time to the older forms (for thread bubbles).
    """
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    days = (today - local.date()).days
    if days <= 0:
        return clock
    if days == 1:
        label = "Yesterday"
    elif days < 7:
        label = local.strftime("%a")
    elif local.year == today.year:
        label = f"{local.day} {local.strftime('%b')}"
    else:
        label = local.strftime("%d/%m/%Y")
    return f"{label} {clock}" if with_time else label


def moment_label(moment: datetime, *, tz: ZoneInfo, now: datetime) -> str:
    """ "today at 15:32", "tomorrow at 09:05", "yesterday at 18:00", or "Tue 24 Nov at 10:00" on the tenant's clock."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    day = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days) or f"{local.strftime('%a')} {local.day} {local.strftime('%b')}"
    return f"{day} at {local.strftime('%H:%M')}"


def time_left(left: timedelta) -> str:
    """ "23 h left", "12 min left" (never less than a minute)."""
    minutes = max(1, int(left.total_seconds() // 60))
    return f"{minutes} min left" if minutes < 60 else f"{minutes // 60} h left"


def queue_lines(snapshot: QueueSnapshot, *, now: datetime | None = None) -> list[QueueLine]:
    """The queue as its lines read."""
    now = now or utcnow()
    return [
        QueueLine(
            id=c.id,
            citizen_name=citizen_label(c.citizen_name, c.citizen_id),
            channel_name=c.channel_name,
            platform=c.platform,
            preview=c.preview,
            time_label=clock_label(c.last_message_at, tz=snapshot.timezone, now=now),
            unread_count=c.unread_count,
            awaiting_operator=c.awaiting_operator,
            citizen_unreachable=c.citizen_unreachable,
        )
        for c in snapshot.conversations
    ]


def bubble(message: ThreadMessage, *, citizen_name: str, tz: ZoneInfo, now: datetime) -> Bubble:
    """One message as its bubble reads; `citizen_name` is how the conversation's header names the citizen."""
    located = message.latitude is not None and message.longitude is not None
    if message.author == Author.OPERATOR:
        author_name = message.operator_name or SOME_OPERATOR
    elif message.author == Author.BOT:
        author_name = AUTOMATIC_ANSWER
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
        time_label=clock_label(message.created_at, tz=tz, now=now, with_time=True),
    )


def thread_bubbles(snapshot: ThreadSnapshot, *, now: datetime | None = None) -> list[Bubble]:
    """A conversation's thread as its bubbles read, oldest first."""
    now = now or utcnow()
    name = citizen_label(snapshot.header.citizen_name, snapshot.header.citizen_id)
    return [bubble(m, citizen_name=name, tz=snapshot.timezone, now=now) for m in snapshot.messages]


def window_view(window: ReplyWindow, *, tz: ZoneInfo, now: datetime | None = None) -> WindowView:
    """The free-form window as the reply box says it."""
    if not window.applies:
        return NO_WINDOW
    now = now or utcnow()
    closes = window.closes_at
    return WindowView(
        applies=True,
        open=window.open,
        closes_label=moment_label(closes, tz=tz, now=now) if closes else "",
        time_left=time_left(closes - now) if closes and window.open else "",
        explanation=window.refusal,
    )
