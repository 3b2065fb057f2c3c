"""The keyword editor's page state: search and list, delete, the featured order, CSV export and the history.

Every handler resolves the session cookie again and calls `core.keyword_desk.KeywordDesk`, which acts only for an
administrator, on the administrator's own tenant. The form, the CSV import and "try it" are substates of this one.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import cast

import reflex as rx

from citymes_app.core import keywords
from citymes_app.core.auth import SignedInOperator
from citymes_app.i18n import words_for
from citymes_app.models import row_id
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import admin_page_visit, signed_in_admin
from citymes_app.state.keywords.display import (
    ChangeRow,
    FeaturedRow,
    KeywordRow,
    LanguageOption,
    change_row,
    keyword_row,
)
from citymes_app.state.language import on_language_switch
from citymes_app.state.wording import language_name, sentence

ALL_LANGUAGES = "all"
HISTORY_LIMIT = 40


class KeywordsState(rx.State):
    """One administrator's keyword editor tab."""

    languages: list[LanguageOption] = []
    query: str = ""
    language_filter: str = ALL_LANGUAGES
    rows: list[KeywordRow] = []
    featured_language: str = ""
    featured_rows: list[FeaturedRow] = []
    changes: list[ChangeRow] = []

    deleting_id: int = 0
    deleting_name: str = ""

    async def _rows(self, operator: SignedInOperator) -> list[KeywordRow]:
        language = "" if self.language_filter == ALL_LANGUAGES else self.language_filter
        found = await get_runtime().keyword_desk.search(by=operator, query=self.query, language=language)
        return [keyword_row(keyword) for keyword in found]

    async def _featured_rows(self, operator: SignedInOperator) -> list[FeaturedRow]:
        found = await get_runtime().keyword_desk.featured(by=operator, language=self.featured_language)
        return [FeaturedRow(row_id(keyword), keyword.keyword) for keyword in found]

    async def _reload(self, operator: SignedInOperator) -> None:
        desk = get_runtime().keyword_desk
        self.rows, self.featured_rows, changes = await asyncio.gather(
            self._rows(operator), self._featured_rows(operator), desk.history(by=operator, limit=HISTORY_LIMIT)
        )
        words = words_for(operator.language)
        self.changes = [change_row(change, words) for change in changes]

    @rx.event
    async def open_editor_page(self):
        """Page load: only an administrator gets the editor (others see why); load the tenant's keywords."""
        operator, instead = await admin_page_visit(self)
        if operator is None:
            return instead
        codes = await get_runtime().keyword_desk.languages(by=operator)
        self.languages = [LanguageOption(code, language_name(code)) for code in codes]
        if self.language_filter not in [*codes, ALL_LANGUAGES]:
            self.language_filter = ALL_LANGUAGES
        if self.featured_language not in codes:
            self.featured_language = codes[0] if codes else ""
        self.deleting_id = 0
        for substate in await self._substates():
            substate.leave()
        await self._reload(operator)

    async def _substates(self) -> list[KeywordsState]:
        """The form, import and "try it" states of this tab (loaded if the state manager keeps them apart)."""
        return [cast(KeywordsState, await self.get_state(substate)) for substate in type(self).get_substates()]

    def leave(self) -> None:
        """The page was opened again: a substate forgets what was in progress (a closed tab's dialog, a spinner)."""

    @rx.event
    async def search(self, value: str):
        """The search box changed."""
        self.query = value[:200]
        operator = await signed_in_admin(self)
        if operator is not None:
            self.rows = await self._rows(operator)

    @rx.event
    async def filter_language(self, value: str):
        """Show one language, or all."""
        self.language_filter = value
        operator = await signed_in_admin(self)
        if operator is not None:
            self.rows = await self._rows(operator)

    # Deleting.

    @rx.event
    def ask_delete(self, keyword_id: int, keyword: str):
        """Ask for confirmation before deleting."""
        self.deleting_id, self.deleting_name = keyword_id, keyword

    @rx.event
    def cancel_delete(self):
        """Keep the keyword."""
        self.deleting_id, self.deleting_name = 0, ""

    @rx.event
    async def confirm_delete(self):
        """Delete the keyword (and its personal codes)."""
        operator = await signed_in_admin(self)
        if operator is None or not self.deleting_id:
            return
        keyword_id, name = self.deleting_id, self.deleting_name
        self.deleting_id, self.deleting_name = 0, ""
        try:
            await get_runtime().keyword_desk.delete(by=operator, keyword_id=keyword_id)
        except keywords.KeywordError as exc:
            await self._reload(operator)
            return rx.toast.error(sentence(exc, words_for(operator.language)))
        for substate in await self._substates():
            substate.forget_keyword(keyword_id)
        await self._reload(operator)
        return rx.toast.success(words_for(operator.language).t("{keyword} deleted.", keyword=name))

    def forget_keyword(self, keyword_id: int) -> None:
        """A keyword was deleted: a substate lets go of it (the form closes if it was open on it)."""

    # The featured order.

    @rx.event
    async def show_featured(self, language: str | list[str]):
        """Show the featured order of another language (the segmented control's choice)."""
        operator = await signed_in_admin(self)
        if operator is None:
            return
        language = language if isinstance(language, str) else (language[0] if language else "")
        self.featured_language = language
        self.featured_rows = await self._featured_rows(operator)

    @rx.event
    async def move_featured(self, keyword_id: int, step: int):
        """Move a featured keyword one place up (-1) or down (+1) in the index."""
        operator = await signed_in_admin(self)
        if operator is None:
            return
        ids = [row.id for row in self.featured_rows]
        if keyword_id not in ids:
            return
        here = ids.index(keyword_id)
        there = here + step
        if not 0 <= there < len(ids):
            return
        ids[here], ids[there] = ids[there], ids[here]
        await get_runtime().keyword_desk.reorder_featured(by=operator, keyword_ids=ids)
        await self._reload(operator)

    # CSV export (the import has its own substate).

    @rx.event
    async def export_csv(self):
        """Download every keyword of the tenant as CSV (the import format)."""
        operator = await signed_in_admin(self)
        if operator is None:
            return
        content = await get_runtime().keyword_desk.export_csv(by=operator)
        stamp = datetime.now().strftime("%Y%m%d")
        return rx.download(data=content, filename=f"keywords-{operator.tenant_slug}-{stamp}.csv", mime_type="text/csv")

    @rx.event
    async def relabel(self):
        """The administrator switched language: the history's wording again (an open form keeps what is typed)."""
        operator = await signed_in_admin(self)
        if operator is not None and self.languages:
            await self._reload(operator)


on_language_switch(KeywordsState.relabel)
