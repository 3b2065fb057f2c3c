"""The operator answers a WhatsApp citizen with a photo (the reply being written as its caption) and the office's
map pin, from the inbox's reply box; both reach the citizen's chat in the simulator."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.support import OPERATOR, Site, new_chat_id, new_wa_id, screenshot, sign_in, street_photo
from tests.e2e.test_whatsapp_ui import open_conversation, wait_for

pytestmark = pytest.mark.browser


def business_messages(site: Site, wa_id: str, kind: str) -> list[dict]:
    return [m for m in site.wa_phone_screen(wa_id) if m["from"] == "business" and m["kind"] == kind]


def test_operator_sends_a_photo_and_the_office_location_to_a_whatsapp_citizen(site: Site, new_context) -> None:
    wa_id, name = new_wa_id(), f"Marta {new_chat_id()}"
    site.wa_citizen_says(wa_id, name, text="On és l'oficina? Tinc una foto del forat?")

    page = new_context().new_page()
    sign_in(page, site, OPERATOR)
    open_conversation(page, name)

    caption = "Aquest és el forat que arreglarem."
    page.fill("#reply-box", caption)
    page.locator("#reply-box").blur()  # as clicking the attach button does: the debounced draft reaches the state
    page.locator("#operator-attach input[type=file]").set_input_files(
        files=[{"name": "forat.png", "mimeType": "image/png", "buffer": street_photo()}]
    )
    photos = wait_for(lambda: business_messages(site, wa_id, "image"), "the photo reaching the citizen's WhatsApp")
    assert photos[0]["caption"] == caption
    expect(page.locator("#thread .bubble-out img.photo")).to_be_visible()
    expect(page.locator("#reply-box")).to_have_value("")  # the caption went with the photo

    page.click("#send-location")
    pins = wait_for(lambda: business_messages(site, wa_id, "location"), "the location reaching the citizen's WhatsApp")
    assert (pins[0]["latitude"], pins[0]["longitude"]) == (41.5381, 2.4445)
    expect(page.locator("#thread .bubble-out a.location")).to_contain_text("41.53810, 2.44450")
    expect(page.locator("#reply-error")).to_have_count(0)
    screenshot(page, "operator_sends_photo_and_location")
