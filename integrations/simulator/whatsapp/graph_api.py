"""The Graph API of the WhatsApp stand-in: sending messages (checked like Meta does) and media."""

from __future__ import annotations

import hmac
import json
import re
import time
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from integrations.simulator.whatsapp import protocol
from integrations.simulator.whatsapp.delivery import WebhookDelivery
from integrations.simulator.whatsapp.inputs import graph_obj, graph_str, valid_wa_id
from integrations.simulator.whatsapp.protocol import (
    MAX_CAPTION_LENGTH,
    MAX_LOG,
    MAX_MEDIA_BYTES,
    MAX_TEXT_LENGTH,
    MEDIA_TYPES,
    GraphError,
    invalid,
)
from integrations.simulator.whatsapp.state import Entry, NumberState, StoredMedia


class GraphApi(WebhookDelivery):
    """`/v25.0/...`: what a business number calls, answering like graph.facebook.com."""

    def _authorized_number(self, phone_number_id: str, token: str | None) -> NumberState:
        """The number, if ``token`` is its access token. Call with the lock held."""
        if not token:
            raise GraphError(190, "An active access token must be used to query information about the current user.")
        number = self._numbers.get(phone_number_id)
        if number is None:
            if any(n.access_token == token for n in self._numbers.values()):
                raise GraphError(
                    100,
                    f"Unsupported post request. Object with ID '{phone_number_id}' does not exist, cannot be loaded "
                    "due to missing permissions, or does not support this operation.",
                )
            raise GraphError(190)
        if not hmac.compare_digest(token.encode(), number.access_token.encode()):
            raise GraphError(190)
        return number

    async def send_message(self, phone_number_id: str, token: str | None, raw_body: bytes) -> dict[str, Any]:
        """``POST /{phone_number_id}/messages``: authenticate, validate, apply failures, window and limits, record."""
        failed_status: tuple[NumberState, Entry, str, GraphError] | None = None
        async with self._lock:
            number = self._authorized_number(phone_number_id, token)  # before parsing, as on Graph
            try:
                payload = json.loads(raw_body)
            except (ValueError, UnicodeDecodeError):
                raise invalid("The request body is not valid JSON.") from None
            if not isinstance(payload, dict):
                raise invalid("The request body must be a JSON object.")
            if payload.get("messaging_product") != "whatsapp":
                raise invalid("The parameter messaging_product is required and must be 'whatsapp'.")
            raw_to = payload.get("to")
            wa_id = valid_wa_id(raw_to) if isinstance(raw_to, str) else ""
            if not wa_id:
                raise invalid("The parameter to must be a phone number (6-15 digits, optionally with +).")
            kind = payload.get("type", "text")
            if not isinstance(kind, str):
                raise invalid("The parameter type must be a string.")
            rendered = self._validate(number, kind, payload)
            chat = number.user(wa_id)
            failure = self._injected_failure(number, wa_id)
            if failure is not None and not failure.as_status:
                raise GraphError(failure.code, status=failure.status, message=failure.message)
            now_wall = time.time()
            if kind != "template" and (chat.last_inbound is None or now_wall - chat.last_inbound > protocol.WINDOW_SECONDS):
                raise GraphError(131047)
            self._check_rate(number, wa_id)
            wamid = self._new_wamid(number)
            message = {k: v for k, v in payload.items() if k not in ("messaging_product", "recipient_type", "to")}
            message["type"] = kind
            if rendered is not None:
                message["_rendered"] = rendered
            entry = number.add_entry(chat, "business", wamid, message)
            entry.status = "accepted"
            number.sent.append({"wamid": wamid, "wa_id": wa_id, "type": kind, "payload": payload, "time": now_wall})
            del number.sent[:-MAX_LOG]
            if failure is not None:
                failure_error = GraphError(failure.code, status=failure.status, message=failure.message)
                failed_status = (number, entry, wa_id, failure_error)
            elif number.statuses.auto and number.callback_url:
                self._spawn(self._auto_statuses(number, entry, wa_id))
        if failed_status is not None:
            failed_number, failed_entry, failed_wa_id, failure_error = failed_status
            self._spawn(self._post_status(failed_number, failed_entry, failed_wa_id, "failed", failure_error))
        answer: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": raw_to, "wa_id": wa_id}],
            "messages": [{"id": wamid}],
        }
        if kind == "template":
            answer["messages"][0]["message_status"] = "accepted"
        return answer

    def _validate(self, number: NumberState, kind: str, payload: dict[str, Any]) -> str | None:
        """Check a message body like the Cloud API; returns a template's rendered text (if known)."""
        if kind == "text":
            body = graph_obj(payload, "text")
            graph_str(body, "body", "text.", max_length=MAX_TEXT_LENGTH)
            return None
        if kind in MEDIA_TYPES:
            media = graph_obj(payload, kind)
            media_id, link = media.get("id"), media.get("link")
            if isinstance(media_id, str) and media_id:
                stored = self._media.get(media_id)
                if stored is None or stored.phone_number_id != number.phone_number_id:
                    raise GraphError(131053 if stored is None else 100, f"Media id {media_id} is not valid.")
            elif not (isinstance(link, str) and link.startswith(("http://", "https://"))):
                raise invalid(f"The parameter {kind} must have an id or a link.")
            caption = graph_str(media, "caption", f"{kind}.", required=False, max_length=MAX_CAPTION_LENGTH)
            if caption and kind in ("audio", "sticker"):
                raise invalid(f"The parameter {kind}.caption is not allowed for {kind}.")
            graph_str(media, "filename", f"{kind}.", required=False, max_length=240)
            return None
        if kind == "location":
            location = graph_obj(payload, "location")
            for key, bound in (("latitude", 90), ("longitude", 180)):
                value = location.get(key)
                if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
                    raise invalid(f"The parameter location.{key} must be a number between -{bound} and {bound}.")
            return None
        if kind == "interactive":
            self._validate_interactive(graph_obj(payload, "interactive"))
            return None
        if kind == "template":
            return self._validate_template(number, graph_obj(payload, "template"))
        raise GraphError(131051, f"Message type {kind} is not currently supported.")

    @staticmethod
    def _validate_interactive(interactive: dict[str, Any]) -> None:
        kind = interactive.get("type")
        body = graph_obj(interactive, "body")
        graph_str(body, "text", "interactive.body.", max_length=1024)
        action = graph_obj(interactive, "action")
        if kind == "button":
            buttons = action.get("buttons")
            if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
                raise invalid("The parameter interactive.action.buttons must hold 1 to 3 buttons.")
            titles: set[str] = set()
            for button in buttons:
                reply = button.get("reply") if isinstance(button, dict) else None
                if not isinstance(reply, dict) or button.get("type") != "reply":
                    raise invalid("Each button must be {type: reply, reply: {id, title}}.")
                title = graph_str(reply, "title", "button.reply.", max_length=20)
                graph_str(reply, "id", "button.reply.", max_length=256)
                if title in titles:
                    raise invalid("Button titles must be unique.")
                titles.add(title)
            return
        if kind == "list":
            graph_str(action, "button", "interactive.action.", max_length=20)
            sections = action.get("sections")
            if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
                raise invalid("The parameter interactive.action.sections must hold 1 to 10 sections.")
            rows = 0
            for section in sections:
                section_rows = section.get("rows") if isinstance(section, dict) else None
                if not isinstance(section_rows, list) or not section_rows:
                    raise invalid("Each section must hold rows.")
                for row in section_rows:
                    if not isinstance(row, dict):
                        raise invalid("Each row must be an object.")
                    graph_str(row, "id", "row.", max_length=200)
                    graph_str(row, "title", "row.", max_length=24)
                    graph_str(row, "description", "row.", required=False, max_length=72)
                    rows += 1
            if rows > 10:
                raise invalid("A list holds at most 10 rows.")
            return
        raise invalid("The parameter interactive.type must be button or list.")

    @staticmethod
    def _validate_template(number: NumberState, template: dict[str, Any]) -> str | None:
        name = graph_str(template, "name", "template.", max_length=512)
        language = template.get("language")
        code = graph_str(language, "code", "template.language.") if isinstance(language, dict) else ""
        if not code:
            raise invalid("The parameter template.language.code is required.")
        params: list[str] = []
        components = template.get("components") or []
        if not isinstance(components, list):
            raise invalid("The parameter template.components must be an array.")
        for component in components:
            if not isinstance(component, dict):
                raise invalid("Each template component must be an object.")
            if component.get("type") == "body":
                for parameter in component.get("parameters") or []:
                    if not isinstance(parameter, dict) or parameter.get("type") != "text":
                        raise invalid("Body parameters must be {type: text, text}.")
                    params.append(graph_str(parameter, "text", "parameter.", max_length=1024))
        if not number.templates:
            return None  # no approved templates recorded: any name passes
        body = number.templates.get((name, code))
        if body is None:
            raise GraphError(132001, f"template name ({name}) does not exist in {code}")
        expected = max((int(n) for n in re.findall(r"\{\{(\d+)\}\}", body)), default=0)
        if expected != len(params):
            raise GraphError(132000, f"number of localizable_params ({len(params)}) does not match the expected ({expected})")
        return re.sub(r"\{\{(\d+)\}\}", lambda m: params[int(m.group(1)) - 1], body)

    async def upload_media(self, phone_number_id: str, token: str | None, request: Request) -> dict[str, Any]:
        """``POST /{phone_number_id}/media`` (multipart: messaging_product, type, file)."""
        async with self._lock:
            self._authorized_number(phone_number_id, token)
        try:
            form = await request.form(max_part_size=MAX_MEDIA_BYTES)
        except Exception:  # malformed multipart comes in many shapes; all are a Graph 400
            raise invalid("The request must be multipart/form-data with a file.") from None
        upload = form.get("file")
        if form.get("messaging_product") != "whatsapp":
            raise invalid("The parameter messaging_product is required and must be 'whatsapp'.")
        if not isinstance(upload, UploadFile):
            raise invalid("The parameter file is required.")
        data = await upload.read()
        if not data:
            raise invalid("The file is empty.")
        declared = form.get("type")
        mime = upload.content_type or (declared if isinstance(declared, str) else "") or "application/octet-stream"
        async with self._lock:
            number = self._authorized_number(phone_number_id, token)
            stored = self._new_media(number, data, mime, upload.filename)
        return {"id": stored.media_id}

    async def media_info(self, media_id: str, token: str | None, base_url: str) -> dict[str, Any]:
        """``GET /{media_id}``: where to download it (the same token is needed there)."""
        async with self._lock:
            stored = self._media.get(media_id)
            if stored is None:
                if not token:
                    raise GraphError(190)
                raise invalid(f"Unsupported get request. Object with ID '{media_id}' does not exist.")
            self._authorized_number(stored.phone_number_id, token)
        return {
            "messaging_product": "whatsapp",
            "url": f"{base_url}/whatsapp_business/attachments/?mid={media_id}",
            "mime_type": stored.mime_type,
            "sha256": stored.sha256,
            "file_size": len(stored.data),
            "id": media_id,
        }

    async def media_bytes(self, media_id: str, token: str | None) -> StoredMedia:
        """The bytes behind a media URL, for the number's own token only."""
        async with self._lock:
            stored = self._media.get(media_id)
            if stored is None:
                raise GraphError(100, "The media was not found or has expired.", status=404)
            self._authorized_number(stored.phone_number_id, token)
            return stored
