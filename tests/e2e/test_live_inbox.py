"""Two operators watch the same live inbox: a citizen's message appears in both without a reload, and a reply
written in one reaches the citizen's phone and the other operator's screen; a thread is redrawn only in the tabs that
have that conversation open."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import Message
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import OTHER_OPERATOR, Site, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

LAIA, PAU = "operator@demo.citymes.local", "operator2@demo.citymes.local"


def test_citizen_message_appears_live_for_both_operators_and_the_reply_reaches_the_citizen(
    site: Site, new_context, report
) -> None:
    laia, pau = new_context().new_page(), new_context().new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)

    chat_id, marker = new_chat_id(), f"fanal-{new_chat_id()}"
    started = time.perf_counter()
    site.citizen_says(chat_id, "Pere", text=f"El fanal del carrer Major no s'encén ({marker})")
    pau_line = pau.locator(".queue-item", has_text=marker)
    expect(pau_line).to_be_visible()
    report(f"citizen message -> visible in the second operator's tab: {(time.perf_counter() - started) * 1000:.0f} ms")
    laia_line = laia.locator(".queue-item", has_text=marker)
    expect(laia_line).to_be_visible()
    expect(laia_line.locator(".waiting")).to_be_visible()
    expect(laia_line.locator(".unread")).to_have_text("1")

    laia_line.click()
    pau_line.click()
    expect(laia.locator("#thread .bubble-in", has_text=marker)).to_be_visible()
    expect(pau.locator("#thread .bubble-in", has_text=marker)).to_be_visible()
    expect(pau_line.locator(".unread")).to_have_count(0)  # opening it marked it read for everyone

    laia.click("#send-reply")  # nothing written yet: the reason shows beside the box
    expect(laia.locator("form #reply-error")).to_have_text("Write a reply before sending.")

    reply = f"Gràcies, Pere: avisem la brigada ({marker})."
    laia.fill("#reply-box", reply)
    started = time.perf_counter()
    laia.click("#send-reply")
    pau_bubble = pau.locator("#thread .bubble-out", has_text=reply)
    expect(pau_bubble).to_be_visible()
    report(f"reply sent -> visible in the other operator's thread: {(time.perf_counter() - started) * 1000:.0f} ms")

    deadline = time.monotonic() + 15
    while not any(m["from"] == "bot" and m["text"] == reply for m in site.phone_screen(chat_id)):
        assert time.monotonic() < deadline, "the reply never reached the citizen's phone"
        time.sleep(0.05)
    report(f"reply sent -> on the citizen's phone: {(time.perf_counter() - started) * 1000:.0f} ms")

    expect(pau_bubble.locator(".status")).to_have_text("Sent")
    expect(laia.locator("#reply-box")).to_have_value("")
    expect(laia.locator("#reply-error")).to_have_count(0)
    expect(laia_line.locator(".waiting")).to_have_count(0)  # answered: no longer waiting
    screenshot(pau, "inbox_second_operator_sees_reply")


def test_html_in_a_citizens_message_is_shown_as_text(site: Site, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, site, LAIA)
    marker = f"html-{new_chat_id()}"
    hostile = f"<b>bold</b> <img src=x onerror=\"document.title='pwned'\"> {marker}"
    site.citizen_says(new_chat_id(), "Mallory", text=hostile)
    rtl = "مرحبا، هناك حفرة في الشارع"
    site.citizen_says(new_chat_id(), "Fatima", text=f"{rtl} {marker}")

    mallory = page.locator(".queue-item", has_text="Mallory").filter(has_text=marker)
    fatima = page.locator(".queue-item", has_text="Fatima").filter(has_text=marker)
    expect(fatima).to_be_visible()
    mallory.click()
    bubble = page.locator("#thread .bubble-in", has_text=marker)
    expect(bubble.locator(".body")).to_have_text(hostile)
    assert bubble.locator("b, img").count() == 0
    assert page.title() != "pwned"
    screenshot(page, "inbox_html_shown_literally")

    fatima.click()
    body = page.locator("#thread .bubble-in .body", has_text=rtl)
    expect(body).to_have_attribute("dir", "auto")
    assert body.evaluate("element => getComputedStyle(element).direction") == "rtl"


def test_an_operator_of_another_organisation_sees_none_of_it(site: Site, new_context) -> None:
    outsider = new_context().new_page()
    frames: list[str] = []
    outsider.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    email, password, name = OTHER_OPERATOR
    sign_in(outsider, site, email, password)
    expect(outsider.locator("#operator-name")).to_have_text(name)
    expect(outsider.locator("#queue-empty")).to_contain_text("No conversations waiting")
    expect(outsider.locator("#thread-empty")).to_contain_text("Select a conversation")

    marker = f"only-for-the-town-{new_chat_id()}"
    site.citizen_says(new_chat_id(), "Joan", text=marker)
    insider = new_context().new_page()
    sign_in(insider, site, LAIA)
    expect(insider.locator(".queue-item", has_text=marker)).to_be_visible()

    outsider.wait_for_timeout(300)
    expect(outsider.locator("#queue-empty")).to_be_visible()
    assert not any(marker in frame for frame in frames)
    screenshot(outsider, "inbox_other_organisation_empty")


def _conversation_of(site: Site, marker: str) -> int:
    with Session(get_engine(site.database_url)) as session:
        return session.exec(select(Message.conversation_id).where(col(Message.text).contains(marker))).one()


def test_a_new_message_redraws_the_thread_only_in_the_tabs_that_have_its_conversation_open(site: Site) -> None:
    first, second = f"vorera-{new_chat_id()}", f"banc-{new_chat_id()}"
    first_chat = new_chat_id()
    site.citizen_says(first_chat, "Marta", text=f"La vorera està trencada ({first})")
    site.citizen_says(new_chat_id(), "Joan", text=f"Un banc sense pintar ({second})")
    cookie = session_cookie(site, LAIA, demo.DEMO_PASSWORD)
    watching, elsewhere = (RawTab(site).connect("/inbox", session_cookie=cookie) for _ in range(2))
    try:
        for tab, marker in ((watching, first), (elsewhere, second)):
            tab.load_page("/inbox")
            tab.send(InboxState, "select", conversation_id=_conversation_of(site, marker))
            tab.clear()

        later = f"encara-{new_chat_id()}"
        site.citizen_says(first_chat, "Marta", text=f"Encara està trencada ({later})")
        deadline = time.monotonic() + 15
        while later not in json.dumps(_thread_updates(watching)):
            assert time.monotonic() < deadline, "the tab with the conversation open never showed the new message"
            time.sleep(0.1)
        elsewhere.settle(quiet=1.0)
        assert later in elsewhere.text(), "the queue of every tab shows the new message"
        assert _thread_updates(elsewhere) == [], "a tab showing another conversation redrew its thread"
    finally:
        watching.close()
        elsewhere.close()


def _thread_updates(tab: RawTab) -> list:
    name = InboxState.get_full_name()
    return [
        value
        for update in tab.updates
        for key, value in update.get("delta", {}).get(name, {}).items()
        if key.startswith("thread_rx_state")
    ]
