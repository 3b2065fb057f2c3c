"""WhatsApp in the browser: a citizen's photo and location reach the inbox and the operator's reply is read; with
the 24-hour window closed the operator is told before writing and sends an approved template instead; the citizen
phone plays a WhatsApp citizen; an operator links two records of one person; administrators manage channels."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, utcnow
from tests.e2e.support import ADMIN, OPERATOR, Site, demo_data_restored, new_chat_id, new_wa_id, screenshot, sign_in, street_photo

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _leaves_the_channels_as_found(site: Site) -> Iterator[None]:
    """The channels (switched on) and their templates as they were, even when a test fails."""
    with demo_data_restored(site, "channel", "message_template"):
        yield


HOURS_ANSWER = "L'Oficina d'Atenció Ciutadana obre de dilluns a divendres de 8 a 19 h."
RECYCLING_ANSWER = "La deixalleria municipal obre de dimarts a dissabte"
WHATSAPP_NAME = "WhatsApp +34 600 000 000"


def wait_for(check, what: str, timeout: float = 15.0):  # noqa: ANN001, ANN201
    """Poll `check()` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout}s"
        time.sleep(0.05)


def business_texts(site: Site, wa_id: str) -> list[str]:
    return [m["text"] or m["caption"] or "" for m in site.wa_phone_screen(wa_id) if m["from"] == "business"]


def open_conversation(page: Page, name: str) -> None:
    page.locator(".queue-item[data-platform='whatsapp']", has_text=name).first.click()
    expect(page.locator("#thread-title")).to_contain_text(name)


def test_photo_and_location_on_whatsapp_reach_the_operator_whose_reply_is_read(site: Site, new_context) -> None:
    wa_id, name = new_wa_id(), f"Rosa {new_chat_id()}"
    photo = {"content_base64": base64.b64encode(street_photo()).decode(), "mime_type": "image/png", "filename": "forat.png"}
    site.wa_citizen_says(wa_id, name, image=photo, caption="Hi ha un forat a la vorera")
    site.wa_citizen_says(wa_id, name, location={"latitude": 41.5381, "longitude": 2.4445, "name": "Plaça de la Vila"})
    site.wa_citizen_says(wa_id, name, reaction={"message_id": "wamid.X", "emoji": "👍"})  # shown as unsupported

    page = new_context().new_page()
    sign_in(page, site, OPERATOR)
    line = page.locator(".queue-item[data-platform='whatsapp']", has_text=name)
    expect(line).to_contain_text(WHATSAPP_NAME)
    open_conversation(page, name)
    expect(page.locator(".platform", has_text="WhatsApp").first).to_be_visible()
    photo_element = page.locator("#thread img.photo")
    expect(photo_element).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 240", arg=photo_element.element_handle())
    expect(page.locator("#thread .bubble-in .body", has_text="Hi ha un forat a la vorera")).to_be_visible()
    expect(page.locator("#thread a.location")).to_contain_text("41.53810, 2.44450")
    expect(page.locator("#thread .bubble-in .unsupported")).to_contain_text("Unsupported message")
    expect(page.locator("#window-open")).to_contain_text("WhatsApp's 24-hour window is open until tomorrow at")

    reply = f"Gràcies, {name}: avisem la brigada."
    page.fill("#reply-box", reply)
    page.click("#send-reply")
    wait_for(lambda: reply in business_texts(site, wa_id), "the reply reaching the citizen's WhatsApp")
    bubble = page.locator("#thread .bubble-out", has_text=reply)
    expect(bubble.locator(".status")).to_have_text("Read")  # sent → delivered → read, live from the statuses
    screenshot(page, "whatsapp_inbox_photo_location_reply_read")


