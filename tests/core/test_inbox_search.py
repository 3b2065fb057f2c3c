"""Searching the organisation's conversations: by the citizen's name (case aside), phone or platform number, or a
message's words, in any state, newest first — never another organisation's; and the filters a tab applies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from citymes_app.core import inbox_queue, tenants
from citymes_app.models import (
    Author,
    Channel,
    Citizen,
    CitizenIdentity,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    folded,
    row_id,
    table_of,
    utcnow,
)
from citymes_app.state.inbox_filters import filtered
from citymes_app.state.inbox_format import LabelChip, QueueLine


@pytest.fixture
def town(engine: Engine) -> dict:
    with Session(engine) as session:
        ids: dict = {}
        start = utcnow() - timedelta(hours=5)
        for slug in ("vila", "altra"):
            tenant = tenants.add_tenant(session, slug=slug, name=slug)
            channel = tenants.add_channel(session, tenant=tenant, platform="whatsapp", credentials={}, name="OAC")
            people = (("Núria Puig", "+34600111222", "La farola 100% apagada"), ("Pere", None, "Soroll al carrer Major"))
            for n, (name, phone, text) in enumerate(people):
                citizen = Citizen(tenant_id=row_id(tenant), display_name=name, phone=phone)
                session.add(citizen)
                session.flush()
                session.add(
                    CitizenIdentity(
                        tenant_id=row_id(tenant),
                        citizen_id=row_id(citizen),
                        platform="whatsapp",
                        platform_user_id=f"3460099{n}{slug[0]}",
                    )
                )
                conversation = Conversation(
                    tenant_id=row_id(tenant),
                    citizen_id=row_id(citizen),
                    channel_id=row_id(channel),
                    address=f"{slug}{n}",
                    status=ConversationStatus.RESOLVED if n == 1 else ConversationStatus.OPEN,
                    last_message_at=start + timedelta(minutes=n),
                )
                session.add(conversation)
                session.flush()
                session.add(
                    Message(
                        tenant_id=row_id(tenant),
                        conversation_id=row_id(conversation),
                        channel_id=row_id(channel),
                        direction=Direction.INBOUND,
                        author=Author.CITIZEN,
                        text=text,
                    )
                )
                ids[(slug, n)] = row_id(conversation)
            ids[slug] = row_id(tenant)
        session.commit()
        return ids


def _found(engine: Engine, tenant_id: int, words: str) -> list[int]:
    with Session(engine) as session:
        return [line.id for line in inbox_queue.search(session, tenant_id=tenant_id, words=words)]


def test_search_finds_by_name_phone_number_and_message_words_in_any_state_within_the_organisation(
    engine: Engine, town: dict
) -> None:
    vila = town["vila"]
    assert _found(engine, vila, "PUIG") == [town[("vila", 0)]]
    assert _found(engine, vila, "600 111") == [town[("vila", 0)]]  # the phone, as typed with spaces
    assert _found(engine, vila, "3460099") == [town[("vila", 1)], town[("vila", 0)]]  # WhatsApp numbers, newest first
    assert _found(engine, vila, "carrer major") == [town[("vila", 1)]]  # a resolved conversation too
    assert _found(engine, vila, "100%") == [town[("vila", 0)]]
    assert _found(engine, vila, "%") == []  # too short, and no wildcard
    assert _found(engine, vila, "_a") == []  # `_` is a character, not a wildcard
    assert town[("altra", 0)] not in _found(engine, vila, "farola")
    with Session(engine) as session:
        resolved = inbox_queue.resolved(session, tenant_id=vila)
        assert [line.id for line in resolved] == [town[("vila", 1)]]


def _line(n: int, **values: object) -> QueueLine:
    base: dict = {
        "id": n,
        "citizen_id": n,
        "citizen_name": "",
        "channel_name": "OAC",
        "platform": "whatsapp",
        "preview_icon": "",
        "preview_label": "",
        "preview": "",
        "time_labels": {},
        "unread_count": 0,
        "awaiting_operator": False,
        "citizen_unreachable": False,
    }
    return QueueLine(**(base | values))


def test_the_filters_narrow_the_lines_and_waiting_longest_comes_first() -> None:
    lines = [
        _line(1, assignee_id=7, channel_id=1, status="open", waiting_since=3000),
        _line(2, assignee_id=0, channel_id=2, status="pending", labels=[LabelChip(5, "Urgent")], waiting_since=1000),
        _line(3, assignee_id=8, channel_id=1, status="snoozed"),
        _line(4, assignee_id=0, channel_id=1, status="open", waiting_since=2000),
    ]

    def ids(**filters: object) -> list[int]:
        chosen: dict = {"view": "all", "me": 7, "channel": "all", "state": "active", "label": "all", "sort": "recent"}
        return [line.id for line in filtered(lines, **(chosen | filters))]

    assert ids() == [1, 2, 4]  # open and pending: not the snoozed one
    assert ids(view="mine") == [1]
    assert ids(view="unassigned") == [2, 4]
    assert ids(channel="1") == [1, 4]
    assert ids(state="snoozed") == [3]
    assert ids(state="any") == [1, 2, 3, 4]
    assert ids(label="5") == [2]
    assert ids(sort="waiting") == [2, 4, 1]
    assert ids(channel="99") == []


def _writes(engine: Engine, tenant_id: int, name: str, text: str) -> int:
    """A citizen of the organisation, stored through the ORM, and one message of theirs stored as the message path's
    fast path and the bulk loaders store them (a Core insert, no ORM); the conversation's id."""
    with Session(engine) as session:
        channel = session.exec(select(Channel).where(Channel.tenant_id == tenant_id)).first()
        assert channel is not None
        citizen = Citizen(tenant_id=tenant_id, display_name=name)
        session.add(citizen)
        session.flush()
        conversation = Conversation(
            tenant_id=tenant_id, citizen_id=row_id(citizen), channel_id=row_id(channel), address=f"a{row_id(citizen)}"
        )
        session.add(conversation)
        session.flush()
        session.connection().execute(
            insert(table_of(Message)),
            [
                {
                    "tenant_id": tenant_id,
                    "conversation_id": row_id(conversation),
                    "channel_id": row_id(channel),
                    "direction": Direction.INBOUND,
                    "author": Author.CITIZEN,
                    "text": text,
                    "created_at": utcnow(),
                }
            ],
        )
        session.commit()
        return row_id(conversation)


