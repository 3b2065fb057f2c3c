"""Schema migrations that change stored data: an installation's existing rows come through them intact."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command
from sqlmodel import Session

from citymes_app.core.db import alembic_config, make_engine, migrate
from citymes_app.models import Channel

PLAIN = {"phone_number_id": "106540352242922", "access_token": "EAAGplain", "app_secret": "app-secret-0123", "verify_token": "v"}


def test_migration_encrypts_plaintext_channel_credentials_and_downgrade_restores_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    migrate(url, revision="0003")  # an installation from before credentials were encrypted
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO tenant (slug, name, timezone, languages, holiday_country, auto_replies, created_at) "
            "VALUES ('vila', 'Vila', 'Europe/Madrid', 'ca', 'ES', '{}', '2026-11-01 10:00:00')"
        )
        connection.execute(
            "INSERT INTO channel (tenant_id, platform, name, mode, credentials, enabled, poll_offset, created_at) "
            "VALUES (1, 'whatsapp', 'OAC', 'webhook', ?, 1, 0, '2026-11-01 10:00:00')",
            (json.dumps(PLAIN),),
        )

    migrate(url)

    with sqlite3.connect(path) as connection:
        (stored,) = connection.execute("SELECT credentials FROM channel").fetchone()
    assert stored.startswith("gAAAAA")
    assert "EAAGplain" not in stored and "app-secret-0123" not in stored
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.get_one(Channel, 1).credentials == PLAIN
    engine.dispose()

    command.downgrade(alembic_config(url), "0003")

    with sqlite3.connect(path) as connection:
        (stored,) = connection.execute("SELECT credentials FROM channel").fetchone()
    assert json.loads(stored) == PLAIN
