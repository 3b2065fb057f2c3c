"""Message texts, phone numbers and codes never reach the logs (at the INFO level a service runs with)."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session

from citymes_app.core import codes, keywords
from citymes_app.models import Tenant
from citymes_app.runtime import Runtime
from tests.helpers import Town, bot_messages, citizen_says, eventually

SECRET_TEXT = "el meu DNI és 12345678Z i visc al carrer Nou 3"
PHONE = "+34611222333"


async def test_a_conversation_leaves_no_personal_data_in_the_logs(
    runtime: Runtime, town: Town, dispatcher: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with Session(runtime.engine) as session:
        tenant = session.get_one(Tenant, town.tenant_id)
        keywords.import_keywords_csv(session, tenant=tenant, content="keyword,response\nTRAMIT,Escriviu TRAMIT i el codi\n")
        codes.import_codes_csv(session, tenant=tenant, keyword_text="TRAMIT", content="code,response\nQW9876,Aprovat\n")
        session.commit()

    await citizen_says(town, 901, text=SECRET_TEXT)
    await citizen_says(town, 901, contact={"phone_number": PHONE, "first_name": "Pau", "user_id": 901})
    await citizen_says(town, 901, text="TRAMIT QW9876")
    await citizen_says(town, 901, text="TRAMIT ZZ0000")
    await eventually(lambda: _replies(town, 4))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (SECRET_TEXT, "12345678Z", PHONE, "611222333", "QW9876", "ZZ0000", town.token):
        assert secret not in logged


async def _replies(town: Town, count: int) -> bool:
    return len(await bot_messages(town, 901)) >= count