def test_search_ignores_accents_and_case_in_names_and_messages(engine: Engine, town: dict) -> None:
    vila = town["vila"]
    cami = _writes(engine, vila, "Pere Camí", "Bon dia")
    pena = _writes(engine, vila, "Lucía", "Pregunta la SEÑORA PEÑA per l'Àrea de Cultura")
    plain = _writes(engine, vila, "Jordi", "el camí del Pena està tallat")
    assert _found(engine, vila, "cami") == [plain, cami]
    assert _found(engine, vila, "CAMÍ") == [plain, cami]
    assert _found(engine, vila, "peña") == [plain, pena]  # "Pena" and "PEÑA"
    assert _found(engine, vila, "area de cultura") == [pena]
    assert _found(engine, vila, "lucia") == [pena]
    assert _found(engine, vila, "nuria") == [town[("vila", 0)]]  # "Núria Puig", stored by the ORM
    assert cami not in _found(engine, town["altra"], "cami")


def test_a_citizens_new_name_is_searched_by_its_folded_form(engine: Engine, town: dict) -> None:
    vila = town["vila"]
    conversation_id = _writes(engine, vila, "Anna", "Hola")
    with Session(engine) as session:
        citizen = session.get_one(Citizen, session.get_one(Conversation, conversation_id).citizen_id)
        citizen.display_name = "Anna Ramírez"  # as the pipeline does when the platform gives a new name
        session.add(citizen)
        session.commit()
    assert _found(engine, vila, "ramirez") == [conversation_id]


def test_the_folded_form_drops_accents_and_case() -> None:
    assert folded("Camí de l'Àngel, PEÑA, Straße, façana") == "cami de l'angel, pena, strasse, facana"
    assert folded("") == folded(None) == ""
