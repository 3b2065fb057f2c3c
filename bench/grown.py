"""A town with years behind it, for the "flat as it grows" runs: `seed(database_url, tenant_id, channel_id)` stores
100,000 citizens, each with an open conversation, and 1,000,000 messages (ten per conversation), in bulk (Core
executemany), before the load starts. `BENCH_GROWN_CONVERSATIONS` changes the size (messages are ten times that)."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import insert

from citymes_app.core.db import make_engine
from citymes_app.models import Citizen, CitizenIdentity, Conversation, Message, table_of, utcnow

CONVERSATIONS = int(os.environ.get("BENCH_GROWN_CONVERSATIONS", "100000"))
MESSAGES_EACH = 10
CHUNK = 5000


def seed(database_url: str, *, tenant_id: int, channel_id: int, conversations: int = CONVERSATIONS) -> dict[str, int]:
    """Store the history; returns how much was stored."""
    engine = make_engine(database_url)
    start = utcnow() - timedelta(days=365)
    tables = {model: table_of(model) for model in (Citizen, CitizenIdentity, Conversation, Message)}
    with engine.begin() as connection:
        first = 9 * 10**14  # far from the load's chat ids
        for offset in range(0, conversations, CHUNK):
            numbers = range(offset, min(offset + CHUNK, conversations))
            when = [start + timedelta(seconds=300 * n) for n in numbers]
            citizen_ids = [
                row[0]
                for row in connection.execute(
                    insert(tables[Citizen]).returning(tables[Citizen].c.id, sort_by_parameter_order=True),
                    [
                        {"tenant_id": tenant_id, "display_name": f"Veí {n}", "created_at": w}
                        for n, w in zip(numbers, when, strict=True)
                    ],
                )
            ]
            connection.execute(
                insert(tables[CitizenIdentity]),
                [
                    {
                        "tenant_id": tenant_id,
                        "citizen_id": c,
                        "platform": "telegram",
                        "platform_user_id": str(first + n),
                        "created_at": w,
                    }
                    for n, c, w in zip(numbers, citizen_ids, when, strict=True)
                ],
            )
            conversation_ids = [
                row[0]
                for row in connection.execute(
                    insert(tables[Conversation]).returning(tables[Conversation].c.id, sort_by_parameter_order=True),
                    [
                        {
                            "tenant_id": tenant_id,
                            "citizen_id": c,
                            "channel_id": channel_id,
                            "address": str(first + n),
                            "status": "open",
                            "awaiting_operator": n % 3 == 0,
                            "waiting_notice_sent": True,
                            "unread_count": 1,
                            "last_message_preview": "…",
                            "last_message_at": w,
                            "last_inbound_at": w,
                            "created_at": w,
                        }
                        for n, c, w in zip(numbers, citizen_ids, when, strict=True)
                    ],
                )
            ]
            connection.execute(
                insert(tables[Message]),
                [
                    {
                        "tenant_id": tenant_id,
                        "conversation_id": conversation,
                        "channel_id": channel_id,
                        "direction": "in" if k % 2 == 0 else "out",
                        "author": "citizen" if k % 2 == 0 else "operator",
                        "kind": "text",
                        "text": "Bon dia, una consulta sobre el padró",
                        "buttons": "",
                        "platform_message_id": f"{first + n}-{k}",
                        "status": "received" if k % 2 == 0 else "read",
                        "created_at": w + timedelta(seconds=k),
                    }
                    for n, conversation, w in zip(numbers, conversation_ids, when, strict=True)
                    for k in range(MESSAGES_EACH)
                ],
            )
    engine.dispose()
    return {"conversations": conversations, "messages": conversations * MESSAGES_EACH}
