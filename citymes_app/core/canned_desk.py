"""The canned responses' use cases: administrators list, save and delete them; every operator of the organisation
lists them in the reply box and inserts one, filled in for the open conversation — or inserts a keyword's answer, the
words the town hall's automatic answer sends.

`CannedResponseDesk` is built once by the wiring; every method acts on the caller's own tenant only (taken from the
signed-in operator, never from what a browser sends), off the event loop. Editing re-checks that the caller is an
administrator and commits its change, or nothing.
"""

from __future__ import annotations

import asyncio
import builtins
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlmodel import Session

from citymes_app.core import canned_responses, inbox, keywords
from citymes_app.core.administration import AdminDesk
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.canned_responses import CannedListing, Filled
from citymes_app.models import Tenant, row_id


@dataclass(frozen=True)
class CannedResponseDesk(AdminDesk):
    """The canned responses' use cases, built once by the wiring."""

    async def list(self, *, by: SignedInOperator) -> list[CannedListing]:
        """The organisation's canned responses, for its administrators' page (changed when: on its clock)."""

        def read(session: Session, tenant: Tenant) -> list[CannedListing]:
            zone = ZoneInfo(tenant.timezone)
            listed = canned_responses.list_canned(session, tenant_id=row_id(tenant))
            return [replace(listing, updated_at=listing.updated_at.astimezone(zone)) for listing in listed]

        return await self._read(by, read)

    async def save(self, *, by: SignedInOperator, canned_id: int | None, shortcut: str, text: str) -> CannedListing:
        """Create (`canned_id` None) or change a canned response; `CannedResponseError` names the field at fault."""

        def write(session: Session, tenant: Tenant) -> CannedListing:
            saved = canned_responses.save_canned(
                session, tenant=tenant, canned_id=canned_id, shortcut=shortcut, text=text, operator_id=by.operator_id
            )
            return CannedListing(row_id(saved), saved.shortcut, saved.text, by.display_name or by.email, saved.updated_at)

        return await self._write(by, write)

    async def delete(self, *, by: SignedInOperator, canned_id: int) -> str:
        """Delete a canned response of the organisation; returns its shortcut."""
        return await self._write(
            by, lambda session, tenant: canned_responses.delete_canned(session, tenant=tenant, canned_id=canned_id)
        )

    async def for_replies(self, *, by: SignedInOperator) -> builtins.list[CannedListing]:
        """The organisation's canned responses, for any of its operators' reply box."""
        return await asyncio.to_thread(self._for_replies, by.tenant_id)

    def _for_replies(self, tenant_id: int) -> builtins.list[CannedListing]:
        with Session(self.engine) as session:
            return canned_responses.list_canned(session, tenant_id=tenant_id)

    async def insert(self, *, by: SignedInOperator, conversation_id: int, canned_id: int) -> Filled:
        """A canned response filled in for a conversation of the operator's organisation (the citizen's name, the
        operator's, the organisation's); `CannedResponseError` or `InboxError` when either is not the organisation's."""
        return await asyncio.to_thread(self._insert, by, conversation_id, canned_id)

    def _insert(self, by: SignedInOperator, conversation_id: int, canned_id: int) -> Filled:
        with Session(self.engine) as session:
            canned = canned_responses.get_canned(session, tenant_id=by.tenant_id, canned_id=canned_id)
            header = inbox.conversation_header(session, tenant_id=by.tenant_id, conversation_id=conversation_id)
            tenant = session.get_one(Tenant, by.tenant_id)
            return canned_responses.fill(
                canned.text, citizen_name=header.citizen_name, operator_name=by.display_name, town_name=tenant.name
            )

    async def keyword_answers(self, *, by: SignedInOperator) -> builtins.list[keywords.KeywordAnswer]:
        """The organisation's keywords with the words each answers, for any of its operators' reply box."""
        return await asyncio.to_thread(self._keyword_answers, by.tenant_id)

    def _keyword_answers(self, tenant_id: int) -> builtins.list[keywords.KeywordAnswer]:
        with Session(self.engine) as session:
            return keywords.keyword_answers(session, tenant_id=tenant_id)

    async def insert_keyword(self, *, by: SignedInOperator, conversation_id: int, keyword_id: int) -> str:
        """A keyword's answer, for a conversation of the operator's organisation; `KeywordError` or `InboxError` when
        either is not the organisation's."""
        return await asyncio.to_thread(self._insert_keyword, by, conversation_id, keyword_id)

    def _insert_keyword(self, by: SignedInOperator, conversation_id: int, keyword_id: int) -> str:
        with Session(self.engine) as session:
            inbox.conversation_header(session, tenant_id=by.tenant_id, conversation_id=conversation_id)
            return keywords.answer_text(keywords.get_keyword(session, tenant_id=by.tenant_id, keyword_id=keyword_id))
