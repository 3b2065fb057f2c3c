"""Keyword matching (exact after normalization) and the CSV import/export contract."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from citymes_app.core import keywords, tenants


@pytest.fixture
def tenant(session: Session):
    return tenants.add_tenant(session, slug="vila", name="Vila", languages="ca,es")


CSV = "keyword,response,language,synonyms,featured\nHORARIS,Obrim de 8 a 19 h.,ca,horari|hores,true\n"


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("  HoRaRiS!! ", "horaris"),
        ("Padró", "padro"),
        ("¿Horarios?", "horarios"),
        ("punt   verd", "punt verd"),
        ("zero\u200bwidth", "zerowidth"),
        ("😀", ""),
    ],
)
def test_normalize_forgives_case_accents_punctuation_and_spacing(typed: str, normalized: str) -> None:
    assert keywords.normalize(typed) == normalized


def test_keyword_and_synonyms_answer_but_other_words_do_not(session: Session, tenant) -> None:
    assert keywords.import_keywords_csv(session, tenant=tenant, content=CSV).ok
    for typed in ("horaris", "HORARI", "Hores."):
        assert keywords.find_keyword(session, tenant_id=tenant.id, text=typed).response == "Obrim de 8 a 19 h."
    for typed in ("hora", "", "   ", "horaris de la biblioteca municipal del barri de cerdanyola si us plau"):
        assert keywords.find_keyword(session, tenant_id=tenant.id, text=typed) is None


def test_extra_column_is_refused_naming_it(session: Session, tenant) -> None:
    report = keywords.import_keywords_csv(session, tenant=tenant, content="keyword,response,colour\nA,b,red\n")
    assert report.errors == [
        "unknown column(s): colour (allowed: keyword, response, language, synonyms, featured, topic, buttons, link)"
    ]


def test_import_is_all_or_nothing_with_line_numbers(session: Session, tenant) -> None:
    content = CSV + ",no keyword,ca,,\nBUS,,ca,,\nTAXI,Truqueu,fr,,\nHORARIS,again,ca,,\nPARC,Obert,ca,,maybe\n"
    report = keywords.import_keywords_csv(session, tenant=tenant, content=content)
    assert report.errors == [
        "line 3: the keyword is empty",
        "line 4: keyword 'BUS' has no response",
        "line 5: language 'fr' is not one of the tenant's (ca,es)",
        "line 6: keyword 'HORARIS' (ca) repeats line 2",
        "line 7: featured must be true or false, not 'maybe'",
    ]
    assert keywords.export_keywords_csv(session, tenant=tenant).splitlines() == [
        ",".join(keywords.CSV_COLUMNS + keywords.OPTIONAL_COLUMNS)
    ]


def test_export_reimports_to_the_same_keywords(session: Session, tenant) -> None:
    keywords.import_keywords_csv(session, tenant=tenant, content=CSV)
    exported = keywords.export_keywords_csv(session, tenant=tenant)
    report = keywords.import_keywords_csv(session, tenant=tenant, content=exported)
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    assert keywords.export_keywords_csv(session, tenant=tenant) == exported
