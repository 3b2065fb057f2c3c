"""Helpers for tests: a demo-like town, waiting for things to happen, the citizen's phone in the simulator."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from sqlalchemy import Engine
from sqlmodel import Session

from citymes_app.core import auth, keywords, tenants
from citymes_app.models import Tenant, row_id
from citymes_app.runtime import Runtime
from integrations.simulator.client import SimulatorClient

KEYWORDS_CSV = """keyword,response,language,synonyms,featured
HORARIS,L'OAC obre de dilluns a divendres de 8 a 19 h.,ca,horari,true
HORARIOS,La OAC abre de lunes a viernes de 8 a 19 h.,es,horario,true
"""
OPERATOR_PASSWORD = "correct horse battery"
IN_HOURS_NOTICE = "Gràcies pel vostre missatge. Un operador us respondrà aviat."


SERVER_KEYS = ("CITYMES_ENCRYPTION_KEYS", "CITYMES_SECRET_KEY", "CITYMES_KEYS_FILE")


def server_keys_env() -> dict[str, str]:
    """The test session's server keys, for a subprocess started with a bare environment."""
    return {name: os.environ[name] for name in SERVER_KEYS if name in os.environ}


@dataclass
class Town:
    """A tenant with keywords, an operator and one Telegram bot on the simulator."""

    tenant_id: int
    channel_id: int
    token: str
    secret: str
    operator: auth.SignedInOperator
    simulator_url: str

    def bot_url(self, path: str) -> str:
        return f"{self.simulator_url}/sim/telegram/bots/{self.token}/{path.lstrip('/')}"


def engine_of(session: Session) -> Engine:
    """The engine a test's session is bound to (the desks under test open their own sessions on it)."""
    bind = session.get_bind()
    assert isinstance(bind, Engine), "the session is bound to a connection, not an engine"
    return bind


def signed_in_operator(session: Session, token: str) -> auth.SignedInOperator:
    """The operator a session token signs in (the test fails if it signs in none)."""
    operator = auth.resolve_session(session, token=token)
    assert operator is not None, "the session token signs in no operator"
    return operator


def replace_keywords(session: Session, tenant: Tenant, csv_text: str) -> None:
    """The tenant's keywords become those of `csv_text`, imported as an administrator would."""
    for old in keywords.search(session, tenant_id=row_id(tenant)):
        keywords.delete_keyword(session, tenant=tenant, keyword_id=row_id(old))
    report = keywords.import_keywords_csv(session, tenant=tenant, content=csv_text)
    assert report.ok, report.errors


def make_town(runtime: Runtime, simulator_url: str, *, slug: str = "vila", mode: str = "webhook") -> Town:
    """Create a town; each gets its own bot token, so simulator state never mixes between tests."""
    token = f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(12)}"
    secret = secrets.token_urlsafe(16)
    with Session(runtime.engine, expire_on_commit=False) as session:
        tenant = tenants.add_tenant(session, slug=slug, name=f"Ajuntament de {slug}", languages="ca,es,en")
        operator = auth.add_operator(session, tenant=tenant, email=f"op@{slug}.test", password=OPERATOR_PASSWORD)
        channel = tenants.add_channel(
            session, tenant=tenant, platform="telegram", credentials={"token": token, "secret": secret}, mode=mode
        )
        report = keywords.import_keywords_csv(session, tenant=tenant, content=KEYWORDS_CSV)
        assert report.ok, report.errors
        login = auth.open_session(session, operator=operator)
        session.commit()
        signed_in = signed_in_operator(session, login)
    return Town(row_id(tenant), row_id(channel), token, secret, signed_in, simulator_url)


T = TypeVar("T")


@overload
async def eventually(  # an awaitable check is awaited, not returned
    check: Callable[[], Awaitable[T]], *, timeout: float = ..., interval: float = ...
) -> T: ...
@overload
async def eventually(check: Callable[[], T], *, timeout: float = ..., interval: float = ...) -> T: ...
async def eventually(check: Callable[[], Any], *, timeout: float = 15.0, interval: float = 0.05) -> Any:
    """Wait until `check()` returns something truthy (it may be sync or async); fail with its last value."""
    deadline = time.monotonic() + timeout
    value: object = None
    while time.monotonic() < deadline:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")


