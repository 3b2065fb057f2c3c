"""The operators' live inbox.

Two states:

* `InboxShared` — one instance per tenant, under the shared token `inbox-<tenant_id>`: the queue summary and a
  version number, nothing more. The bridge (`state/live.py`) rewrites it after every inbox event and Reflex
  fans the change out to every tab linked to the token.
* `InboxState` — per tab: which conversation is open, its thread and its free-form window (computed vars that
  read the shared version, so every linked tab redraws them when anything in the tenant's inbox changes), the
  reply or template being written and the reason it was refused, and linking the citizen with another record.

The tenant always comes from the signed-in session (`AuthState`), never from the URL.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging

import reflex as rx
from sqlmodel import Session

from citymes_app.core import citizens, inbox, templates
from citymes_app.core.auth import SignedInOperator, session_digest
from citymes_app.core.db import session_scope
from citymes_app.core.events import InboxEvent
from citymes_app.core.inbox_display import (
    NO_WINDOW,
    Bubble,
    QueueLine,
    TemplateOption,
    WindowView,
    queue_lines,
    reply_window_view,
    template_options,
    thread_bubbles,
)
from citymes_app.core.media import save_media
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE, AuthState

log = logging.getLogger(__name__)

OFFICE_LOCATION = (41.5381, 2.4445)  # the demo town hall, sent with "Send the office location"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {"image/jpeg", "image/png", "application/pdf"}


def inbox_token(tenant_id: int) -> str:
    """The shared token of a tenant's inbox: derived from the server secret, so nobody outside can name it (a
    browser that used it as its own client token would read the tenant's queue); hex, since Reflex forbids `_`."""
    secret = get_runtime().settings.secret_key
    if not secret:
        raise RuntimeError("CITYMES_SECRET_KEY is not set: the live inbox needs a server secret")
    digest = hmac.new(secret.encode(), f"inbox:{tenant_id}".encode(), hashlib.sha256).hexdigest()
    return f"inbox-{digest[:40]}"


def load_queue(tenant_id: int) -> list[QueueLine]:
    """The tenant's queue as the shared state holds it (blocking: call in a thread)."""
    with Session(get_runtime().engine) as session:
        return queue_lines(session, tenant_id=tenant_id)


def _load_thread(tenant_id: int, conversation_id: int) -> list[Bubble]:
    with Session(get_runtime().engine) as session:
        try:
            return thread_bubbles(session, tenant_id=tenant_id, conversation_id=conversation_id)
        except inbox.InboxError:
            return []


def _load_window(tenant_id: int, conversation_id: int) -> WindowView:
    with Session(get_runtime().engine) as session:
        try:
            return reply_window_view(session, tenant_id=tenant_id, conversation_id=conversation_id)
        except inbox.InboxError:
            return NO_WINDOW


def _open_conversation(tenant_id: int, conversation_id: int) -> tuple[inbox.ConversationHeader, list[TemplateOption]]:
    with session_scope(get_runtime().engine) as session:
        inbox.mark_read(session, tenant_id=tenant_id, conversation_id=conversation_id)
        header = inbox.conversation_header(session, tenant_id=tenant_id, conversation_id=conversation_id)
        return header, template_options(session, tenant_id=tenant_id, conversation_id=conversation_id)


def _reply(operator: SignedInOperator, conversation_id: int, text: str) -> int:
    with session_scope(get_runtime().engine) as session:
        return inbox.reply(session, operator=operator, conversation_id=conversation_id, text=text).id


def _send_attachment(
    operator: SignedInOperator, conversation_id: int, data: bytes, mime_type: str, filename: str, caption: str
) -> int:
    media_path = save_media(
        get_runtime().settings.media_dir,
        tenant_id=operator.tenant_id,
        data=data,
        kind="photo" if mime_type in inbox.PHOTO_TYPES else "document",
        filename=filename,
        mime_type=mime_type,
    )
    with session_scope(get_runtime().engine) as session:
        return inbox.send_attachment(
            session,
            operator=operator,
            conversation_id=conversation_id,
            media_path=media_path,
            mime_type=mime_type,
            filename=filename,
            caption=caption,
        ).id


def _send_location(operator: SignedInOperator, conversation_id: int, latitude: float, longitude: float) -> int:
    with session_scope(get_runtime().engine) as session:
        return inbox.send_location(
            session, operator=operator, conversation_id=conversation_id, latitude=latitude, longitude=longitude
        ).id


def _send_template(operator: SignedInOperator, conversation_id: int, template: TemplateOption, params: list[str]) -> int:
    with session_scope(get_runtime().engine) as session:
        return inbox.send_template(
            session,
            operator=operator,
            conversation_id=conversation_id,
            name=template.name,
            language=template.language,
            params=params,
        ).id


