"""The channels' HTTP transport: httpx's own, minus a cost that grows with the pool.

Before each request httpx's pool (httpcore) asks every idle connection whether its server closed it, and the answer
goes through anyio's socket attributes, which are rebuilt on each question (a `getpeername` system call among them):
at hundreds of sends a second over tens of connections that scan was a third of the event loop's time. Here each
connection finds its socket once, when it opens, and answers the question with one `poll` of it, and not at all
within `FRESH_SECONDS` of the connection's last answer or last check: servers close idle connections after seconds,
not milliseconds, and each system call lets the process's other threads (the database writer) take the interpreter
from the event loop (the pool asks every idle connection before every request, so a connection left idle was
polled hundreds of times a second). A server that closes a connection within that window is the race httpcore's own
check cannot close either (it may close right after the check): that send fails before the server reads it, as a
transient error, and the outbox retries it.
"""

from __future__ import annotations

import select
import socket
import time
import typing
import urllib.request

import httpcore
import httpx

#: A connection that answered, or was found open, this recently is taken as still open without asking its socket.
FRESH_SECONDS = 0.5


def _readable(sock: socket.socket | None) -> bool:
    """Whether reading `sock` would return at once (data, or the end a server-side close leaves): httpcore's test."""
    if sock is None or sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """A connection's stream that keeps its socket at hand."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")
        self._open_at = time.monotonic()  # when it was last known open

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = await self._inner.read(max_bytes, timeout)
        self._open_at = time.monotonic() if data else 0.0  # the end of the stream: never taken as open again
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: typing.Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":
            now = time.monotonic()
            if now - self._open_at < FRESH_SECONDS:
                return False
            if _readable(self._socket):
                return True  # the server closed it (or sent what nobody asked for): the pool drops it
            self._open_at = now
            return False
        return self._inner.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    """anyio's network backend (httpx's own under asyncio), its streams wrapped in `_Stream`."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: typing.Iterable[typing.Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pooled_transport(connections: int) -> httpx.AsyncHTTPTransport | None:
    """An HTTP/1.1 transport keeping up to `connections` connections open, for `httpx.AsyncClient(transport=...)`.

    None when the environment names a proxy: a client given a transport would not read the environment's proxies,
    so there httpx's default transport is kept (and its cost with it)."""
    if urllib.request.getproxies():
        return None
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections))
    # httpx builds its pool without a way to pass a backend; httpcore's pool takes one (`network_backend`), read at
    # each new connection. Checked by tests/integrations/test_http_transport.py against the pinned versions.
    pool = transport._pool  # noqa: SLF001
    if not hasattr(pool, "_network_backend"):  # pragma: no cover — a changed httpx/httpcore: keep theirs
        return transport
    pool._network_backend = _Backend()  # noqa: SLF001
    return transport
