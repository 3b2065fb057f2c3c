"""Fixtures for core tests that need only a database (on SQLite and on PostgreSQL: see `tests/conftest.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from citymes_app.core.db import make_engine


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh, migrated database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on a fresh, migrated database."""
    with Session(engine) as session:
        yield session
