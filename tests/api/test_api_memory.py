"""A flood of bad webhook bodies leaves the backend's memory where it was: the real backend runs in its own process
group (`reflex run --env prod --backend-only`: reflex, granian and its worker), and the group's resident memory is read
with psutil after a warm-up and again after the flood."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from citymes_app.api.webhooks import MAX_BODY_BYTES
from citymes_app.runtime import Runtime
from tests.helpers import Town, make_town

ROOT = Path(__file__).resolve().parents[2]
WARM_UP = 500
FLOOD = 3000
# Resident memory may move a little with the allocator; a leak or a kept high-water mark shows as tens of MB.
MARGIN_BYTES = 16 * 1024 * 1024


@pytest.fixture
def served_api(runtime: Runtime, tmp_path: Path) -> Iterator[tuple[str, psutil.Process]]:
    """The backend in a process group of its own, on the test's database."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "api.log").open("w")
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / "reflex"), "run", "--env", "prod", "--backend-only", "--backend-port", str(port)]
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
    )
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=2)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start: {(tmp_path / 'api.log').read_text()[-2000:]}") from None
            time.sleep(0.1)
    try:
        yield url, psutil.Process(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def resident_bytes(group_leader: psutil.Process) -> int:
    """The resident memory of the backend: the reflex process and every process under it."""
    return sum(process.memory_info().rss for process in [group_leader, *group_leader.children(recursive=True)])


def bad_body(index: int, chance: random.Random) -> bytes:
    """Bodies from the issue's fuzzing: too deep, lone surrogates, overflowing values, garbage, too large."""
    update = {"message_id": index, "date": 1_790_000_000, "chat": {"id": 1, "type": "private"}}
    update["from"] = {"id": 1, "is_bot": False, "first_name": "Joan"}
    match index % 6:
        case 0:
            return b"[" * chance.randint(1_000, 100_000)
        case 1:
            return b'{"update_id": 1, "message": ' + b'{"a":' * chance.randint(1_000, 20_000) + b"1}"
        case 2:
            text = "\ud800" + "x" * chance.randint(1, 100_000)
            return json.dumps({"update_id": index, "message": {**update, "text": text}}).encode()
        case 3:
            return json.dumps({"update_id": index, "message": {**update, "date": 10**20, "text": "x"}}).encode()
        case 4:
            return chance.randbytes(chance.randint(1, 200_000))
        case _:
            return b"x" * chance.randint(4 * 1024 * 1024, 6 * 1024 * 1024)  # over the 3 MB limit


def flood(url: str, town: Town, count: int, chance: random.Random) -> Counter[int]:
    answers: Counter[int] = Counter()
    hook = f"{url}/webhooks/telegram/{town.channel_id}"
    with httpx.Client(timeout=60) as client:
        for index in range(count):
            secret = town.secret if index % 2 else "not-the-secret"
            body = bad_body(index, chance)
            try:
                response = client.post(hook, content=body, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
                answers[response.status_code] += 1
            except httpx.TransportError:
                # The server answers an oversized body's 413 from its Content-Length without reading it, and may close
                # the connection while the client is still uploading: a refusal too. Any other drop is a failure
                # (the old code dropped connections after its 500s).
                answers[413 if len(body) > MAX_BODY_BYTES else 0] += 1
    return answers


@pytest.mark.sqlite_only("the subject is refusing bad bodies, not the database; the slowest test of the folder")
def test_memory_returns_to_its_level_after_a_flood_of_bad_bodies(
    runtime: Runtime, served_api: tuple[str, psutil.Process]
) -> None:
    url, api = served_api
    town = make_town(runtime, "http://127.0.0.1:9")
    chance = random.Random(7)
    flood(url, town, WARM_UP, chance)
    warm = resident_bytes(api)
    answers = flood(url, town, FLOOD, chance)
    after = resident_bytes(api)
    print(f"answers {dict(answers)}; RSS after warm-up {warm >> 20} MB, after {FLOOD} bad bodies {after >> 20} MB")
    assert set(answers) <= {400, 403, 413}
    assert after - warm < MARGIN_BYTES
