"""A keyword's answer in the reply: the operator opens the organisation's keywords beside the reply box, finds one by a
word without its accent, and its answer (with its link) goes in after what they had written — then to the citizen's
phone as one reply. Over raw websockets another organisation's operator never sees our keywords nor gets our answers
into a reply, whatever ids they send."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.core.keywords import answer_text
from citymes_app.models import Conversation, Keyword, Tenant, row_id
from citymes_app.pages import inbox
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import OTHER_OPERATOR, Site, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

LAIA = "operator@demo.citymes.local"


def _demo_keyword(site: Site, name: str) -> Keyword:
    with Session(get_engine(site.database_url)) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == demo.DEMO_SLUG)).one()
        return session.exec(select(Keyword).where(Keyword.tenant_id == row_id(tenant), Keyword.keyword == name)).one()


def test_a_keywords_answer_found_without_accents_goes_in_after_the_draft_and_reaches_the_citizen(site: Site, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, site, LAIA)
    chat_id, marker = new_chat_id(), f"deixalleria-{new_chat_id()}"
    site.citizen_says(chat_id, "Eulàlia", text=f"On puc llençar un sofà vell? ({marker})")
    page.locator(".queue-item", has_text=marker).click()
    box = page.locator("#reply-box")
    box.fill("Bon dia, Eulàlia.")

    page.click("#keyword-answers")
    page.fill("#keyword-search", "mobles")  # a word of the answer, not of the keyword
    choices = page.locator("#keyword-list .keyword-choice")
    expect(choices).to_have_count(1)
    expect(choices).to_have_attribute("data-keyword", "DEIXALLERIA")
    page.fill("#keyword-search", "deixalleria municipal DIMARTS")  # every word, whatever the case and accents
    expect(choices).to_have_count(1)
    screenshot(page, "inbox_keyword_answers")
    choices.click()

    answer = answer_text(_demo_keyword(site, "DEIXALLERIA"))
    expected = f"Bon dia, Eulàlia.\n\n{answer}"
    expect(box).to_have_value(expected)
    expect(page.locator("#keyword-list")).to_have_count(0)  # the list closed
    page.click("#send-reply")
    deadline = time.monotonic() + 15
    while not any(m["from"] == "bot" and m["text"] == expected for m in site.phone_screen(chat_id)):
        assert time.monotonic() < deadline, "the reply with the keyword's answer never reached the citizen"
        time.sleep(0.1)


def test_another_organisations_operator_never_sees_our_keywords_nor_inserts_our_answers(site: Site) -> None:
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Carles", text=f"Una pregunta ({new_chat_id()})")
    with Session(get_engine(site.database_url)) as session:
        ours = row_id(session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one())
    keyword = _demo_keyword(site, "HORARIS")

    email, password, _ = OTHER_OPERATOR
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=session_cookie(site, email, password))
    try:
        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "show_keywords", opened=True)
        attacker.send(InboxState, "insert_keyword", keyword_id=row_id(keyword))  # no conversation open: nothing
        attacker.send(InboxState, "select", conversation_id=ours)  # ours: refused
        attacker.send(InboxState, "insert_keyword", keyword_id=row_id(keyword))
        attacker.send(InboxState, "insert_keyword", keyword_id="1 OR 1=1")
        seen = attacker.text()
        assert keyword.response not in seen, "another organisation saw our keyword's answer"
        assert "keyword_options" not in seen or '"keyword_options_rx_state_": []' in seen, "it was offered keywords"
    finally:
        attacker.close()

    laia = RawTab(site).connect(inbox.ROUTE, session_cookie=session_cookie(site, LAIA, demo.DEMO_PASSWORD))
    try:
        laia.load_page(inbox.ROUTE)
        laia.send(InboxState, "show_keywords", opened=True)
        assert keyword.response[:40] in laia.text(), "the organisation's own operator should see its keywords"
    finally:
        laia.close()


def test_the_thread_shows_the_menu_buttons_an_automatic_answer_offered_the_citizen(site: Site, new_context) -> None:
    chat_id, marker = new_chat_id(), f"padro-{new_chat_id()}"
    site.citizen_says(chat_id, "Ramon", text=f"Bon dia, una consulta ({marker})")  # waits for an operator
    site.citizen_says(chat_id, "Ramon", text="HORARIS")  # answered at once, with its menu
    horaris = _demo_keyword(site, "HORARIS")
    offered = [b for b in horaris.buttons.split("|") if b]
    assert offered, "the demo's HORARIS offers a menu"

    page = new_context().new_page()
    sign_in(page, site, LAIA)
    page.locator(".queue-item", has_text="Ramon").first.click()
    answer = page.locator("#thread .bubble-out", has_text=horaris.response[:30])
    expect(answer.locator(".menu-button")).to_have_text(offered)
    expect(page.locator("#thread .bubble-in .menu-button")).to_have_count(0)  # the citizen's own messages have none
    screenshot(page, "inbox_thread_menu_buttons")
