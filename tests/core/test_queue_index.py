"""The operators' queue is read from its index, whatever the number of conversations: waiting ones first, newest
first, resolved ones never read — checked on the query plan SQLite makes for the statements the queue really runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core import inbox, tenants
from citymes_app.core.db import make_engine, migrate
from citymes_app.models import Citizen, Conversation, ConversationStatus, row_id, utcnow


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_the_queue_reads_its_index_waiting_first_newest_first(engine: Engine) -> None:
    start = utcnow() - timedelta(days=30)
    with Session(engine) as session:
        tenant = tenants.add_tenant(session, slug="vila", name="Vila")
        channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="Bot")
        for n in range(150):
            citizen = Citizen(tenant_id=row_id(tenant), display_name=f"Veí {n}")
            session.add(citizen)
            session.flush()
            status = ConversationStatus.RESOLVED if n % 5 == 0 else ConversationStatus.OPEN
            conversation = Conversation(
                tenant_id=row_id(tenant), citizen_id=row_id(citizen), channel_id=row_id(channel), address=str(n), status=status
            )
            conversation.awaiting_operator = n % 2 == 0 and status != ConversationStatus.RESOLVED
            conversation.last_message_at = start + timedelta(minutes=n)
            session.add(conversation)
        session.commit()
        tenant_id = row_id(tenant)

    statements: list[tuple[str, tuple]] = []

    def remember(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        # The conversation table itself (not conversation_label: the labels of the lines read are looked up by id).
        if statement.lstrip().upper().startswith("SELECT") and re.search(r"FROM conversation\b", statement):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        with Session(engine) as session:
            lines = inbox.queue(session, tenant_id=tenant_id, limit=100)
    finally:
        event.remove(engine, "before_cursor_execute", remember)

    # What the operators see: the 60 waiting conversations newest first, then the newest of the others; no resolved.
    waiting = [line for line in lines if line.awaiting_operator]
    assert len(lines) == 100 and len(waiting) == 60
    assert lines[:60] == waiting
    assert [line.last_message_at for line in waiting] == sorted((line.last_message_at for line in waiting), reverse=True)
    assert all(line.status != ConversationStatus.RESOLVED for line in lines)

    assert statements, "the queue ran no statement on the conversation table"
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = " | ".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "USING INDEX ix_conversation_queue" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # no sort of every open conversation
