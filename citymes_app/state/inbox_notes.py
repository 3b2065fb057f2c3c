"""Internal notes on the open conversation (mixed into `InboxState`): the composer switches between "Reply" and
"Internal note", and a note is saved for the organisation's operators, never sent to the citizen.

The handler checks the signed-in operator and saves on the conversation the tab has open (`selected_id`, set on the
server when the operator opened it), through the desk, which checks it is of the operator's organisation. The note
reaches every tab that has the conversation open through the live bridge (`state/live.py`), this one included.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.i18n import Words
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)


class ConversationNotes(rx.State, mixin=True):
    """The composer's mode and the note being written; needs the tab's `selected_id` and `_operator()`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int

        async def _operator(self) -> SignedInOperator | None: ...

        def _words(self) -> Words: ...

    composer: str = "reply"  # what the box at the foot of the thread writes: "reply" (to the citizen) or "note"
    note_draft: str = ""
    note_error: str = ""
    saving_note: bool = False

    def _forget_notes(self) -> None:
        self.composer, self.note_draft, self.note_error, self.saving_note = "reply", "", "", False

    @rx.event
    def write_reply(self):
        """Switch the composer to a reply to the citizen (the note being written stays)."""
        self.composer = "reply"

    @rx.event
    def write_note(self):
        """Switch the composer to an internal note (the reply being written stays)."""
        self.composer = "note"

    @rx.event
    def set_note_draft(self, value: str):
        """The note box changed."""
        if type(value) is not str:  # a raw client may send anything
            return
        self.note_draft = value
        if self.note_error:
            self.note_error = ""

    @rx.event
    async def save_note(self, form_data: dict[str, Any]):
        """Save the note in the box on the open conversation; every operator who has it open sees it."""
        if self.saving_note or not self.selected_id:
            return
        received: Any = form_data  # a raw client may send anything
        written = received.get("note", self.note_draft) if isinstance(received, dict) else self.note_draft
        text = written if isinstance(written, str) else ""
        operator = await self._operator()
        if operator is None:
            yield rx.redirect(LOGIN_ROUTE)
            return
        self.saving_note = True
        yield
        try:
            await get_runtime().inbox.add_note(operator=operator, conversation_id=self.selected_id, text=text)
        except inbox.InboxError as exc:
            self.note_error, self.note_draft = sentence(exc, self._words()), text
            return
        except Exception as exc:
            log.error("a note on conversation %s could not be saved: %s", self.selected_id, type(exc).__name__)
            self.note_error = self._words().t("The note could not be saved. Try again in a moment.")
            self.note_draft = text
            return
        finally:
            self.saving_note = False
        self.note_draft, self.note_error = "", ""
