"""Linking the open conversation's citizen with another record of the same person (mixed into `InboxState`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import reflex as rx

from citymes_app.core import citizens, inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.i18n import Words
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE
from citymes_app.state.inbox_format import citizen_label, conversation_title
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)


class CitizenLinking(rx.State, mixin=True):
    """The "Link with another citizen" dialog; needs the tab's open conversation and `_operator()`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int
        selected_citizen_id: int
        _tenant_id: int

        async def _operator(self) -> SignedInOperator | None: ...

        def _words(self) -> Words: ...

    # Linking the open conversation's citizen with another record of the same person.
    link_open: bool = False
    link_search: str = ""
    link_candidates: list[citizens.LinkCandidate] = []
    link_target_id: int = 0
    link_target_name: str = ""
    link_error: str = ""
    link_notice: str = ""

    def _reset_link(self) -> None:
        self.link_open, self.link_search, self.link_candidates = False, "", []
        self.link_target_id, self.link_target_name, self.link_error = 0, "", ""

    async def _load_candidates(self) -> None:
        self.link_candidates = await get_runtime().inbox.link_candidates(
            tenant_id=self._tenant_id, citizen_id=self.selected_citizen_id, search=self.link_search
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
            header = await get_runtime().inbox.link_citizens(
                tenant_id=operator.tenant_id,
                conversation_id=self.selected_id,
                keep_id=self.selected_citizen_id,
                merge_id=self.link_target_id,
            )
        except (citizens.CitizenError, inbox.InboxError) as exc:
            self.link_error = sentence(exc, self._words())
            return
        except Exception as exc:
            log.error("linking citizens %s and %s failed: %s", self.selected_citizen_id, self.link_target_id, type(exc).__name__)
            self.link_error = self._words().t("The citizens could not be linked. Try again in a moment.")
            return
        log.info("operator %s linked citizen %s into %s", operator.operator_id, self.link_target_id, self.selected_citizen_id)
        self._reset_link()
        words = self._words()
        self.selected_title = conversation_title(header, words)
        self.selected_citizen_name = citizen_label(header.citizen_name, header.citizen_id, words)
        self.link_notice = words.t("Linked with {name}: their conversations are now this citizen's.", name=merged_name)
