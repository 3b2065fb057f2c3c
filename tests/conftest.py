"""Shared fixtures: the platform simulator, a migrated database, the API served over real HTTP, a demo-like town.

The integration tests (`DOUBLED`) run once on SQLite and once on PostgreSQL (ids `sqlite` / `postgresql`): every test
that asks for `database_url`, directly or through `runtime`, gets a fresh migrated database of each kind. A test that
is about SQLite itself says so with `@pytest.mark.sqlite_only("why")`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import httpx
import pytest
from cryptography.fernet import Fernet

from citymes_app.core import clock
from citymes_app.core.db import get_engine, migrate
from citymes_app.runtime import Runtime, get_runtime
from integrations.simulator.server import serve_app, serve_simulator
from tests.helpers import Town, make_town
from tests.services import fresh_postgres_database, postgres_server_url, redis_server_url

# The server's keys for this test session, set before anything reads the settings; subprocesses inherit them (see
# `tests.helpers.server_keys_env` for those started with a bare environment). The keys file points nowhere, so a
# developer's own `data/keys.env` never leaks into a test.
os.environ["CITYMES_ENCRYPTION_KEYS"] = Fernet.generate_key().decode("ascii")
os.environ["CITYMES_SECRET_KEY"] = secrets.token_urlsafe(32)
os.environ["CITYMES_KEYS_FILE"] = "/nonexistent/citymes-tests/keys.env"
# Under pytest-xdist (`make test` runs one process per core) each process's apps build their frontend in a folder of
# their own (two `reflex run` preparing one `.web` at once would overwrite each other's files)
# their own, and keep their states folder (which each start empties) apart.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["REFLEX_WEB_WORKDIR"] = str(Path(__file__).resolve().parents[1] / f".web-{worker}")
    os.environ["REFLEX_STATES_WORKDIR"] = str(Path(__file__).resolve().parents[1] / f".states-{worker}")

# A Tuesday morning in Mataró: the office is open unless a test says otherwise.
OFFICE_OPEN = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Madrid"))


@pytest.fixture(autouse=True)
def office_clock() -> Iterator[None]:
    """Freeze CityMes' clock at an office-open time so automatic notices do not depend on when tests run."""
    clock.freeze(OFFICE_OPEN)
    yield
    clock.freeze(None)


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


Database = Literal["sqlite", "postgresql"]
DATABASES: tuple[Database, ...] = ("sqlite", "postgresql")
# The folders whose tests run on both databases (the browser tests drive one served site, on SQLite).
DOUBLED = ("tests/core/", "tests/api/", "tests/test_migrations.py")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): the test is about SQLite itself; it runs on SQLite only")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the doubled folders' database tests on each database; the others (and `sqlite_only` ones) on SQLite
    (unparametrised: their ids do not change)."""
    path = metafunc.definition.path.relative_to(metafunc.config.rootpath).as_posix()
    if not path.startswith(DOUBLED) or metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    for fixture in ("database_url", "empty_database_url"):
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, DATABASES, indirect=True)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL server for the session (found or started: `tests/services.py`); a superuser's URL."""
    return postgres_server_url()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis server for the session (found or started: `tests/services.py`)."""
    return redis_server_url()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database migrated to the latest schema: a SQLite file, or a PostgreSQL database of its
    own (dropped after the test)."""
    database: Database = getattr(request, "param", "sqlite")
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'citymes.db'}"
        migrate(url)
        yield url
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database with no schema yet (to migrate step by step)."""
    database: Database = getattr(request, "param", "sqlite")
    if database == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_url"), migrated=False) as url:
        yield url


@pytest.fixture
def runtime(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, simulator_url: str) -> Iterator[Runtime]:
    """A runtime on a fresh, migrated database, with Telegram and WhatsApp pointed at the simulator."""
    url = database_url
    monkeypatch.setenv("CITYMES_DATABASE_URL", url)
    monkeypatch.setenv("CITYMES_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("CITYMES_TELEGRAM_API_BASE", simulator_url)
    monkeypatch.setenv("CITYMES_WHATSAPP_API_BASE", simulator_url)
    monkeypatch.setenv("CITYMES_SIMULATOR_URL", simulator_url)
    get_runtime.cache_clear()
    rt = get_runtime()
    yield rt
    get_runtime.cache_clear()
    get_engine(url).dispose()


@pytest.fixture
def api_url(runtime: Runtime) -> Iterator[str]:
    """The CityMes HTTP API (webhooks, media, health) served by uvicorn on a free port."""
    from citymes_app.api.routes import api_alone

    with serve_app(api_alone()) as url:
        yield url


@pytest.fixture
async def town(runtime: Runtime, simulator_url: str, api_url: str) -> AsyncIterator[Town]:
    """A town whose bot delivers to our webhook."""
    town = make_town(runtime, simulator_url)
    channel = runtime.channels.get(town.channel_id)
    assert channel is not None, "the test town's channel did not load"
    await channel.register_webhook(f"{api_url}/webhooks/telegram/{town.channel_id}")
    yield town
    await runtime.channels.close()


@pytest.fixture
async def dispatcher(runtime: Runtime) -> AsyncIterator[None]:
    """The outbox dispatcher running in the test's event loop."""
    task = asyncio.create_task(runtime.dispatcher(poll_interval=0.1).run())
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
