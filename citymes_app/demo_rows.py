"""The rows of the demo history (`demo_history`): citizens and their platform identities, conversations, messages,
reporting events and unanswered questions, built from the scripts of `demo_script` with ids assigned in order, and
written with SQLAlchemy Core bulk inserts. Photos and videos get a MIME type and a caption but no file (`media_path`
stays empty: the files do not exist). The phone numbers are invented, one per citizen."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from citymes_app import demo_texts
from citymes_app.core.matching import normalize
from citymes_app.core.pipeline import preview
from citymes_app.core.routing import AnswerOutcome, unmatched_query
from citymes_app.core.service_times import bucket
from citymes_app.demo_calendar import DemoCalendar
from citymes_app.demo_script import Script
from citymes_app.models import (
    Citizen,
    CitizenIdentity,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    ReportingEvent,
    UnmatchedQuery,
    table_of,
)
from integrations.base import MessageKind

ROW_CHUNK = 5000  # rows per executemany
MEDIA_MIME = {MessageKind.PHOTO: "image/jpeg", MessageKind.VIDEO: "video/mp4"}
TABLES = (Citizen, CitizenIdentity, Conversation, Message, ReportingEvent, UnmatchedQuery)


def next_ids(connection: Connection) -> dict[str, int]:
    ids = {}
    for model in TABLES:
        table = table_of(model)
        ids[table.name] = int(connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1
    return ids


def insert(connection: Connection, model: type, rows: list[dict[str, Any]]) -> None:
    table = table_of(model)
    for start in range(0, len(rows), ROW_CHUNK):
        connection.execute(sa.insert(table), rows[start : start + ROW_CHUNK])


def moved_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from sequences, which did not see the ids written here: move them past them."""
    if connection.dialect.name != "postgresql":
        return
    for model in TABLES:
        name = table_of(model).name
        connection.execute(
            sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM \"{name}\"))")  # noqa: S608 - our table names
        )


def at_instant(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, UTC)


@dataclass
class Town:
    """The citizens of the history and the channel each writes on."""

    channel: list[int]  # by citizen number
    language: list[str]
    first: list[int]  # their first conversation's start


def citizen_rows(
    rng: random.Random, tenant_id: int, town: Town, first_id: int, channels: list[tuple[int, str]]
) -> Iterator[dict[str, Any]]:
    for n, (channel, language, first) in enumerate(zip(town.channel, town.language, town.first, strict=True)):
        yield {
            "id": first_id + n,
            "tenant_id": tenant_id,
            "display_name": demo_texts.citizen_name(rng),
            "phone": phone(first_id + n) if channels[channel][1] == "whatsapp" else None,
            "language": language,
            "unreachable": False,
            "created_at": at_instant(first),
        }


def phone(citizen_id: int) -> str:
    """An invented Spanish mobile number, one per citizen (a bijection of the id, so never twice)."""
    return f"+3469{citizen_id * 7919 % 10**7:07d}"


def address(citizen_id: int, platform: str) -> str:
    """Where replies go: the WhatsApp number without its +, or a Telegram chat id."""
    return phone(citizen_id)[1:] if platform == "whatsapp" else str(7_000_000_000 + citizen_id)


def identity_rows(
    tenant_id: int, town: Town, first_id: int, channels: list[tuple[int, str]], ids: dict[str, int]
) -> Iterator[dict[str, Any]]:
    for n, (channel, first) in enumerate(zip(town.channel, town.first, strict=True)):
        platform = channels[channel][1]
        yield {
            "id": ids["citizen_identity"] + n,
            "tenant_id": tenant_id,
            "citizen_id": first_id + n,
            "platform": platform,
            "platform_user_id": address(first_id + n, platform),
            "created_at": at_instant(first),
        }


@dataclass
class Written:
    messages: int = 0
    conversations: int = 0
    events: int = 0
    unanswered: int = 0

    def add(self, batch: Batch) -> None:
        self.messages += len(batch.messages)
        self.conversations += len(batch.conversations)
        self.events += len(batch.events)
        self.unanswered += len(batch.unanswered)


