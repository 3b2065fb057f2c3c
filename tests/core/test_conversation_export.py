"""Exporting a conversation as CSV: every message (past the thread's last page) and every note, in time order, in the
tenant's clock and the reader's words; a photo's link, a location's coordinates; a cell a spreadsheet would run made
safe; another organisation's conversation refused as missing."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core import auth, conversation_export, inbox, labels, tenants
from citymes_app.core.events import EventBus
from citymes_app.core.inbox_desk import InboxDesk
from citymes_app.i18n import words_for
from citymes_app.models import Citizen, Conversation, ConversationNote, Message, row_id

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Vila (Europe/Madrid, winter time)


def _signed_in(operator, slug: str) -> auth.SignedInOperator:  # noqa: ANN001
    return auth.SignedInOperator(
        row_id(operator), operator.tenant_id, slug, slug, operator.email, operator.display_name, "operator"
    )


@pytest.fixture
def office(engine: Engine) -> dict:
    """Vila's conversation with Núria: 310 messages (a photo, a location, a formula, Laia's reply) and a note; and
    Altra, with Eva and a conversation of its own."""
    with Session(engine) as session:
        vila = tenants.add_tenant(session, slug="vila", name="Vila")
        altra = tenants.add_tenant(session, slug="altra", name="Altra")
        laia = auth.add_operator(session, tenant=vila, email="laia@vila.cat", password="a long password", display_name="Laia")
        eva = auth.add_operator(session, tenant=altra, email="eva@altra.cat", password="a long password", display_name="Eva")
        ids = {}
        for tenant, address in ((vila, "501"), (altra, "901")):
            channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="Bot")
            citizen = Citizen(tenant_id=row_id(tenant), display_name="Núria")
            session.add(citizen)
            session.flush()
            conversation = Conversation(
                tenant_id=row_id(tenant), citizen_id=row_id(citizen), channel_id=row_id(channel), address=address
            )
            session.add(conversation)
            session.flush()
            ids[address] = (row_id(conversation), row_id(channel))
        conversation_id, channel_id = ids["501"]

        def message(minute: int, **fields: Any) -> None:
            defaults: dict[str, Any] = {"direction": "in", "author": "citizen", "status": "received"}
            session.add(
                Message(
                    tenant_id=row_id(vila),
                    conversation_id=conversation_id,
                    channel_id=channel_id,
                    created_at=START + timedelta(minutes=minute),
                    **(defaults | fields),
                )
            )

        message(0, text="first words of the conversation")
        for minute in range(1, 306):
            message(minute, text=f"message {minute}")
        message(306, kind="photo", text="the hole", media_path="1/hole.jpg", media_filename="hole.jpg")
        message(307, kind="location", latitude=41.38, longitude=-2.17)
        message(308, text='=HYPERLINK("http://evil")')
        message(
            309,
            direction="out",
            author="operator",
            operator_id=row_id(laia),
            text="The brigade is on its way",
            status="delivered",
        )
        session.add(
            ConversationNote(
                tenant_id=row_id(vila),
                conversation_id=conversation_id,
                operator_id=row_id(laia),
                text="called her back",
                created_at=START + timedelta(minutes=306, seconds=30),
            )
        )
        session.commit()
        return {
            "laia": _signed_in(laia, "vila"),
            "eva": _signed_in(eva, "altra"),
            "ours": conversation_id,
            "theirs": ids["901"][0],
        }


def _export(engine: Engine, office: dict, who: str, conversation_id: int, language: str = "en") -> list[list[str]]:
    desk = InboxDesk(engine, EventBus(), Path("unused-media"))
    content = asyncio.run(desk.export_csv(operator=office[who], conversation_id=conversation_id, words=words_for(language)))
    return list(csv.reader(io.StringIO(content)))


def test_the_export_holds_every_message_and_note_in_time_order(engine: Engine, office: dict) -> None:
    header, *rows = _export(engine, office, "laia", office["ours"])
    assert header == [
        "Time", "Who", "Direction", "Kind", "Text", "Media link", "Latitude", "Longitude", "Delivery status"
    ]  # fmt: skip
    assert len(rows) == 311  # past the thread's 300
    assert rows[0] == [
        "2026-03-02T10:00:00+01:00",
        "Núria",
        "in",
        "text",
        "first words of the conversation",
        "",
        "",
        "",
        "received",
    ]
    texts = [row[4] for row in rows[-5:]]
    assert texts == ["the hole", "called her back", "", '\'=HYPERLINK("http://evil")', "The brigade is on its way"]
    photo, note, location, _, reply = rows[-5:]
    assert photo[3] == "photo" and photo[5] == "/media/1/hole.jpg"
    assert note[1:4] == ["Internal note · Laia", "note", "note"] and note[8] == ""
    assert location[3] == "location" and (float(location[6]), float(location[7])) == (41.38, -2.17)
    assert reply[1:4] == ["Laia", "out", "text"] and reply[8] == "delivered"


def test_the_export_speaks_the_readers_language(engine: Engine, office: dict) -> None:
    header, *rows = _export(engine, office, "laia", office["ours"], language="ca")
    assert header[0] == "Hora" and header[1] == "Qui"
    assert rows[-4][1] == "Nota interna · Laia"


def test_another_organisations_conversation_is_refused_as_missing(engine: Engine, office: dict) -> None:
    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        _export(engine, office, "eva", office["ours"])


def test_the_record_the_export_and_the_printable_page_share_holds_everything(engine: Engine, office: dict) -> None:
    with Session(engine) as session:
        label = labels.add_label(session, operator=office["laia"], conversation_id=office["ours"], name="Via pública")
        session.commit()
        record = conversation_export.conversation_record(
            session, tenant_id=office["laia"].tenant_id, conversation_id=office["ours"]
        )
    assert (record.organisation, record.header.citizen_name, record.header.channel_name) == ("Vila", "Núria", "Bot")
    assert [found.name for found in record.header.labels] == [label.name]
    assert str(record.timezone) == "Europe/Madrid"
    assert len(record.lines) == 311 and record.lines[0].text == "first words of the conversation"
    photo, note = record.lines[-5], record.lines[-4]
    assert (photo.media_link, photo.media_filename, photo.note) == ("/media/1/hole.jpg", "hole.jpg", False)
    assert (note.note, note.name, note.text) == (True, "Laia", "called her back")
    assert [line.created_at for line in record.lines] == sorted(line.created_at for line in record.lines)


def test_the_record_of_another_organisations_conversation_is_refused_before_anything_is_read(
    engine: Engine, office: dict
) -> None:
    desk = InboxDesk(engine, EventBus(), Path("unused-media"))
    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        asyncio.run(desk.printable(operator=office["eva"], conversation_id=office["ours"]))
    with pytest.raises(inbox.InboxError, match="this conversation does not exist"):
        asyncio.run(desk.printable(operator=office["laia"], conversation_id=office["theirs"] + 1000))
    ours = asyncio.run(desk.printable(operator=office["laia"], conversation_id=office["ours"]))
    assert ours.header.conversation_id == office["ours"]
