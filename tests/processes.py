"""Real servers in processes of their own for tests and benchmarks: the backend as `reflex run` serves it, the
simulator, any ASGI app; each in its own process group, waited for until it answers, stopped with its children."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    """A server running in its own process group."""

    url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, chars: int = 2000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


def process_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment with the venv first on PATH and Reflex's checks and telemetry off, plus `extra`."""
    return dict(
        os.environ,
        PATH=f"{BIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}",
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        PYTHONUNBUFFERED="1",
        **(extra or {}),
    )


def stop(process: subprocess.Popen, *, grace: float = 20) -> None:
    """SIGTERM the process group, SIGKILL it if it has not ended within `grace` seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def serve(
    command: list[str], *, port: int, log_path: Path, env: Mapping[str, str] | None = None, ready_path: str = "/healthz",
    timeout: float = 120,
) -> Iterator[Served]:
    """Start `command` (which listens on `port`) and yield once `ready_path` answers; stop it on exit."""
    url = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=process_env(env), stdout=log, stderr=log, start_new_session=True
        )
        served = Served(url, process, log_path)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    httpx.get(url + ready_path, timeout=2)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{command[0]} did not start: {served.log_tail()}") from None
                    time.sleep(0.1)
            yield served
        finally:
            stop(process)


def backend_command(port: int) -> list[str]:
    """The backend alone, as production serves it."""
    return [str(BIN_DIR / "reflex"), "run", "--env", "prod", "--backend-only", "--backend-port", str(port)]


def simulator_command(port: int) -> list[str]:
    """The platforms' stand-ins."""
    return [sys.executable, "-m", "integrations.simulator", "--port", str(port), "--log-level", "warning"]
