"""The inbox as the operators' browser shows it: queue lines and thread bubbles with times on the tenant's clock.

`core.inbox` answers what is in the inbox; this module shapes it for display (short time labels in the
tenant's timezone, a map link for a location) as small frozen dataclasses a web layer can serialise as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from citymes_app.core import inbox
from citymes_app.models import Citizen, Conversation, Direction, Tenant, utcnow

DEFAULT_TIMEZONE = "Europe/Madrid"


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
    kind: str  # text, photo, video, audio, voice, document, location, contact, unsupported
    text: str  # the text or the caption, shown as text (never as HTML)
    media_path: str  # "tenant_id/name" under the media folder, or ""
    media_filename: str
    map_url: str  # an OpenStreetMap link for a location, or ""
    coordinates: str  # "41.53810, 2.44450" for a location, or ""
    contact: str  # "name phone" for a shared contact, or ""
    status: str  # received | pending | sent | delivered | read | failed
    error: str
    time_label: str


def tenant_timezone(session: Session, *, tenant_id: int) -> ZoneInfo:
    """The tenant's timezone (Europe/Madrid if the stored one is unknown)."""
    tenant = session.get(Tenant, tenant_id)
    try:
        return ZoneInfo(tenant.timezone if tenant else DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


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


def osm_link(latitude: float, longitude: float) -> str:
    """An OpenStreetMap page centred on a point, with a marker."""
    lat, lon = f"{latitude:.6f}", f"{longitude:.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def queue_lines(session: Session, *, tenant_id: int, now: datetime | None = None) -> list[QueueLine]:
    """The tenant's live queue (see `inbox.queue` for the order), with time labels."""
    tz, now = tenant_timezone(session, tenant_id=tenant_id), now or utcnow()
    return [
        QueueLine(
            id=summary.id,
            citizen_name=summary.citizen_name,
            channel_name=summary.channel_name,
            platform=summary.platform,
            preview=summary.preview,
            time_label=clock_label(datetime.fromisoformat(summary.last_message_at), tz=tz, now=now),
            unread_count=summary.unread_count,
            awaiting_operator=summary.awaiting_operator,
            citizen_unreachable=summary.citizen_unreachable,
        )
        for summary in inbox.queue(session, tenant_id=tenant_id)
    ]


def thread_bubbles(session: Session, *, tenant_id: int, conversation_id: int, now: datetime | None = None) -> list[Bubble]:
    """A conversation's thread, oldest first; `inbox.InboxError` if it is not this tenant's."""
    messages = inbox.thread(session, tenant_id=tenant_id, conversation_id=conversation_id)
    tz, now = tenant_timezone(session, tenant_id=tenant_id), now or utcnow()
    bubbles = []
    for m in messages:
        located = m.latitude is not None and m.longitude is not None
        bubbles.append(
            Bubble(
                id=m.id,
                outbound=m.direction == Direction.OUTBOUND,
                author=m.author,
                author_name=m.author_name,
                kind=m.kind,
                text=m.text,
                media_path=m.media_path,
                media_filename=m.media_filename,
                map_url=osm_link(m.latitude, m.longitude) if located else "",
                coordinates=f"{m.latitude:.5f}, {m.longitude:.5f}" if located else "",
                contact=m.contact,
                status=m.status,
                error=m.error,
                time_label=clock_label(datetime.fromisoformat(m.created_at), tz=tz, now=now, with_time=True),
            )
        )
    return bubbles


@dataclass(frozen=True)
class TemplateOption:
    """An approved template an operator can pick, with what the picker needs."""

    id: str  # the template's id, as the picker's value
    name: str
    language: str
    label: str  # "seguiment (ca)"
    body: str
    parameter_count: int


@dataclass(frozen=True)
class WindowView:
    """Whether a free-form reply can go out now, said before the operator writes it."""

    applies: bool  # False: the channel has no such window (any reply goes)
    open: bool
    closes_label: str  # "today at 15:32", "tomorrow at 09:05", "Tue 24 Nov at 10:00", or ""
    time_left: str  # "23 h left", "12 min left", or ""
    explanation: str  # why a free-form reply cannot go out, empty while open


NO_WINDOW = WindowView(applies=False, open=True, closes_label="", time_left="", explanation="")


def moment_label(moment: datetime, *, tz: ZoneInfo, now: datetime) -> str:
    """ "today at 15:32", "tomorrow at 09:05", "yesterday at 18:00", or "Tue 24 Nov at 10:00" on the tenant's clock."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    day = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days) or f"{local.strftime('%a')} {local.day} {local.strftime('%b')}"
    return f"{day} at {local.strftime('%H:%M')}"


def _time_left(left: timedelta) -> str:
    minutes = max(1, int(left.total_seconds() // 60))
    return f"{minutes} min left" if minutes < 60 else f"{minutes // 60} h left"


def reply_window_view(session: Session, *, tenant_id: int, conversation_id: int, now: datetime | None = None) -> WindowView:
    """The conversation's free-form window as the reply box shows it; `inbox.InboxError` if not this tenant's."""
    window = inbox.reply_window(session, tenant_id=tenant_id, conversation_id=conversation_id)
    if window.closes_at is None and window.open:
        return NO_WINDOW
    tz, now = tenant_timezone(session, tenant_id=tenant_id), now or utcnow()
    closes = datetime.fromisoformat(window.closes_at) if window.closes_at else None
    label = moment_label(closes, tz=tz, now=now) if closes else ""
    left = _time_left(closes - now) if closes and window.open else ""
    return WindowView(applies=True, open=window.open, closes_label=label, time_left=left, explanation=window.explanation)


def template_options(session: Session, *, tenant_id: int, conversation_id: int) -> list[TemplateOption]:
    """The approved templates of a conversation's channel, those in the citizen's language first."""
    found = inbox.conversation_templates(session, tenant_id=tenant_id, conversation_id=conversation_id)
    conversation = session.get(Conversation, conversation_id)
    citizen = session.get(Citizen, conversation.citizen_id)
    tenant = session.get(Tenant, tenant_id)
    preferred = [citizen.language] if citizen and citizen.language else []
    preferred += tenant.languages.split(",") if tenant else []

    def rank(language: str) -> int:
        base = language.split("_")[0]
        return preferred.index(base) if base in preferred else len(preferred)

    ordered = sorted(found, key=lambda t: (rank(t.language), t.name, t.language))
    return [TemplateOption(str(t.id), t.name, t.language, f"{t.name} ({t.language})", t.body, t.parameter_count) for t in ordered]
