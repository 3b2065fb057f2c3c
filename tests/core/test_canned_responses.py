"""Canned responses: administrators save them with a checked shortcut and known placeholders, each refusal tied to its
field; operators insert them filled in for the open conversation, told which placeholder had no value; no
organisation sees or touches another's."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core import auth, inbox, tenants
from citymes_app.core.administration import NotAnAdministrator
from citymes_app.core.canned_desk import CannedResponseDesk
from citymes_app.core.canned_responses import (
    CannedResponseError,
    Placeholder,
    fill,
    known_placeholders,
    list_canned,
    matching,
)
from citymes_app.models import CannedResponse, Citizen, Conversation, Role, Tenant, row_id
from tests.helpers import engine_of

GREETING = "Bon dia {name}, sóc {operator}, de l'{town}. En què us puc ajudar?"


def _signed_in(session: Session, tenant: Tenant, email: str, role: str, name: str) -> auth.SignedInOperator:
    operator = auth.add_operator(session, tenant=tenant, email=email, password="long-enough", role=role, display_name=name)
    session.commit()
    return auth.SignedInOperator(row_id(operator), row_id(tenant), tenant.slug, tenant.name, operator.email, name, operator.role)


def _conversation(session: Session, tenant: Tenant, citizen_name: str) -> int:
    channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={"token": f"1:{citizen_name}"})
    citizen = Citizen(tenant_id=row_id(tenant), display_name=citizen_name)
    session.add(citizen)
    session.flush()
    conversation = Conversation(tenant_id=row_id(tenant), channel_id=row_id(channel), citizen_id=row_id(citizen), address="42")
    session.add(conversation)
    session.commit()
    return row_id(conversation)


@pytest.fixture
def vila(session: Session):
    town = tenants.add_tenant(session, slug="vila", name="Ajuntament de Vila")
    poble = tenants.add_tenant(session, slug="poble", name="Poble")
    session.commit()
    return (
        CannedResponseDesk(engine=engine_of(session)),
        _signed_in(session, town, "admin@vila.test", Role.ADMIN, "Jordi"),
        _signed_in(session, town, "laia@vila.test", Role.OPERATOR, "Laia"),
        _signed_in(session, poble, "admin@poble.test", Role.ADMIN, "Quim"),
        town,
    )


async def test_an_administrator_saves_edits_and_deletes_a_canned_response_and_the_last_author_is_kept(vila) -> None:
    desk, admin, _, _, _ = vila

    saved = await desk.save(by=admin, canned_id=None, shortcut=" /Hola ", text=f"  {GREETING}  ")
    edited = await desk.save(by=admin, canned_id=saved.id, shortcut="hola", text="Hola {name}!")
    listed = await desk.list(by=admin)

    assert saved.shortcut == "hola" and saved.text == GREETING  # the "/", capitals and spaces around are dropped
    assert [(c.id, c.shortcut, c.text, c.updated_by) for c in listed] == [(saved.id, "hola", "Hola {name}!", "Jordi")]
    assert listed[0].updated_at == edited.updated_at >= saved.updated_at
    assert await desk.delete(by=admin, canned_id=saved.id) == "hola"
    assert await desk.list(by=admin) == []


@pytest.mark.parametrize(
    ("shortcut", "text", "field", "message"),
    [
        ("", "Hola", "shortcut", "write the shortcut"),
        ("bon dia", "Hola", "shortcut", "only lowercase letters, digits and dashes"),
        ("-hola", "Hola", "shortcut", "starts with a letter or digit"),
        ("hola!", "Hola", "shortcut", "only lowercase letters"),
        ("a" * 33, "Hola", "shortcut", "longer than 32 characters"),
        ("hola", "   ", "text", "write the text"),
        ("hola", "x" * 4097, "text", "longer than 4096 characters"),
        (
            "hola",
            "Bon dia {nom}, què necessiteu?",
            "text",
            "unknown placeholder {nom}: the text can use {name}, {operator}, {town}",
        ),
    ],
)
async def test_a_bad_form_is_refused_beside_its_field(vila, shortcut: str, text: str, field: str, message: str) -> None:
    desk, admin, _, _, _ = vila
    with pytest.raises(CannedResponseError, match=message.replace("{", r"\{").replace("}", r"\}")) as refused:
        await desk.save(by=admin, canned_id=None, shortcut=shortcut, text=text)
    assert refused.value.field == field
    assert await desk.list(by=admin) == []


async def test_a_shortcut_already_taken_in_the_organisation_is_refused_but_another_organisation_may_use_it(vila) -> None:
    desk, admin, _, other_admin, _ = vila
    await desk.save(by=admin, canned_id=None, shortcut="hola", text="Hola!")
    adeu = await desk.save(by=admin, canned_id=None, shortcut="adeu", text="Adéu!")

    with pytest.raises(CannedResponseError, match="/hola already exists") as refused:
        await desk.save(by=admin, canned_id=None, shortcut="HOLA", text="Bon dia")
    assert refused.value.field == "shortcut"
    with pytest.raises(CannedResponseError, match="/hola already exists"):  # renaming onto it, too
        await desk.save(by=admin, canned_id=adeu.id, shortcut="hola", text="Adéu!")

    await desk.save(by=other_admin, canned_id=None, shortcut="hola", text="Bones!")
    assert [c.text for c in await desk.list(by=admin)] == ["Adéu!", "Hola!"]


async def test_another_organisations_canned_responses_are_never_listed_edited_deleted_or_inserted(session: Session, vila) -> None:
    desk, admin, operator, other_admin, town = vila
    ours = await desk.save(by=admin, canned_id=None, shortcut="hola", text=GREETING)
    conversation_id = _conversation(session, town, "Núria")

    assert await desk.list(by=other_admin) == []
    with pytest.raises(CannedResponseError, match="does not exist any more"):
        await desk.save(by=other_admin, canned_id=ours.id, shortcut="hola", text="Pirates!")
    with pytest.raises(CannedResponseError, match="does not exist any more"):
        await desk.delete(by=other_admin, canned_id=ours.id)
    with pytest.raises(CannedResponseError, match="does not exist any more"):
        await desk.insert(by=other_admin, conversation_id=conversation_id, canned_id=ours.id)
    theirs = await desk.save(by=other_admin, canned_id=None, shortcut="pirata", text="Pirates!")
    with pytest.raises(CannedResponseError):  # their text cannot be inserted in our conversation either
        await desk.insert(by=operator, conversation_id=conversation_id, canned_id=theirs.id)

    session.expire_all()
    assert [(c.shortcut, c.text) for c in session.exec(select(CannedResponse).where(CannedResponse.id == ours.id))] == [
        ("hola", GREETING)
    ]
    assert [c.shortcut for c in await desk.for_replies(by=operator)] == ["hola"]


async def test_an_operator_who_is_not_an_administrator_cannot_list_save_or_delete(vila) -> None:
    desk, admin, operator, _, _ = vila
    saved = await desk.save(by=admin, canned_id=None, shortcut="hola", text="Hola!")

    with pytest.raises(NotAnAdministrator):
        await desk.save(by=operator, canned_id=None, shortcut="adeu", text="Adéu!")
    with pytest.raises(NotAnAdministrator):
        await desk.save(by=operator, canned_id=saved.id, shortcut="hola", text="Canviat")
    with pytest.raises(NotAnAdministrator):
        await desk.delete(by=operator, canned_id=saved.id)
    with pytest.raises(NotAnAdministrator):
        await desk.list(by=operator)
    assert [(c.shortcut, c.text) for c in await desk.for_replies(by=operator)] == [("hola", "Hola!")]


async def test_an_inserted_canned_response_has_the_citizens_the_operators_and_the_towns_names(session: Session, vila) -> None:
    desk, admin, operator, _, town = vila
    saved = await desk.save(by=admin, canned_id=None, shortcut="hola", text=GREETING)
    conversation_id = _conversation(session, town, "Núria")

    filled = await desk.insert(by=operator, conversation_id=conversation_id, canned_id=saved.id)

    assert filled.text == "Bon dia Núria, sóc Laia, de l'Ajuntament de Vila. En què us puc ajudar?"
    assert filled.missing == ()


async def test_a_citizen_with_no_known_name_leaves_name_in_the_text_and_says_so(session: Session, vila) -> None:
    desk, admin, operator, _, town = vila
    saved = await desk.save(by=admin, canned_id=None, shortcut="hola", text="Hola {name}! {name}, sóc {operator}.")
    conversation_id = _conversation(session, town, "")

    filled = await desk.insert(by=operator, conversation_id=conversation_id, canned_id=saved.id)

    assert filled.text == "Hola {name}! {name}, sóc Laia."
    assert filled.missing == (Placeholder.NAME,)
    assert known_placeholders(filled.text) == [Placeholder.NAME]


async def test_a_conversation_of_another_organisation_cannot_be_filled_in(session: Session, vila) -> None:
    desk, _, _, other_admin, town = vila
    theirs = await desk.save(by=other_admin, canned_id=None, shortcut="hola", text="Hola {name}")
    conversation_id = _conversation(session, town, "Núria")
    with pytest.raises(inbox.InboxError):
        await desk.insert(by=other_admin, conversation_id=conversation_id, canned_id=theirs.id)


def test_fill_leaves_other_braces_alone_and_reports_each_missing_placeholder_once() -> None:
    filled = fill("{{1}} { } {town} {operator} {operator} {nom}", citizen_name="", operator_name=" ", town_name="Vila")
    assert filled.text == "{{1}} { } Vila {operator} {operator} {nom}"
    assert filled.missing == (Placeholder.OPERATOR,)


async def test_the_suggestions_are_the_shortcuts_starting_with_what_follows_the_slash(vila) -> None:
    desk, admin, _, _, _ = vila
    for shortcut in ("hola", "horaris", "padro"):
        await desk.save(by=admin, canned_id=None, shortcut=shortcut, text="Text")
    listed = await desk.list(by=admin)

    assert [c.shortcut for c in matching(listed, "/ho")] == ["hola", "horaris"]
    assert [c.shortcut for c in matching(listed, "/HOL")] == ["hola"]
    assert [c.shortcut for c in matching(listed, "/")] == ["hola", "horaris", "padro"]
    assert matching(listed, "hola") == [] and matching(listed, "/hola bon dia") == []


def test_the_demo_town_has_canned_responses_in_catalan_and_spanish_loaded_once(session: Session) -> None:
    demo.load_demo(session, queue=False)
    demo.load_demo(session, queue=False)
    session.commit()
    tenant = tenants.require_tenant(session, slug=demo.DEMO_SLUG)

    listed = {c.shortcut: c.text for c in list_canned(session, tenant_id=row_id(tenant))}

    assert sorted(listed) == sorted(shortcut for shortcut, _ in demo.DEMO_CANNED_RESPONSES)
    assert listed["hola"] == "Bon dia {name}, sóc {operator}, de l'Ajuntament. En què us puc ajudar?"
    assert "Buenos días {name}" in listed["hola-es"]
