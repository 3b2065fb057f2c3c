"""Fixtures for tests that talk to the platform simulator over real HTTP."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# `.venv/bin/pytest` does not put the repository root on sys.path, and this directory has no
# __init__.py, so make `import integrations` work however pytest is started.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from integrations.simulator.server import serve_simulator  # noqa: E402


@pytest.fixture(scope="session")
def simulator_server() -> Iterator[str]:
    """One simulator for the whole session (starting uvicorn per test would be slow)."""
    with serve_simulator() as url:
        yield url


@pytest.fixture
def simulator_url(simulator_server: str) -> str:
    """Base URL of a simulator with no state left over from earlier tests."""
    httpx.post(f"{simulator_server}/sim/reset", timeout=10).raise_for_status()
    return simulator_server
