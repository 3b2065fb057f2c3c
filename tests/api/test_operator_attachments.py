"""Operators send photos, documents and map pins from the inbox; the citizen's phone shows them."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from citymes_app.core import inbox
from citymes_app.core.media import save_media
from citymes_app.models import Conversation, row_id
from citymes_app.runtime import Runtime
from tests.api.test_telegram_path import PNG_1x1
from tests.helpers import Town, bot_messages, citizen_says, eventually


async def test_photo_document_and_office_location_reach_the_citizen(runtime: Runtime, town: Town, dispatcher: None) -> None:
    await citizen_says(town, 520, text="on he de portar la instància?")
    media_dir = runtime.settings.media_dir
    photo = save_media(media_dir, tenant_id=town.tenant_id, data=PNG_1x1, kind="photo", filename="o.png", mime_type=None)
    pdf = save_media(media_dir, tenant_id=town.tenant_id, data=b"%PDF-1.4", kind="document", filename="i.pdf", mime_type=None)
    with Session(runtime.engine) as session:
        conversation = session.exec(select(Conversation)).one()
        operator = town.operator
        inbox.send_attachment(
            session,
            operator=operator,
            conversation_id=row_id(conversation),
            media_path=photo,
            mime_type="image/png",
            filename="oac.png",
            caption="L'OAC",
        )
        inbox.send_attachment(
            session,
            operator=operator,
            conversation_id=row_id(conversation),
            media_path=pdf,
            mime_type="application/pdf",
            filename="instancia.pdf",
        )
        inbox.send_location(session, operator=operator, conversation_id=row_id(conversation), latitude=41.5381, longitude=2.4445)
        assert conversation.awaiting_operator is False
        session.commit()
    runtime.bus.wake_outbox()

    sent = await eventually(lambda: _non_text(town, 520, 3), timeout=20)
    assert [(m["kind"], m.get("caption") or m.get("filename")) for m in sent[:2]] == [
        ("photo", "L'OAC"),
        ("document", "instancia.pdf"),
    ]
    assert (sent[2]["kind"], sent[2]["latitude"], sent[2]["longitude"]) == ("location", 41.5381, 2.4445)
    async with httpx.AsyncClient() as client:
        assert (await client.get(sent[0]["file_url"])).content == PNG_1x1


async def test_a_pin_off_the_map_is_refused_with_a_reason(runtime: Runtime, town: Town) -> None:
    await citizen_says(town, 521, text="hola")
    with Session(runtime.engine) as session:
        conversation = session.exec(select(Conversation)).one()
        with pytest.raises(inbox.InboxError, match="latitude must be within"):
            inbox.send_location(session, operator=town.operator, conversation_id=row_id(conversation), latitude=91, longitude=0)


async def _non_text(town: Town, chat_id: int, count: int) -> list[dict] | None:
    messages = [m for m in await bot_messages(town, chat_id) if m["kind"] != "text"]
    return messages if len(messages) >= count else None