def test_closed_window_is_explained_and_an_approved_template_reaches_the_citizen(site: Site, new_context) -> None:
    wa_id, name = new_wa_id(), f"Joan {new_chat_id()}"
    site.wa_citizen_says(wa_id, name, text="Com va la meva sol·licitud del gual?")
    # The automatic waiting notice goes out first, while the window is still open.
    wait_for(lambda: business_texts(site, wa_id), "the waiting notice")
    # A day and an hour pass, on WhatsApp's side and on ours.
    site_post(site, f"chats/{wa_id}/window", {"last_message_seconds_ago": 90_000})
    with Session(get_engine(site.database_url)) as session:
        conversation = session.exec(select(Conversation).where(Conversation.address == wa_id)).one()
        conversation.last_inbound_at = utcnow() - timedelta(seconds=90_000)
        session.add(conversation)
        session.commit()

    page = new_context().new_page()
    sign_in(page, site, OPERATOR)
    open_conversation(page, name)
    closed = page.locator("#window-closed")
    expect(closed).to_contain_text(re.compile(r"The 24-hour window closed (today|yesterday) at \d\d:\d\d"))
    expect(closed).to_contain_text("only delivers an approved template until they write again")
    expect(page.locator("#reply-box")).to_have_count(0)  # no free-form reply to be refused later
    expect(page.locator("#template-select")).to_have_text("seguiment (ca)")
    expect(page.locator("#template-preview")).to_have_text(
        "Hola {{1}}, us escrivim de l'Ajuntament sobre la vostra consulta. Podeu respondre aquest missatge."
    )

    page.click("#send-template")  # the parameter is still empty: the reason shows beside the form
    expect(page.locator("#template-error")).to_contain_text("Parameter {{1}} of template 'seguiment' is empty")
    page.locator(".template-param input").fill("Joan")
    expected = "Hola Joan, us escrivim de l'Ajuntament sobre la vostra consulta. Podeu respondre aquest missatge."
    expect(page.locator("#template-preview")).to_have_text(expected)
    expect(page.locator("#template-error")).to_have_count(0)
    screenshot(page, "whatsapp_inbox_closed_window_template")

    page.click("#send-template")
    wait_for(lambda: expected in business_texts(site, wa_id), "the template reaching the citizen's WhatsApp")
    bubble = page.locator("#thread .bubble-out", has_text=expected)
    expect(bubble.locator(".template")).to_contain_text("Approved template")
    expect(bubble.locator(".status")).to_have_text("Read")
    expect(page.locator(".template-param input")).to_have_value("")
    screenshot(page, "whatsapp_inbox_template_sent")


def site_post(site: Site, path: str, body: dict) -> None:
    response = httpx.post(site.number_url(path), json=body, timeout=30)
    assert response.status_code == 200, response.text


def test_whatsapp_citizen_on_the_phone_gets_the_keyword_answer_and_taps_its_buttons(site: Site, new_context) -> None:
    page = new_context().new_page()
    page.goto(f"{site.url}/citizen")
    expect(page.locator("#phone-bot-name")).to_have_text("Telegram @vilademo_bot")
    page.locator("#platform-switch").get_by_role("radio", name="WhatsApp").click()
    expect(page.locator("#phone-bot-name")).to_have_text(WHATSAPP_NAME)
    expect(page.locator("#phone-platform")).to_have_text("WhatsApp Business account")
    expect(page.locator("#chat-id")).to_contain_text("+34 ")

    page.fill("#phone-text", "HORARIS")
    page.click("#phone-send")
    expect(page.locator("#phone .from-citizen", has_text="HORARIS")).to_be_visible()
    answer = page.locator("#phone .from-bot", has_text=HOURS_ANSWER)
    expect(answer).to_be_visible()
    expect(answer.locator(".phone-choice")).to_have_text(["DEIXALLERIA", "PADRO"])  # WhatsApp reply buttons
    expect(page.locator("#citizen-error")).to_have_count(0)

    answer.locator(".phone-choice", has_text="DEIXALLERIA").click()  # a button_reply, as a phone sends it
    expect(page.locator("#phone .from-bot", has_text=RECYCLING_ANSWER)).to_be_visible()

    page.set_input_files(
        "#citizen-photo input[type=file]",
        files=[{"name": "forat.png", "mimeType": "image/png", "buffer": street_photo()}],
    )
    expect(page.locator("#phone .from-citizen img")).to_be_visible()
    page.click("#share-location")
    expect(page.locator("#phone .phone-location")).to_be_visible()
    screenshot(page, "whatsapp_citizen_phone")

    page.reload()  # the WhatsApp number belongs to this browser: a reload keeps the platform and the chat
    expect(page.locator("#phone-bot-name")).to_have_text(WHATSAPP_NAME)
    expect(page.locator("#phone .from-bot", has_text=RECYCLING_ANSWER)).to_be_visible()


