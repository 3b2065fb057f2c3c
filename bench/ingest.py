"""Inbound through the real webhook at full rate: `wrk` (a separate process, 32 connections, each request a new
citizen) against the backend as production serves it (`reflex run --env prod --backend-only`, one worker, SQLite),
side by side with the bare python-telegram-bot bot (`bench.bare_bot`) on the same simulator in the same run.

Figures per load (keyword texts, unmatched texts): acknowledged/s, ack p50/p99, the ratio to the bare bot; then, read
from the database: every acknowledged message stored exactly once, and routed (answered, or queued for an operator).
`BENCH_SECONDS` (default 60) sets each run's length; `BENCH_CONNECTIONS` (default 32) the concurrency.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from sqlalchemy import make_url, text

from bench import grown

RESULTS = Path(__file__).parent / "results"
LUA = Path(__file__).parent / "telegram_load.lua"
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
LOADS = {"keyword": "horaris", "unmatched": "Bon dia, el contenidor del carrer Major fa dies que no el buiden"}


@dataclass
class WrkRun:
    acknowledged: int
    non_2xx: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.acknowledged / self.seconds


def wrk(url: str, *, base: int, message: str, secret: str, seconds: int = SECONDS) -> WrkRun:
    """Run the load generator in its own process and read its figures."""
    command = [
        "wrk",
        f"-t{min(2, CONNECTIONS)}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
        "--",
        str(base),
        message,
        secret,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^WRKJSON (.*)$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no figures: {output}")
    figures = json.loads(match.group(1))
    errors = sum(figures[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return WrkRun(
        acknowledged=figures["requests"] - figures["non2xx"] - errors,
        non_2xx=figures["non2xx"],
        errors=errors,
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
    )


def process_cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and everything under it (the backend: reflex, granian and its worker)."""
    leader = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [leader, *leader.children(recursive=True)])


def stored_figures(database_url: str, channel_id: int) -> dict[str, int]:
    """What the database holds of one run's messages."""
    from citymes_app.core.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT count(*), count(DISTINCT platform_message_id) FROM message "
                "WHERE channel_id = :channel AND direction = 'in'"
            ),
            {"channel": channel_id},
        ).one()  # (the history a grown run starts with is counted too: it is stored once as well)
        unrouted = connection.execute(
            text(
                "SELECT count(*) FROM conversation c WHERE c.channel_id = :channel AND NOT c.awaiting_operator "
                "AND NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id AND m.direction = 'out')"
            ),
            {"channel": channel_id},
        ).scalar_one()
    engine.dispose()
    return {"stored": row[0], "distinct": row[1], "unrouted_conversations": unrouted}


@dataclass(frozen=True)
class Setup:
    """Where CityMes runs: its database, Redis or not, how many backend workers."""

    name: str
    database: str
    workers: int
    redis: bool
    grown: bool = False  # 1,000,000 messages and 100,000 open conversations stored before the load (bench/grown.py)


SETUPS = (
    Setup("sqlite-1-worker", "sqlite", 1, False),
    Setup("sqlite-1-worker-grown", "sqlite", 1, False, grown=True),
    Setup("postgresql-redis-2-workers", "postgresql", 2, True),
)


@contextmanager
def database_for(setup: Setup, workdir: Path, load: str) -> Iterator[str]:
    """A fresh, migrated database for one run."""
    if setup.database == "sqlite":
        from citymes_app.core.db import migrate

        url = f"sqlite:///{workdir / f'{setup.name}-{load}.db'}"
        migrate(url)
        yield url
        return
    from tests.services import fresh_postgres_database, postgres_server_url

    with fresh_postgres_database(postgres_server_url()) as url:
        yield url


@contextmanager
def redis_for(setup: Setup) -> Iterator[dict[str, str]]:
    """A flushed Redis database for a run that uses Redis (Reflex's states, the sign-in throttle), else nothing."""
    if not setup.redis:
        yield {}
        return
    import redis

    from tests.services import redis_server_url

    url = str(make_url(redis_server_url()).set(database="13"))
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield {"REFLEX_REDIS_URL": url, "GRANIAN_WORKERS": str(setup.workers)}
    finally:
        client.flushdb()
        client.close()


