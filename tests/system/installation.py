"""What the system tests add to `tests/processes.py`: the simulator and the backend served with the options these
tests need, the CLI, and SIGKILL for a whole process group (granian's workers with it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path

from tests.processes import ROOT, Served, backend_command, process_env, serve, simulator_command

STARTUP_TIMEOUT = 120.0  # a slow, shared 2-core machine


def serve_simulator(port: int, log_path: Path, env: Mapping[str, str]) -> AbstractContextManager[Served]:
    """The platform simulator as a process; Telegram keeps an update for 24 h, so it retries a webhook a long time."""
    command = [*simulator_command(port), "--webhook-attempts", "60"]
    return serve(command, port=port, log_path=log_path, env=env, ready_path="/sim/health", timeout=STARTUP_TIMEOUT)


def serve_backend(port: int, log_path: Path, env: Mapping[str, str]) -> AbstractContextManager[Served]:
    """`reflex run --env prod --backend-only` on `port`, once it answers."""
    return serve(backend_command(port), port=port, log_path=log_path, env=env, timeout=STARTUP_TIMEOUT)


def start_in_group(command: list[str], env: Mapping[str, str], log_path: Path) -> subprocess.Popen:
    """Start `command` (a process that serves no HTTP) in its own process group, its output to `log_path`."""
    with log_path.open("w") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=process_env(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def run_cli(env: Mapping[str, str], *args: str, stdin: str | None = None) -> str:
    """`python -m citymes_app.cli ARGS`; its output, or the test fails with its error."""
    command = [sys.executable, "-m", "citymes_app.cli", *args]
    done = subprocess.run(command, cwd=ROOT, env=process_env(env), input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def group_gone(pgid: int) -> bool:
    """Whether no process of the group `pgid` is left."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_until_group_gone(pgid: int) -> None:
    deadline = time.monotonic() + 20
    while not group_gone(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_gone(pgid), "processes of the group outlived its leader"


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group and wait until no process of it is left."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(20)
    wait_until_group_gone(proc.pid)
