"""The keyword editor's use cases: what an administrator saves answers citizens at once, a refused file changes
nothing, and no one but an administrator of the keyword's own tenant reads or changes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session

from citymes_app.core import auth, keywords, tenants
from citymes_app.core.administration import NotAnAdministrator
from citymes_app.core.keyword_desk import KeywordDesk
from citymes_app.models import KeywordAction, Role, row_id
from tests.helpers import engine_of

FORM = keywords.KeywordForm(keyword="HORARIS", response="Obrim de 8 a 19 h.", language="ca", synonyms="horari | hores")


@dataclass
class Desk:
    desk: KeywordDesk
    admin: auth.SignedInOperator  # of Vila
    operator: auth.SignedInOperator  # of Vila, not an administrator
    other_admin: auth.SignedInOperator  # of Poble
    media_dir: Path


def _signed_in(tenant, operator) -> auth.SignedInOperator:
    return auth.SignedInOperator(
        operator.id, tenant.id, tenant.slug, tenant.name, operator.email, operator.display_name, operator.role
    )


@pytest.fixture
def desk(session: Session, tmp_path: Path) -> Desk:
    vila = tenants.add_tenant(session, slug="vila", name="Vila", languages="ca,es")
    poble = tenants.add_tenant(session, slug="poble", name="Poble", languages="ca")
    people = [
        (vila, auth.add_operator(session, tenant=vila, email="jordi@vila.test", password="long-enough", role=Role.ADMIN)),
        (vila, auth.add_operator(session, tenant=vila, email="anna@vila.test", password="long-enough")),
        (poble, auth.add_operator(session, tenant=poble, email="pere@poble.test", password="long-enough", role=Role.ADMIN)),
    ]
    for _, person in people:
        person.display_name = person.email.split("@")[0].title()
    session.commit()
    admin, operator, other_admin = (_signed_in(tenant, operator) for tenant, operator in people)
    return Desk(
        KeywordDesk(engine=engine_of(session), media_dir=tmp_path / "media"), admin, operator, other_admin, tmp_path / "media"
    )


async def test_a_saved_keyword_with_its_image_answers_at_once_and_the_history_names_who(desk: Desk) -> None:
    media = await desk.desk.store_media(by=desk.admin, data=b"\x89PNG fake", filename="oac.png", mime_type="image/png")
    saved = await desk.desk.save(by=desk.admin, keyword_id=None, form=FORM, media=media)

    trial = await desk.desk.try_sentence(by=desk.admin, text="hores")
    assert trial.keyword is not None
    assert (trial.explanation.outcome, trial.keyword.id) == ("keyword", saved.id)
    assert (trial.keyword.media_path, trial.keyword.media_filename) == (media.path, "oac.png")
    assert (desk.media_dir / media.path).read_bytes() == b"\x89PNG fake"
    history = await desk.desk.history(by=desk.admin)
    assert [(c.action, c.author, c.keyword, c.fields) for c in history] == [
        (KeywordAction.UPDATED, "Jordi", "HORARIS", ("media",)),
        (KeywordAction.CREATED, "Jordi", "HORARIS", ()),
    ]
    assert history[0].at.utcoffset() is not None and str(history[0].at.tzinfo) == "Europe/Madrid"


async def test_an_edit_records_which_fields_changed_and_a_clash_is_refused_beside_the_keyword(desk: Desk) -> None:
    saved = await desk.desk.save(by=desk.admin, keyword_id=None, form=FORM, media=None)
    other = await desk.desk.save(
        by=desk.admin,
        keyword_id=None,
        form=keywords.KeywordForm(keyword="PADRO", response="Al registre.", language="ca"),
        media=None,
    )
    changed = keywords.KeywordForm(keyword="HORARIS", response="Obrim de 9 a 14 h.", language="ca", synonyms="horari | hores")
    await desk.desk.save(by=desk.admin, keyword_id=saved.id, form=changed, media=None)
    with pytest.raises(keywords.KeywordError) as clash:
        await desk.desk.save(by=desk.admin, keyword_id=other.id, form=changed, media=None)

    assert clash.value.field == "keyword"
    assert (await desk.desk.history(by=desk.admin))[0].fields == ("response",)
    assert [k.keyword for k in await desk.desk.search(by=desk.admin, query="registre")] == ["PADRO"]


async def test_a_refused_csv_changes_nothing_and_says_which_line(desk: Desk) -> None:
    await desk.desk.save(by=desk.admin, keyword_id=None, form=FORM, media=None)
    content = "keyword,response\nHORARIS,Tanquem.\nPADRO,\n"

    report = await desk.desk.import_csv(by=desk.admin, content=content)

    assert (report.created, report.updated) == (0, 0)
    assert [str(error) for error in report.errors] == ["line 3: keyword 'PADRO' has no response"]
    assert [(k.keyword, k.response) for k in await desk.desk.search(by=desk.admin)] == [("HORARIS", "Obrim de 8 a 19 h.")]
    assert (await desk.desk.export_csv(by=desk.admin)).splitlines()[1].startswith("HORARIS,Obrim de 8 a 19 h.,ca,")


async def test_only_an_administrator_of_the_keywords_tenant_reads_or_changes_it(desk: Desk) -> None:
    saved = await desk.desk.save(by=desk.admin, keyword_id=None, form=FORM, media=None)

    with pytest.raises(NotAnAdministrator):
        await desk.desk.search(by=desk.operator)
    with pytest.raises(NotAnAdministrator):
        await desk.desk.delete(by=desk.operator, keyword_id=row_id(saved))
    with pytest.raises(keywords.KeywordError):
        await desk.desk.keyword(by=desk.other_admin, keyword_id=row_id(saved))
    with pytest.raises(keywords.KeywordError):
        await desk.desk.delete(by=desk.other_admin, keyword_id=row_id(saved))
    assert await desk.desk.search(by=desk.other_admin) == []
    assert [k.id for k in await desk.desk.search(by=desk.admin)] == [saved.id]


async def test_deleting_a_keyword_stops_its_answer(desk: Desk) -> None:
    saved = await desk.desk.save(by=desk.admin, keyword_id=None, form=FORM, media=None)

    await desk.desk.delete(by=desk.admin, keyword_id=row_id(saved))

    assert (await desk.desk.try_sentence(by=desk.admin, text="HORARIS")).explanation.outcome == "operator"
    assert (await desk.desk.history(by=desk.admin))[0].action == KeywordAction.DELETED


async def test_a_taught_question_is_added_once_noted_in_the_history_and_ignored_when_repeated(desk: Desk) -> None:
    saved = await desk.desk.save(by=desk.admin, keyword_id=None, form=FORM, media=None)

    first = await desk.desk.teach(by=desk.admin, keyword_id=row_id(saved), question="a quina hora tanqueu")
    again = await desk.desk.teach(by=desk.admin, keyword_id=row_id(saved), question="A quina hora tanqueu?")

    assert (first.added, again.added) == (True, False)
    assert (await desk.desk.keyword(by=desk.admin, keyword_id=row_id(saved))).examples == "a quina hora tanqueu"
    history = await desk.desk.history(by=desk.admin)
    assert [(c.action, c.author, c.fields) for c in history[:2]] == [
        (KeywordAction.UPDATED, "Jordi", ("examples",)),
        (KeywordAction.CREATED, "Jordi", ()),
    ]


async def test_only_an_administrator_teaches_and_only_their_own_tenants_keywords(desk: Desk) -> None:
    saved = await desk.desk.save(by=desk.admin, keyword_id=None, form=FORM, media=None)

    with pytest.raises(NotAnAdministrator):
        await desk.desk.teach(by=desk.operator, keyword_id=row_id(saved), question="quan obriu")
    with pytest.raises(keywords.KeywordError):
        await desk.desk.teach(by=desk.other_admin, keyword_id=row_id(saved), question="quan obriu")

    assert (await desk.desk.keyword(by=desk.admin, keyword_id=row_id(saved))).examples == ""
    assert [c.action for c in await desk.desk.history(by=desk.admin)] == [KeywordAction.CREATED]


async def test_a_keyword_with_the_most_examples_refuses_one_more_beside_its_examples(desk: Desk) -> None:
    examples = tuple(f"q {n}" for n in range(50))
    full = keywords.KeywordForm(keyword="PADRO", response="Al registre.", language="ca", examples=examples)
    saved = await desk.desk.save(by=desk.admin, keyword_id=None, form=full, media=None)

    with pytest.raises(keywords.KeywordError) as refused:
        await desk.desk.teach(by=desk.admin, keyword_id=row_id(saved), question="on m'empadrono")

    assert refused.value.field == "examples"
    assert str(refused.value) == "the keyword already has 50 example questions: remove one in its form first"
    assert (await desk.desk.teach(by=desk.admin, keyword_id=row_id(saved), question="Q 7")).added is False
