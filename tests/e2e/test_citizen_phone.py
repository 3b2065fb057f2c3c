"""The citizen phone: a newcomer plays a citizen, without any token, and sees the system answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.support import Site, screenshot, sign_in, street_photo

pytestmark = pytest.mark.browser

HOURS_ANSWER = "L'Oficina d'Atenció Ciutadana obre de dilluns a divendres de 8 a 19 h."


def test_keyword_typed_on_the_phone_is_answered_by_the_bot(site: Site, new_context) -> None:
    page = new_context().new_page()
    page.goto(f"{site.url}/citizen")
    expect(page.locator("#phone-bot-name")).to_have_text("Telegram @vilademo_bot")

    page.fill("#phone-text", "HORARIS")
    page.click("#phone-send")

    expect(page.locator("#phone .from-citizen", has_text="HORARIS")).to_be_visible()
    expect(page.locator("#phone .from-bot", has_text=HOURS_ANSWER)).to_be_visible()
    expect(page.locator("#phone-text")).to_have_value("")
    expect(page.locator("#citizen-error")).to_have_count(0)

    page.reload()  # the chat belongs to this browser: a reload keeps it
    expect(page.locator("#phone .from-bot", has_text=HOURS_ANSWER)).to_be_visible()
    screenshot(page, "citizen_phone_keyword_answer")


def test_photo_and_location_from_the_phone_reach_the_operator(site: Site, new_context) -> None:
    phone = new_context().new_page()
    phone.goto(f"{site.url}/citizen")
    expect(phone.locator("#phone-bot-name")).to_have_text("Telegram @vilademo_bot")
    phone.fill("#citizen-name", "Aina Photo")
    phone.locator("#citizen-name").blur()
    phone.set_input_files(
        "#citizen-photo input[type=file]",
        files=[{"name": "forat.png", "mimeType": "image/png", "buffer": street_photo()}],
    )
    expect(phone.locator("#phone .from-citizen img")).to_be_visible()
    phone.click("#share-location")
    expect(phone.locator("#phone .phone-location")).to_be_visible()
    screenshot(phone, "citizen_phone_photo_and_location")

    operator = new_context().new_page()
    sign_in(operator, site, "operator@demo.citymes.local")
    operator.locator(".queue-item", has_text="Aina Photo").first.click()
    photo = operator.locator("#thread img.photo")
    expect(photo).to_be_visible()
    # The /media route answered (the session cookie went with it): the picture has real pixels.
    operator.wait_for_function("img => img.complete && img.naturalWidth === 240", arg=photo.element_handle())
    location = operator.locator("#thread a.location")
    expect(location).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=41.538100&mlon=2.444500#map=17/41.538100/2.444500"
    )
    expect(location).to_contain_text("41.53810, 2.44450")
    screenshot(operator, "inbox_photo_and_location")
