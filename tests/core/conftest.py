"""Fixtures for core tests that need only a database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from citymes_app.core.db import make_engine, migrate


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A session on a fresh, migrated SQLite database."""
    url = f"sqlite:///{tmp_path / 'core.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        yield session
    engine.dispose()
