"""PostgreSQL and Redis for the system tests: a fresh database and a Redis database number of their own per test.

`postgres_server_url` and `redis_server_url` are local stand-ins for `tests/services.py` (which also starts throwaway
servers when none runs): they read `CITYMES_TEST_DATABASE_URL` / `CITYMES_TEST_REDIS_URL`, else the standard local
ports.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

CLAIM_KEY = "citymes-test-claim"
REDIS_DATABASES = 16  # Redis' default `databases`


def postgres_server_url() -> str:
    """A PostgreSQL server to create test databases in (a SQLAlchemy URL naming an existing database)."""
    return os.environ.get("CITYMES_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def redis_server_url() -> str:
    """A Redis server for the tests."""
    return os.environ.get("CITYMES_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped on leaving."""
    server = make_url(postgres_server_url())
    name = f"citymes_test_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def fresh_redis_database() -> Iterator[str]:
    """The URL of a Redis database number no one else uses (claimed with a key), emptied on leaving.

    Reflex keeps no key prefix of its own, so a database number is the unit of isolation."""
    server = redis_server_url()
    claim = secrets.token_hex(8)
    for number in range(REDIS_DATABASES - 1, 0, -1):  # from the top: 0 is everyone's default
        client = redis.Redis.from_url(database_url(server, number))
        try:
            if client.dbsize() == 0 and client.set(CLAIM_KEY, claim, nx=True, ex=3600):
                break
        finally:
            client.close()
    else:
        pytest.fail(f"no free Redis database number on {server}")
    url = database_url(server, number)
    try:
        yield url
    finally:
        client = redis.Redis.from_url(url)
        try:
            if client.get(CLAIM_KEY) == claim.encode():
                client.flushdb()
        finally:
            client.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the test."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database number of the test's own."""
    with fresh_redis_database() as url:
        yield url


def database_url(server: str, number: int) -> str:
    """`server` (a redis:// URL, with or without a database number) pointing at database `number`."""
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{number}"))
