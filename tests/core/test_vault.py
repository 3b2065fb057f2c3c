"""Channel credentials at rest: what a copy of the database file shows, key rotation, and a missing or wrong key.

The channels are real (Telegram bots and WhatsApp numbers on the simulator, our webhook over HTTP), the database is
a migrated SQLite file read back byte for byte, or a PostgreSQL database read back row by row, with the database's
own driver (no CityMes code in between).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet
from sqlmodel import Session

from citymes_app import cli
from citymes_app.core import tenants, vault
from citymes_app.core.channels import ROW_SECONDS
from citymes_app.core.db import get_engine
from citymes_app.models import Channel
from citymes_app.runtime import Runtime
from tests.helpers import Town, bot_messages, citizen_says, eventually, make_whatsapp_town, wa_business_messages, wa_citizen_says
from tests.services import libpq_url


def database_file(runtime: Runtime) -> Path:
    return Path(runtime.settings.database_url.split("///", 1)[1])


def raw_rows(runtime: Runtime, query: str) -> list[tuple]:
    """The rows of `query` read with the database's own driver (sqlite3 or psycopg)."""
    url = runtime.settings.database_url
    if url.startswith("sqlite"):
        with sqlite3.connect(database_file(runtime)) as connection:
            return connection.execute(query).fetchall()
    with psycopg.connect(libpq_url(url)) as connection:
        return connection.execute(query).fetchall()


def raw_credentials(runtime: Runtime) -> dict[int, str]:
    """The credentials column as stored."""
    return dict(raw_rows(runtime, "SELECT id, credentials FROM channel ORDER BY id"))


