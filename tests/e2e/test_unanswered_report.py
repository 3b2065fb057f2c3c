"""The unanswered-questions report: a question no keyword answers, asked by two citizens, shows up for the manager
with how often it was asked; an operator who is neither manager nor administrator gets a polite refusal. An
administrator answers a question with a keyword in one click (it becomes one of the keyword's example questions);
the server refuses teaching to anyone else, and with another organisation's keyword."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core import keywords, tenants
from citymes_app.core.db import get_engine
from citymes_app.models import Keyword, Tenant, row_id
from citymes_app.pages import unmatched
from citymes_app.state.unmatched_state import UnmatchedState
from tests.e2e.raw_tab import RawTab
from tests.e2e.support import ADMIN, OPERATOR, OTHER_TENANT, Site, demo_data_restored, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

MANAGER = "manager@demo.citymes.local"


@pytest.fixture
def keywords_restored(site: Site) -> Iterator[None]:
    """The keywords and their history as they were, even when a test fails half-way through teaching."""
    with demo_data_restored(site, "keyword", "keyword_change"):
        yield


def unanswered_question(site: Site) -> str:
    """A question of this test's own that no keyword answers, asked by a citizen; as the report shows it."""
    token = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    site.citizen_says(new_chat_id(), text=f"On puc llogar una barca {token}?")
    return f"on puc llogar una barca {token}"


def keyword_examples(site: Site, slug: str, keyword: str) -> str:
    with Session(get_engine(site.database_url)) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == slug)).one()
        found = session.exec(select(Keyword).where(Keyword.tenant_id == tenant.id, Keyword.keyword == keyword)).one()
        return found.examples


def keyword_id(site: Site, slug: str, keyword: str) -> int:
    with Session(get_engine(site.database_url)) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == slug)).one()
        return row_id(session.exec(select(Keyword).where(Keyword.tenant_id == tenant.id, Keyword.keyword == keyword)).one())


def test_manager_sees_unanswered_questions_and_an_operator_is_refused(site: Site, new_context) -> None:
    token = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))  # this test's own question
    question = f"Quan obre el planetari {token}?"
    site.citizen_says(new_chat_id(), text=question)
    site.citizen_says(new_chat_id(), first_name="Pau", text=question.upper())  # the same question, as matching sees it

    page = new_context().new_page()
    sign_in(page, site, MANAGER)
    expect(page.locator("#admin-nav")).to_have_count(0)  # a manager does not edit keywords, hours or channels
    page.locator("#reports-nav").get_by_text("Unanswered questions").click()
    page.wait_for_url("**/admin/unmatched")

    row = page.locator(".unmatched-row", has_text=f"quan obre el planetari {token}")
    expect(row).to_have_count(1)
    expect(row.locator(".unmatched-times")).to_have_text("2")
    expect(row.locator(".unmatched-ask-admin")).to_have_text("Ask an administrator")  # keywords are admins' work
    expect(page.locator("#unmatched-total")).not_to_have_text("0")
    screenshot(page, "unanswered_questions_manager")

    page.get_by_role("radio", name="7 days").click()  # the last week still has it
    expect(page.get_by_role("radio", name="7 days")).to_have_attribute("aria-checked", "true")
    expect(row.locator(".unmatched-times")).to_have_text("2")

    operator = new_context().new_page()
    sign_in(operator, site, OPERATOR)
    expect(operator.locator("#reports-nav")).to_have_count(0)
    operator.goto(f"{site.url}/admin/unmatched")
    expect(operator.locator("#unmatched-refused")).to_have_text("This report is for managers and administrators")
    expect(operator.locator(".unmatched-row")).to_have_count(0)
    screenshot(operator, "unanswered_questions_refused_to_operator")


def test_administrator_answers_a_question_with_a_keyword_in_one_click_and_sees_it_taught(
    site: Site, new_context, keywords_restored: None
) -> None:
    question = unanswered_question(site)
    page = new_context().new_page()
    sign_in(page, site, ADMIN)
    page.goto(f"{site.url}/admin/unmatched")
    row = page.locator(".unmatched-row", has_text=question)
    expect(row.locator(".unmatched-teach")).to_be_disabled()  # nothing picked yet

    row.locator(".unmatched-pick").click()
    page.get_by_role("option", name="DEIXALLERIA · CA").click()
    row.locator(".unmatched-teach").click()
    expect(row.locator(".unmatched-taught")).to_have_text("Answered by DEIXALLERIA · CA")
    expect(page.get_by_text(f"DEIXALLERIA answers “{question}” from now on.")).to_be_visible()
    screenshot(page, "unanswered_questions_taught")
    assert keyword_examples(site, demo.DEMO_SLUG, "DEIXALLERIA").split("|")[-1] == question

    page.reload()  # taught is what the keywords say, not what this tab remembers
    expect(page.locator(".unmatched-row", has_text=question).locator(".unmatched-taught")).to_have_text(
        "Answered by DEIXALLERIA · CA"
    )
    page.goto(f"{site.url}/admin/keywords")
    latest = page.locator("#keyword-history .change-row").first
    expect(latest).to_contain_text("DEIXALLERIA")
    expect(latest).to_contain_text("examples")
    page.locator(".keyword-row[data-keyword='DEIXALLERIA'] .keyword-edit").click()
    expect(page.locator("#kw-examples")).to_have_value(question)


def _signed_in_tab(site: Site, email: str, password: str = demo.DEMO_PASSWORD) -> RawTab:
    """A raw websocket tab signed in as `email`, with the report loaded."""
    login = RawTab(site).connect("/login")
    try:
        cookie = login.sign_in(email, password)
    finally:
        login.close()
    tab = RawTab(site).connect(unmatched.ROUTE, session_cookie=cookie)
    tab.load_page(unmatched.ROUTE)
    return tab


def test_the_server_refuses_teaching_to_non_administrators_and_with_another_organisations_keyword(
    site: Site, keywords_restored: None
) -> None:
    question = unanswered_question(site)
    before = keyword_examples(site, demo.DEMO_SLUG, "HORARIS")
    horaris = keyword_id(site, demo.DEMO_SLUG, "HORARIS")
    for email in (MANAGER, OPERATOR):  # the manager sees the question; neither may teach it
        tab = _signed_in_tab(site, email)
        try:
            tab.send(UnmatchedState, "teach", path=unmatched.ROUTE, text=question, keyword_id=str(horaris))
            assert "Only administrators can teach keywords." in tab.text()
        finally:
            tab.close()
    assert keyword_examples(site, demo.DEMO_SLUG, "HORARIS") == before

    with Session(get_engine(site.database_url)) as session:  # a keyword of the other organisation
        other = tenants.require_tenant(session, slug=OTHER_TENANT[0])
        form = keywords.KeywordForm(keyword="BARQUES", response="Al port.", language=other.languages.split(",")[0])
        forged_id = row_id(keywords.create_keyword(session, tenant=other, form=form))
        session.commit()
    admin = _signed_in_tab(site, ADMIN)
    try:
        assert question in admin.text()  # the administrator's report has the question
        admin.clear()
        admin.send(UnmatchedState, "teach", path=unmatched.ROUTE, text=question, keyword_id=str(forged_id))
        assert "This keyword does not exist any more." in admin.text()
        assert "BARQUES" not in admin.text()
    finally:
        admin.close()
    assert keyword_examples(site, OTHER_TENANT[0], "BARQUES") == ""
