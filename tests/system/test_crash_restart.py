"""The backend killed with SIGKILL under load, then restarted: nothing acknowledged is lost, and only the replies that
were in flight at the instant of the kill can reach a citizen twice.

Everything runs as the real processes: the simulator (`python -m integrations.simulator`), the backend
(`reflex run --env prod --backend-only`) on a temporary SQLite file, set up with the CLI. Citizens write through the
simulator, which delivers their updates to the webhook and redelivers what was not answered 2xx, as Telegram does.
The figures are counted on the simulator's own record of what the bot sent, and on the database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import httpx
import pytest

from citymes_app.core.outbox import CONCURRENCY

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CITIZENS = 300
KEYWORDS_CSV = "keyword,response,language,synonyms,featured\nHORARIS,L'OAC obre de 8 a 19 h.,ca,horari,true\n"
ANSWER = "L'OAC obre de 8 a 19 h."
TOKEN = "7000000001:crashRestartBotToken"
SECRET = "crash-restart-secret"
STARTUP_TIMEOUT = 120.0  # a slow, shared 2-core machine
SETTLE_TIMEOUT = 150.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            command = cast("list[str]", proc.args)  # started from a list, never a shell string
            raise RuntimeError(f"{command[:3]} exited with status {proc.returncode}; see {log_path}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {STARTUP_TIMEOUT}s; see {log_path}")
        time.sleep(0.2)


def _kill_group(proc: subprocess.Popen, sig: signal.Signals) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@dataclass
class Installation:
    """The simulator and the backend as processes, sharing one temporary database."""

    env: dict[str, str]
    tmp: Path
    simulator_url: str
    backend_port: int
    database: Path
    channel_id: int
    backend: subprocess.Popen | None = None
    starts: int = 0

    @property
    def backend_url(self) -> str:
        return f"http://127.0.0.1:{self.backend_port}"

    def bot_url(self, path: str) -> str:
        return f"{self.simulator_url}/sim/telegram/bots/{TOKEN}/{path}"

    def start_backend(self) -> None:
        self.starts += 1
        log_path = self.tmp / f"backend-{self.starts}.log"
        with log_path.open("w") as log:
            self.backend = subprocess.Popen(
                [str(BIN / "reflex"), "run", "--env", "prod", "--backend-only", "--backend-port", str(self.backend_port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: reflex, granian and the worker die together
            )
        _wait_until_up(f"{self.backend_url}/healthz", self.backend, log_path)

    def kill_backend(self) -> None:
        """SIGKILL the backend's whole process group, and wait until no process of it is left."""
        assert self.backend is not None
        pgid = self.backend.pid
        os.killpg(pgid, signal.SIGKILL)
        self.backend.wait(20)
        deadline = time.monotonic() + 20
        while not _group_gone(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _group_gone(pgid), "the backend's workers outlived SIGKILL"

    def query(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.database, timeout=30) as db:
            return db.execute(sql).fetchall()


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[Installation]:
    sim_port, backend_port = _free_port(), _free_port()
    simulator_url = f"http://127.0.0.1:{sim_port}"
    database = tmp_path / "citymes.db"
    env = dict(
        os.environ,
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        PYTHONUNBUFFERED="1",
        CITYMES_DATABASE_URL=f"sqlite:///{database}",
        CITYMES_MEDIA_DIR=str(tmp_path / "media"),
        CITYMES_TELEGRAM_API_BASE=simulator_url,
        CITYMES_SIMULATOR_URL=simulator_url,
    )
    sim_log = tmp_path / "simulator.log"
    with sim_log.open("w") as log:
        # Telegram keeps an update for 24 h; the simulator must not give up while the backend restarts.
        simulator = subprocess.Popen(
            [sys.executable, "-m", "integrations.simulator", "--port", str(sim_port), "--log-level", "warning"]
            + ["--webhook-attempts", "60"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    site = None
    try:
        _wait_until_up(f"{simulator_url}/sim/health", simulator, sim_log)
        cli = [sys.executable, "-m", "citymes_app.cli"]

        def run(*args: str) -> str:
            done = subprocess.run([*cli, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            return done.stdout

        keywords = tmp_path / "keywords.csv"
        keywords.write_text(KEYWORDS_CSV)
        run("init-db")
        run("tenant", "add", "vila", "--name", "Ajuntament de la Vila")
        run("keywords", "import", "vila", str(keywords))
        channel_id = int(run("channel", "add", "vila", "telegram", "--token", TOKEN, "--secret", SECRET).strip())
        site = Installation(env, tmp_path, simulator_url, backend_port, database, channel_id)
        site.start_backend()
        run("channel", "set-webhook", str(channel_id), "--base-url", site.backend_url)
        yield site
    finally:
        if site is not None and site.backend is not None:
            _kill_group(site.backend, signal.SIGINT)
        _kill_group(simulator, signal.SIGINT)


async def _sent_per_chat(client: httpx.AsyncClient, site: Installation) -> Counter[int]:
    response = await client.get(site.bot_url("sent"))
    response.raise_for_status()
    return Counter(item["chat_id"] for item in response.json()["sent"] if item["text"] == ANSWER)


async def _pending_updates(client: httpx.AsyncClient, site: Installation) -> int:
    """Updates the simulator has not yet had acknowledged by the webhook (Telegram's getWebhookInfo)."""
    response = await client.post(f"{site.simulator_url}/bot{TOKEN}/getWebhookInfo")
    return response.json()["result"]["pending_update_count"]


async def test_a_backend_killed_under_load_loses_nothing_and_repeats_only_what_was_in_flight(
    installation: Installation,
) -> None:
    site = installation
    chats = list(range(5001, 5001 + CITIZENS))
    limits = httpx.Limits(max_connections=CITIZENS + 10, max_keepalive_connections=CITIZENS + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def citizen_writes(chat_id: int) -> dict:
            response = await client.post(
                site.bot_url("citizen-message"), json={"chat_id": chat_id, "first_name": "Veí", "text": "horaris"}
            )
            response.raise_for_status()
            return response.json()

        # A platform that takes a moment to answer (Telegram's usual round trip): sends are in flight at the kill.
        (await client.post(site.bot_url("latency"), json={"seconds": 0.2})).raise_for_status()
        writing = [asyncio.create_task(citizen_writes(chat_id)) for chat_id in chats]

        # Kill once the backend is both acknowledging (a third of the citizens' first deliveries answered, the rest
        # open) and sending (the simulator has recorded a reply).
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while True:
            answered = sum(1 for t in writing if t.done())
            if answered == CITIZENS or (answered >= CITIZENS // 3 and await _sent_per_chat(client, site)):
                break
            assert time.monotonic() < deadline, "the backend never started answering"
            await asyncio.sleep(0.01)
        site.kill_backend()
        acknowledged_first_time = sum(1 for t in writing if t.done() and t.result()["webhook_status"] == 200)
        acks_open_at_kill = sum(1 for t in writing if not t.done())
        sent_at_kill = sum((await _sent_per_chat(client, site)).values())

        states = dict(site.query("SELECT status, count(*) FROM outbox_item GROUP BY status"))
        in_flight = states.get("sending", 0)

        site.start_backend()
        await asyncio.gather(*writing)  # each citizen's first delivery attempt has an answer

        async def settled() -> bool:
            if await _pending_updates(client, site):
                return False
            waiting = site.query("SELECT count(*) FROM outbox_item WHERE status IN ('pending', 'claimed', 'sending')")
            stored = site.query("SELECT count(*) FROM message WHERE direction = 'in'")
            return waiting[0][0] == 0 and stored[0][0] >= CITIZENS

        while not await settled():
            assert time.monotonic() < deadline + STARTUP_TIMEOUT, f"not settled; see {site.tmp}"
            await asyncio.sleep(0.5)
        per_chat = await _sent_per_chat(client, site)

    stored = dict(
        site.query(
            "SELECT c.address, count(*) FROM message m JOIN conversation c ON c.id = m.conversation_id "
            "WHERE m.direction = 'in' GROUP BY c.address"
        )
    )
    failed = site.query("SELECT count(*) FROM outbox_item WHERE status = 'failed'")[0][0]
    lost = sum(1 for chat_id in chats if per_chat[chat_id] == 0)
    duplicated = sum(per_chat[chat_id] - 1 for chat_id in chats if per_chat[chat_id] > 1)
    print(
        f"\nkill -9 run: citizens {CITIZENS}, acknowledged at the first attempt {acknowledged_first_time}, "
        f"deliveries open at the kill {acks_open_at_kill}, replies sent before the kill {sent_at_kill}, "
        f"outbox at the kill {states}, in flight {in_flight}, acknowledged in the end {len(stored)}, "
        f"lost {lost}, duplicated {duplicated}, failed {failed}",
        flush=True,
    )

    assert stored == {str(chat_id): 1 for chat_id in chats}  # every update stored exactly once
    assert failed == 0
    assert lost == 0
    # `sending` means handed to the platform: no more than one worker's open sends, not every item claimed.
    assert in_flight <= CONCURRENCY
    assert duplicated <= in_flight
