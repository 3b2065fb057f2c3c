"""Signing in: the inbox needs a signed-in operator, and a wrong password is explained beside the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.support import Site, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_wrong_password_is_explained_beside_the_form(site: Site, new_context) -> None:
    page = new_context().new_page()
    page.goto(f"{site.url}/inbox")
    page.wait_for_url("**/login")  # signed out: the inbox sends us to the login page

    page.fill("#login-email", "operator@demo.citymes.local")
    page.fill("#login-password", "not-the-password")
    page.click("#login-submit")

    expect(page.locator("form #login-error")).to_have_text("Wrong email or password.")
    assert page.url.endswith("/login")
    screenshot(page, "login_wrong_password")


def test_a_signed_out_tab_no_longer_receives_the_live_queue(site: Site, new_context) -> None:
    page = new_context().new_page()
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    sign_in(page, site, "operator2@demo.citymes.local")
    expect(page.locator("#operator-name")).to_have_text("Pau (operator)")
    expect(page.locator("#tenant-name")).to_have_text("Ajuntament de Vilademo")

    page.click("#sign-out")
    page.wait_for_url("**/login")
    frames.clear()
    marker = f"after-sign-out-{new_chat_id()}"
    site.citizen_says(new_chat_id(), "Eve", text=marker)
    colleague = new_context().new_page()
    sign_in(colleague, site, "operator@demo.citymes.local")
    expect(colleague.locator(".queue-item", has_text=marker)).to_be_visible()  # the live update did go out
    page.wait_for_timeout(300)
    assert not any(marker in frame for frame in frames)

    page.goto(f"{site.url}/inbox")
    page.wait_for_url("**/login")
