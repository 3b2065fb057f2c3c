"""The unanswered-questions report: a question no keyword answers, asked by two citizens, shows up for the manager
with how often it was asked; an operator who is neither manager nor administrator gets a polite refusal."""

from __future__ import annotations

import secrets
import string

import pytest
from playwright.sync_api import expect

from tests.e2e.support import OPERATOR, Site, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

MANAGER = "manager@demo.citymes.local"


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