def run_citymes(workdir: Path, sim_url: str, setup: Setup, load: str, base: int) -> dict:
    """One load against CityMes on a fresh database."""
    from citymes_app.core import vault
    from citymes_app.core.config import load_settings
    from citymes_app.runtime import build_runtime
    from tests.helpers import make_town
    from tests.processes import backend_command, free_port, serve

    with ExitStack() as stack:
        database_url = stack.enter_context(database_for(setup, workdir, load))
        env = {
            "CITYMES_DATABASE_URL": database_url,
            "CITYMES_MEDIA_DIR": str(workdir / "media"),
            "CITYMES_TELEGRAM_API_BASE": sim_url,
            "CITYMES_ENCRYPTION_KEYS": os.environ.setdefault("CITYMES_ENCRYPTION_KEYS", vault.new_key()),
            "CITYMES_SECRET_KEY": os.environ.setdefault("CITYMES_SECRET_KEY", secrets.token_hex(32)),
            **stack.enter_context(redis_for(setup)),
        }
        os.environ.update({k: v for k, v in env.items() if k.startswith("CITYMES_")})
        runtime = build_runtime(load_settings())
        town = make_town(runtime, sim_url, slug=f"bench-{load}")
        runtime.engine.dispose()
        history = grown.seed(database_url, tenant_id=town.tenant_id, channel_id=town.channel_id) if setup.grown else {}
        port = free_port()
        log_path = workdir / f"backend-{setup.name}-{load}.log"
        with serve(backend_command(port), port=port, log_path=log_path, env=env) as backend:
            cpu_before = process_cpu_seconds(backend.process.pid)
            run = wrk(f"{backend.url}/webhooks/telegram/{town.channel_id}", base=base, message=LOADS[load], secret=town.secret)
            time.sleep(1)  # let in-flight requests finish before counting
            cpu_seconds = process_cpu_seconds(backend.process.pid) - cpu_before
            if os.environ.get("BENCH_KEEP_LOGS"):
                print(backend.log_tail(6000))
        stored = stored_figures(database_url, town.channel_id)
    return {
        "acknowledged": run.acknowledged,
        "acknowledged_per_s": round(run.per_second, 1),
        "ack_p50_ms": round(run.p50_ms, 1),
        "ack_p99_ms": round(run.p99_ms, 1),
        "non_2xx": run.non_2xx,
        "errors": run.errors,
        "backend_cpu_ms_per_message": round(1000 * cpu_seconds / max(stored["stored"] - history.get("messages", 0) // 2, 1), 2),
        "stored_before": history,
        **stored,
        # Each message is routed (answered, or queued with its notice) in the transaction that stores it, before the
        # acknowledgement: `unrouted_conversations` counts any that were not.
        "every_acknowledged_stored_once": stored["stored"] == stored["distinct"] >= run.acknowledged,
    }


def run_bare_bot(workdir: Path, sim_url: str, load: str, base: int) -> dict:
    """The same load against the bare python-telegram-bot bot."""
    import sys

    from tests.processes import free_port, serve

    port = free_port()
    token = f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(12)}"
    secret = secrets.token_urlsafe(16)
    command = [
        sys.executable,
        "-m",
        "bench.bare_bot",
        "--port",
        str(port),
        "--token",
        token,
        "--secret",
        secret,
        "--api-base",
        sim_url,
    ]
    with serve(command, port=port, log_path=workdir / f"bare-{load}.log") as bot:
        run = wrk(f"{bot.url}/telegram", base=base, message=LOADS[load], secret=secret)
    return {"acknowledged_per_s": round(run.per_second, 1), "ack_p99_ms": round(run.p99_ms, 1), "non_2xx": run.non_2xx}


GOALS = {"acknowledged_per_s": 1000, "ack_p99_ms": 100, "peer_ratio": 0.8}


def table(figures: dict) -> str:
    """Every goal beside its figure, per setup and load."""
    lines = [
        f"{'setup':28} {'load':10} {'ack/s (≥1000)':>14} {'p99 ms (<100)':>14} {'× bare bot (≥0.8)':>18} {'stored once':>12}"
    ]
    for setup, loads in figures["setups"].items():
        for load, f in loads.items():
            lines.append(
                f"{setup:28} {load:10} {f['acknowledged_per_s']:>14} {f['ack_p99_ms']:>14} {f['peer_ratio']:>18} "
                f"{str(f['every_acknowledged_stored_once'] and not f['unrouted_conversations']):>12}"
            )
    return "\n".join(lines)


def main() -> dict:
    from tests.processes import free_port, serve, simulator_command

    figures: dict = {
        "benchmark": "inbound through the real webhook (wrk, new citizen per request)",
        "machine": f"{os.cpu_count()} cores",
        "connections": CONNECTIONS,
        "seconds": SECONDS,
        "goals": GOALS,
        "peer": {},
        "setups": {},
    }
    chosen = [s for s in SETUPS if s.name in os.environ.get("BENCH_SETUPS", ",".join(x.name for x in SETUPS)).split(",")]
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        port = free_port()
        sim = stack.enter_context(
            serve(simulator_command(port), port=port, log_path=workdir / "sim.log", ready_path="/sim/health")
        )
        for number, load in enumerate(LOADS):
            figures["peer"][load] = run_bare_bot(workdir, sim.url, load, (number + 1) * 10**12)
        for setup_number, setup in enumerate(chosen):
            figures["setups"][setup.name] = {}
            for number, load in enumerate(LOADS):
                base = (10 * (setup_number + 1) + number + 1) * 10**12
                ours = run_citymes(workdir, sim.url, setup, load, base)
                peer = figures["peer"][load]
                ours |= {"workers": setup.workers, "database": setup.database}
                ours["peer_ratio"] = round(ours["acknowledged_per_s"] / peer["acknowledged_per_s"], 2)
                figures["setups"][setup.name][load] = ours
                print(setup.name, load, json.dumps(ours), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(table(figures))
    return figures


if __name__ == "__main__":
    main()
