"""The departments' administration: an organisation's administrators list its departments with how many open
conversations each has, create, rename and delete them.

`DepartmentDesk` is built once by the wiring; every method acts on the caller's own tenant only (taken from the
signed-in operator, never from what a browser sends), re-checks that the caller is an administrator, commits, and then
publishes a change of every conversation in the department, so the live queue and the open threads show the new name
(or no department, after a deletion).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from citymes_app.core import departments
from citymes_app.core.administration import AdminDesk
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.events import EventBus, announce_catalog_change
from citymes_app.models import Tenant, row_id


@dataclass(frozen=True)
class DepartmentDesk(AdminDesk):
    """The departments' administration use cases, built once by the wiring."""

    bus: EventBus | None = None

    async def list(self, *, by: SignedInOperator) -> list[departments.DepartmentUse]:
        """The organisation's departments with the number of open conversations in each."""
        return await self._read(by, lambda session, tenant: departments.department_uses(session, tenant_id=row_id(tenant)))

    async def save(
        self, *, by: SignedInOperator, department_id: int | None, name: str, description: str = ""
    ) -> departments.DepartmentChange:
        """Create (`department_id` None) or change a department of the organisation; `DepartmentError` names the field
        at fault."""

        def write(session: Session, tenant: Tenant) -> departments.DepartmentChange:
            return departments.save_department(
                session, tenant_id=row_id(tenant), department_id=department_id, name=name, description=description
            )

        change = await self._write(by, write)
        self._announce(by.tenant_id, change)
        return change

    async def delete(self, *, by: SignedInOperator, department_id: int) -> departments.DepartmentChange:
        """Delete a department of the organisation; its conversations are left with none."""

        def write(session: Session, tenant: Tenant) -> departments.DepartmentChange:
            return departments.delete_department(session, tenant_id=row_id(tenant), department_id=department_id)

        change = await self._write(by, write)
        self._announce(by.tenant_id, change)
        return change

    def _announce(self, tenant_id: int, change: departments.DepartmentChange) -> None:
        announce_catalog_change(self.bus, tenant_id, change.conversation_ids)