async def citizen_says(town: Town, chat_id: int, *, first_name: str = "Núria", **content: object) -> dict:
    """A citizen writes to the town's bot through the simulator; returns the simulator's answer."""
    return await SimulatorClient(town.simulator_url).telegram_citizen_message(town.token, chat_id, first_name, **content)


async def phone_screen(town: Town, chat_id: int) -> list[dict]:
    """What the citizen's phone shows in the chat with the bot."""
    return (await SimulatorClient(town.simulator_url).telegram_chat(town.token, chat_id))["messages"]


async def bot_messages(town: Town, chat_id: int) -> list[dict]:
    """Only the bot's messages in a chat."""
    return [m for m in await phone_screen(town, chat_id) if m["from"] == "bot"]


# --- WhatsApp -----------------------------------------------------------------------------------------------


@dataclass
class WhatsAppTown:
    """A tenant with an operator and one WhatsApp number on the simulator, subscribed to our webhook."""

    tenant_id: int
    channel_id: int
    phone_number_id: str
    access_token: str
    app_secret: str
    verify_token: str
    operator: auth.SignedInOperator
    simulator_url: str

    def number_url(self, path: str) -> str:
        return f"{self.simulator_url}/sim/whatsapp/numbers/{self.phone_number_id}/{path.lstrip('/')}"


async def make_whatsapp_town(
    runtime: Runtime, simulator_url: str, api_url: str, *, slug: str = "mar", town: Town | None = None
) -> WhatsAppTown:
    """Add a WhatsApp number to a new tenant (or to `town`'s), register it in the simulator and subscribe it to our
    webhook (the simulator does Meta's GET handshake). Point `CITYMES_WHATSAPP_API_BASE` at the simulator first."""
    phone_number_id = str(10**14 + secrets.randbelow(10**14))
    credentials = {
        "phone_number_id": phone_number_id,
        "access_token": "EAAG" + secrets.token_urlsafe(24),
        "app_secret": secrets.token_hex(16),
        "verify_token": secrets.token_urlsafe(12),
    }
    with Session(runtime.engine, expire_on_commit=False) as session:
        if town is None:
            tenant = tenants.add_tenant(session, slug=slug, name=f"Ajuntament de {slug}", languages="ca,es,en")
            operator = auth.add_operator(session, tenant=tenant, email=f"op@{slug}.test", password=OPERATOR_PASSWORD)
            report = keywords.import_keywords_csv(session, tenant=tenant, content=KEYWORDS_CSV)
            assert report.ok, report.errors
            login = auth.open_session(session, operator=operator)
        else:
            tenant = session.get_one(Tenant, town.tenant_id)
        channel = tenants.add_channel(
            session, tenant=tenant, platform="whatsapp", credentials=credentials, name=f"WhatsApp {phone_number_id[-4:]}"
        )
        session.commit()
        signed_in = signed_in_operator(session, login) if town is None else town.operator
    callback_url = f"{api_url}/webhooks/whatsapp/{channel.id}"
    await SimulatorClient(simulator_url).whatsapp_register_number(credentials, callback_url=callback_url)
    return WhatsAppTown(
        row_id(tenant),
        row_id(channel),
        phone_number_id,
        credentials["access_token"],
        credentials["app_secret"],
        credentials["verify_token"],
        signed_in,
        simulator_url,
    )


async def wa_citizen_says(town: WhatsAppTown, wa_id: str, *, name: str = "Núria", **content: object) -> dict:
    """A citizen writes to the town's WhatsApp number through the simulator; returns the simulator's answer."""
    simulator = SimulatorClient(town.simulator_url)
    return await simulator.whatsapp_citizen_message(town.phone_number_id, wa_id, name, **content)


async def wa_phone_screen(town: WhatsAppTown, wa_id: str) -> list[dict]:
    """What the citizen's phone shows in the chat with the town's number."""
    return (await SimulatorClient(town.simulator_url).whatsapp_chat(town.phone_number_id, wa_id))["messages"]


async def wa_business_messages(town: WhatsAppTown, wa_id: str) -> list[dict]:
    """Only the town's messages in a WhatsApp chat."""
    return [m for m in await wa_phone_screen(town, wa_id) if m["from"] == "business"]
