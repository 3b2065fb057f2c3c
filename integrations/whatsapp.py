"""WhatsApp Cloud API channels over httpx: signed webhooks in; text, media, location, buttons, lists, templates out.

The Graph API base is given by the wiring (`Settings.whatsapp_api_base`, default the real
`https://graph.facebook.com`), so the same code talks to the local simulator in the demo and the tests. Sends go to
`BASE/v25.0/<phone_number_id>/messages` with the number's access token as a Bearer token.

Errors are mapped on the Graph error's `code`, never on the HTTP status alone: Meta answers most refusals with a 400
whatever their cause, and the code is what tells "wait", "retry" and "give up" apart (`whatsapp_errors`). Webhook
calls are checked and read by `whatsapp_inbound`; this module builds the channel and sends.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from integrations.base import (
    AddressKind,
    Channel,
    ChannelAddress,
    MediaRef,
    MessageKind,
    OutboundMessage,
    PermanentChannelError,
    RateLimited,
    SendReceipt,
    TransientChannelError,
    send_rate,
    split_text,
    throughput_limiter,
)
from integrations.http import pooled_transport
from integrations.whatsapp_errors import error_for
from integrations.whatsapp_inbound import CHOICE_ID_PREFIX, WhatsAppWebhooks

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://graph.facebook.com"
GRAPH_VERSION = "v25.0"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_INTERACTIVE_BODY = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
LIST_BUTTON_LABEL = "Menu"  # the same word in Catalan, Spanish and English

# Meta's default throughput per business number; a number can be raised up to 1,000 (credentials override it).
DEFAULT_MESSAGES_PER_SECOND = 80
# A long text goes out in parts; a rate limit between parts is waited out here (up to this long) so that parts
# are neither lost nor sent twice by a retry of the whole message.
MAX_WAIT_BETWEEN_PARTS = 30.0
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MEDIA_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
CONNECTIONS = 64  # at 80–1,000 sends/s with answers in tens of milliseconds


class WhatsAppChannel(WhatsAppWebhooks, Channel):
    """One WhatsApp Business number of a tenant on the Cloud API."""

    platform = "whatsapp"
    free_form_window = timedelta(hours=24)

    def __init__(
        self,
        *,
        channel_id: int,
        phone_number_id: str,
        access_token: str,
        app_secret: str,
        verify_token: str,
        api_base: str | None = None,
        messages_per_second: float = DEFAULT_MESSAGES_PER_SECOND,
    ) -> None:
        base = (api_base or DEFAULT_API_BASE).rstrip("/")
        self.channel_id = channel_id
        self.phone_number_id = phone_number_id
        self._graph = f"{base}/{GRAPH_VERSION}"
        self._access_token = access_token
        self._app_secret = app_secret
        self._verify_token = verify_token
        self._client: httpx.AsyncClient | None = None
        # The number's throughput: staying under it avoids most 130429s (which the outbox still handles).
        self._throughput = throughput_limiter(messages_per_second)

    @classmethod
    def from_credentials(cls, channel_id: int, credentials: Mapping[str, Any], *, api_base: str | None = None) -> WhatsAppChannel:
        """Build from `{"phone_number_id", "access_token", "app_secret", "verify_token"}`, against `api_base` (default
        the real Graph API).

        Optional: `max_per_second` (the number's throughput tier, default 80; `messages_per_second` is read too).
        """
        missing = [key for key in ("phone_number_id", "access_token", "app_secret", "verify_token") if not credentials.get(key)]
        if missing:
            flags = ", ".join("--" + key.replace("_", "-") for key in missing)
            raise ValueError(f"channel {channel_id} has no WhatsApp {', '.join(missing)}: add the channel again with {flags}")
        rate = send_rate(credentials, DEFAULT_MESSAGES_PER_SECOND, legacy_key="messages_per_second")
        return cls(
            channel_id=channel_id,
            phone_number_id=str(credentials["phone_number_id"]),
            access_token=str(credentials["access_token"]),
            app_secret=str(credentials["app_secret"]),
            verify_token=str(credentials["verify_token"]),
            api_base=api_base,
            messages_per_second=rate,
        )

    @classmethod
    def describe(cls, credentials: Mapping[str, Any]) -> ChannelAddress | None:
        """The number's id at Meta (public: it is in every webhook; the access token and app secret are not)."""
        number_id = str(credentials.get("phone_number_id") or "")
        return ChannelAddress(AddressKind.NUMBER, number_id) if number_id else None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=TIMEOUT,
                headers={"Authorization": f"Bearer {self._access_token}"},
                limits=httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS),
                # httpx's pool minus its per-request scan of idle connections (integrations/http.py); None (behind
                # a proxy) keeps httpx's own with the limits above.
                transport=pooled_transport(CONNECTIONS),
            )
        return self._client

    async def download_media(self, media: MediaRef) -> bytes:
        """Media id → its short-lived URL (GET /v25.0/{media_id}) → the bytes (same Bearer token).

        Rate limits become transient errors here: the webhook then answers non-2xx and Meta delivers again later.
        """
        try:
            response = await self._http().get(f"{self._graph}/{media.file_id}")
            if response.status_code != 200:
                raise error_for(response)
            url = _json_field(response, "url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise PermanentChannelError("WhatsApp gave no download URL for the file")
            download = await self._http().get(url, timeout=MEDIA_TIMEOUT)
            if download.status_code != 200:
                raise error_for(download)
        except httpx.TransportError as exc:
            raise TransientChannelError(f"WhatsApp is not reachable: {type(exc).__name__}") from exc
        except RateLimited as exc:
            raise TransientChannelError(str(exc)) from exc
        return download.content

    # --- outbound ------------------------------------------------------------------------------------------

    async def send(self, message: OutboundMessage) -> SendReceipt:
        """Send one message; a long text goes in parts, an attachment is uploaded first."""
        to = "".join(ch for ch in message.address if ch.isdigit())
        if not to:
            raise PermanentChannelError("the conversation has no WhatsApp number to write to")
        kind = message.kind
        if kind == MessageKind.TEMPLATE or message.template_name:
            return SendReceipt([await self._post(to, self._template(message))])
        if kind in (MessageKind.PHOTO, MessageKind.DOCUMENT, MessageKind.VIDEO, MessageKind.AUDIO, MessageKind.VOICE):
            return SendReceipt(await self._send_media(to, message))
        if kind == MessageKind.LOCATION:
            if message.latitude is None or message.longitude is None:
                raise PermanentChannelError("a location needs latitude and longitude")
            location = {"latitude": message.latitude, "longitude": message.longitude}
            ids = [await self._post(to, {"type": "location", "location": location})]
            if message.text:
                ids += await self._send_text_parts(to, split_text(message.text, MAX_TEXT), first_is_retryable=False)
            return SendReceipt(ids)
        if not message.text.strip():
            raise PermanentChannelError("an empty text cannot be sent")
        if message.buttons:
            return SendReceipt(await self._send_interactive(to, message.text, message.buttons))
        return SendReceipt(await self._send_text_parts(to, split_text(message.text, MAX_TEXT), first_is_retryable=True))

    @staticmethod
    def _template(message: OutboundMessage) -> dict[str, Any]:
        if not message.template_name:
            raise PermanentChannelError("a template message needs the template's name")
        template: dict[str, Any] = {
            "name": message.template_name,
            "language": {"code": message.template_language or "en"},
        }
        if message.template_params:
            parameters = [{"type": "text", "text": param} for param in message.template_params]
            template["components"] = [{"type": "body", "parameters": parameters}]
        return {"type": "template", "template": template}

    async def _send_interactive(self, to: str, text: str, buttons: tuple[str, ...]) -> list[str]:
        """Up to 3 short choices as reply buttons, up to 10 as a list; the body takes the text's last part."""
        parts = split_text(text, MAX_TEXT)
        body = parts.pop()
        if len(body) > MAX_INTERACTIVE_BODY:
            tail = split_text(body, MAX_INTERACTIVE_BODY)
            body = tail.pop()
            parts += tail
        ids = await self._send_text_parts(to, parts, first_is_retryable=True) if parts else []
        choices = [b for b in buttons if b.strip()][:MAX_LIST_ROWS]
        if len(choices) <= MAX_BUTTONS and all(len(b) <= MAX_BUTTON_TITLE for b in choices):
            action: dict[str, Any] = {
                "buttons": [{"type": "reply", "reply": {"id": _choice_id(b, 256), "title": b}} for b in choices]
            }
            interactive: dict[str, Any] = {"type": "button", "body": {"text": body}, "action": action}
        else:
            rows = []
            for choice in choices:
                row = {"id": _choice_id(choice, 200), "title": choice[:MAX_ROW_TITLE]}
                if len(choice) > MAX_ROW_TITLE:
                    row["description"] = choice[:MAX_ROW_DESCRIPTION]
                rows.append(row)
            action = {"button": LIST_BUTTON_LABEL, "sections": [{"rows": rows}]}
            interactive = {"type": "list", "body": {"text": body}, "action": action}
        ids.append(await self._post_part(to, {"type": "interactive", "interactive": interactive}, not ids))
        return ids

    async def _send_media(self, to: str, message: OutboundMessage) -> list[str]:
        if not message.media_path or not Path(message.media_path).is_file():
            raise PermanentChannelError("the attachment is missing from the media folder")
        wa_type = {
            MessageKind.PHOTO: "image",
            MessageKind.DOCUMENT: "document",
            MessageKind.VIDEO: "video",
            MessageKind.AUDIO: "audio",
            MessageKind.VOICE: "audio",
        }[message.kind]
        media_id = await self._upload(message.media_path, message.media_filename)
        body: dict[str, Any] = {"id": media_id}
        rest = message.text
        if wa_type != "audio":  # audio takes no caption: its text follows as a message
            body["caption"], rest = message.text[:MAX_CAPTION], message.text[MAX_CAPTION:]
            if not body["caption"]:
                del body["caption"]
        if wa_type == "document" and message.media_filename:
            body["filename"] = message.media_filename
        ids = [await self._post(to, {"type": wa_type, wa_type: body})]
        if rest.strip():
            ids += await self._send_text_parts(to, split_text(rest, MAX_TEXT), first_is_retryable=False)
        return ids

    async def _upload(self, path: str, filename: str | None) -> str:
        """POST /{phone_number_id}/media: the id to send the file by."""
        name = filename or Path(path).name
        mime = mimetypes.guess_type(name)[0] or mimetypes.guess_type(path)[0] or "application/octet-stream"
        data = await asyncio.to_thread(Path(path).read_bytes)
        try:
            response = await self._http().post(
                f"{self._graph}/{self.phone_number_id}/media",
                data={"messaging_product": "whatsapp", "type": mime},
                files={"file": (name, data, mime)},
                timeout=MEDIA_TIMEOUT,
            )
        except httpx.TransportError as exc:
            raise TransientChannelError(f"WhatsApp is not reachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise error_for(response)
        media_id = _json_field(response, "id")
        if not isinstance(media_id, str) or not media_id:
            raise TransientChannelError("WhatsApp answered the upload without a media id")
        return media_id

    async def _send_text_parts(self, to: str, parts: list[str], first_is_retryable: bool) -> list[str]:
        ids: list[str] = []
        for index, part in enumerate(parts):
            retryable = index == 0 and first_is_retryable
            ids.append(await self._post_part(to, {"type": "text", "text": {"body": part}}, retryable))
        return ids

    async def _post_part(self, to: str, content: dict[str, Any], retryable: bool) -> str:
        """Send one part; a rate limit on a part after the first is waited out here, not by the outbox."""
        for _ in range(5):
            try:
                return await self._post(to, content)
            except RateLimited as exc:
                # Nothing sent yet: let the outbox reschedule the whole message durably.
                if retryable or exc.retry_after > MAX_WAIT_BETWEEN_PARTS:
                    raise
                await asyncio.sleep(exc.retry_after)
        raise TransientChannelError("WhatsApp kept refusing the rest of a long message")

    async def _post(self, to: str, content: dict[str, Any]) -> str:
        """POST one message; its wamid, or the channel error for WhatsApp's answer."""
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **content}
        async with self._throughput:
            try:
                response = await self._http().post(f"{self._graph}/{self.phone_number_id}/messages", json=payload)
            except httpx.TransportError as exc:
                raise TransientChannelError(f"WhatsApp is not reachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            error = error_for(response)
            log.info("channel %s: send refused (%s)", self.channel_id, type(error).__name__)
            raise error
        messages = _json_field(response, "messages")
        wamid = messages[0].get("id") if isinstance(messages, list) and messages and isinstance(messages[0], dict) else None
        if not isinstance(wamid, str) or not wamid:
            # It may have gone out: resending could duplicate it, so the operator sees why it is not tracked instead.
            raise PermanentChannelError("WhatsApp accepted the message without a message id")
        return wamid

    async def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _json_field(response: httpx.Response, name: str) -> Any:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get(name) if isinstance(body, dict) else None


def _choice_id(choice: str, limit: int) -> str:
    return (CHOICE_ID_PREFIX + choice)[:limit]