class Batch:
    """The rows of a chunk of conversations, ids assigned in order."""

    def __init__(self, tenant_id: int, calendar: DemoCalendar, ids: dict[str, int]) -> None:
        self.tenant_id, self.calendar, self.ids = tenant_id, calendar, ids
        self.conversations: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.unanswered: list[dict[str, Any]] = []
        self._normalized: dict[str, str] = {}

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table] - 1

    def add(self, script: Script, *, citizen_id: int, channel: tuple[int, str]) -> None:
        channel_id, platform = channel
        conversation_id = self._next("conversation")
        last = script.lines[-1]
        inbound = [line.at for line in script.lines if line.direction == Direction.INBOUND]
        waiting = script.awaiting_since is not None
        self.conversations.append(
            {
                "id": conversation_id,
                "tenant_id": self.tenant_id,
                "citizen_id": citizen_id,
                "channel_id": channel_id,
                "address": address(citizen_id, platform),
                "status": ConversationStatus.RESOLVED if script.resolved_at is not None else ConversationStatus.OPEN,
                "assigned_operator_id": script.assigned,
                "awaiting_operator": waiting,
                "waiting_notice_sent": waiting,
                "unread_count": script.unread if waiting else 0,
                "last_message_preview": preview(last.kind, last.text),
                "last_message_at": at_instant(last.at),
                "last_inbound_at": at_instant(inbound[-1]) if inbound else None,
                "awaiting_since": at_instant(script.awaiting_since) if waiting and script.awaiting_since else None,
                "first_response_at": at_instant(script.first_response_at) if script.first_response_at else None,
                "created_at": at_instant(script.start),
            }
        )
        for line in script.lines:
            message_id = self._next("message")
            created = at_instant(line.at)
            inbound_line = line.direction == Direction.INBOUND
            self.messages.append(
                {
                    "id": message_id,
                    "tenant_id": self.tenant_id,
                    "conversation_id": conversation_id,
                    "channel_id": channel_id,
                    "direction": line.direction,
                    "author": line.author,
                    "operator_id": line.operator_id,
                    "kind": line.kind,
                    "text": line.text,
                    "media_mime": MEDIA_MIME.get(MessageKind(line.kind)),
                    "latitude": line.latitude,
                    "longitude": line.longitude,
                    "buttons": "",
                    "outcome": line.outcome,
                    "keyword_id": line.keyword_id,
                    "platform_message_id": f"history-{message_id}",
                    "status": "received" if inbound_line else "read",
                    "created_at": created,
                    "sent_at": None if inbound_line else created + timedelta(seconds=1),
                }
            )
            if inbound_line and line.kind == MessageKind.TEXT and line.outcome == AnswerOutcome.OPERATOR:
                self._unanswered(line.text, channel_id, created)
        for span in script.spans:
            seconds = span.ended - span.started
            office = self.calendar.office_between(span.started, span.ended)
            self.events.append(
                {
                    "id": self._next("reporting_event"),
                    "tenant_id": self.tenant_id,
                    "conversation_id": conversation_id,
                    "channel_id": channel_id,
                    "operator_id": span.operator_id,
                    "kind": span.kind,
                    "first": span.first,
                    "started_at": at_instant(span.started),
                    "ended_at": at_instant(span.ended),
                    "local_day": self.calendar.local_day(span.ended),
                    "seconds": seconds,
                    "office_seconds": office,
                    "bucket": bucket(seconds),
                    "office_bucket": bucket(office),
                }
            )

    def _unanswered(self, text: str, channel_id: int, at: datetime) -> None:
        normalized = self._normalized.get(text)
        if normalized is None:
            normalized = self._normalized[text] = normalize(text)
        if normalized:
            row = unmatched_query(self.tenant_id, channel_id, normalized, at)
            self.unanswered.append({"id": self._next("unmatched_query"), **row})

    def write(self, connection: Connection) -> None:
        insert(connection, Conversation, self.conversations)
        insert(connection, Message, self.messages)
        insert(connection, ReportingEvent, self.events)
        insert(connection, UnmatchedQuery, self.unanswered)
