"""The distribution lists' administration: an organisation's administrators list, create, change and delete its
lists, see each list's members and growth, add and remove members, and import members from CSV.

`ListDesk` is built once by the wiring; every method acts on the caller's own tenant only (taken from the signed-in
operator, never from what a browser sends), re-checks that the caller is an administrator, and commits. A change of
who is on a list is announced to the inbox tabs showing that citizen (their panel shows their lists).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from citymes_app.core import citizen_profile, lists, tenants
from citymes_app.core.administration import AdminDesk, require_admin
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.db import session_scope
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.models import ConsentSource, Tenant, row_id


@dataclass(frozen=True)
class ListDesk(AdminDesk):
    """The lists' administration use cases, built once by the wiring."""

    bus: EventBus | None = None

    async def languages(self, *, by: SignedInOperator) -> list[str]:
        """The organisation's languages, its first one first (the form asks for the list's words in each)."""
        return await self._read(by, lambda session, tenant: lists.tenant_languages(tenant))

    async def overviews(self, *, by: SignedInOperator) -> list[lists.ListOverview]:
        """The organisation's lists with their words and number of members, named in the administrator's language."""
        return await self._read(
            by, lambda session, tenant: lists.list_overviews(session, tenant_id=row_id(tenant), language=by.language)
        )

    async def save(self, *, by: SignedInOperator, list_id: int | None, texts: Mapping[str, lists.ListTexts]) -> lists.ListChange:
        """Create (`list_id` None) or change a list; `ListError` names the field at fault."""
        change = await self._write(
            by, lambda session, tenant: lists.save_list(session, tenant=tenant, list_id=list_id, texts=texts)
        )
        await self._citizens_changed(by.tenant_id, change.citizen_ids)
        return change

    async def delete(self, *, by: SignedInOperator, list_id: int) -> lists.ListChange:
        """Delete a list of the organisation with its subscriptions and their history."""
        change = await self._write(by, lambda session, tenant: lists.delete_list(session, tenant=tenant, list_id=list_id))
        await self._citizens_changed(by.tenant_id, change.citizen_ids)
        return change

    async def members(self, *, by: SignedInOperator, list_id: int, page: int = 1) -> lists.MembersPage:
        """One page of a list's members, newest first."""
        return await self._read(
            by, lambda session, tenant: lists.members(session, tenant_id=row_id(tenant), list_id=list_id, page=page)
        )

    async def growth(self, *, by: SignedInOperator, list_id: int) -> lists.ListGrowth:
        """A list's members now and its joins and leaves per day over the last days."""
        return await self._read(by, lambda session, tenant: lists.growth(session, tenant=tenant, list_id=list_id))

    async def citizen_choices(self, *, by: SignedInOperator, search: str) -> list[lists.CitizenChoice]:
        """The organisation's citizens whose name or phone has `search` in it."""
        return await self._read(
            by, lambda session, tenant: lists.citizen_choices(session, tenant_id=row_id(tenant), search=search)
        )

    async def add_member(self, *, by: SignedInOperator, list_id: int, citizen_id: int) -> bool:
        """Put a citizen of the organisation on a list, on the channel they last wrote to; False if already on it."""

        def write(session: Session, tenant: Tenant) -> bool:
            return lists.add_member(
                session,
                tenant_id=row_id(tenant),
                list_id=list_id,
                citizen_id=citizen_id,
                channel_id=None,
                operator_id=by.operator_id,
            )

        added = await self._write(by, write)
        if added:
            await self._citizens_changed(by.tenant_id, (citizen_id,))
        return added

    async def remove_member(self, *, by: SignedInOperator, subscription_id: int) -> None:
        """Take one subscription off its list (recorded as an operator's, with who)."""

        def write(session: Session, tenant: Tenant) -> int:
            return lists.remove_subscription(
                session,
                tenant_id=row_id(tenant),
                subscription_id=subscription_id,
                source=ConsentSource.OPERATOR,
                operator_id=by.operator_id,
            ).citizen_id

        await self._citizens_changed(by.tenant_id, (await self._write(by, write),))

    async def import_csv(self, *, by: SignedInOperator, list_id: int, content: str) -> lists.MemberImportReport:
        """Import a `platform,identity` CSV of members: every line or, if any is refused, none."""
        require_admin(by)
        return await asyncio.to_thread(self._import, by, list_id, content)

    def _import(self, by: SignedInOperator, list_id: int, content: str) -> lists.MemberImportReport:
        with session_scope(self.engine) as session:
            tenant = tenants.require_tenant(session, slug=by.tenant_slug)
            report = lists.import_members_csv(
                session, tenant=tenant, list_id=list_id, content=content, operator_id=by.operator_id
            )
            if not report.ok:
                session.rollback()  # all or nothing
            return report

    async def _citizens_changed(self, tenant_id: int, citizen_ids: tuple[int, ...]) -> None:
        # A note event per conversation of each citizen: the live bridge redraws the tabs showing them (their panel).
        if self.bus is None or not citizen_ids:
            return

        def read() -> list[int]:
            with Session(self.engine) as session:
                return [
                    conversation_id
                    for citizen_id in citizen_ids
                    for conversation_id in citizen_profile.citizen_conversations(
                        session, tenant_id=tenant_id, citizen_id=citizen_id
                    )
                ]

        for conversation_id in await asyncio.to_thread(read):
            self.bus.publish(InboxEvent(tenant_id, conversation_id, InboxEventKind.NOTE))
