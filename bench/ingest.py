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
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

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
        "wrk", f"-t{min(2, CONNECTIONS)}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), url,
        "--", str(base), message, secret,
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


def stored_figures(database_url: str, channel_id: int, base: int) -> dict[str, int]:
    """What the database holds of one run's messages (their chat ids start at `base`)."""
    from citymes_app.core.db import get_engine

    engine = get_engine(database_url)
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT count(*), count(DISTINCT platform_message_id) FROM message "
                "WHERE channel_id = :channel AND direction = 'in'"
            ),
            {"channel": channel_id},
        ).one()
        unrouted = connection.execute(
            text(
                "SELECT count(*) FROM conversation c WHERE c.channel_id = :channel AND NOT c.awaiting_operator "
                "AND NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id AND m.direction = 'out')"
            ),
            {"channel": channel_id},
        ).scalar_one()
    engine.dispose()
    return {"stored": row[0], "distinct": row[1], "unrouted_conversations": unrouted}


def run_citymes(workdir: Path, sim_url: str, load: str, base: int) -> dict:
    """One load against CityMes on a fresh database."""
    from citymes_app.core import vault
    from citymes_app.core.db import migrate
    from citymes_app.runtime import build_runtime
    from citymes_app.core.config import load_settings
    from tests.helpers import make_town
    from tests.processes import backend_command, free_port, serve

    database_url = f"sqlite:///{workdir / f'{load}.db'}"
    env = {
        "CITYMES_DATABASE_URL": database_url,
        "CITYMES_MEDIA_DIR": str(workdir / "media"),
        "CITYMES_TELEGRAM_API_BASE": sim_url,
        "CITYMES_ENCRYPTION_KEYS": os.environ.setdefault("CITYMES_ENCRYPTION_KEYS", vault.new_key()),
        "CITYMES_SECRET_KEY": os.environ.setdefault("CITYMES_SECRET_KEY", secrets.token_hex(32)),
    }
    os.environ.update(env)
    migrate()
    runtime = build_runtime(load_settings())
    town = make_town(runtime, sim_url, slug=f"bench-{load}")
    runtime.engine.dispose()
    port = free_port()
    with serve(backend_command(port), port=port, log_path=workdir / f"backend-{load}.log", env=env) as backend:
        run = wrk(f"{backend.url}/webhooks/telegram/{town.channel_id}", base=base, message=LOADS[load], secret=town.secret)
        time.sleep(1)  # let in-flight requests finish before counting
        if os.environ.get("BENCH_KEEP_LOGS"):
            print(backend.log_tail(6000))
    stored = stored_figures(database_url, town.channel_id, base)
    return {
        "acknowledged": run.acknowledged,
        "acknowledged_per_s": round(run.per_second, 1),
        "ack_p50_ms": round(run.p50_ms, 1),
        "ack_p99_ms": round(run.p99_ms, 1),
        "non_2xx": run.non_2xx,
        "errors": run.errors,
        **stored,
        "every_acknowledged_stored_once": stored["stored"] == stored["distinct"] >= run.acknowledged,
    }


def run_bare_bot(workdir: Path, sim_url: str, load: str, base: int) -> dict:
    """The same load against the bare python-telegram-bot bot."""
    import sys

    from tests.processes import free_port, serve

    port = free_port()
    token = f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(12)}"
    secret = secrets.token_urlsafe(16)
    command = [sys.executable, "-m", "bench.bare_bot", "--port", str(port), "--token", token, "--secret", secret,
               "--api-base", sim_url]
    with serve(command, port=port, log_path=workdir / f"bare-{load}.log") as bot:
        run = wrk(f"{bot.url}/telegram", base=base, message=LOADS[load], secret=secret)
    return {"acknowledged_per_s": round(run.per_second, 1), "ack_p99_ms": round(run.p99_ms, 1), "non_2xx": run.non_2xx}


def main() -> dict:
    from tests.processes import free_port, serve, simulator_command

    figures: dict = {
        "benchmark": "inbound through the real webhook (wrk, new citizen per request)",
        "machine": f"{os.cpu_count()} cores",
        "workers": 1,
        "database": "sqlite",
        "connections": CONNECTIONS,
        "seconds": SECONDS,
        "loads": {},
    }
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        port = free_port()
        sim = stack.enter_context(serve(simulator_command(port), port=port, log_path=workdir / "sim.log",
                                        ready_path="/sim/health"))
        for number, load in enumerate(LOADS):
            base = (number + 1) * 10**12
            ours = run_citymes(workdir, sim.url, load, base)
            peer = run_bare_bot(workdir, sim.url, load, base)
            ours["peer_acknowledged_per_s"] = peer["acknowledged_per_s"]
            ours["peer_ack_p99_ms"] = peer["ack_p99_ms"]
            ours["peer_ratio"] = round(ours["acknowledged_per_s"] / peer["acknowledged_per_s"], 2)
            figures["loads"][load] = ours
            print(load, json.dumps(ours), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
