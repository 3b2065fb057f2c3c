"""The installation as real processes, for the system tests: the simulator, the CLI, and backends
(`reflex run --env prod --backend-only`), each in its own process group so SIGKILL takes granian's workers too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import cast

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 120.0  # a slow, shared 2-core machine


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**settings: str) -> dict[str, str]:
    """The environment of the processes under test: this one's, the venv first on PATH, and `settings`."""
    return dict(
        os.environ,
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        PYTHONUNBUFFERED="1",
        **settings,
    )


def wait_until_up(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    """Wait until `url` answers 200, failing early if `proc` exits."""
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


def start_in_group(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start `command` in its own process group, output to `log_path`."""
    with log_path.open("w") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_simulator(env: dict[str, str], port: int, log_path: Path, *, webhook_attempts: int = 60) -> subprocess.Popen:
    """The platform simulator as a process; Telegram keeps an update for 24 h, so it retries a webhook a long time."""
    command = [sys.executable, "-m", "integrations.simulator", "--port", str(port), "--log-level", "warning"]
    proc = start_in_group([*command, "--webhook-attempts", str(webhook_attempts)], env, log_path)
    wait_until_up(f"http://127.0.0.1:{port}/sim/health", proc, log_path)
    return proc


def start_backend(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    """`reflex run --env prod --backend-only` on `port`, once it answers `/healthz`."""
    command = [str(BIN / "reflex"), "run", "--env", "prod", "--backend-only", "--backend-port", str(port)]
    proc = start_in_group(command, env, log_path)
    wait_until_up(f"http://127.0.0.1:{port}/healthz", proc, log_path)
    return proc


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """`python -m citymes_app.cli ARGS`; its output, or the test fails with its error."""
    command = [sys.executable, "-m", "citymes_app.cli", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def stop_group(proc: subprocess.Popen, sig: signal.Signals = signal.SIGINT) -> None:
    """Send `sig` to the process group and wait; SIGKILL it if it lingers."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def group_gone(pgid: int) -> bool:
    """Whether no process of the group `pgid` is left."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group and wait until no process of it is left."""
    pgid = proc.pid
    os.killpg(pgid, signal.SIGKILL)
    proc.wait(20)
    deadline = time.monotonic() + 20
    while not group_gone(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_gone(pgid), "the backend's workers outlived SIGKILL"
