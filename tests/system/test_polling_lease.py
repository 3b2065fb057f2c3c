"""A polling bot with two workers on one PostgreSQL database: one polls it, never both; the holder is killed with
SIGKILL (no chance to hand the lease back) and the other takes the bot over once the lease has run out, so every
citizen's message is stored, once.

The workers are `tests/system/poller.py` processes (the backend's polling supervisor alone, with a 4-second lease);
the simulator records every getUpdates call and how many arrived while another was still waiting.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from citymes_app.core.db import make_engine
from tests.processes import free_port, stop
from tests.system.installation import kill_group, run_cli, serve_simulator, start_in_group

TOKEN = "7000000003:pollingLeaseBotToken"
LEASE_SECONDS, LONG_POLL_SECONDS = 4.0, 1.0
TIMEOUT = 60.0


@dataclass
class PollingWorkers:
    """The simulator and the database the polling workers share, and the workers by lease owner."""

    env: dict[str, str]
    tmp: Path
    simulator_url: str
    engine: Engine
    channel_id: int
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start_worker(self) -> str:
        """Start a polling worker; returns its lease owner."""
        log_path = self.tmp / f"poller-{len(self.workers)}.log"
        command = [sys.executable, "-m", "tests.system.poller", "--lease", str(LEASE_SECONDS)]
        proc = start_in_group([*command, "--long-poll", str(LONG_POLL_SECONDS)], self.env, log_path)
        deadline = time.monotonic() + TIMEOUT
        while not log_path.read_text().strip():
            assert proc.poll() is None and time.monotonic() < deadline, f"the poller did not start; see {log_path}"
            time.sleep(0.1)
        owner = log_path.read_text().split()[0]
        self.workers[owner] = proc
        return owner

    def lease_owner(self) -> str | None:
        with self.engine.connect() as connection:
            query = text("SELECT poll_lease_owner FROM channel WHERE id = :id")
            return connection.execute(query, {"id": self.channel_id}).scalar_one()

    def stored_per_citizen(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT c.address, count(*) FROM message m JOIN conversation c ON c.id = m.conversation_id "
                    "WHERE m.direction = 'in' GROUP BY c.address"
                )
            )
            return {address: count for address, count in rows}

    def citizen_writes(self, chat_id: int) -> None:
        body = {"chat_id": chat_id, "first_name": "Veí", "text": f"missatge de {chat_id}"}
        answer = httpx.post(f"{self.simulator_url}/sim/telegram/bots/{TOKEN}/citizen-message", json=body, timeout=20)
        answer.raise_for_status()
        assert answer.json()["delivery"] == "getUpdates"

    def polling(self) -> dict:
        return httpx.get(f"{self.simulator_url}/sim/telegram/bots/{TOKEN}/polling", timeout=20).json()


def wait_until(check, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + TIMEOUT
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture
def polling_workers(tmp_path: Path, fresh_postgres_url: str) -> Iterator[PollingWorkers]:
    sim_port = free_port()
    simulator_url = f"http://127.0.0.1:{sim_port}"
    env = {
        "CITYMES_DATABASE_URL": fresh_postgres_url,
        "CITYMES_MEDIA_DIR": str(tmp_path / "media"),
        "CITYMES_TELEGRAM_API_BASE": simulator_url,
        "CITYMES_WHATSAPP_API_BASE": simulator_url,
    }
    engine = make_engine(fresh_postgres_url)
    site: PollingWorkers | None = None
    try:
        with serve_simulator(sim_port, tmp_path / "simulator.log", env):
            run_cli(env, "init-db")
            run_cli(env, "tenant", "add", "vila", "--name", "Ajuntament de la Vila")
            added = run_cli(env, "channel", "add", "vila", "telegram", "--token", TOKEN, "--secret", "s", "--mode", "polling")
            site = PollingWorkers(env, tmp_path, simulator_url, engine, int(added))
            try:
                yield site
            finally:
                for proc in site.workers.values():
                    stop(proc)
    finally:
        engine.dispose()


def test_one_worker_polls_a_bot_and_another_takes_it_over_when_it_is_killed(polling_workers: PollingWorkers) -> None:
    site = polling_workers
    first, second = site.start_worker(), site.start_worker()
    wait_until(lambda: site.lease_owner() is not None, "no worker took the polling lease")
    holder = site.lease_owner()
    assert holder in (first, second)
    survivor = second if holder == first else first

    for chat_id in range(6001, 6011):
        site.citizen_writes(chat_id)
    wait_until(lambda: len(site.stored_per_citizen()) == 10, "the holder did not store the messages")
    assert site.lease_owner() == holder

    kill_group(site.workers.pop(holder))
    for chat_id in range(6011, 6021):  # written while nobody polls: the platform keeps them
        site.citizen_writes(chat_id)
    wait_until(lambda: site.lease_owner() == survivor, "the other worker never took the bot over")
    wait_until(lambda: len(site.stored_per_citizen()) == 20, "the messages written after the kill were not stored")

    assert site.stored_per_citizen() == {str(chat_id): 1 for chat_id in range(6001, 6021)}
    assert site.polling()["conflicts"] == 0  # never two workers polling at once
