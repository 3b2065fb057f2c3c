"""Schema migrations that change stored data: an installation's existing rows come through them intact (on SQLite and
on PostgreSQL, read back with plain SQL)."""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session

from citymes_app.core.db import alembic_config, make_engine, migrate
from citymes_app.models import Channel

PLAIN = {"phone_number_id": "106540352242922", "access_token": "EAAGplain", "app_secret": "app-secret-0123", "verify_token": "v"}


def run_sql(url: str, statement: str, **values: Any) -> list[Any]:
    """Run one SQL statement in its own transaction; its rows (none for a write)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), values)
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()


def stored_credentials(url: str) -> str:
    (row,) = run_sql(url, "SELECT CAST(credentials AS TEXT) FROM channel")
    return row[0]


def test_migration_encrypts_plaintext_channel_credentials_and_downgrade_restores_them(empty_database_url: str) -> None:
    url = empty_database_url
    migrate(url, revision="0003")  # an installation from before credentials were encrypted
    created = "2026-11-01 10:00:00"
    run_sql(
        url,
        "INSERT INTO tenant (slug, name, timezone, languages, holiday_country, auto_replies, created_at) "
        "VALUES ('vila', 'Vila', 'Europe/Madrid', 'ca', 'ES', '{}', :created)",
        created=created,
    )
    run_sql(
        url,
        "INSERT INTO channel (tenant_id, platform, name, mode, credentials, enabled, poll_offset, created_at) "
        "VALUES (1, 'whatsapp', 'OAC', 'webhook', :credentials, :enabled, 0, :created)",
        credentials=json.dumps(PLAIN),
        enabled=True,
        created=created,
    )

    migrate(url)

    stored = stored_credentials(url)
    assert stored.startswith("gAAAAA")
    assert "EAAGplain" not in stored and "app-secret-0123" not in stored
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.get_one(Channel, 1).credentials == PLAIN
    engine.dispose()

    command.downgrade(alembic_config(url), "0003")

    assert json.loads(stored_credentials(url)) == PLAIN


def test_migration_0017_folds_the_stored_names_and_texts_and_downgrade_drops_the_copies(empty_database_url: str) -> None:
    from citymes_app.core import tenants
    from citymes_app.models import Citizen, Conversation, Message, row_id

    url = empty_database_url
    migrate(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            tenant = tenants.add_tenant(session, slug="vila", name="Vila")
            channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="OAC")
            citizen = Citizen(tenant_id=row_id(tenant), display_name="Pere Camí")
            session.add(citizen)
            session.flush()
            conversation = Conversation(
                tenant_id=row_id(tenant), citizen_id=row_id(citizen), channel_id=row_id(channel), address="1"
            )
            session.add(conversation)
            session.flush()
            session.add(
                Message(
                    tenant_id=row_id(tenant),
                    conversation_id=row_id(conversation),
                    channel_id=row_id(channel),
                    direction="in",
                    author="citizen",
                    text="La SEÑORA Peña",
                )
            )
            session.commit()
    finally:
        engine.dispose()
    command.downgrade(alembic_config(url), "0015")
    engine = make_engine(url)
    try:
        assert "search_text" not in {column["name"] for column in inspect(engine).get_columns("message")}
    finally:
        engine.dispose()
    migrate(url)  # an installation's rows stored before 0017: folded by the migration
    assert run_sql(url, "SELECT search_name FROM citizen") == [("pere cami",)]
    assert run_sql(url, "SELECT search_text FROM message") == [("la senora pena",)]


def test_migration_0018_adds_departments_unique_whatever_the_case_and_downgrade_keeps_the_conversations(
    empty_database_url: str,
) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    url = empty_database_url
    migrate(url, revision="0017")
    created = "2026-11-01 10:00:00"
    run_sql(
        url,
        "INSERT INTO tenant (slug, name, timezone, languages, holiday_country, auto_replies, created_at) "
        "VALUES ('vila', 'Vila', 'Europe/Madrid', 'ca', 'ES', '{}', :created)",
        created=created,
    )
    run_sql(
        url,
        "INSERT INTO channel (tenant_id, platform, name, mode, credentials, enabled, poll_offset, created_at) "
        "VALUES (1, 'telegram', 'OAC', 'webhook', '{}', :enabled, 0, :created)",
        enabled=True,
        created=created,
    )
    run_sql(
        url,
        "INSERT INTO citizen (tenant_id, display_name, unreachable, created_at, search_name) VALUES (1, '', :no, :created, '')",
        no=False,
        created=created,
    )
    run_sql(
        url,
        "INSERT INTO conversation (tenant_id, citizen_id, channel_id, address, status, awaiting_operator, "
        "waiting_notice_sent, unread_count, last_message_preview, last_message_at, created_at) "
        "VALUES (1, 1, 1, '7', 'open', :no, :no, 0, '', :created, :created)",
        no=False,
        created=created,
    )

    migrate(url)

    run_sql(
        url,
        "INSERT INTO department (tenant_id, name, name_key, created_at) VALUES (1, 'Cultura', 'cultura', :created)",
        created=created,
    )
    with pytest.raises(IntegrityError):
        run_sql(
            url,
            "INSERT INTO department (tenant_id, name, name_key, created_at) VALUES (1, 'CULTURA', 'cultura', :created)",
            created=created,
        )
    run_sql(url, "UPDATE conversation SET department_id = 1")
    assert run_sql(url, "SELECT address, department_id FROM conversation") == [("7", 1)]
    engine = make_engine(url)
    try:
        indexes = {index["name"] for index in inspect(engine).get_indexes("conversation")}
        assert {"ix_conversation_queue", "ix_conversation_department_id"} <= indexes
    finally:
        engine.dispose()

    command.downgrade(alembic_config(url), "0017")

    assert run_sql(url, "SELECT address, status FROM conversation") == [("7", "open")]
    engine = make_engine(url)
    try:
        assert "department" not in inspect(engine).get_table_names()
        assert "ix_conversation_queue" in {index["name"] for index in inspect(engine).get_indexes("conversation")}
    finally:
        engine.dispose()
