"""Keyword matching (exact after normalization), the CSV import/export contract, media and the change history."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from citymes_app.core import auth, keywords, tenants
from citymes_app.models import row_id


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
        found = keywords.find_keyword(session, tenant_id=tenant.id, text=typed)
        assert found is not None and found.response == "Obrim de 8 a 19 h."
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


def _keyword(session: Session, tenant, operator_id: int | None = None):
    form = keywords.KeywordForm(keyword="HORARIS", response="Obrim de 8 a 19 h.", language="ca")
    return keywords.create_keyword(session, tenant=tenant, form=form, operator_id=operator_id)


def test_media_attached_to_a_keyword_is_recorded_once_and_can_be_removed(session: Session, tenant) -> None:
    keyword = _keyword(session, tenant)
    args = dict(session=session, tenant=tenant, keyword_id=keyword.id, media_filename="oac.png")
    keywords.set_keyword_media(**args, media_path=f"{tenant.id}/abc.png")
    keywords.set_keyword_media(**args, media_path=f"{tenant.id}/abc.png")  # unchanged: no second history line
    assert (keyword.media_path, keyword.media_filename) == (f"{tenant.id}/abc.png", "oac.png")
    keywords.set_keyword_media(**args | {"media_filename": None}, media_path=None)
    assert (keyword.media_path, keyword.media_filename) == (None, None)
    media_changes = [c for c in keywords.history(session, tenant_id=tenant.id) if c.summary == "media"]
    assert len(media_changes) == 2


def test_another_tenants_keyword_cannot_be_read_or_given_media(session: Session, tenant) -> None:
    keyword = _keyword(session, tenant)
    other = tenants.add_tenant(session, slug="altra", name="Altra")
    with pytest.raises(keywords.KeywordError):
        keywords.get_keyword(session, tenant_id=row_id(other), keyword_id=row_id(keyword))
    with pytest.raises(keywords.KeywordError):
        keywords.set_keyword_media(
            session, tenant=other, keyword_id=keyword.id, media_path=f"{other.id}/x.png", media_filename="x.png"
        )


def test_history_names_the_operator_and_the_command_line_as_no_one(session: Session, tenant) -> None:
    admin = auth.add_operator(
        session, tenant=tenant, email="admin@vila.test", password="long-enough", role="admin", display_name="Jordi"
    )
    keyword = _keyword(session, tenant)  # as the command line would
    form = keywords.KeywordForm(keyword="HORARIS", response="Obrim de 9 a 14 h.", language="ca")
    keywords.update_keyword(session, tenant=tenant, keyword_id=keyword.id, form=form, operator_id=admin.id)
    entries = keywords.history_with_authors(session, tenant_id=tenant.id)
    assert [(change.action, change.summary, name) for change, name in entries] == [
        ("updated", "response", "Jordi"),
        ("created", "", ""),
    ]