def test_operator_links_the_whatsapp_and_telegram_records_of_one_person(site: Site, new_context) -> None:
    suffix = new_chat_id()
    wa_name, telegram_name = f"Pau WhatsApp {suffix}", f"Pau Telegram {suffix}"
    site.wa_citizen_says(new_wa_id(), wa_name, text="Bon dia, us escric des del mòbil")
    site.citizen_says(new_chat_id(), telegram_name, text="I també per Telegram")

    page = new_context().new_page()
    sign_in(page, site, OPERATOR)
    open_conversation(page, wa_name)
    page.click("#thread-more")
    page.click("#link-citizen")
    page.fill("#link-search", str(suffix))
    candidate = page.locator(".link-candidate", has_text=telegram_name)
    expect(candidate).to_have_count(1)
    expect(candidate.locator(".platform")).to_have_text("Telegram")
    expect(page.locator(".link-candidate", has_text=wa_name)).to_have_count(0)  # not themselves
    candidate.click()
    expect(page.locator("#link-dialog")).to_contain_text("This cannot be undone.")
    screenshot(page, "inbox_link_citizens_confirm")
    page.click("#confirm-link")

    expect(page.locator("#link-dialog")).to_have_count(0)
    expect(page.locator("#link-notice")).to_contain_text(f"Linked with {telegram_name}")
    # Both conversations are now the WhatsApp citizen's.
    expect(page.locator(".queue-item[data-platform='telegram']", has_text="I també per Telegram")).to_contain_text(wa_name)


def test_administrators_manage_channels_and_templates_and_operators_are_told_why_not(site: Site, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, site, ADMIN)
    page.locator("#admin-nav").get_by_text("Channels").click()
    page.wait_for_url("**/admin/channels")
    whatsapp = page.locator(".channel[data-platform='whatsapp']")
    expect(whatsapp.locator(".channel-name")).to_have_text(WHATSAPP_NAME)
    expect(whatsapp.locator(".channel-state")).to_have_text("Enabled")
    expect(whatsapp).to_contain_text("Number id 600000000")
    expect(whatsapp.locator(".template-row")).to_have_count(3)
    expect(page.locator(".channel[data-platform='telegram'] .channel-name")).to_have_text("Telegram @vilademo_bot")
    assert "demo-whatsapp-app-secret" not in page.content()  # credentials never reach the browser
    screenshot(page, "admin_channels")

    whatsapp.locator(".channel-switch").click()  # switching off asks first; keeping it on changes nothing
    expect(page.get_by_role("alertdialog")).to_contain_text(f"Switch off {WHATSAPP_NAME}?")
    screenshot(page, "admin_channels_switch_off_confirm")
    page.get_by_role("button", name="Keep it on").click()
    expect(whatsapp.locator(".channel-state")).to_have_text("Enabled")

    name = f"cita_{new_chat_id()}"
    page.fill("#template-name", "Cita Previa")
    page.fill("#template-language", "ca")
    page.fill("#template-body", "Hola {{1}}, la vostra cita és el {{2}}.")
    page.click("#add-template")
    expect(page.locator("#template-name-error")).to_contain_text("is not a template name")
    page.fill("#template-name", name)
    expect(page.locator("#template-name-error")).to_have_count(0)
    # As submitted: the fields the administrator filled before the refusal still hold their values.
    page.fill("#template-language", "ca")
    page.fill("#template-body", "Hola {{1}}, la vostra cita és el {{2}}.")
    page.click("#add-template")
    expect(page.locator("#template-notice")).to_have_text(f"Template {name} (ca) recorded.")
    expect(whatsapp.locator(".template-row", has_text=name)).to_contain_text("2")
    expect(page.locator("#template-name")).to_have_value("")
    screenshot(page, "admin_channels_template_added")

    operator = new_context().new_page()
    sign_in(operator, site, OPERATOR)
    expect(operator.locator("#admin-nav")).to_have_count(0)
    operator.goto(f"{site.url}/admin/channels")
    expect(operator.locator("#channels-admin-only")).to_have_text("Channels are managed by administrators")
    screenshot(operator, "admin_channels_not_for_operators")