def database_bytes(runtime: Runtime) -> bytes:
    """Everything the database holds: SQLite's file and its write-ahead log (recent writes live there first), or
    every row of every PostgreSQL table as text (what a dump would show)."""
    if runtime.settings.database_url.startswith("sqlite"):
        path = database_file(runtime)
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    tables = raw_rows(runtime, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    rows = [raw_rows(runtime, f'SELECT t::text FROM "{name}" t') for (name,) in tables]
    return "\n".join(row for table in rows for (row,) in table).encode()


def run_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    get_engine.cache_clear()  # the command opens the database the runtime fixture put in the environment
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def whatsapp_env(monkeypatch: pytest.MonkeyPatch, simulator_url: str) -> None:
    monkeypatch.setenv("CITYMES_WHATSAPP_API_BASE", simulator_url)


async def test_channel_secrets_are_unreadable_in_the_database_file_and_the_channels_still_work(
    runtime: Runtime,
    town: Town,
    api_url: str,
    simulator_url: str,
    whatsapp_env: None,
    dispatcher: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    number = await make_whatsapp_town(runtime, simulator_url, api_url, slug="mar")
    secrets = [town.token, town.secret, number.access_token, number.app_secret, number.verify_token]

    stored = database_bytes(runtime)
    for secret in secrets:
        assert secret.encode() not in stored
    for value in raw_credentials(runtime).values():
        assert value.startswith("gAAAAA")  # a Fernet token, version byte 0x80
        assert not any(secret in value for secret in secrets)

    # The bot's webhook secret and the number's app secret are still checked on every call, and replies go out.
    async with httpx.AsyncClient(timeout=30) as client:
        forged = await client.post(
            f"{api_url}/webhooks/telegram/{town.channel_id}",
            headers={"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"},
            json={"update_id": 1},
        )
    assert forged.status_code == 403
    assert (await citizen_says(town, 7001, text="horaris"))["webhook_status"] == 200
    replies = await eventually(lambda: bot_messages(town, 7001))
    assert [m["text"] for m in replies] == ["L'OAC obre de dilluns a divendres de 8 a 19 h."]
    assert (await wa_citizen_says(number, "34611000111", text="horaris"))["webhook_status"] == 200
    answers = await eventually(lambda: wa_business_messages(number, "34611000111"))
    assert answers[0]["text"] == "L'OAC obre de dilluns a divendres de 8 a 19 h."
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [secret for secret in secrets if secret in logged]


async def test_rotated_key_keeps_the_channel_working_once_the_old_key_is_dropped(
    runtime: Runtime, town: Town, dispatcher: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old_key = os.environ["CITYMES_ENCRYPTION_KEYS"]
    sealed_before = raw_credentials(runtime)[town.channel_id]
    new_key = Fernet.generate_key().decode()

    monkeypatch.setenv("CITYMES_ENCRYPTION_KEYS", f"{new_key},{old_key}")
    code, out, err = run_cli("secrets", "rotate", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.startswith("1 channel(s) re-encrypted")
    assert town.token not in out

    monkeypatch.setenv("CITYMES_ENCRYPTION_KEYS", new_key)
    sealed_after = raw_credentials(runtime)[town.channel_id]
    assert sealed_after != sealed_before
    assert Fernet(new_key).decrypt(sealed_after.encode())  # only the new key is needed now
    with Session(runtime.engine) as session:
        assert session.get_one(Channel, town.channel_id).credentials == {"token": town.token, "secret": town.secret}
    assert (await citizen_says(town, 7002, text="horaris"))["webhook_status"] == 200
    await eventually(lambda: bot_messages(town, 7002))


async def test_credentials_under_an_unknown_key_give_a_clear_error(
    runtime: Runtime,
    town: Town,
    api_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    right_keys = os.environ["CITYMES_ENCRYPTION_KEYS"]
    monkeypatch.setenv("CITYMES_ENCRYPTION_KEYS", Fernet.generate_key().decode())

    with Session(runtime.engine) as session, pytest.raises(vault.UnreadableCredentials) as refused:
        session.get(Channel, town.channel_id)
    assert "cannot be decrypted with any key in CITYMES_ENCRYPTION_KEYS" in str(refused.value)

    code, out, err = run_cli("secrets", "rotate", capsys=capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: channel {town.channel_id}'s credentials cannot be decrypted with any key")

    # The platform is asked to deliver again later (not a 500, not a 404 that would drop the update) — once the
    # channel row the webhooks keep for a second has been read again.
    async def answered_503() -> bool:
        async with httpx.AsyncClient(timeout=30) as client:
            webhook = await client.post(
                f"{api_url}/webhooks/telegram/{town.channel_id}",
                headers={"X-Telegram-Bot-Api-Secret-Token": town.secret},
                json={"update_id": 1},
            )
        return webhook.status_code == 503

    await eventually(answered_503, timeout=ROW_SECONDS + 2)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"channel {town.channel_id}: stored channel credentials cannot be decrypted" in logged
    assert town.secret not in logged and town.token not in logged

    # Nothing was re-encrypted by the refused rotation: with the right key back, the channel reads as before.
    monkeypatch.setenv("CITYMES_ENCRYPTION_KEYS", right_keys)
    with Session(runtime.engine) as session:
        assert session.get_one(Channel, town.channel_id).credentials["secret"] == town.secret


def test_without_a_key_storing_and_reading_credentials_fail_saying_how_to_set_one(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(runtime.engine) as session:
        tenant = tenants.add_tenant(session, slug="vila", name="Vila")
        channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={"token": "1:A", "secret": "s"})
        session.commit()
        channel_id = channel.id
    monkeypatch.delenv("CITYMES_ENCRYPTION_KEYS")

    code, out, err = run_cli("channel", "add", "vila", "telegram", "--token", "123:abcDEF", "--secret", "s3cret", capsys=capsys)
    assert (code, out) == (2, "")
    assert "no encryption key is set: set CITYMES_ENCRYPTION_KEYS" in err
    assert "secrets new-key" in err
    assert "s3cret" not in err
    with Session(runtime.engine) as session, pytest.raises(vault.MissingKey, match="CITYMES_ENCRYPTION_KEYS"):
        session.get(Channel, channel_id)
    assert list(raw_credentials(runtime)) == [channel_id]  # nothing stored in plain text instead
