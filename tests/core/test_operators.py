"""Administrators reset passwords and disable operators of their own organisation, and no one else's."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from citymes_app.core import auth, tenants
from citymes_app.core.auth import AuthError
from citymes_app.core.operators import OperatorAccountError, OperatorAccounts
from citymes_app.core.signin import SignInDesk, SignInOutcome, SignInThrottle
from tests.helpers import engine_of, signed_in_operator

PASSWORD = "correct horse battery"


@dataclass
class Towns:
    accounts: OperatorAccounts
    desk: SignInDesk
    admin: auth.SignedInOperator  # of Vila
    operator: auth.SignedInOperator  # of Vila
    other_operator: auth.SignedInOperator  # of Poble
    tokens: dict[str, str]


async def _signed_in(desk: SignInDesk, session: Session, email: str) -> tuple[str, auth.SignedInOperator]:
    result = await desk.sign_in(email=email, password=PASSWORD, address="192.0.2.1")
    return result.token, signed_in_operator(session, result.token)


@pytest.fixture
async def towns(session: Session) -> Towns:
    vila = tenants.add_tenant(session, slug="vila", name="Ajuntament de Vila")
    poble = tenants.add_tenant(session, slug="poble", name="Ajuntament de Poble")
    auth.add_operator(session, tenant=vila, email="admin@vila.test", password=PASSWORD, role="admin")
    auth.add_operator(session, tenant=vila, email="anna@vila.test", password=PASSWORD)
    auth.add_operator(session, tenant=poble, email="admin@poble.test", password=PASSWORD, role="admin")
    auth.add_operator(session, tenant=poble, email="pere@poble.test", password=PASSWORD)
    session.commit()
    desk = SignInDesk(engine=engine_of(session), throttle=SignInThrottle())
    tokens, who = {}, {}
    for email in ("admin@vila.test", "anna@vila.test", "pere@poble.test"):
        tokens[email], who[email] = await _signed_in(desk, session, email)
    return Towns(
        OperatorAccounts(engine=engine_of(session)),
        desk,
        who["admin@vila.test"],
        who["anna@vila.test"],
        who["pere@poble.test"],
        tokens,
    )


async def test_admin_lists_only_their_own_organisations_operators(towns: Towns) -> None:
    listed = await towns.accounts.list(by=towns.admin)
    assert [(o.email, o.role, o.active) for o in listed] == [
        ("admin@vila.test", "admin", True),
        ("anna@vila.test", "operator", True),
    ]
    assert all(o.last_seen_at is not None for o in listed)


async def test_disabling_an_operator_ends_their_sessions_and_refuses_their_sign_in(towns: Towns, session: Session) -> None:
    await towns.accounts.set_active(by=towns.admin, operator_id=towns.operator.operator_id, active=False)
    assert auth.resolve_session(session, token=towns.tokens["anna@vila.test"]) is None
    refused = await towns.desk.sign_in(email="anna@vila.test", password=PASSWORD, address="192.0.2.5")
    assert refused.outcome == SignInOutcome.REFUSED

    await towns.accounts.set_active(by=towns.admin, operator_id=towns.operator.operator_id, active=True)
    again = await towns.desk.sign_in(email="anna@vila.test", password=PASSWORD, address="192.0.2.5")
    assert again.outcome == SignInOutcome.SIGNED_IN


async def test_resetting_a_password_ends_sessions_and_only_the_new_password_works(towns: Towns, session: Session) -> None:
    with pytest.raises(AuthError, match="at least 8 characters"):
        await towns.accounts.reset_password(by=towns.admin, operator_id=towns.operator.operator_id, password="short")
    assert auth.resolve_session(session, token=towns.tokens["anna@vila.test"]) is not None  # a refusal changes nothing

    await towns.accounts.reset_password(by=towns.admin, operator_id=towns.operator.operator_id, password="a new long one")

    assert auth.resolve_session(session, token=towns.tokens["anna@vila.test"]) is None
    old = await towns.desk.sign_in(email="anna@vila.test", password=PASSWORD, address="192.0.2.6")
    new = await towns.desk.sign_in(email="anna@vila.test", password="a new long one", address="192.0.2.6")
    assert (old.outcome, new.outcome) == (SignInOutcome.REFUSED, SignInOutcome.SIGNED_IN)


async def test_another_organisations_operator_is_refused_like_one_that_does_not_exist(towns: Towns, session: Session) -> None:
    target = towns.other_operator.operator_id
    with pytest.raises(OperatorAccountError, match=f"there is no operator {target} in your organisation"):
        await towns.accounts.set_active(by=towns.admin, operator_id=target, active=False)
    with pytest.raises(OperatorAccountError, match=f"there is no operator {target} in your organisation"):
        await towns.accounts.reset_password(by=towns.admin, operator_id=target, password="taken over now")
    with pytest.raises(OperatorAccountError, match="there is no operator 9999 in your organisation"):
        await towns.accounts.set_active(by=towns.admin, operator_id=9999, active=False)
    # Pere of Poble still signs in with his own password.
    assert signed_in_operator(session, towns.tokens["pere@poble.test"]).email == "pere@poble.test"
    kept = await towns.desk.sign_in(email="pere@poble.test", password=PASSWORD, address="192.0.2.7")
    assert kept.outcome == SignInOutcome.SIGNED_IN


async def test_operators_who_are_not_administrators_are_refused(towns: Towns, session: Session) -> None:
    for call in (
        towns.accounts.list(by=towns.operator),
        towns.accounts.set_active(by=towns.operator, operator_id=towns.admin.operator_id, active=False),
        towns.accounts.reset_password(by=towns.operator, operator_id=towns.admin.operator_id, password="taken over now"),
    ):
        with pytest.raises(OperatorAccountError, match="only an administrator can manage operators"):
            await call
    assert signed_in_operator(session, towns.tokens["admin@vila.test"]).role == "admin"


async def test_an_administrator_cannot_disable_themself(towns: Towns, session: Session) -> None:
    with pytest.raises(OperatorAccountError, match="you cannot disable your own account"):
        await towns.accounts.set_active(by=towns.admin, operator_id=towns.admin.operator_id, active=False)
    assert auth.resolve_session(session, token=towns.tokens["admin@vila.test"]) is not None
