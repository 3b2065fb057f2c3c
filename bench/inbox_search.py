"""The inbox search on a grown town: 10,000 citizens, 10,000 conversations, 100,000 messages (texts of the demo's
kind, with Catalan and Spanish accents) beside another organisation of the same size, on SQLite and on PostgreSQL;
times `inbox_queue.search` for a few words (median of several runs) and prints the plan of its message lookup.

`python -m bench.inbox_search [sqlite|postgresql ...]`; figures go to bench/results/inbox_search.json."""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session

from citymes_app.core import inbox_queue, tenants
from citymes_app.core.db import make_engine, migrate
from citymes_app.models import Citizen, Conversation, Message, row_id, table_of, utcnow

CONVERSATIONS = 10_000
MESSAGES_EACH = 10
CHUNK = 5000
RUNS = 7
WORDS = (
    "la farola del carrer Major està apagada",
    "hi ha un forat a la vorera del camí de la Font",
    "el contenidor de la plaça és ple",
    "la señora Peña pregunta por el padrón",
    "quan obre l'oficina d'atenció ciutadana?",
    "el parc infantil té un gronxador trencat",
    "necesito el certificado de empadronamiento",
    "soroll de música a la nit",
    "gràcies per la resposta",
    "Bon dia, voldria demanar cita",
)
NAMES = ("Núria Puig", "Pere Camí", "Lucía Peña", "Jordi Roca", "Montse Vidal", "Àlex Martí", "José Muñoz", "Laia Soler")
TERMS = ("cami", "Camí", "peña", "farola apagada", "xyzzy")


def seed(url: str) -> int:
    """Two organisations of the same size; returns the first one's id."""
    engine = make_engine(url)
    rng = random.Random(7)
    with Session(engine) as session:
        ids = []
        for slug in ("gran", "altra"):
            tenant = tenants.add_tenant(session, slug=slug, name=slug)
            channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="OAC")
            ids.append((row_id(tenant), row_id(channel)))
        session.commit()
    start = utcnow() - timedelta(days=365)
    with engine.begin() as connection:
        for tenant_id, channel_id in ids:
            for offset in range(0, CONVERSATIONS, CHUNK):
                numbers = range(offset, min(offset + CHUNK, CONVERSATIONS))
                citizens = [
                    row[0]
                    for row in connection.execute(
                        insert(table_of(Citizen)).returning(table_of(Citizen).c.id, sort_by_parameter_order=True),
                        [
                            {"tenant_id": tenant_id, "display_name": f"{rng.choice(NAMES)} {n}", "created_at": start}
                            for n in numbers
                        ],
                    )
                ]
                conversations = [
                    row[0]
                    for row in connection.execute(
                        insert(table_of(Conversation)).returning(table_of(Conversation).c.id, sort_by_parameter_order=True),
                        [
                            {
                                "tenant_id": tenant_id,
                                "citizen_id": c,
                                "channel_id": channel_id,
                                "address": f"{tenant_id}-{n}",
                                "status": "open",
                                "last_message_preview": "…",
                                "last_message_at": start + timedelta(minutes=n),
                                "created_at": start,
                            }
                            for n, c in zip(numbers, citizens, strict=True)
                        ],
                    )
                ]
                connection.execute(
                    insert(table_of(Message)),
                    [
                        {
                            "tenant_id": tenant_id,
                            "conversation_id": c,
                            "channel_id": channel_id,
                            "direction": "in",
                            "author": "citizen",
                            "text": f"{rng.choice(WORDS)} ({n}.{m})",
                            "created_at": start,
                        }
                        for n, c in zip(numbers, conversations, strict=True)
                        for m in range(MESSAGES_EACH)
                    ],
                )
    engine.dispose()
    return ids[0][0]


def measure(url: str, kind: str) -> dict:
    tenant_id = seed(url)
    engine = make_engine(url)
    if kind == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    found: dict = {"database": kind, "messages": 2 * CONVERSATIONS * MESSAGES_EACH, "terms": {}}
    with Session(engine) as session:
        for term in TERMS:
            times, hits = [], 0
            for _ in range(RUNS):
                began = time.perf_counter()
                hits = len(inbox_queue.search(session, tenant_id=tenant_id, words=term))
                times.append((time.perf_counter() - began) * 1000)
            found["terms"][term] = {"median_ms": round(statistics.median(times), 1), "lines": hits}
            print(f"{kind:10} {term!r:18} {statistics.median(times):8.1f} ms  {hits} lines", flush=True)
        plan = "EXPLAIN ANALYZE " if kind == "postgresql" else "EXPLAIN QUERY PLAN "
        column = "search_text" if "search_text" in table_of(Message).c else "lower(text)"
        found["plans"] = {}
        for term in ("cami", "xyzzy"):  # a tenth of the messages hold the first, none the second
            rows = session.connection().execute(
                text(f"{plan}SELECT conversation_id FROM message WHERE tenant_id = :t AND {column} LIKE :p"),
                {"t": tenant_id, "p": f"%{term}%"},
            )
            found["plans"][term] = [" | ".join(str(v) for v in row) for row in rows]
            print(term, "\n".join(found["plans"][term]), sep="\n")
    engine.dispose()
    return found


def main(kinds: list[str]) -> None:
    from cryptography.fernet import Fernet

    os.environ.setdefault("CITYMES_ENCRYPTION_KEYS", Fernet.generate_key().decode())  # a throwaway town's channels
    results = []
    for kind in kinds:
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'search.db'}"
                migrate(url)
                results.append(measure(url, kind))
        else:
            from tests.services import fresh_postgres_database, postgres_server_url

            with fresh_postgres_database(postgres_server_url(), migrated=False) as url:
                migrate(url)
                results.append(measure(url, kind))
    out = Path(__file__).parent / "results" / "inbox_search.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:] or ["sqlite", "postgresql"])