def _link_candidates(tenant_id: int, citizen_id: int, search: str) -> list[citizens.LinkCandidate]:
    with Session(get_runtime().engine) as session:
        return citizens.link_candidates(session, tenant_id=tenant_id, exclude_id=citizen_id, search=search)


def _link(tenant_id: int, keep_id: int, merge_id: int) -> None:
    with session_scope(get_runtime().engine) as session:
        citizens.link_citizens(session, tenant_id=tenant_id, keep_id=keep_id, merge_id=merge_id)


def _resolve(tenant_id: int, conversation_id: int) -> None:
    with session_scope(get_runtime().engine) as session:
        inbox.resolve(session, tenant_id=tenant_id, conversation_id=conversation_id)


def _sentence(reason: str) -> str:
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


class InboxShared(rx.SharedState):
    """A tenant's queue summary, shared by every operator tab of that tenant."""

    queue: list[QueueLine] = []
    version: int = 0
    # The tabs linked here (client token) and the digest of the session each linked with: the bridge cuts a tab
    # whose session ended (signed out elsewhere, expired, operator disabled) before it writes anything new.
    _viewers: dict[str, str] = {}


class InboxState(rx.State):
    """One operator tab: the open conversation and the reply box."""

    selected_id: int = 0
    selected_title: str = ""
    selected_platform: str = ""
    selected_citizen_id: int = 0
    selected_citizen_name: str = ""
    selected_channel_name: str = ""
    draft: str = ""
    reply_error: str = ""
    sending: bool = False
    # The approved templates of the open conversation's channel, and the one being filled in.
    templates: list[TemplateOption] = []
    template_id: str = ""
    template_params: list[str] = []
    template_error: str = ""
    sending_template: bool = False
    # Linking the open conversation's citizen with another record of the same person.
    link_open: bool = False
    link_search: str = ""
    link_candidates: list[citizens.LinkCandidate] = []
    link_target_id: int = 0
    link_target_name: str = ""
    link_error: str = ""
    link_notice: str = ""
    _tenant_id: int = 0

    @rx.var
    async def thread(self) -> list[Bubble]:
        """The open conversation's messages, redrawn whenever the tenant's inbox changes."""
        shared = await self.get_state(InboxShared)
        _ = shared.version  # the dependency that makes every linked tab recompute
        if not self.selected_id or not self._tenant_id:
            return []
        return await asyncio.to_thread(_load_thread, self._tenant_id, self.selected_id)

    @rx.var
    async def reply_window(self) -> WindowView:
        """Whether a free-form reply can go out in the open conversation now (redrawn like the thread)."""
        shared = await self.get_state(InboxShared)
        _ = shared.version
        if not self.selected_id or not self._tenant_id:
            return NO_WINDOW
        return await asyncio.to_thread(_load_window, self._tenant_id, self.selected_id)

    @rx.var
    def template_labels(self) -> list[str]:
        """The placeholders of the chosen template, one input each: "{{1}}", "{{2}}"..."""
        chosen = next((t for t in self.templates if t.id == self.template_id), None)
        return [f"{{{{{n}}}}}" for n in range(1, chosen.parameter_count + 1)] if chosen else []

    @rx.var
    def template_preview(self) -> str:
        """The chosen template as the citizen will read it (unfilled placeholders stay visible)."""
        chosen = next((t for t in self.templates if t.id == self.template_id), None)
        if chosen is None:
            return ""
        params = [p.strip() or f"{{{{{n}}}}}" for n, p in enumerate(self.template_params, start=1)]
        return templates.render(chosen.body, params)

    @rx.var
    async def selected_in_queue(self) -> bool:
        """Whether the open conversation is still open (another operator may have resolved it)."""
        shared = await self.get_state(InboxShared)
        return any(line.id == self.selected_id for line in shared.queue)

    @rx.var
    async def waiting_count(self) -> int:
        """How many conversations wait for an operator."""
        shared = await self.get_state(InboxShared)
        return sum(1 for line in shared.queue if line.awaiting_operator)

    async def _operator(self) -> SignedInOperator | None:
        """The signed-in operator, or None if signed out or now signed in for another tenant than this tab shows
        (the login page then unlinks the tab and sends it back to the right inbox)."""
        auth = await self.get_state(AuthState)
        operator = await auth._signed_in()
        if operator is not None and self._tenant_id and operator.tenant_id != self._tenant_id:
            return None
        return operator

    def _publish(self, conversation_id: int, kind: str, message_id: int | None = None) -> None:
        get_runtime().bus.publish(InboxEvent(self._tenant_id, conversation_id, kind, message_id))

    @rx.event
    async def open_inbox(self):
        """Page load: check the session, then link this tab to its tenant's shared inbox."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        self._tenant_id = operator.tenant_id
        self.sending = False
        auth_state = await self.get_state(AuthState)
        shared = await self.get_state(InboxShared)
        linked = await shared._link_to(inbox_token(operator.tenant_id))
        linked._viewers = {**linked._viewers, self.router.session.client_token: session_digest(auth_state.session_token)}
        if linked.version == 0:  # nothing written since the server started: seed it from the database
            linked.queue = await asyncio.to_thread(load_queue, operator.tenant_id)
            linked.version += 1

    def _forget_conversation(self) -> None:
        self.selected_id, self.selected_title, self.draft, self.reply_error = 0, "", "", ""
        self.selected_platform, self.selected_citizen_id, self.selected_citizen_name = "", 0, ""
        self.selected_channel_name = ""
        self.templates, self.template_id, self.template_params, self.template_error = [], "", [], ""
        self._reset_link()
        self.link_notice = ""

    def _reset_link(self) -> None:
        self.link_open, self.link_search, self.link_candidates = False, "", []
        self.link_target_id, self.link_target_name, self.link_error = 0, "", ""

    def _choose_template(self, template_id: str) -> None:
        chosen = next((t for t in self.templates if t.id == template_id), None)
        self.template_id = chosen.id if chosen else ""
        self.template_params = [""] * (chosen.parameter_count if chosen else 0)
        self.template_error = ""

    @rx.event
    async def select(self, conversation_id: int):
        """Open a conversation and mark it read (every tab's unread badge updates)."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if conversation_id != self.selected_id:
            self._forget_conversation()
        try:
            header, options = await asyncio.to_thread(_open_conversation, operator.tenant_id, conversation_id)
        except inbox.InboxError:
            self._forget_conversation()
            return
        self.selected_id, self.selected_title = conversation_id, header.title
        self.selected_platform, self.selected_channel_name = header.platform, header.channel_name
        self.selected_citizen_id, self.selected_citizen_name = header.citizen_id, header.citizen_name
        if options != self.templates:
            self.templates = options
            self._choose_template(options[0].id if options else "")
        shared = await self.get_state(InboxShared)
        if any(line.id == conversation_id and line.unread_count for line in shared.queue):
            self._publish(conversation_id, "conversation")

    @rx.event
    def close_conversation(self):
        """Back to the empty thread panel."""
        self._forget_conversation()

    @rx.event
    def set_draft(self, value: str):
        """The reply box changed."""
        self.draft = value
        if self.reply_error:
            self.reply_error = ""

    @rx.event
    async def send_reply(self, form_data: dict[str, str]):
        """Put the reply in the outbox, wake the dispatcher and tell every tab."""
        text = form_data.get("reply", self.draft) or ""
        if self.sending or not self.selected_id:
            return
        operator = await self._operator()
        if operator is None:
            yield rx.redirect(LOGIN_ROUTE)
            return
        self.sending = True
        yield
        try:
            message_id = await asyncio.to_thread(_reply, operator, self.selected_id, text)
        except inbox.InboxError as exc:
            self.reply_error, self.draft = _sentence(str(exc)), text
            return
        except Exception as exc:
            log.error("reply to conversation %s failed: %s", self.selected_id, type(exc).__name__)
            self.reply_error, self.draft = "The reply could not be saved. Try again in a moment.", text
            return
        finally:
            self.sending = False
        self.draft, self.reply_error = "", ""
        get_runtime().bus.wake_outbox()
        self._publish(self.selected_id, "message", message_id)

    async def _send_other(self, what: str, send, *args):  # noqa: ANN001, ANN202
        """Shared by the attachment and the location: the same guard, errors and fan-out as a reply."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        try:
            message_id = await asyncio.to_thread(send, operator, self.selected_id, *args)
        except inbox.InboxError as exc:
            self.reply_error = _sentence(str(exc))
            return None
        except Exception as exc:
            log.error("sending %s to conversation %s failed: %s", what, self.selected_id, type(exc).__name__)
            self.reply_error = f"The {what} could not be sent. Try again in a moment."
            return None
        self.reply_error = ""
        get_runtime().bus.wake_outbox()
        self._publish(self.selected_id, "message", message_id)
        return None

    @rx.event
    async def send_attachment(self, files: list[rx.UploadFile]):
        """Send the chosen photo or PDF; the reply being written, if any, goes with it as its caption."""
        if self.sending or not self.selected_id:
            return
        for upload in files[:1]:
            data = await upload.read()
            mime_type = (upload.content_type or "").split(";")[0].strip().lower()
            if mime_type not in ATTACHMENT_TYPES:
                self.reply_error = "Only JPEG or PNG photos and PDF documents can be sent."
                return
            if len(data) > MAX_ATTACHMENT_BYTES:
                self.reply_error = f"That file is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB."
                return
            self.sending = True
            yield
            caption = self.draft.strip()
            try:
                redirect = await self._send_other("file", _send_attachment, data, mime_type, upload.name or "attachment", caption)
            finally:
                self.sending = False
            if redirect is not None:
                yield redirect
                return
            if not self.reply_error:
                self.draft = ""

    @rx.event
    async def send_office_location(self):
        """Send the office's map pin."""
        if self.sending or not self.selected_id:
            return
        self.sending = True
        yield
        try:
            latitude, longitude = OFFICE_LOCATION
            redirect = await self._send_other("location", _send_location, latitude, longitude)
        finally:
            self.sending = False
        if redirect is not None:
            yield redirect

    @rx.event
    async def resolve_selected(self):
        """Close the open conversation; the citizen's next message opens a new one."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return
        conversation_id = self.selected_id
        try:
            await asyncio.to_thread(_resolve, operator.tenant_id, conversation_id)
        except inbox.InboxError as exc:
            self.reply_error = _sentence(str(exc))
            return
        self._forget_conversation()
        self._publish(conversation_id, "conversation")

    # --- Templates, when the free-form window is closed ----------------------------------------------------

    @rx.event
    def choose_template(self, template_id: str):
        """Pick another approved template (its parameters start empty)."""
        self._choose_template(template_id)

    @rx.event
    def set_template_param(self, index: int, value: str):
        """One of the template's parameters changed."""
        params = list(self.template_params)
        if 0 <= index < len(params):
            params[index] = value
            self.template_params = params
        self.template_error = ""

    @rx.event
    async def send_template(self, form_data: dict[str, str]):
        """Put the chosen template, filled in, in the outbox; a refusal shows beside the form."""
        if self.sending_template or not self.selected_id:
            return
        chosen = next((t for t in self.templates if t.id == self.template_id), None)
        if chosen is None:
            self.template_error = "Choose a template first."
            return
        operator = await self._operator()
        if operator is None:
            yield rx.redirect(LOGIN_ROUTE)
            return
        self.sending_template = True
        yield
        try:
            message_id = await asyncio.to_thread(_send_template, operator, self.selected_id, chosen, list(self.template_params))
        except inbox.InboxError as exc:
            self.template_error = _sentence(str(exc))
            return
        except Exception as exc:
            log.error("template to conversation %s failed: %s", self.selected_id, type(exc).__name__)
            self.template_error = "The template could not be saved. Try again in a moment."
            return
        finally:
            self.sending_template = False
        self._choose_template(chosen.id)
        get_runtime().bus.wake_outbox()
        self._publish(self.selected_id, "message", message_id)

    # --- Linking two records of one person -----------------------------------------------------------------

    async def _load_candidates(self) -> None:
        self.link_candidates = await asyncio.to_thread(
            _link_candidates, self._tenant_id, self.selected_citizen_id, self.link_search
        )

    @rx.event
    async def open_link(self):
        """Open the "Link with another citizen" dialog with the tenant's other citizens."""
        if not self.selected_citizen_id or not self._tenant_id:
            return
        self._reset_link()
        self.link_open, self.link_notice = True, ""
        await self._load_candidates()

    @rx.event
    def set_link_open(self, value: bool):
        """The dialog was closed (Escape, the close button, a click outside)."""
        if not value:
            self._reset_link()

    @rx.event
    async def search_link(self, value: str):
        """Narrow the list to names or phone numbers holding the words."""
        self.link_search = value[:100]
        await self._load_candidates()

    @rx.event
    def pick_link_target(self, citizen_id: int, name: str):
        """The operator chose who to link with: ask them to confirm."""
        self.link_target_id, self.link_target_name, self.link_error = citizen_id, name, ""

    @rx.event
    def back_to_candidates(self):
        """Not this one after all."""
        self.link_target_id, self.link_target_name, self.link_error = 0, "", ""

    @rx.event
    async def confirm_link(self):
        """Make the chosen citizen part of this conversation's citizen: one person, every conversation and message."""
        if not self.link_target_id or not self.selected_citizen_id:
            return
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        merged_name = self.link_target_name
        try:
            await asyncio.to_thread(_link, operator.tenant_id, self.selected_citizen_id, self.link_target_id)
        except citizens.CitizenError as exc:
            self.link_error = _sentence(str(exc))
            return
        except Exception as exc:
            log.error("linking citizens %s and %s failed: %s", self.selected_citizen_id, self.link_target_id, type(exc).__name__)
            self.link_error = "The citizens could not be linked. Try again in a moment."
            return
        log.info("operator %s linked citizen %s into %s", operator.operator_id, self.link_target_id, self.selected_citizen_id)
        conversation_id = self.selected_id
        self._reset_link()
        header, _options = await asyncio.to_thread(_open_conversation, operator.tenant_id, conversation_id)
        self.selected_title, self.selected_citizen_name = header.title, header.citizen_name
        self.link_notice = f"Linked with {merged_name}: their conversations are now this citizen's."
        self._publish(conversation_id, "conversation")
