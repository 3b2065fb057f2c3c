"""The department a conversation is with, live: an administrator adds a department; one operator gives a conversation
to it from the thread header, and the other operator's queue line and open thread show it with no reload; the other
filters the queue by it and sees the line leave when it is transferred on; deleting the department takes it off the
conversation everywhere. Over raw websockets another organisation's operator can neither move our conversation nor
learn our departments, and ours cannot give it to theirs."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core import departments as department_rows
from citymes_app.core import tenants
from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, Department, Tenant, row_id
from citymes_app.pages import departments, inbox
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import (
    ADMIN,
    OTHER_OPERATOR,
    OTHER_TENANT,
    Site,
    choose_option,
    demo_data_restored,
    fill_settled,
    new_chat_id,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

LAIA, PAU = "operator@demo.citymes.local", "operator2@demo.citymes.local"


@pytest.fixture(autouse=True)
def _leaves_the_departments_as_found(site: Site) -> Iterator[None]:
    """The demo's departments as they were (a department this test adds is deleted by it through the page)."""
    with demo_data_restored(site, "department"):
        yield


def _conversation(site: Site, chat_id: int) -> Conversation:
    with Session(get_engine(site.database_url)) as session:
        return session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one()


def _department_id(site: Site, slug: str, name: str) -> int:
    with Session(get_engine(site.database_url)) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == slug)).one()
        found = session.exec(select(Department).where(Department.tenant_id == tenant.id, Department.name == name)).first()
        if found is None:  # the other organisation's, made once per site
            change = department_rows.save_department(session, tenant_id=row_id(tenant), department_id=None, name=name)
            session.commit()
            return change.id
        return row_id(found)


def test_an_operators_menus_and_filter_follow_the_departments_an_administrator_adds_renames_and_deletes(
    site: Site, new_context
) -> None:
    tag = secrets.randbelow(10**6)
    name, renamed = f"Habitatge {tag}", f"Habitatge i lloguer {tag}"
    laia = new_context().new_page()
    sign_in(laia, site, LAIA)  # signed in before the department exists, and never reloaded

    jordi = new_context().new_page()
    sign_in(jordi, site, ADMIN)
    jordi.goto(f"{site.url}{departments.ROUTE}")
    fill_settled(jordi, "#department-name", name)
    jordi.click("#save-department")
    expect(jordi.locator("#departments-notice")).to_have_text(f"Department {name} added.")
    laia.click("#department-filter")
    expect(laia.get_by_role("option", name=name, exact=True)).to_have_count(1)
    laia.keyboard.press("Escape")

    row = jordi.locator(".department-row", has_text=name)
    row.locator(".edit-department").click()
    fill_settled(jordi, "#department-name", renamed)
    jordi.click("#save-department")
    expect(jordi.locator(".department-row", has_text=renamed)).to_have_count(1)
    laia.click("#department-filter")
    expect(laia.get_by_role("option", name=renamed, exact=True)).to_have_count(1)
    expect(laia.get_by_role("option", name=name, exact=True)).to_have_count(0)
    laia.keyboard.press("Escape")

    jordi.locator(".department-row", has_text=renamed).locator(".delete-department").click()
    jordi.click("#confirm-delete-department")
    expect(jordi.locator("#departments-notice")).to_have_text(f"Department {renamed} deleted.")
    laia.click("#department-filter")
    expect(laia.get_by_role("option", name="Serveis socials", exact=True)).to_have_count(1)
    expect(laia.get_by_role("option", name=renamed, exact=True)).to_have_count(0)
    laia.keyboard.press("Escape")


