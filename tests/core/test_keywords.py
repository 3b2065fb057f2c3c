"""Keyword matching (exact after normalization), the CSV import/export contract, media and the change history."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session, select

from citymes_app.core import auth, keywords, tenants
from citymes_app.models import Keyword, row_id


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
    assert [str(error) for error in report.errors] == [
        "unknown column(s): colour (allowed: keyword, response, language, synonyms, featured, topic, buttons, link, examples)"
    ]


def test_import_is_all_or_nothing_with_line_numbers(session: Session, tenant) -> None:
    content = CSV + ",no keyword,ca,,\nBUS,,ca,,\nTAXI,Truqueu,fr,,\nHORARIS,again,ca,,\nPARC,Obert,ca,,maybe\n"
    report = keywords.import_keywords_csv(session, tenant=tenant, content=content)
    assert [str(error) for error in report.errors] == [
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


def _with_examples(session: Session, tenant, *questions: str, keyword_id: int | None = None):
    form = keywords.KeywordForm(keyword="HORARIS", response="Obrim de 8 a 19 h.", language="ca", examples=questions)
    if keyword_id is None:
        return keywords.create_keyword(session, tenant=tenant, form=form)
    return keywords.update_keyword(session, tenant=tenant, keyword_id=keyword_id, form=form)


def test_example_questions_are_stored_without_blanks_or_repeats_and_an_edit_notes_them(session: Session, tenant) -> None:
    keyword = _with_examples(session, tenant, "A quina hora obriu?", "   ", "  quan  tanqueu? ", "a quina hora OBRIU")

    assert keyword.examples == "A quina hora obriu?|quan tanqueu?"  # the repeat differs only in case and punctuation
    _with_examples(session, tenant, "A quina hora obriu?", "Obriu dissabte?", keyword_id=keyword.id)
    assert keyword.examples == "A quina hora obriu?|Obriu dissabte?"
    assert keywords.history(session, tenant_id=tenant.id)[0].summary == "examples"
    unchanged = keywords.KeywordForm(keyword="HORARIS", response="Obrim de 8 a 19 h.", language="ca")  # examples=None
    keywords.update_keyword(session, tenant=tenant, keyword_id=keyword.id, form=unchanged)
    assert keyword.examples == "A quina hora obriu?|Obriu dissabte?"


def test_search_finds_a_keyword_by_its_example_questions(session: Session, tenant) -> None:
    _with_examples(session, tenant, "Quan tanqueu els dissabtes?")
    found = keywords.search(session, tenant_id=tenant.id, query="dissabtes")
    assert [k.keyword for k in found] == ["HORARIS"]
    assert keywords.search(session, tenant_id=tenant.id, query="diumenges") == []


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        (("Obriu?", "horari | preu"), "example question 2 contains '|': write each question on a line of its own"),
        (("x" * 301,), "example question 1 is longer than 300 characters"),
        (tuple(f"pregunta {n}" for n in range(51)), "51 example questions: a keyword takes at most 50"),
    ],
)
def test_an_example_with_a_bar_too_long_or_one_too_many_is_refused_beside_the_field(
    session: Session, tenant, questions: tuple[str, ...], message: str
) -> None:
    with pytest.raises(keywords.KeywordError) as refused:
        _with_examples(session, tenant, *questions)
    assert (refused.value.field, str(refused.value)) == ("examples", message)
    assert keywords.search(session, tenant_id=tenant.id) == []
    at_the_limits = _with_examples(session, tenant, *[f"pregunta {n}" for n in range(49)], "x" * 300)
    assert len(keywords.split_list(at_the_limits.examples)) == 50


def test_csv_carries_the_examples_both_ways_and_a_file_without_the_column_keeps_them(session: Session, tenant) -> None:
    content = "keyword,response,language,examples\nHORARIS,Obrim de 8 a 19 h.,ca,A quina hora obriu?| quan tanqueu \n"
    assert keywords.import_keywords_csv(session, tenant=tenant, content=content).ok
    exported = keywords.export_keywords_csv(session, tenant=tenant)
    assert exported.splitlines() == [
        "keyword,response,language,synonyms,featured,topic,buttons,link,examples",
        "HORARIS,Obrim de 8 a 19 h.,ca,,false,,,,A quina hora obriu?|quan tanqueu",
    ]

    older = "keyword,response,language\nHORARIS,Obrim de 9 a 14 h.,ca\n"  # an export from before the column
    assert keywords.import_keywords_csv(session, tenant=tenant, content=older).updated == 1
    assert keywords.export_keywords_csv(session, tenant=tenant).splitlines()[1].endswith(",A quina hora obriu?|quan tanqueu")
    emptied = "keyword,response,language,examples\nHORARIS,Obrim de 9 a 14 h.,ca,\n"
    assert keywords.import_keywords_csv(session, tenant=tenant, content=emptied).ok
    assert keywords.export_keywords_csv(session, tenant=tenant).splitlines()[1].endswith(",,")


def test_csv_lines_with_bad_examples_are_refused_naming_the_line(session: Session, tenant) -> None:
    many = "|".join(f"pregunta {n}" for n in range(51))
    content = f"keyword,response,examples\nHORARIS,Obrim.,{many}\nPADRO,Al registre.,{'x' * 301}\nBUS,Cada hora.,on para?\n"

    report = keywords.import_keywords_csv(session, tenant=tenant, content=content)

    assert [str(error) for error in report.errors] == [
        "line 2: 51 example questions: a keyword takes at most 50",
        "line 3: example question 1 is longer than 300 characters",
    ]
    assert keywords.search(session, tenant_id=tenant.id) == []


def test_export_guards_texts_a_spreadsheet_would_run_and_reimports_them_as_written(session: Session, tenant) -> None:
    formula = '=HYPERLINK("https://example.test","Cliqueu")'
    form = keywords.KeywordForm(keyword="ENLLAC", response=formula, language="ca", synonyms="-menys|+mes")
    keywords.create_keyword(session, tenant=tenant, form=form)
    exported = keywords.export_keywords_csv(session, tenant=tenant)
    line = next(csv.reader(io.StringIO(exported.splitlines()[1])))
    assert line[:4] == ["ENLLAC", "'" + formula, "ca", "'-menys|+mes"]
    report = keywords.import_keywords_csv(session, tenant=tenant, content=exported)
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    stored = session.exec(select(Keyword).where(Keyword.tenant_id == tenant.id)).one()
    assert (stored.response, stored.synonyms) == (formula, "-menys|+mes")
