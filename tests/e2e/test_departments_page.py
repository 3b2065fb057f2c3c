"""The departments page in the browser: an administrator adds a department (an empty name, or one another department
has in another case, refused beside the field), sees how many open conversations each has and deletes one after a
confirmation; an operator who is not an administrator gets the administrators-only view. Over raw websockets, an
operator who is not an administrator and another organisation's administrator cannot add, rename or delete the town's
departments."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import Department, Tenant
from citymes_app.pages import departments
from citymes_app.state.departments_state import DepartmentsState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import ADMIN, OPERATOR, Site, demo_data_restored, fill_settled, other_admin, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _leaves_the_departments_as_found(site: Site) -> Iterator[None]:
    """The demo's departments as they were, even when a test fails half-way through."""
    with demo_data_restored(site, "department"):
        yield


def demo_departments(site: Site) -> list[tuple[int, str, str]]:
    """The demo town's departments as stored (id, name, description)."""
    with Session(get_engine(site.database_url)) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == demo.DEMO_SLUG)).one()
        rows = session.exec(select(Department).where(Department.tenant_id == tenant.id)).all()
        return sorted((row.id or 0, row.name, row.description) for row in rows)


def test_an_administrator_adds_a_department_and_a_bad_name_is_refused_beside_the_field(site: Site, new_context) -> None:
    name = f"Urbanisme {secrets.randbelow(10**6)}"
    jordi = new_context().new_page()
    sign_in(jordi, site, ADMIN)
    jordi.locator("#admin-nav").get_by_text("Departments").click()
    jordi.wait_for_url(f"**{departments.ROUTE}")
    expect(jordi.locator(".department-row", has_text="Via pública").locator(".department-used")).to_contain_text(
        "open conversation"
    )

    jordi.click("#save-department")  # nothing written
    expect(jordi.locator("#department-name-error")).to_have_text("Write the department's name.")
    fill_settled(jordi, "#department-name", "VIA PÚBLICA")  # the demo's "Via pública", in capitals
    jordi.click("#save-department")
    expect(jordi.locator("#department-name-error")).to_have_text("There is already a department Via pública.")
    screenshot(jordi, "departments_page_refused_name")

    fill_settled(jordi, "#department-name", name)
    fill_settled(jordi, "#department-description", "Llicències d'obres i planejament")
    expect(jordi.locator("#department-name-error")).to_have_count(0)  # correcting the field takes the refusal away
    jordi.click("#save-department")
    expect(jordi.locator("#departments-notice")).to_have_text(f"Department {name} added.")
    row = jordi.locator(".department-row", has_text=name)
    expect(row.locator(".department-description")).to_have_text("Llicències d'obres i planejament")
    expect(row.locator(".department-used")).to_have_text("0 open conversations")
    screenshot(jordi, "departments_page")

    row.locator(".edit-department").click()
    expect(jordi.locator("#department-name")).to_have_value(name)
    fill_settled(jordi, "#department-name", f"{name} i habitatge")
    jordi.click("#save-department")
    expect(jordi.locator("#departments-notice")).to_have_text(f"Department {name} i habitatge saved.")
    row = jordi.locator(".department-row", has_text=f"{name} i habitatge")
    expect(row.locator(".department-description")).to_have_text("Llicències d'obres i planejament")

    row.locator(".delete-department").click()
    expect(jordi.get_by_role("alertdialog")).to_contain_text("Its 0 open conversations will be left with no department.")
    jordi.click("#confirm-delete-department")
    expect(jordi.locator("#departments-notice")).to_have_text(f"Department {name} i habitatge deleted.")
    expect(jordi.locator(".department-row", has_text=name)).to_have_count(0)
    assert not [row_name for _, row_name, _ in demo_departments(site) if row_name.startswith(name)]


def test_an_operator_gets_the_administrators_only_view(site: Site, new_context) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, OPERATOR)
    expect(laia.locator("#admin-nav")).to_have_count(0)
    laia.goto(f"{site.url}{departments.ROUTE}")
    expect(laia.locator("#departments-admin-only")).to_have_text("Departments are managed by administrators")
    expect(laia.locator(".department-row")).to_have_count(0)


def forge_edits(tab: RawTab, department_id: int) -> None:
    """What an attacker's tab tries on the departments page: rename and delete the town's department, by id."""
    path = departments.ROUTE
    tab.load_page(path)
    tab.send(DepartmentsState, "open_departments_page", path=path)
    tab.send(DepartmentsState, "edit", path=path, department_id=department_id)
    tab.send(DepartmentsState, "set_editing_id", path=path, value=department_id)  # should setters exist
    tab.send(DepartmentsState, "set_form_name", path=path, value="Pirata")
    tab.send(DepartmentsState, "save", path=path, form_data={"name": "Pirata", "description": "robada"})
    tab.send(DepartmentsState, "ask_delete", path=path, department_id=department_id)
    tab.send(DepartmentsState, "set_delete_id", path=path, value=department_id)  # should setters exist
    tab.send(DepartmentsState, "confirm_delete", path=path)


@pytest.mark.parametrize("who", ["operator", "other organisation's administrator"])
def test_forged_events_cannot_change_the_towns_departments(site: Site, who: str) -> None:
    email, password = (OPERATOR, demo.DEMO_PASSWORD) if who == "operator" else other_admin(site)
    before = demo_departments(site)
    department_id = next(row_id for row_id, name, _ in before if name == "Serveis socials")
    tab = RawTab(site).connect(departments.ROUTE, session_cookie=session_cookie(site, email, password))
    try:
        forge_edits(tab, department_id)
        assert demo_departments(site) == before, f"the {who} changed the town's departments"
        assert "Serveis socials" not in tab.text(), f"the town's departments reached the {who}'s page"
        if who == "operator":
            assert "Only an administrator can change departments." in tab.text()
    finally:
        tab.close()
