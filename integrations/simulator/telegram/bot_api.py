"""The Bot API methods of the Telegram stand-in (`sendMessage`, `sendPhoto`, `setWebhook`, ...)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from integrations.simulator.telegram.delivery import UpdateDelivery
from integrations.simulator.telegram.media import command_entities, guess_mime, is_url, message_kind
from integrations.simulator.telegram.params import Params
from integrations.simulator.telegram.protocol import (
    BLOCKED_DESCRIPTION,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    MEDIA_KINDS,
    MESSAGE_METHODS,
    SECRET_TOKEN_RE,
    ApiError,
    bad_request,
)
from integrations.simulator.telegram.state import BotState, ChatEntry, ChatState, ClientGone, StoredFile, Webhook, never_gone

logger = logging.getLogger("citymes.simulator.telegram")


class BotApi(UpdateDelivery):
    """The Bot API methods a bot calls (`/bot{token}/{method}`), answering like api.telegram.org."""

    async def call(self, token: str, method: str, params: Params, client_gone: ClientGone = never_gone) -> Any:
        """Run one Bot API method; return its ``result`` or raise ``ApiError``.

        `client_gone` tells whether the caller hung up (a long poll waits on the connection it came on).
        """
        name = method.lower()  # Telegram method names are case-insensitive
        if name == "getupdates":
            return await self._get_updates(token, params, client_gone)
        if name in MESSAGE_METHODS:
            async with self._lock:
                latency = self._bot(token).send_latency
            if latency > 0:
                await asyncio.sleep(latency)
        async with self._lock:
            bot = self._bot(token)
            handler = _METHODS.get(name)
            if handler is None:
                raise ApiError(404, "Not Found")
            chat_id: int | None
            try:
                chat_id = params.integer("chat_id")
            except ApiError:
                chat_id = None
            self._injected_failure(bot, name, chat_id)
            return handler(self, bot, params)

    # methods without state change

    def _get_me(self, bot: BotState, params: Params) -> Any:
        return {
            **bot.user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _target_chat(self, bot: BotState, params: Params) -> ChatState:
        raw = params.raw("chat_id")
        if isinstance(raw, str) and raw.startswith("@"):
            raise bad_request("chat not found")
        chat_id = params.integer("chat_id", required=True)
        assert chat_id is not None
        if chat_id == 0:
            raise bad_request("chat not found")
        if chat_id in bot.blocked:
            raise ApiError(403, BLOCKED_DESCRIPTION)
        return self._chat(bot, chat_id)

    def _reply_markup(self, params: Params) -> dict[str, Any] | None:
        markup = params.json_value("reply_markup")
        if markup is not None and not isinstance(markup, dict):
            raise bad_request("reply markup must be a JSON object")
        return markup

    def _record_bot_message(
        self,
        bot: BotState,
        chat: ChatState,
        method: str,
        content: dict[str, Any],
        reply_markup: dict[str, Any] | None,
        file_id: str | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": chat.next_message_id,
            "from": bot.user,
            "chat": dict(chat.chat),
            "date": int(time.time()),
            **content,
        }
        if reply_markup and "inline_keyboard" in reply_markup:
            # Telegram echoes inline keyboards only; reply keyboards live on the client.
            message["reply_markup"] = reply_markup
        chat.add(ChatEntry(sender="bot", message=message, reply_markup=reply_markup))
        stored = self._files.get(file_id) if file_id else None
        bot.sent.append(
            {
                "chat_id": chat.chat["id"],
                "method": method,
                "message_id": message["message_id"],
                "kind": message_kind(message),
                "text": message.get("text"),
                "caption": message.get("caption"),
                "file_id": file_id,
                "filename": stored.filename if stored else None,
                "latitude": message.get("location", {}).get("latitude"),
                "longitude": message.get("location", {}).get("longitude"),
                "reply_markup": reply_markup,
                "time": time.time(),
            }
        )
        return message

    def _send_message(self, bot: BotState, params: Params) -> Any:
        chat = self._target_chat(bot, params)
        text = params.string("text")
        if text is None or not text.strip():
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        markup = self._reply_markup(params)
        self._check_rate(bot, chat.chat["id"])
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self._record_bot_message(bot, chat, "sendMessage", content, markup)

    def _input_file(self, bot: BotState, params: Params, kind: str) -> StoredFile:
        """The file of a send: a multipart upload, ``attach://`` part, known file_id or URL."""
        upload = params.uploads.get(kind)
        value = params.string(kind) if upload is None else None
        if value and value.startswith("attach://"):
            upload = params.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
        default_mime = MEDIA_KINDS[kind][2]
        if upload is not None:
            if not upload.data:
                raise bad_request("file must be non-empty")
            filename = upload.filename
            mime = upload.content_type or ""
            if filename and mime and filename == mime.replace("/", "."):
                # PTB names a bytes upload without filename after its mime type
                # ("application.octet-stream"): that is no real file name.
                filename = None
            if not mime or mime == "application/octet-stream":
                mime = guess_mime(filename, upload.data, default_mime)
            return self._new_file(bot, kind, upload.data, mime, filename)
        if not value:
            raise bad_request(f"there is no {kind} in the request")
        known = self._files.get(value)
        if known is not None and known.bot_id == bot.bot_id:
            return known
        if is_url(value):
            name = value.rsplit("/", 1)[-1].split("?")[0] or None
            return self._new_file(bot, kind, None, guess_mime(name, None, default_mime), name, source_url=value)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_media(self, bot: BotState, params: Params, kind: str, method: str) -> Any:
        chat = self._target_chat(bot, params)
        caption = params.string("caption")
        if caption is not None and len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        markup = self._reply_markup(params)
        stored = self._input_file(bot, params, kind)
        self._check_rate(bot, chat.chat["id"])
        obj = self._file_object(stored)
        content: dict[str, Any] = {kind: [obj] if kind == "photo" else obj}
        if caption:
            content["caption"] = caption
        return self._record_bot_message(bot, chat, method, content, markup, stored.file_id)

    def _send_location(self, bot: BotState, params: Params) -> Any:
        chat = self._target_chat(bot, params)
        latitude = params.number("latitude", required=True)
        longitude = params.number("longitude", required=True)
        assert latitude is not None and longitude is not None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong coordinates")
        markup = self._reply_markup(params)
        self._check_rate(bot, chat.chat["id"])
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._record_bot_message(bot, chat, "sendLocation", content, markup)

    def _send_chat_action(self, bot: BotState, params: Params) -> Any:
        self._target_chat(bot, params)
        params.string("action", required=True)
        return True

    def _get_file(self, bot: BotState, params: Params) -> Any:
        file_id = params.string("file_id", required=True)
        stored = self._files.get(file_id or "")
        if stored is None or stored.bot_id != bot.bot_id:
            raise bad_request("invalid file_id")
        result: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.size is not None:
            result["file_size"] = stored.size
        return result

    def _set_webhook(self, bot: BotState, params: Params) -> Any:
        url = params.string("url", required=True) or ""
        if url == "":  # Telegram: an empty url removes the webhook
            return self._delete_webhook(bot, params)
        if not is_url(url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.string("secret_token")
        if secret is not None and not SECRET_TOKEN_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = params.integer("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.json_value("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("allowed_updates must be an array")
        if params.boolean("drop_pending_updates"):
            bot.queue.clear()
        bot.webhook = Webhook(url, secret, max_connections, allowed)
        bot.last_error_date = None
        bot.last_error_message = None
        bot.condition.notify_all()  # a waiting getUpdates must stop
        self._flush_queue_to_webhook(bot)
        logger.info("bot %s: webhook set", bot.bot_id)
        return True

    def _delete_webhook(self, bot: BotState, params: Params) -> Any:
        if params.boolean("drop_pending_updates"):
            bot.queue.clear()
        if bot.webhook is not None:
            logger.info("bot %s: webhook deleted", bot.bot_id)
        bot.webhook = None
        return True

    def _get_webhook_info(self, bot: BotState, params: Params) -> Any:
        info: dict[str, Any] = {
            "url": bot.webhook.url if bot.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(bot.queue) + bot.retrying,
        }
        if bot.webhook:
            info["max_connections"] = bot.webhook.max_connections
            if bot.webhook.allowed_updates is not None:
                info["allowed_updates"] = bot.webhook.allowed_updates
        if bot.last_error_date is not None:
            info["last_error_date"] = bot.last_error_date
            info["last_error_message"] = bot.last_error_message
        return info

    def _set_my_commands(self, bot: BotState, params: Params) -> Any:
        commands = params.json_value("commands")
        if not isinstance(commands, list):
            raise bad_request("parameter commands must be an array")
        bot.commands = commands
        return True

    def _get_my_commands(self, bot: BotState, params: Params) -> Any:
        return bot.commands

    def _delete_my_commands(self, bot: BotState, params: Params) -> Any:
        bot.commands = []
        return True

    def _answer_callback_query(self, bot: BotState, params: Params) -> Any:
        params.string("callback_query_id", required=True)
        return True


_METHODS: dict[str, Any] = {
    "getme": BotApi._get_me,
    "sendmessage": BotApi._send_message,
    "sendphoto": lambda s, b, p: s._send_media(b, p, "photo", "sendPhoto"),
    "senddocument": lambda s, b, p: s._send_media(b, p, "document", "sendDocument"),
    "sendvideo": lambda s, b, p: s._send_media(b, p, "video", "sendVideo"),
    "sendvoice": lambda s, b, p: s._send_media(b, p, "voice", "sendVoice"),
    "sendaudio": lambda s, b, p: s._send_media(b, p, "audio", "sendAudio"),
    "sendlocation": BotApi._send_location,
    "sendchataction": BotApi._send_chat_action,
    "getfile": BotApi._get_file,
    "setwebhook": BotApi._set_webhook,
    "deletewebhook": BotApi._delete_webhook,
    "getwebhookinfo": BotApi._get_webhook_info,
    "setmycommands": BotApi._set_my_commands,
    "getmycommands": BotApi._get_my_commands,
    "deletemycommands": BotApi._delete_my_commands,
    "answercallbackquery": BotApi._answer_callback_query,
}
