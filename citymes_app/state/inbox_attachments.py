"""Sending a photo, a PDF or the office's location in the open conversation (mixed into `InboxState`): the same
guards and refusals as a reply, and the same question when someone else just took or resolved the conversation."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_work import ConversationMoved
from citymes_app.i18n import N_, Words
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE
from citymes_app.state.inbox_canned import unfilled_warning
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)

OFFICE_LOCATION = (41.5381, 2.4445)  # the demo town hall, sent with "Send the office location"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {"image/jpeg", "image/png", "application/pdf"}


class AttachmentSender(rx.State, mixin=True):
    """The attachment and location tools of the reply box; needs the tab's open conversation and `_operator()`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int
        draft: str
        reply_error: str
        sending: bool
        _seen_version: int

        async def _operator(self) -> SignedInOperator | None: ...

        def _words(self) -> Words: ...

        def _moved_again(self, exc: ConversationMoved) -> str: ...

    async def _send_other(self, what: str, failure: str, send, **content):  # noqa: ANN001, ANN003, ANN202
        """Shared by the attachment and the location: the same guard and errors as a reply."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        try:
            await send(operator=operator, conversation_id=self.selected_id, seen_version=self._seen_version, **content)
        except ConversationMoved as exc:
            self.reply_error = self._moved_again(exc)
            return None
        except inbox.InboxError as exc:
            self.reply_error = sentence(exc, self._words())
            return None
        except Exception as exc:
            log.error("sending %s to conversation %s failed: %s", what, self.selected_id, type(exc).__name__)
            self.reply_error = self._words().translate(failure)
            return None
        self.reply_error = ""
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
                self.reply_error = self._words().t("Only JPEG or PNG photos and PDF documents can be sent.")
                return
            if len(data) > MAX_ATTACHMENT_BYTES:
                self.reply_error = self._words().t(
                    "That file is larger than {size} MB.", size=self._words().number(MAX_ATTACHMENT_BYTES // (1024 * 1024))
                )
                return
            if refusal := unfilled_warning(self.draft, self._words()):  # the caption
                self.reply_error = refusal
                return
            self.sending = True
            yield
            try:
                redirect = await self._send_other(
                    "file",
                    N_("The file could not be sent. Try again in a moment."),
                    get_runtime().inbox.send_attachment,
                    data=data,
                    mime_type=mime_type,
                    filename=upload.name or "attachment",
                    caption=self.draft.strip(),
                )
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
            redirect = await self._send_other(
                "location",
                N_("The location could not be sent. Try again in a moment."),
                get_runtime().inbox.send_location,
                latitude=latitude,
                longitude=longitude,
            )
        finally:
            self.sending = False
        if redirect is not None:
            yield redirect
