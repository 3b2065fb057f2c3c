"""A local stand-in for the WhatsApp Cloud API, spoken over real HTTP.

Two faces:

* the Graph API of a business number, answering like graph.facebook.com so that `integrations/whatsapp.py` works
  unchanged when `CITYMES_WHATSAPP_API_BASE` points here:

  - ``POST /v25.0/{phone_number_id}/messages`` (Bearer token; text, image, video, audio, document, sticker,
    location, interactive buttons and lists, templates) → ``{"messaging_product", "contacts", "messages"}``;
    refusals are Graph errors ``{"error": {"message", "type", "code", "error_data", "fbtrace_id"}}``:
    190 (token, HTTP 401), 100 (bad parameter), 131047 (outside the 24-hour window: only templates pass),
    130429 (past the number's throughput), 131056 (past the pair rate to one user), or any injected code;
  - ``POST /v25.0/{phone_number_id}/media`` (multipart upload) → ``{"id"}``;
  - ``GET /v25.0/{media_id}`` → ``{"url", "mime_type", "sha256", "file_size", "id"}``, and the url
    (``/whatsapp_business/attachments/?mid=…``) serves the bytes to the same token only;
  - webhooks to the registered callback URL, signed like Meta's (``X-Hub-Signature-256: sha256=<hex HMAC-SHA256
    of the raw body with the app secret>``): the citizens' messages, and after each accepted send its statuses
    sent → delivered → read (or failed with ``errors[]``). Non-2xx answers are retried with back-off.

* a control API under ``/sim/whatsapp/`` that registers numbers (doing Meta's GET handshake on the callback URL),
  plays the citizens, shows a chat as the citizen's phone does, lists what the business sent, injects failures,
  tunes limits and statuses, and moves the 24-hour window. Malformed control input is a 400, never a 500:

  - ``POST /sim/whatsapp/numbers`` ``{phone_number_id, access_token, app_secret, callback_url?, verify_token?,
    display_phone_number?}``
  - ``POST /sim/whatsapp/numbers/{id}/webhook`` ``{callback_url, verify_token}`` (``callback_url: null`` removes it)
  - ``POST /sim/whatsapp/numbers/{id}/citizen-message`` ``{wa_id, name, <one of> text | image | video | audio |
    voice | document | sticker (each {content_base64, mime_type?, filename?}, caption?) | location {latitude,
    longitude, name?, address?} | button_reply {title, id?} | list_reply {title, id?, description?} |
    button {text, payload?} | contacts [{name, phone}] | reaction {message_id, emoji}}``
  - ``POST /sim/whatsapp/numbers/{id}/notifications`` any JSON: signed and delivered as it is
  - ``GET  /sim/whatsapp/numbers/{id}/chats/{wa_id}/messages?after=N`` the phone's view (``seq`` > N)
  - ``GET  /sim/whatsapp/numbers/{id}/sent?wa_id=…`` every message the business sent
  - ``GET  /sim/whatsapp/numbers/{id}/deliveries`` the webhook calls made (body, signature, answer)
  - ``POST /sim/whatsapp/numbers/{id}/failures`` ``{code, count?, http_status?, message?, wa_id?, as_status?}``
  - ``POST /sim/whatsapp/numbers/{id}/limits`` ``{messages_per_second?, pair_interval_seconds?, pair_burst?}``
  - ``POST /sim/whatsapp/numbers/{id}/statuses`` ``{auto?, read?, delay_seconds?}``
  - ``POST /sim/whatsapp/numbers/{id}/messages/{wamid}/status`` ``{status, code?}`` one status now
  - ``POST /sim/whatsapp/numbers/{id}/chats/{wa_id}/window`` ``{last_message_seconds_ago}`` or ``{open: false}``
  - ``POST /sim/whatsapp/numbers/{id}/templates`` ``{name, language, body}`` (then templates are checked)
  - ``GET  /sim/whatsapp/files/{media_id}`` a file's bytes, for the phone page
  - ``POST /sim/whatsapp/reset``

Everything lives in memory behind one ``asyncio.Lock``; webhook calls are made outside it. Rate limits are token
buckets (as in the Telegram stand-in) because an error must be answered at once rather than the call delayed.
"""

from __future__ import annotations

from integrations.simulator.whatsapp import protocol
from integrations.simulator.whatsapp.citizens import WhatsAppSimulator
from integrations.simulator.whatsapp.routes import create_whatsapp_router

__all__ = ["WhatsAppSimulator", "create_whatsapp_router", "protocol"]
