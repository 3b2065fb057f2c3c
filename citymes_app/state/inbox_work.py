"""Who has the open conversation (mixed into `InboxState`): taking it, assigning or transferring it to a colleague of
the same organisation, and the question asked when a reply meets a conversation someone else just took or resolved.

The version of the conversation the operator saw is kept on the server (`_seen_version`: set when the conversation
opens, by the operator's own changes, and when they confirm a question), never taken from the browser; a live redraw
of the header shows the change but does not count as seen, so a reply written meanwhile still asks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_desk import ThreadSnapshot
from citymes_app.core.inbox_work import ConversationMoved
from citymes_app.i18n import Words
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ColleagueOption:
    """An operator of the organisation, offered in the "Assign to" menu."""

    id: int
    name: str


class ConversationWork(rx.State, mixin=True):
    """Taking and assigning the open conversation; needs the tab's `selected_id`, `reply_error` and `_operator()`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int
        reply_error: str
        _tenant_id: int

        async def _operator(self) -> SignedInOperator | None: ...

        def _words(self) -> Words: ...

    # The signed-in operator (to say "you" and to offer "Take" only when it is not theirs already).
    me_id: int = 0
    assignee_id: int = 0  # who has the open conversation (0: nobody), live
    assignee_name: str = ""
    colleagues: list[ColleagueOption] = []
    # Asked when a reply met a conversation someone else just took or resolved: the question, empty when none.
    moved_question: str = ""
    _seen_version: int = 0
    _moved_version: int = 0  # the version the question showed: "send anyway" sends against it

    def _show_assignee(self, snapshot: ThreadSnapshot) -> None:
        header = snapshot.header
        self.assignee_id, self.assignee_name = header.assignee_id or 0, header.assignee_name

    def _forget_work(self) -> None:
        self.assignee_id, self.assignee_name, self.moved_question = 0, "", ""
        self._seen_version = self._moved_version = 0

    async def _load_colleagues(self, operator: SignedInOperator) -> None:
        self.me_id = operator.operator_id
        found = await get_runtime().inbox.colleagues(tenant_id=operator.tenant_id)
        options = [ColleagueOption(c.id, c.name) for c in found]
        if options != self.colleagues:
            self.colleagues = options

    def _moved(self, exc: ConversationMoved) -> None:
        """A send met a conversation someone else changed: ask before it goes."""
        self.moved_question, self._moved_version = sentence(exc, self._words()), exc.version

    def _moved_again(self, exc: ConversationMoved) -> str:
        """For a file, a location or a template (the box cannot hold them for a question): why it did not go, and
        that sending it again sends it anyway (what changed now counts as seen)."""
        self._seen_version = exc.version
        words = self._words()
        again = words.t("Send it again to send it anyway.")
        return sentence(exc, words) + " " + again

    def _confirmed(self) -> bool:
        """The operator answered "send anyway": what they saw is now the version the question showed."""
        if not self.moved_question:
            return False
        self._seen_version, self.moved_question = self._moved_version, ""
        return True

    async def _assign(self, assignee_id: int | None):  # noqa: ANN202
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return None
        try:
            self._seen_version = await get_runtime().inbox.assign(
                operator=operator, conversation_id=self.selected_id, assignee_id=assignee_id
            )
        except inbox.InboxError as exc:
            self.reply_error = sentence(exc, self._words())
            await self._load_colleagues(operator)  # one of them may have just been disabled
            return None
        self.assignee_id = assignee_id or 0
        self.assignee_name = next((c.name for c in self.colleagues if c.id == assignee_id), "")
        self.moved_question = ""
        return None

    @rx.event
    async def take_selected(self):
        """The signed-in operator takes the open conversation (every tab shows it as theirs)."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        return await self._assign(operator.operator_id)

    @rx.event
    async def assign_selected(self, operator_id: int):
        """Give the open conversation to a colleague (0: to nobody); the server checks they are of this organisation."""
        if type(operator_id) is not int:  # a raw client may send anything
            return None
        return await self._assign(operator_id or None)

    @rx.event
    def keep_draft(self):
        """The operator answered "don't send" to the question: the reply stays in the box."""
        self.moved_question = ""
