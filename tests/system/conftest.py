"""PostgreSQL and Redis for the system tests: a fresh database and a Redis database number of their own per test, on
the servers `tests/services.py` finds or starts."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

from tests import services

CLAIM_KEY = "citymes-test-claim"
REDIS_DATABASES = 16  # Redis' default `databases`


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database (on the server `tests/services.py` finds or starts), dropped on
    leaving."""
    with services.fresh_postgres_database(services.postgres_server_url(), migrated=False) as url:
        yield url


@contextmanager
def fresh_redis_database() -> Iterator[str]:
    """The URL of a Redis database number no one else uses (claimed with a key), emptied on leaving.

    Reflex keeps no key prefix of its own, so a database number is the unit of isolation."""
    server = services.redis_server_url()
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
def fresh_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the test."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def fresh_redis_url() -> Iterator[str]:
    """A Redis database number of the test's own."""
    with fresh_redis_database() as url:
        yield url


def database_url(server: str, number: int) -> str:
    """`server` (a redis:// URL, with or without a database number) pointing at database `number`."""
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{number}"))
