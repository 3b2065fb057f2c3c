"""The simulator's ASGI app: one FastAPI app mounting every platform stand-in.

Composable on purpose: each stand-in is an object with ``reset()`` and ``aclose()`` plus a router.
To add one (e.g. WhatsApp under ``/v25.0/...`` and ``/sim/whatsapp/...``), build it in
``create_app``, append it to ``app.state.simulators`` and include its router; ``/sim/reset`` and
shutdown then cover it automatically.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from integrations.simulator.telegram import TelegramSimulator, create_telegram_router
from integrations.simulator.whatsapp import WhatsAppSimulator, create_whatsapp_router


class Simulator(Protocol):
    """What ``/sim/reset`` and shutdown need from a platform stand-in."""

    async def reset(self) -> None:
        """Forget all state."""

    async def aclose(self) -> None:
        """Stop background work and release resources."""


async def reset_simulators(app: FastAPI) -> None:
    """Make every stand-in forget its state; waiting requests (long-polls) answer at once."""
    for simulator in app.state.simulators:
        await simulator.reset()


async def close_simulators(app: FastAPI) -> None:
    """Stop every stand-in's background work and release its resources (idempotent)."""
    for simulator in app.state.simulators:
        await simulator.aclose()


def create_app(*, telegram: TelegramSimulator | None = None, whatsapp: WhatsAppSimulator | None = None) -> FastAPI:
    """Build the simulator app: the Telegram stand-in (``/bot…``, ``/file/bot…``, ``/sim/telegram``) and the
    WhatsApp Cloud API stand-in (``/v25.0/…``, ``/whatsapp_business/…``, ``/sim/whatsapp``)."""
    telegram = telegram or TelegramSimulator()
    whatsapp = whatsapp or WhatsAppSimulator()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await close_simulators(app)

    app = FastAPI(title="CityMes platform simulator", lifespan=lifespan)
    app.state.simulators = [telegram, whatsapp]
    app.state.telegram = telegram
    app.state.whatsapp = whatsapp
    # The demo's citizen-phone page runs on another origin (the Reflex UI) and calls us directly.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI answers 422 by default; the simulator promises 400 for malformed input.
        # Describe by location and message only: the raw errors may hold unserialisable inputs.
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', 'invalid')}" for error in exc.errors()
        )
        return JSONResponse(
            {"ok": False, "error_code": 400, "description": f"Bad Request: {problems}"},
            status_code=400,
        )

    @app.get("/sim/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/sim/reset")
    async def reset() -> dict[str, bool]:
        await reset_simulators(app)
        return {"ok": True}

    app.include_router(create_telegram_router(telegram))
    app.include_router(create_whatsapp_router(whatsapp))
    return app
