"""The Telegram stand-in's HTTP routes: the Bot API, bot files and the `/sim/telegram` control API."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from integrations.simulator.common import ControlError, answer, control_error, file_response, route_with_body
from integrations.simulator.telegram.control import TelegramSimulator
from integrations.simulator.telegram.params import read_params
from integrations.simulator.telegram.protocol import ApiError
from integrations.simulator.telegram.state import StoredFile

# --- HTTP routes ------------------------------------------------------------------------------


def _int_arg(value: str, name: str) -> int:
    if not re.fullmatch(r"-?\d+", value.strip()):
        raise ControlError(f"{name} must be an integer")
    return int(value)


def _file_response(stored: StoredFile) -> Response:
    if stored.data is None:
        return control_error("file content unavailable (it was sent by URL)", 404)
    return file_response(stored.data, stored.mime_type, stored.filename)


def create_telegram_router(sim: TelegramSimulator) -> APIRouter:
    """Routes of the Telegram stand-in (Bot API + ``/sim/telegram`` control API) over ``sim``."""
    router = APIRouter()

    @router.api_route("/bot{token}/{method}", methods=["GET", "POST"], include_in_schema=False)
    async def bot_api(token: str, method: str, request: Request) -> Response:
        try:
            params = await read_params(request)
            result = await sim.call(token, method, params, request.is_disconnected)
        except ApiError as exc:
            return exc.response()
        return JSONResponse({"ok": True, "result": result})

    @router.get("/file/bot{token}/{file_path:path}", include_in_schema=False)
    async def bot_file(token: str, file_path: str) -> Response:
        stored = sim.file_by_path(token, file_path)
        if stored is None:
            return ApiError(404, "Not Found").response()
        return _file_response(stored)

    prefix = "/sim/telegram"
    bot = prefix + "/bots/{token}"
    # Control calls taking a JSON body: the token, then the body, go to the simulator method.
    for path, handler in (
        (bot + "/citizen-message", sim.citizen_message),
        (bot + "/updates", sim.raw_update),
        (bot + "/failures", sim.add_failure),
        (bot + "/limits", sim.set_limits),
        (bot + "/latency", sim.set_latency),
    ):
        router.add_api_route(path, route_with_body(handler), methods=["POST"], name=handler.__name__)

    @router.get(prefix + "/bots/{token}/chats/{chat_id}/messages")
    async def chat_messages(token: str, chat_id: str, request: Request) -> Response:
        async def phone_view() -> dict[str, Any]:
            after = _int_arg(request.query_params.get("after_message_id", "0"), "after_message_id")
            base_url = str(request.base_url).rstrip("/")
            return await sim.chat_messages(token, _int_arg(chat_id, "chat_id"), after, base_url)

        return await answer(phone_view)

    @router.get(prefix + "/bots/{token}/sent")
    async def sent(token: str, request: Request) -> Response:
        async def sent_to_chat() -> dict[str, Any]:
            raw = request.query_params.get("chat_id")
            return await sim.sent(token, _int_arg(raw, "chat_id") if raw is not None else None)

        return await answer(sent_to_chat)

    @router.get(prefix + "/bots/{token}/polling")
    async def polling(token: str) -> Response:
        return await answer(sim.polling, token)

    @router.get(prefix + "/files/{file_id}")
    async def file_bytes(file_id: str) -> Response:
        stored = sim.file(file_id)
        if stored is None:
            return control_error("unknown file_id", 404)
        return _file_response(stored)

    async def set_blocked(token: str, chat_id: str, blocked: bool) -> dict[str, Any]:
        return await sim.set_blocked(token, _int_arg(chat_id, "chat_id"), blocked)

    @router.post(prefix + "/bots/{token}/chats/{chat_id}/block")
    async def block(token: str, chat_id: str) -> Response:
        return await answer(set_blocked, token, chat_id, True)

    @router.post(prefix + "/bots/{token}/chats/{chat_id}/unblock")
    async def unblock(token: str, chat_id: str) -> Response:
        return await answer(set_blocked, token, chat_id, False)

    return router
