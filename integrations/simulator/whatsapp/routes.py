"""The WhatsApp stand-in's HTTP routes: the Graph API, media downloads and the `/sim/whatsapp` control API."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from integrations.simulator.common import answer, control_error, file_response, route_with_body
from integrations.simulator.whatsapp.citizens import WhatsAppSimulator
from integrations.simulator.whatsapp.inputs import bearer_token
from integrations.simulator.whatsapp.protocol import GRAPH_VERSION, GraphError
from integrations.simulator.whatsapp.state import StoredMedia

# --- HTTP routes ------------------------------------------------------------------------------------------------


def _file_response(stored: StoredMedia) -> Response:
    return file_response(stored.data, stored.mime_type, stored.filename)


def create_whatsapp_router(sim: WhatsAppSimulator) -> APIRouter:
    """Routes of the WhatsApp stand-in (Graph API + ``/sim/whatsapp`` control API) over ``sim``."""
    router = APIRouter()

    @router.post(f"/{GRAPH_VERSION}/{{phone_number_id}}/messages", include_in_schema=False)
    async def messages(phone_number_id: str, request: Request) -> Response:
        try:
            return JSONResponse(await sim.send_message(phone_number_id, bearer_token(request), await request.body()))
        except GraphError as exc:
            return exc.response()

    @router.post(f"/{GRAPH_VERSION}/{{phone_number_id}}/media", include_in_schema=False)
    async def upload(phone_number_id: str, request: Request) -> Response:
        try:
            return JSONResponse(await sim.upload_media(phone_number_id, bearer_token(request), request))
        except GraphError as exc:
            return exc.response()

    @router.get(f"/{GRAPH_VERSION}/{{media_id}}", include_in_schema=False)
    async def media_info(media_id: str, request: Request) -> Response:
        try:
            base_url = str(request.base_url).rstrip("/")
            return JSONResponse(await sim.media_info(media_id, bearer_token(request), base_url))
        except GraphError as exc:
            return exc.response()

    @router.get("/whatsapp_business/attachments/", include_in_schema=False)
    async def media_download(request: Request) -> Response:
        try:
            stored = await sim.media_bytes(request.query_params.get("mid", ""), bearer_token(request))
        except GraphError as exc:
            return exc.response()
        return _file_response(stored)

    prefix = "/sim/whatsapp"
    number = prefix + "/numbers/{phone_number_id}"
    # Control calls taking a JSON body: the path parameters, then the body, go to the simulator method.
    for path, handler in (
        (prefix + "/numbers", sim.register_number),
        (number + "/webhook", sim.set_webhook),
        (number + "/citizen-message", sim.citizen_message),
        (number + "/notifications", sim.raw_notification),
        (number + "/failures", sim.add_failure),
        (number + "/limits", sim.set_limits),
        (number + "/statuses", sim.set_statuses),
        (number + "/messages/{wamid}/status", sim.push_status),
        (number + "/chats/{wa_id}/window", sim.set_window),
        (number + "/templates", sim.add_template),
    ):
        router.add_api_route(path, route_with_body(handler), methods=["POST"], name=handler.__name__)

    @router.get(prefix + "/numbers/{phone_number_id}/chats/{wa_id}/messages")
    async def chat(phone_number_id: str, wa_id: str, request: Request) -> Response:
        after = request.query_params.get("after", "0")
        if not re.fullmatch(r"\d{1,12}", after):
            return control_error("after must be a non-negative integer")
        base_url = str(request.base_url).rstrip("/")
        return await answer(sim.chat_messages, phone_number_id, wa_id, int(after), base_url)

    @router.get(prefix + "/numbers/{phone_number_id}/sent")
    async def sent(phone_number_id: str, request: Request) -> Response:
        return await answer(sim.sent, phone_number_id, request.query_params.get("wa_id"))

    @router.get(prefix + "/numbers/{phone_number_id}/deliveries")
    async def deliveries(phone_number_id: str) -> Response:
        return await answer(sim.deliveries, phone_number_id)

    @router.get(prefix + "/files/{media_id}")
    async def file_bytes(media_id: str) -> Response:
        stored = sim.media_file(media_id)
        if stored is None:
            return control_error("unknown media id", 404)
        return _file_response(stored)

    @router.post(prefix + "/reset")
    async def reset() -> dict[str, bool]:
        await sim.reset()
        return {"ok": True}

    return router
