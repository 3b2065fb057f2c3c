"""The channels' HTTP transport: connections are kept and reused, one the server closed while idle is not reused, and
a proxy named by the environment is still honoured."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from integrations import http
from integrations.http import pooled_transport

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


@dataclass
class KeepAliveServer:
    """A tiny HTTP/1.1 server that keeps each connection open for `idle_close` seconds after its last answer."""

    idle_close: float
    connections: int = 0
    answers: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.idle_close)
                except (TimeoutError, asyncio.IncompleteReadError):
                    return  # idle too long (or the client left): the server closes its side
                writer.write(ANSWER)
                await writer.drain()
                self.answers += 1
        finally:
            writer.close()


@asynccontextmanager
async def keep_alive_server(idle_close: float) -> AsyncIterator[tuple[KeepAliveServer, str]]:
    state = KeepAliveServer(idle_close)
    server = await asyncio.start_server(state.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield state, f"http://127.0.0.1:{port}/"


async def test_a_kept_connection_serves_the_next_requests() -> None:
    async with keep_alive_server(idle_close=5) as (server, url):
        async with httpx.AsyncClient(transport=pooled_transport(4)) as client:
            for _ in range(5):
                assert (await client.get(url)).text == "ok"
                await asyncio.sleep(0.02)

    assert server.answers == 5
    assert server.connections == 1


async def test_a_connection_the_server_closed_while_idle_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "FRESH_SECONDS", 0.1)
    async with keep_alive_server(idle_close=0.05) as (server, url):
        async with httpx.AsyncClient(transport=pooled_transport(4)) as client:
            assert (await client.get(url)).text == "ok"
            await asyncio.sleep(0.4)  # the server has closed it, and it is no longer fresh: its socket is asked
            assert (await client.get(url)).text == "ok"

    assert server.answers == 2
    assert server.connections == 2


def test_a_proxy_named_by_the_environment_keeps_httpx_default_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert pooled_transport(4) is None
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.delenv("https_proxy", raising=False)
    assert isinstance(pooled_transport(4), httpx.AsyncHTTPTransport)


def test_the_transport_pool_uses_the_socket_keeping_backend() -> None:
    """Guards the one private touch (httpx builds its pool without a way to pass a network backend)."""
    transport = pooled_transport(4)
    assert transport is not None
    assert isinstance(transport._pool._network_backend, http._Backend)  # noqa: SLF001


async def test_an_idle_connection_found_open_is_not_asked_again_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool asks every idle connection before each request: a connection is asked at most once a
    `FRESH_SECONDS`, not once a request (each ask is a system call)."""
    monkeypatch.setattr(http, "FRESH_SECONDS", 0.2)
    asked: list[object] = []
    readable = http._readable  # noqa: SLF001

    def counting(sock: object) -> bool:
        asked.append(sock)
        return readable(sock)  # type: ignore[arg-type]

    monkeypatch.setattr(http, "_readable", counting)
    async with keep_alive_server(idle_close=5) as (server, url):
        async with httpx.AsyncClient(transport=pooled_transport(4)) as client:
            await asyncio.gather(*(client.get(url) for _ in range(3)))  # three connections, then two left idle
            await asyncio.sleep(0.3)
            for _ in range(20):
                assert (await client.get(url)).text == "ok"

    assert server.connections == 3
    assert len(asked) <= 3  # each of the three once, when it had not answered for a while
