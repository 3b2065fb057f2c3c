"""Administering an organisation's operators: listing them, resetting a password, disabling and enabling.

Both changes end every session of the operator, so a reset password or a disabled account takes effect in every
open browser at its next action. `OperatorAccounts` is what the administration page calls: it checks, on the
server and on every call, that the caller is an administrator of the target operator's own tenant. The CLI, run by
whoever runs the installation, uses the functions below it directly.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from citymes_app.core import auth
from citymes_app.core.db import session_scope
from citymes_app.core.phrases import PhrasedError
from citymes_app.models import Operator, OperatorSession, Role, Tenant, row_id


class OperatorAccountError(PhrasedError):
    """An operator administration request that cannot be accepted; the message is for the person."""


@dataclass(frozen=True)
class OperatorListing:
    """One operator of the organisation as an administrator sees it."""

    id: int
    display_name: str
    email: str
    role: Role
    active: bool
    last_seen_at: datetime | None  # the latest use of any of their sessions still kept, in the tenant's timezone


def list_operators(session: Session, *, tenant_id: int) -> list[OperatorListing]:
    """The tenant's operators, by name."""
    zone = ZoneInfo(session.get_one(Tenant, tenant_id).timezone)
    last_seen = (
        select(OperatorSession.operator_id, func.max(OperatorSession.last_seen_at).label("last_seen_at"))
        .group_by(col(OperatorSession.operator_id))
        .subquery()
    )
    rows = session.exec(
        select(Operator, last_seen.c.last_seen_at)
        .outerjoin(last_seen, last_seen.c.operator_id == Operator.id)
        .where(Operator.tenant_id == tenant_id)
        .order_by(Operator.display_name, Operator.email)
    ).all()
    return [
        OperatorListing(
            row_id(operator),
            operator.display_name,
            operator.email,
            Role(operator.role),
            operator.active,
            seen.astimezone(zone) if seen else None,
        )
        for operator, seen in rows
    ]


def operator_by_email(session: Session, *, tenant: Tenant, email: str) -> Operator:
    """The operator of `tenant` with `email`; `OperatorAccountError` naming both if there is none."""
    email = email.strip().lower()
    operator = session.exec(select(Operator).where(Operator.email == email, Operator.tenant_id == tenant.id)).first()
    if operator is None:
        raise OperatorAccountError("no operator {email} in tenant '{tenant}'", email=email, tenant=tenant.slug)
    return operator


def reset_password(session: Session, *, operator: Operator, password: str) -> None:
    """Give `operator` a new password and end all their sessions; `auth.AuthError` if it is too short."""
    auth.check_password(password)
    operator.password_hash = auth.hash_password(password)
    session.add(operator)
    auth.close_operator_sessions(session, operator_id=row_id(operator))


def set_active(session: Session, *, operator: Operator, active: bool) -> None:
    """Enable or disable `operator`; disabling ends all their sessions (a disabled operator cannot sign in)."""
    operator.active = active
    session.add(operator)
    if not active:
        auth.close_operator_sessions(session, operator_id=row_id(operator))


@dataclass(frozen=True)
class OperatorAccounts:
    """The administration page's use cases, built once by the wiring; each call re-checks who is asking."""

    engine: Engine

    async def list(self, *, by: auth.SignedInOperator) -> list[OperatorListing]:
        """The operators of the administrator's own tenant."""
        _require_admin(by)
        return await asyncio.to_thread(self._list, by.tenant_id)

    async def reset_password(self, *, by: auth.SignedInOperator, operator_id: int, password: str) -> OperatorListing:
        """Reset the password of an operator of the administrator's own tenant; returns who it was."""
        _require_admin(by)
        return await asyncio.to_thread(
            self._change, by, operator_id, lambda s, o: reset_password(s, operator=o, password=password)
        )

    async def set_active(self, *, by: auth.SignedInOperator, operator_id: int, active: bool) -> OperatorListing:
        """Enable or disable an operator of the administrator's own tenant (never the administrator themself)."""
        _require_admin(by)
        if not active and operator_id == by.operator_id:
            raise OperatorAccountError("you cannot disable your own account: ask another administrator")
        return await asyncio.to_thread(self._change, by, operator_id, lambda s, o: set_active(s, operator=o, active=active))

    # `builtins.list`: inside this class `list` names the method above.
    def _list(self, tenant_id: int) -> builtins.list[OperatorListing]:
        with Session(self.engine) as session:
            return list_operators(session, tenant_id=tenant_id)

    def _change(
        self, by: auth.SignedInOperator, operator_id: int, change: Callable[[Session, Operator], None]
    ) -> OperatorListing:
        with session_scope(self.engine) as session:
            operator = session.get(Operator, operator_id)
            # Another tenant's operator is answered exactly like one that does not exist.
            if operator is None or operator.tenant_id != by.tenant_id:
                raise OperatorAccountError("there is no operator {id} in your organisation", id=str(operator_id))
            change(session, operator)
            return OperatorListing(
                row_id(operator), operator.display_name, operator.email, Role(operator.role), operator.active, None
            )


def _require_admin(by: auth.SignedInOperator | None) -> None:
    if by is None or by.role != Role.ADMIN:
        raise OperatorAccountError("only an administrator can manage operators")
