"""Run the simulator (or any ASGI app) with uvicorn in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from integrations.simulator.app import create_app, reset_simulators

#: Requests still running this long after shutdown starts are cancelled.
GRACEFUL_SHUTDOWN_SECONDS = 1
KEEP_ALIVE_SECONDS = 75
STARTUP_TIMEOUT_SECONDS = 15.0


class SimulatorServer(uvicorn.Server):
    """A uvicorn server that runs ``before_shutdown`` before waiting for open requests.

    uvicorn waits for in-flight requests before the app's lifespan shutdown, and a long-poll
    ``getUpdates`` may hold one for many seconds; the hook wakes such requests so they answer
    normally instead of being cancelled with a traceback.
    """

    def __init__(self, config: uvicorn.Config, before_shutdown: Callable[[], Awaitable[None]] | None = None) -> None:
        super().__init__(config)
        self.before_shutdown = before_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Run the hook, then uvicorn's own shutdown."""
        if self.before_shutdown is not None:
            await self.before_shutdown()
        await super().shutdown(sockets)


def simulator_config(app: Any, host: str, port: int, log_level: str = "warning") -> uvicorn.Config:
    """The uvicorn configuration shared by the threaded server and the command line."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        # Idle connections kept as long as a client's pool keeps them (httpx: 5 s; uvicorn's own 5 s races it).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


@contextmanager
def serve_app(
    app: Any,
    port: int = 0,
    host: str = "127.0.0.1",
    before_shutdown: Callable[[], Awaitable[None]] | None = None,
) -> Iterator[str]:
    """Serve ``app`` on ``host:port`` (0 = a free port) in a thread; yield its base URL.

    The server stops (and the thread ends) when the block exits.
    """
    server = SimulatorServer(simulator_config(app, host, port), before_shutdown)
    # uvicorn installs signal handlers only on the main thread, so running it in a thread is safe.
    thread = threading.Thread(target=server.run, name=f"uvicorn-{host}:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=5)
            raise RuntimeError(f"server on {host}:{port} failed to start")
        time.sleep(0.01)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=GRACEFUL_SHUTDOWN_SECONDS + 10)


@contextmanager
def serve_simulator(port: int = 0, host: str = "127.0.0.1") -> Iterator[str]:
    """Run a fresh simulator on ``host:port`` (0 = a free port); yield e.g. ``http://127.0.0.1:54321``."""
    app = create_app()
    with serve_app(app, port=port, host=host, before_shutdown=lambda: reset_simulators(app)) as url:
        yield url
