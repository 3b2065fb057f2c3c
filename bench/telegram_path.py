"""Webhook → reply sent, through real HTTP: the simulator delivers a citizen's keyword message to the CityMes API,
the pipeline stores and answers it, the outbox sends the answer with python-telegram-bot back to the simulator.

Measured on this machine, in one process (simulator and API each on their own uvicorn thread):
- ack: the webhook round trip (message stored and committed, 200 returned);
- reply: from the citizen's message to the bot's answer recorded by the simulator;
- burst: N citizens writing at once; replies/s (the simulator enforces Telegram's 30 messages/s per bot).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

RESULTS = Path(__file__).parent / "results"
SEQUENTIAL = int(os.environ.get("BENCH_SEQUENTIAL", "100"))
BURST = int(os.environ.get("BENCH_BURST", "300"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p90_ms": round(percentile(ms, 90), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
    }


async def run(workdir: Path) -> dict:
    from citymes_app.api.routes import api_alone
    from citymes_app.core import vault
    from citymes_app.core.db import migrate
    from citymes_app.runtime import get_runtime
    from integrations.simulator.server import serve_app, serve_simulator
    from tests.helpers import make_town

    with serve_simulator() as sim_url:
        os.environ.update(
            CITYMES_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
            CITYMES_MEDIA_DIR=str(workdir / "media"),
            CITYMES_TELEGRAM_API_BASE=sim_url,
            CITYMES_ENCRYPTION_KEYS=vault.new_key(),  # a throwaway database: a throwaway key
        )
        migrate()
        get_runtime.cache_clear()
        runtime = get_runtime()
        with serve_app(api_alone()) as api_url:
            town = make_town(runtime, sim_url)
            channel = runtime.channels.get(town.channel_id)
            if channel is None:
                raise RuntimeError("the bench town's Telegram channel did not load")
            await channel.register_webhook(f"{api_url}/webhooks/telegram/{town.channel_id}")
            dispatcher = asyncio.create_task(runtime.dispatcher(poll_interval=0.05).run())
            async with httpx.AsyncClient(timeout=60) as client:
                acks, replies = [], []
                for n in range(SEQUENTIAL):
                    chat_id = 10_000 + n
                    start = time.time()
                    response = await client.post(
                        town.bot_url("citizen-message"), json={"chat_id": chat_id, "first_name": "B", "text": "horaris"}
                    )
                    acks.append(time.time() - start)
                    assert response.json()["webhook_status"] == 200
                    while True:
                        sent = (await client.get(town.bot_url("sent"), params={"chat_id": chat_id})).json()["sent"]
                        if sent:
                            replies.append(sent[0]["time"] - start)
                            break
                        await asyncio.sleep(0.005)

                burst_start = time.time()

                async def citizen(n: int) -> None:
                    await client.post(
                        town.bot_url("citizen-message"),
                        json={"chat_id": 50_000 + n, "first_name": "B", "text": "horaris"},
                    )

                await asyncio.gather(*(citizen(n) for n in range(BURST)))
                ingest_done = time.time() - burst_start
                while True:
                    sent = (await client.get(town.bot_url("sent"))).json()["sent"]
                    if len(sent) >= SEQUENTIAL + BURST:
                        break
                    await asyncio.sleep(0.05)
                last = max(item["time"] for item in sent)
            dispatcher.cancel()
            await asyncio.gather(dispatcher, return_exceptions=True)
            await runtime.channels.close()
    burst_seconds = last - burst_start
    return {
        "benchmark": "telegram webhook to reply sent",
        "machine": f"{os.cpu_count()} cores",
        "webhook_ack": summary(acks),
        "webhook_to_reply_sent": summary(replies),
        "burst": {
            "citizens": BURST,
            "all_stored_seconds": round(ingest_done, 2),
            "all_replied_seconds": round(burst_seconds, 2),
            "replies_per_second": round(BURST / burst_seconds, 1),
            "note": "the simulator enforces Telegram's 30 messages/s per bot, so ~30/s is the ceiling",
        },
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(run(Path(tmp)))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "telegram_path.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