def test_a_transfer_to_a_department_shows_live_and_the_queue_filters_by_it(site: Site, new_context) -> None:
    tag = secrets.randbelow(10**6)
    name, marker = f"Urbanisme {tag}", f"tanca-{tag}"
    site.citizen_says(new_chat_id(), "Montserrat", text=f"Hi ha una tanca d'obres caiguda al carrer Major ({marker})")

    jordi = new_context().new_page()
    sign_in(jordi, site, ADMIN)
    jordi.goto(f"{site.url}{departments.ROUTE}")
    fill_settled(jordi, "#department-name", name)
    jordi.click("#save-department")
    expect(jordi.locator("#departments-notice")).to_have_text(f"Department {name} added.")

    laia, pau = new_context().new_page(), new_context().new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)
    laia_line, pau_line = (page.locator(".queue-item", has_text=marker) for page in (laia, pau))
    laia_line.click()
    pau_line.click()
    expect(laia.locator("#thread-department")).to_have_count(0)

    laia.click("#department-menu")
    laia.locator(".department-option", has_text=name).click()
    expect(laia.locator("#thread-department")).to_have_text(name)
    expect(laia_line.locator(".line-department")).to_have_text(name)
    expect(pau_line.locator(".line-department")).to_have_text(name)  # live, no reload
    expect(pau.locator("#thread-department")).to_have_text(name)
    screenshot(pau, "inbox_department_given")

    choose_option(pau, "department-filter", name)
    expect(pau.locator(".queue-item")).to_have_count(1)
    expect(pau_line).to_be_visible()
    screenshot(pau, "inbox_department_filter")

    jordi.goto(f"{site.url}{departments.ROUTE}")
    row = jordi.locator(".department-row", has_text=name)
    expect(row.locator(".department-used")).to_have_text("1 open conversation")

    laia.click("#department-menu")
    laia.locator(".department-option", has_text="Serveis socials").click()  # transferred on
    expect(laia.locator("#thread-department")).to_have_text("Serveis socials")
    expect(pau.locator(".queue-item")).to_have_count(0)  # Pau's filtered queue, live
    expect(pau.locator("#thread-department")).to_have_text("Serveis socials")
    choose_option(pau, "department-filter", "Any department")
    expect(pau_line.locator(".line-department")).to_have_text("Serveis socials")

    laia.click("#department-menu")
    laia.locator(".department-option", has_text=name).click()  # and back, to see the deletion take it off
    expect(pau_line.locator(".line-department")).to_have_text(name)
    jordi.reload()
    row.locator(".delete-department").click()
    expect(jordi.get_by_role("alertdialog")).to_contain_text("Its 1 open conversation will be left with no department.")
    jordi.click("#confirm-delete-department")
    expect(jordi.locator("#departments-notice")).to_have_text(f"Department {name} deleted.")
    expect(pau_line.locator(".line-department")).to_have_count(0)
    expect(laia.locator("#thread-department")).to_have_count(0)


def test_another_organisations_operator_cannot_move_ours_nor_ours_give_it_to_theirs(site: Site) -> None:
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Carla", text=f"Soroll nocturn ({new_chat_id()})")
    ours = _conversation(site, chat_id)
    via_publica = _department_id(site, demo.DEMO_SLUG, "Via pública")
    theirs = _department_id(site, OTHER_TENANT[0], "Joventut")

    email, password, _ = OTHER_OPERATOR
    cookie = session_cookie(site, email, password)
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
    try:
        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "select", conversation_id=row_id(ours))
        attacker.send(InboxState, "open_departments", opened=True)
        attacker.send(InboxState, "set_selected_department", department_id=via_publica)
        attacker.send(InboxState, "set_selected_department", department_id=theirs)
        attacker.send(InboxState, "set_selected_id", value=row_id(ours))  # no such setter: refused by Reflex
        attacker.send(InboxState, "set_selected_department", department_id=theirs)
        attacker.send(InboxState, "set_department_filter", value=str(via_publica))
        text = attacker.text()
        assert "Carla" not in text and "Via pública" not in text and "Serveis socials" not in text
        assert "Joventut" in text  # their own department, which they may see
    finally:
        attacker.close()

    cookie = session_cookie(site, LAIA, demo.DEMO_PASSWORD)
    laia = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
    try:
        laia.load_page(inbox.ROUTE)
        laia.send(InboxState, "select", conversation_id=row_id(ours))
        laia.send(InboxState, "set_selected_department", department_id=theirs)
        laia.send(InboxState, "set_selected_department", department_id="1 OR 1=1")
        assert "Joventut" not in laia.text()
        assert "This department does not exist." in laia.text()
    finally:
        laia.close()

    after = _conversation(site, chat_id)
    assert (after.department_id, after.version) == (ours.department_id, ours.version), (
        "a refused department change changed the conversation"
    )
    with Session(get_engine(site.database_url)) as session:
        consell = tenants.require_tenant(session, slug=OTHER_TENANT[0])
        assert [d.name for d in department_rows.tenant_departments(session, tenant_id=row_id(consell))] == ["Joventut"]
