"""The bot a developer would write instead of CityMes: python-telegram-bot with no storage, fed by a bare Starlette
webhook (python-telegram-bot's own custom-webhook example), answering the town's keywords from a dict.

`python -m bench.bare_bot --port P --token T --secret S --api-base URL` serves `POST /telegram` and `GET /healthz`.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

ANSWERS = {
    "horaris": "L'OAC obre de dilluns a divendres de 8 a 19 h.",
    "horarios": "La OAC abre de lunes a viernes de 8 a 19 h.",
}


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None and message.text.strip().lower() in ANSWERS:
        await message.reply_text(ANSWERS[message.text.strip().lower()])


def build(token: str, secret: str, api_base: str) -> Starlette:
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{api_base}/bot")
        .base_file_url(f"{api_base}/file/bot")
        .updater(None)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, answer))

    async def telegram(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != secret:
            return Response(status_code=403)
        await application.update_queue.put(Update.de_json(await request.json(), application.bot))
        return Response()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with application:
            await application.start()
            yield
            await application.stop()

    return Starlette(routes=[Route("/telegram", telegram, methods=["POST"]), Route("/healthz", healthz)], lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--api-base", required=True)
    args = parser.parse_args()
    uvicorn.run(build(args.token, args.secret, args.api_base), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
