"""Organisations and their own wording: the waiting notices a tenant overrides and restores."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from citymes_app.core import replies, tenants


@pytest.fixture
def tenant(session: Session):
    return tenants.add_tenant(session, slug="vila", name="Vila", languages="ca,es,en")


def test_tenant_overrides_a_notice_and_can_restore_it(session: Session, tenant) -> None:
    tenants.set_auto_reply(session, tenant=tenant, language="ca", kind="out_of_hours", text="Tanquem! Tornem {next_opening}.")
    assert replies.text(tenant, "ca", "out_of_hours", next_opening="dilluns") == "Tanquem! Tornem dilluns."
    tenants.set_auto_reply(session, tenant=tenant, language="ca", kind="out_of_hours", text="")
    assert replies.text(tenant, "ca", "out_of_hours", next_opening="dilluns").startswith("Gràcies pel vostre missatge.")


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("in_hours", "Hola {name}", "this text takes no {…} placeholders"),
        ("out_of_hours", "Tornem {when}", "only {next_opening} may be used"),
        ("out_of_hours", "Tornem {next_opening", "only {next_opening} may be used"),
        ("lunch", "x", "unknown automatic reply 'lunch'"),
    ],
)
def test_bad_notice_texts_are_refused(session: Session, tenant, kind: str, text: str, message: str) -> None:
    with pytest.raises(tenants.TenantError) as refused:
        tenants.set_auto_reply(session, tenant=tenant, language="ca", kind=kind, text=text)
    assert message in str(refused.value)
