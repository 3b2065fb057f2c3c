"""The outbox against the platforms' ceilings: how many sends a second the dispatcher keeps up, as the simulator sees
them, when the bot's limit is Telegram's default 30/s, 80/s (WhatsApp's default tier) and raised to 1,000/s
(Telegram's paid broadcast, WhatsApp's top tier). Every run uses the Telegram stand-in with its limit set (the WhatsApp
stand-in needs each citizen's 24-hour window opened first and keeps only the last 500 sends).

Each run: a fresh SQLite database seeded with one pending reply per citizen (keyword messages taken in through the
real ingest path, no dispatcher running), the simulator in its own process with the bot's limit set, the channel's
own `max_per_second` set to the same figure, then the backend as production serves it (`reflex run --env prod
--backend-only`), whose dispatcher sends everything. The rate is read from the simulator's record of what the bot
sent (each send's time): the sends after the first second (the platform lets a bot burst a second's worth at once)
over the time they took. The last run adds inbound at full rate: `wrk` on the webhook (new citizens with a keyword,
so each also gets a reply) while the dispatcher empties the outbox at 1,000/s.

For scale, the same channel client alone (no database, no outbox, 64 sends at once, no limit) is run first: what
this machine lets that client send (`bare_client`), which bounds every run (`fraction_of_bare_client`).

`BENCH_OUTBOUND_SECONDS` (default 15) sets how long each run's outbox lasts at its limit; `BENCH_OUTBOUND_RUNS`
(comma-separated names) runs only some.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).parent / "results"
SECONDS = float(os.environ.get("BENCH_OUTBOUND_SECONDS", "15"))
LIMITS = (30, 80, 1000)
KEYWORD = "horaris"
#: The platforms let a bot spend a second's worth of sends at once: the sustained rate is measured after it.
BURST_SECONDS = 1.0


@dataclass(frozen=True)
class Scenario:
    name: str
    limit: int
    inbound: bool = False

    @property
    def items(self) -> int:
        return int(self.limit * SECONDS)


SCENARIOS = (
    Scenario("telegram_default_30", 30),
    Scenario("telegram_default_30_with_inbound", 30, inbound=True),  # the goal: at the limit while inbound runs
    Scenario("limit_80", 80),  # WhatsApp's default tier, played by the Telegram stand-in
    Scenario("limit_80_with_inbound", 80, inbound=True),
    Scenario("raised_1000", 1000),
    Scenario("raised_1000_with_inbound", 1000, inbound=True),
)


def sustained_rate(times: list[float]) -> float:
    """Sends a second after the first second's burst: the platform's bucket starts full, so counting from the first
    send would credit the dispatcher with the burst."""
    ordered = sorted(times)
    if len(ordered) < 2:
        return 0.0
    start = ordered[0] + BURST_SECONDS
    after = [t for t in ordered if t >= start]
    if len(after) < 2:
        return (len(ordered) - 1) / max(ordered[-1] - ordered[0], 1e-9)
    return (len(after) - 1) / (after[-1] - after[0])


async def seed(runtime: Any, channel_id: int, citizens: int, base: int) -> None:
    """One keyword message from each of `citizens` new citizens through the real ingest path: a reply each, pending."""
    from integrations.base import InboundMessage, MessageKind

    channel = runtime.channels.get(channel_id)
    now = datetime.now(UTC)

    async def citizen(n: int) -> None:
        chat = str(base + n)
        inbound = InboundMessage(
            platform_message_id=f"{chat}:0", sender_id=chat, address=chat, kind=MessageKind.TEXT, sent_at=now,
            sender_name="Veí", language_code="ca", text=KEYWORD,
        )  # fmt: skip
        await runtime.ingestor.ingest(channel_id=channel_id, channel=channel, inbound=inbound)

    for start in range(0, citizens, 500):
        await asyncio.gather(*(citizen(n) for n in range(start, min(start + 500, citizens))))
    await runtime.channels.close()


def prepare_database(workdir: Path, sim_url: str, scenario: Scenario, base: int) -> tuple[dict[str, str], Any, int]:
    """A fresh database with the town, its bot limited to the scenario's rate, and the pending replies."""
    from sqlmodel import Session

    from citymes_app.core import vault
    from citymes_app.core.config import load_settings
    from citymes_app.core.db import migrate
    from citymes_app.models import Channel as ChannelRow
    from citymes_app.runtime import build_runtime
    from tests.helpers import make_town

    env = {
        "CITYMES_DATABASE_URL": f"sqlite:///{workdir / f'{scenario.name}.db'}",
        "CITYMES_MEDIA_DIR": str(workdir / "media"),
        "CITYMES_TELEGRAM_API_BASE": sim_url,
        "CITYMES_ENCRYPTION_KEYS": os.environ.setdefault("CITYMES_ENCRYPTION_KEYS", vault.new_key()),
        "CITYMES_SECRET_KEY": os.environ.setdefault("CITYMES_SECRET_KEY", secrets.token_hex(32)),
    }
    os.environ.update(env)
    migrate()
    runtime = build_runtime(load_settings())
    town = make_town(runtime, sim_url, slug=f"bench-{scenario.name.replace('_', '-')}")
    with Session(runtime.engine) as session:
        row = session.get_one(ChannelRow, town.channel_id)
        row.credentials = {**row.credentials, "max_per_second": scenario.limit}
        session.add(row)
        session.commit()
    httpx.post(
        f"{sim_url}/sim/telegram/bots/{town.token}/limits", json={"global_per_second": scenario.limit}, timeout=10
    ).raise_for_status()
    asyncio.run(seed(runtime, town.channel_id, scenario.items, base))
    runtime.engine.dispose()
    return env, town, pending_items(env["CITYMES_DATABASE_URL"])


