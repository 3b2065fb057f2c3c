"""The servers the suite finds or starts (`tests/services.py`): the throwaway instances a clean machine falls back on
really start, serve and leave nothing behind, and each PostgreSQL test gets a migrated database of its own."""

from __future__ import annotations

import psycopg
import redis
from sqlalchemy import inspect

from citymes_app.core.db import make_engine
from tests.services import fresh_postgres_database, libpq_url, start_throwaway_postgres, start_throwaway_redis


def database_names(server_url: str) -> set[str]:
    with psycopg.connect(libpq_url(server_url)) as connection:
        return {name for (name,) in connection.execute("SELECT datname FROM pg_database")}


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_throwaway_postgresql_serves_a_migrated_database_and_leaves_nothing_behind() -> None:
    server = start_throwaway_postgres()
    try:
        assert server.folder.is_dir()
        with fresh_postgres_database(server.url) as url:
            assert {"tenant", "channel", "message", "outbox_item"} <= table_names(url)
            name = url.rsplit("/", 1)[1]
            assert name in database_names(server.url)
        assert name not in database_names(server.url)
    finally:
        server.stop()
    assert server.process.poll() is not None
    assert not server.folder.exists()


def test_a_throwaway_redis_serves_and_leaves_nothing_behind() -> None:
    server = start_throwaway_redis()
    try:
        client = redis.Redis.from_url(server.url)
        client.set("citymes-test", "hola")
        assert client.get("citymes-test") == b"hola"
        client.close()
    finally:
        server.stop()
    assert server.process.poll() is not None
    assert not server.folder.exists()


def test_each_postgresql_test_database_is_its_own(postgres_url: str) -> None:
    with fresh_postgres_database(postgres_url) as first, fresh_postgres_database(postgres_url) as second:
        assert first != second
        with psycopg.connect(libpq_url(first)) as connection:
            connection.execute("CREATE TABLE only_in_the_first (note text)")
        assert "only_in_the_first" in table_names(first)
        assert "only_in_the_first" not in table_names(second)
        assert "tenant" in table_names(second)
