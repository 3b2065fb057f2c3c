"""Canned responses in the inbox's reply box (mixed into `InboxState`): a reply that starts with `/` lists the
organisation's canned responses whose shortcut starts with what follows; choosing one (a click, or Enter when the
shortcut is complete or only one is left) puts it in the box filled in for the open conversation, instead of sending.
A keyword's answer goes in the same way, chosen from a searchable list beside the box (after what is already written).

The list is read on the server for the signed-in operator's organisation (when the inbox opens and each time a reply
starts with `/`, so an administrator's change shows at the next `/`); what is inserted is filled in by the server from
the canned response's id, which the desk checks belongs to that organisation too. A placeholder with no value (a
citizen whose platform gave no name) stays in the text, is named beside the box, and a reply still holding it is
not sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.canned_responses import CannedListing, CannedResponseError, Placeholder, is_shortcut_typed, matching
from citymes_app.core.canned_responses import known_placeholders as placeholders_left
from citymes_app.core.keywords import KeywordAnswer, KeywordError
from citymes_app.core.matching import normalize
from citymes_app.i18n import N_, Words
from citymes_app.runtime import get_runtime
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)

PREVIEW_LENGTH = 70
# How many keywords the list beside the reply box shows at once (the search narrows it).
KEYWORDS_SHOWN = 40
# Why a placeholder is still in the reply, and what to do.
UNFILLED = {
    Placeholder.NAME: N_("No name is known for this citizen: replace {name} before sending."),
    Placeholder.OPERATOR: N_("Your account has no display name: replace {operator} before sending."),
    Placeholder.TOWN: N_("Your organisation has no name: replace {town} before sending."),
}


@dataclass(frozen=True)
class CannedOption:
    """A canned response offered under the reply box: its shortcut and its first words."""

    id: int
    shortcut: str
    preview: str


@dataclass(frozen=True)
class KeywordOption:
    """A keyword whose answer can go in the reply box: the keyword, its language and its answer's first words."""

    id: int
    keyword: str
    language: str
    preview: str
    search: str  # the keyword and its answer as the search compares them (no accents, no case)


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1].rstrip() + "…"


def _option(listing: CannedListing) -> CannedOption:
    return CannedOption(listing.id, listing.shortcut, _preview(listing.text))


def _keyword_option(answer: KeywordAnswer) -> KeywordOption:
    return KeywordOption(
        answer.id, answer.keyword, answer.language, _preview(answer.text), normalize(f"{answer.keyword} {answer.text}")
    )


def unfilled_warning(text: str, words: Words) -> str:
    """Why `text` cannot go as it is (a known placeholder is still in it), or ""."""
    return " ".join(words.translate(UNFILLED[placeholder]) for placeholder in placeholders_left(text))


class CannedPicker(rx.State, mixin=True):
    """The canned responses offered while a reply starts with `/`; needs the tab's `selected_id`, `draft` and
    `_operator()`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int
        draft: str
        reply_error: str

        async def _operator(self) -> SignedInOperator | None: ...

        def _words(self) -> Words: ...

    canned: list[CannedOption] = []
    # Beside the box after an insertion left a placeholder unfilled: which one, and what to do.
    canned_notice: str = ""

    keyword_options: list[KeywordOption] = []
    keyword_search: str = ""
    keywords_open: bool = False

    @rx.var
    def keyword_choices(self) -> list[KeywordOption]:
        """The keywords the list shows: those whose keyword or answer holds every word searched (accents and case
        aside)."""
        wanted = normalize(self.keyword_search).split()
        return [o for o in self.keyword_options if all(word in o.search for word in wanted)][:KEYWORDS_SHOWN]

    @rx.event
    async def show_keywords(self, opened: bool):
        """The keyword list opened (read it now: an administrator may have just changed one) or closed."""
        self.keywords_open, self.keyword_search = bool(opened), ""
        if not opened:
            return
        operator = await self._operator()
        if operator is not None:
            answers = await get_runtime().canned_desk.keyword_answers(by=operator)
            self.keyword_options = [_keyword_option(answer) for answer in answers]

    @rx.event
    def search_keywords(self, value: str):
        """What the operator looks for in the keyword list."""
        self.keyword_search = str(value)[:100]

    @rx.event
    async def insert_keyword(self, keyword_id: int):
        """Put a keyword's answer in the reply box, after what is already written there."""
        if type(keyword_id) is not int or not self.selected_id:  # a raw client may send anything
            return
        operator = await self._operator()
        if operator is None:
            return
        try:
            text = await get_runtime().canned_desk.insert_keyword(
                by=operator, conversation_id=self.selected_id, keyword_id=keyword_id
            )
        except (KeywordError, inbox.InboxError) as exc:
            self.reply_error = sentence(exc, self._words())
            return
        self.draft = f"{self.draft.rstrip()}\n\n{text}" if self.draft.strip() else text
        self.reply_error, self.keywords_open = "", False

    @rx.var
    def canned_suggestions(self) -> list[CannedOption]:
        """The canned responses whose shortcut starts with what the reply box holds after its `/`."""
        return matching(self.canned, self.draft)

    async def _load_canned(self, operator: SignedInOperator) -> None:
        self.canned = [_option(listing) for listing in await get_runtime().canned_desk.for_replies(by=operator)]

    async def _canned_draft_changed(self, before: str, value: str) -> None:
        """The reply box changed: re-read the list when a `/` starts it; drop the notice once nothing is left to fill."""
        if value.startswith("/") and not before.startswith("/"):
            operator = await self._operator()
            if operator is not None:
                await self._load_canned(operator)
        if self.canned_notice and not placeholders_left(value):
            self.canned_notice = ""

    async def _insert_canned(self, operator: SignedInOperator, canned_id: int) -> None:
        try:
            filled = await get_runtime().canned_desk.insert(by=operator, conversation_id=self.selected_id, canned_id=canned_id)
        except (CannedResponseError, inbox.InboxError) as exc:
            self.reply_error = sentence(exc, self._words())
            await self._load_canned(operator)  # it may have just been deleted
            return
        self.draft, self.reply_error = filled.text, ""
        self.canned_notice = " ".join(self._words().translate(UNFILLED[placeholder]) for placeholder in filled.missing)

    @rx.event
    async def insert_canned(self, canned_id: int):
        """Put the chosen canned response in the reply box, filled in for the open conversation."""
        if not self.selected_id:
            return
        operator = await self._operator()
        if operator is not None:
            await self._insert_canned(operator, canned_id)

    async def _canned_instead_of_sending(self, operator: SignedInOperator, text: str) -> bool:
        """Enter on a shortcut being typed: insert the canned response it names (or the only one it starts), or say
        why not. Whether the reply box held a shortcut (and so nothing is to be sent)."""
        typed = text.strip()
        if not is_shortcut_typed(typed):
            return False
        candidates = matching(self.canned, typed)
        chosen = next((c for c in candidates if c.shortcut == typed[1:].lower()), None)
        if chosen is None and len(candidates) == 1:
            chosen = candidates[0]
        if chosen is not None:
            await self._insert_canned(operator, chosen.id)
        elif candidates:
            self.reply_error = self._words().t(
                "Several canned responses start with {typed}: choose one from the list.", typed=typed
            )
            self.draft = text
        else:
            self.reply_error, self.draft = (
                self._words().t("No canned response starts with {typed}: correct the shortcut.", typed=typed),
                text,
            )
        return True