def pending_items(database_url: str) -> int:
    from sqlalchemy import text

    from citymes_app.core.db import get_engine

    engine = get_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM outbox_item WHERE status = 'pending'")).scalar_one()
    engine.dispose()
    return int(count)


def sent_times(sim_url: str, token: str) -> list[float]:
    response = httpx.get(f"{sim_url}/sim/telegram/bots/{token}/sent", timeout=60)
    response.raise_for_status()
    return [item["time"] for item in response.json()["sent"]]


def run_scenario(workdir: Path, sim_url: str, scenario: Scenario, base: int) -> dict[str, Any]:
    """Seed, start the backend, wait until the simulator has every reply, read the rate."""
    from bench.ingest import wrk
    from tests.processes import backend_command, free_port, serve

    env, town, pending = prepare_database(workdir, sim_url, scenario, base)
    port = free_port()
    inbound: dict[str, Any] = {}
    log_path = workdir / f"backend-{scenario.name}.log"
    with serve(backend_command(port), port=port, log_path=log_path, env=env) as backend:
        load: threading.Thread | None = None
        if scenario.inbound:
            url = f"{backend.url}/webhooks/telegram/{town.channel_id}"

            def run_wrk() -> None:
                run = wrk(url, base=base + 10**9, message=KEYWORD, secret=town.secret, seconds=max(1, int(SECONDS)))
                inbound.update(acknowledged=run.acknowledged, acknowledged_per_s=round(run.per_second, 1))

            load = threading.Thread(target=run_wrk)
            load.start()
        deadline = time.monotonic() + SECONDS * 4 + 60
        times: list[float] = []
        while time.monotonic() < deadline:
            times = sent_times(sim_url, town.token)
            if len(times) >= pending and (load is None or not load.is_alive()):
                break
            time.sleep(0.5)
        if load is not None:
            load.join()
        if os.environ.get("BENCH_KEEP_LOGS"):
            print(backend.log_tail(6000))
    seeded = times if scenario.inbound else times[:pending]
    rate = sustained_rate(seeded)
    figures: dict[str, Any] = {
        "limit_per_s": scenario.limit,
        "items": pending,
        "sent": len(times),
        "sends_per_s": round(rate, 1),
        "fraction_of_limit": round(rate / scenario.limit, 3),
    }
    if scenario.inbound:
        figures["inbound"] = inbound
    return figures


async def _bare_sends(sim_url: str, token: str, items: int, base: int) -> None:
    from integrations.base import MessageKind, OutboundMessage
    from integrations.telegram import TelegramChannel

    channel = TelegramChannel(channel_id=0, token=token, secret="", api_base=sim_url, max_per_second=10**6)
    lanes = asyncio.Semaphore(64)

    async def one(n: int) -> None:
        async with lanes:
            await channel.send(OutboundMessage(address=str(base + n), kind=MessageKind.TEXT, text="Bon dia"))

    await asyncio.gather(*(one(n) for n in range(items)))
    await channel.close()


def bare_client(sim_url: str, items: int, base: int) -> dict[str, Any]:
    """The same channel client with no database and no outbox, as fast as it goes: this machine's ceiling for it."""
    token = f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(12)}"
    httpx.post(f"{sim_url}/sim/telegram/bots/{token}/limits", json={"global_per_second": 10**6}, timeout=10).raise_for_status()
    asyncio.run(_bare_sends(sim_url, token, items, base))
    rate = sustained_rate(sent_times(sim_url, token))
    return {"items": items, "sends_per_s": round(rate, 1)}


def main() -> dict[str, Any]:
    from tests.processes import free_port, serve, simulator_command

    figures: dict[str, Any] = {
        "benchmark": "outbox dispatcher against the bot's limit, as the simulator counts sends",
        "machine": f"{os.cpu_count()} cores",
        "database": "sqlite",
        "workers": 1,
        "seconds_at_limit": SECONDS,
        "runs": {},
    }
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        port = free_port()
        sim = stack.enter_context(
            serve(simulator_command(port), port=port, log_path=workdir / "sim.log", ready_path="/sim/health")
        )
        bare = bare_client(sim.url, 3000, 9 * 10**10)
        figures["bare_client"] = bare
        print("bare_client", json.dumps(bare), flush=True)
        only = {name for name in os.environ.get("BENCH_OUTBOUND_RUNS", "").split(",") if name}
        for number, scenario in enumerate(SCENARIOS):
            if only and scenario.name not in only:
                continue
            result = run_scenario(workdir, sim.url, scenario, (number + 1) * 10**10)
            result["fraction_of_bare_client"] = round(result["sends_per_s"] / bare["sends_per_s"], 3)
            figures["runs"][scenario.name] = result
            print(scenario.name, json.dumps(result), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "outbound.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
