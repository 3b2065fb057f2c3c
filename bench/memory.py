"""Memory with a town's years behind it: the backend's resident memory with 50 operator tabs connected (each with a
conversation open, live) and 1,000,000 messages stored, after a citizen's message has reached them (goal < 400 MB).
Writes `results/memory.json`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from bench import live_fanout

TABS = int(os.environ.get("BENCH_MEMORY_TABS", "50"))
GOAL_MB = 400


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        figures = live_fanout.measure(Path(tmp), tabs_open=TABS, grown=True)
    figures["goal_rss_mb"] = GOAL_MB
    live_fanout.RESULTS.mkdir(exist_ok=True)
    (live_fanout.RESULTS / "memory.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"backend RSS with {TABS} tabs and 1,000,000 messages: {figures['backend_rss_mb']} MB (goal < {GOAL_MB} MB)")
    return figures


if __name__ == "__main__":
    main()
