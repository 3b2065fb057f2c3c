"""The labels' administration: an organisation's administrators list its labels with how many conversations carry
each, rename one and delete one.

`LabelDesk` is built once by the wiring; every method acts on the caller's own tenant only (taken from the signed-in
operator, never from what a browser sends), re-checks that the caller is an administrator, commits, and then publishes
a change of every conversation that carries the label, so the live queue and the open threads show the new name (or
no longer show the label).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from citymes_app.core import labels
from citymes_app.core.administration import AdminDesk
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.events import EventBus, announce_catalog_change
from citymes_app.models import Tenant, row_id


@dataclass(frozen=True)
class LabelDesk(AdminDesk):
    """The labels' administration use cases, built once by the wiring."""

    bus: EventBus | None = None

    async def list(self, *, by: SignedInOperator) -> list[labels.LabelUse]:
        """The organisation's labels with the number of conversations carrying each."""
        return await self._read(by, lambda session, tenant: labels.label_uses(session, tenant_id=row_id(tenant)))

    async def rename(self, *, by: SignedInOperator, label_id: int, name: str) -> labels.LabelChange:
        """Rename a label of the organisation; `LabelError` names the field at fault."""

        def write(session: Session, tenant: Tenant) -> labels.LabelChange:
            return labels.rename_label(session, tenant_id=row_id(tenant), label_id=label_id, name=name)

        change = await self._write(by, write)
        self._announce(by.tenant_id, change)
        return change

    async def recolor(self, *, by: SignedInOperator, label_id: int, color: str) -> labels.LabelChange:
        """Give a label of the organisation another colour (one of `labels.LabelColor`)."""

        def write(session: Session, tenant: Tenant) -> labels.LabelChange:
            return labels.recolor_label(session, tenant_id=row_id(tenant), label_id=label_id, color=color)

        change = await self._write(by, write)
        self._announce(by.tenant_id, change)
        return change

    async def delete(self, *, by: SignedInOperator, label_id: int) -> labels.LabelChange:
        """Delete a label of the organisation and take it off its conversations; returns its name and those."""

        def write(session: Session, tenant: Tenant) -> labels.LabelChange:
            return labels.delete_label(session, tenant_id=row_id(tenant), label_id=label_id)

        change = await self._write(by, write)
        self._announce(by.tenant_id, change)
        return change

    def _announce(self, tenant_id: int, change: labels.LabelChange) -> None:
        announce_catalog_change(self.bus, tenant_id, change.conversation_ids)
