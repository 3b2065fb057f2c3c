"""Accounts in the browser: too many failed sign-ins are refused with a clear message, and an administrator disables
an operator, whose open tab lands on the login page at its next action."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from citymes_app import demo
from tests.e2e.support import ADMIN, ROOT, Site, new_chat_id, screenshot, set_interface_language, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "a-fresh-operator-password"


def _add_operator(site: Site, name: str) -> str:
    """A new operator of the demo town (so that throttling or disabling it touches no other test's logins)."""
    email = f"{name}-{secrets.token_hex(4)}@demo.citymes.local"
    subprocess.run(
        [sys.executable, "-m", "citymes_app.cli", "operator", "add", demo.DEMO_SLUG, email, "--name", name.title()],
        input=PASSWORD + "\n",
        cwd=ROOT,
        env={"CITYMES_DATABASE_URL": site.database_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    set_interface_language(site.database_url, "en", email)  # like every operator of the browser tests
    return email


def test_the_sixth_sign_in_is_refused_even_with_the_right_password(site: Site, new_context) -> None:
    email = _add_operator(site, "marta")
    page = new_context().new_page()
    page.goto(f"{site.url}/login")
    for _ in range(5):
        page.fill("#login-email", email)
        page.fill("#login-password", "not-the-password")
        page.click("#login-submit")
        expect(page.locator("form #login-error")).to_have_text("Wrong email or password.")
        page.fill("#login-password", "")  # typing hides the old message, so the next one is new

    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")

    expect(page.locator("form #login-error")).to_have_text("Too many sign-in attempts. Try again in 15 minutes.")
    assert page.url.rstrip("/").endswith("/login")
    screenshot(page, "login_throttled")


def test_a_disabled_operators_open_tab_lands_on_the_login_page(site: Site, new_context) -> None:
    email = _add_operator(site, "jordi")
    operator_tab = new_context().new_page()
    sign_in(operator_tab, site, email, PASSWORD)
    marker = f"before-disabling-{new_chat_id()}"
    site.citizen_says(new_chat_id(), "Eva", text=marker)
    expect(operator_tab.locator(".queue-item", has_text=marker)).to_be_visible()

    admin_tab = new_context().new_page()
    sign_in(admin_tab, site, ADMIN)
    admin_tab.click("#admin-nav >> text=Operators")
    admin_tab.wait_for_url("**/admin/operators")
    row = admin_tab.locator(".operator-row", has_text=email)
    expect(row.locator(".operator-status")).to_have_text("Active")
    row.locator(".disable-operator").click()

    expect(admin_tab.locator("#operators-notice")).to_have_text("Jordi is disabled and signed out.")
    expect(row.locator(".operator-status")).to_have_text("Disabled")
    screenshot(admin_tab, "admin_operators_disabled")

    operator_tab.locator(".queue-item", has_text=marker).click()  # the tab's next action
    operator_tab.wait_for_url("**/login")
    operator_tab.fill("#login-email", email)
    operator_tab.fill("#login-password", PASSWORD)
    operator_tab.click("#login-submit")
    expect(operator_tab.locator("form #login-error")).to_have_text("Wrong email or password.")


def test_signing_out_everywhere_sends_every_tab_of_the_operator_to_the_login_page(site: Site, new_context) -> None:
    email = _add_operator(site, "nil")
    laptop, phone = new_context().new_page(), new_context().new_page()
    sign_in(laptop, site, email, PASSWORD)
    sign_in(phone, site, email, PASSWORD)
    marker = f"before-signing-out-{new_chat_id()}"
    site.citizen_says(new_chat_id(), "Eva", text=marker)
    expect(phone.locator(".queue-item", has_text=marker)).to_be_visible()

    laptop.click("#account-menu")
    laptop.click("#sign-out-everywhere")
    laptop.wait_for_url("**/login")

    phone.locator(".queue-item", has_text=marker).click()  # the other browser's next action
    phone.wait_for_url("**/login")
