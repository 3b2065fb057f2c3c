"""The keyword editor's "try it" explanation and the tenant's own waiting notices."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from citymes_app import demo
from citymes_app.core import codes, keywords, replies, routing, tenants


@pytest.fixture
def tenant(session: Session):
    tenant = tenants.add_tenant(session, slug="vila", name="Vila", languages="ca,es,en")
    assert keywords.import_keywords_csv(session, tenant=tenant, content=demo.DEMO_KEYWORDS_CSV).ok
    assert codes.import_codes_csv(session, tenant=tenant, keyword_text="TRAMIT", content=demo.DEMO_CODES_CSV).ok
    return tenant


@pytest.mark.parametrize(
    ("text", "outcome", "keyword", "reason"),
    [
        ("horaros", "keyword", "HORARIS", "'horaros' looks like 'horaris' (1 typo)"),
        ("PALABRAS CLAVE", "index", "", "an index command: answers with the featured keywords"),
        ("tramit ab1234", "personal_code", "TRAMIT", "personal-code keyword 'tramit' followed by a code"),
        ("horaris deixalleria", "ambiguous", "", "several keywords fit"),
        ("hi ha un forat al carrer", "operator", "", "no keyword, synonym or close spelling found"),
    ],
)
def test_try_it_says_what_would_answer_and_why(
    session: Session, tenant, text: str, outcome: str, keyword: str, reason: str
) -> None:
    explanation = routing.explain(session, tenant=tenant, text=text)
    assert (explanation.outcome, explanation.keyword) == (outcome, keyword)
    assert explanation.reason.startswith(reason)


def test_try_it_shows_the_answer_and_its_menu(session: Session, tenant) -> None:
    explanation = routing.explain(session, tenant=tenant, text="HORARIS")
    assert explanation.answer.startswith("L'Oficina d'Atenció Ciutadana obre")
    assert explanation.buttons == ("DEIXALLERIA", "PADRO")


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
