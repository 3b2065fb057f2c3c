"""What every administration use case shares: the administrator check and one transaction on the caller's tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core import tenants
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.db import session_scope
from citymes_app.models import Role, Tenant

T = TypeVar("T")


class NotAnAdministrator(PermissionError):
    """The caller is not signed in as an administrator of the organisation."""


def require_admin(by: SignedInOperator | None) -> SignedInOperator:
    """`by` if they are an administrator; `NotAnAdministrator` otherwise."""
    if by is None or by.role != Role.ADMIN:
        raise NotAnAdministrator("only an administrator can change this")
    return by


@dataclass(frozen=True)
class AdminDesk:
    """Base of the administration services: checked, off-the-loop reads and writes on the caller's own tenant."""

    engine: Engine

    async def _read(self, by: SignedInOperator, read: Callable[[Session, Tenant], T]) -> T:
        """`read(session, tenant)` in a thread, for an administrator; what it returns stays readable (not expired)."""
        require_admin(by)

        def run() -> T:
            with Session(self.engine, expire_on_commit=False) as session:
                return read(session, tenants.require_tenant(session, slug=by.tenant_slug))

        return await asyncio.to_thread(run)

    async def _write(self, by: SignedInOperator, write: Callable[[Session, Tenant], T]) -> T:
        """`write(session, tenant)` in a thread and one transaction, for an administrator: committed, or nothing."""
        require_admin(by)

        def run() -> T:
            with session_scope(self.engine) as session:
                return write(session, tenants.require_tenant(session, slug=by.tenant_slug))

        return await asyncio.to_thread(run)
