"""The HTTP API served next to the Reflex app: webhooks, media for signed-in operators, health."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy import text
from sqlmodel import Session
from starlette.types import ASGIApp

from citymes_app.api import webhooks
from citymes_app.core.media import guess_mime, tenant_media_file
from citymes_app.runtime import get_runtime

SESSION_COOKIE = "citymes_session"


def create_api() -> FastAPI:
    """The FastAPI app Reflex mounts with `api_transformer`: media for signed-in operators, health. The webhooks are
    taken before it (`webhooks.webhooks_first`)."""
    api = FastAPI(title="CityMes API", docs_url=None, redoc_url=None)

    @api.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # A malformed path or query is the caller's mistake: 400 with what was wrong, never a 500.
        fields = ", ".join(".".join(str(p) for p in err.get("loc", ())) for err in exc.errors())
        return JSONResponse({"ok": False, "error": f"invalid request: {fields}"}, status_code=400)

    @api.get("/healthz")
    async def healthz() -> JSONResponse:
        def check() -> None:
            with Session(get_runtime().engine) as session:
                session.execute(text("SELECT 1"))

        try:
            await asyncio.to_thread(check)
        except Exception:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @api.get("/media/{tenant_id}/{name}")
    async def media(request: Request, tenant_id: int, name: str) -> Response:
        """A stored media file, only for an operator of the tenant it belongs to."""
        runtime = get_runtime()
        token = request.cookies.get(SESSION_COOKIE, "")

        operator = await runtime.signin.operator_for(token=token) if token else None
        if operator is None or operator.tenant_id != tenant_id:
            return JSONResponse({"ok": False, "error": "sign in to see this file"}, status_code=403)
        path = tenant_media_file(runtime.settings.media_dir, tenant_id=tenant_id, name=name)
        if path is None:
            return JSONResponse({"ok": False, "error": "no such file"}, status_code=404)
        return FileResponse(path, media_type=guess_mime(path.name))

    return api


def api_alone() -> ASGIApp:
    """The HTTP API as the app serves it, without the pages (the tests and benchmarks serve this)."""
    return webhooks.webhooks_first(create_api())
