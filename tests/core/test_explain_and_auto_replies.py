"""The keyword editor's "try it" explanation (`routing.explain`)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from citymes_app import demo
from citymes_app.core import codes, keywords, routing, tenants


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
        ("horaris deixalleria", "ambiguous", "", "the message names two topics: 'horaris', 'deixalleria'"),
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
