"""Who has a conversation, live: two operators see a take and a transfer on the queue line and in the thread header
without a reload; a reply to a conversation the other just took asks before it goes; and over raw websockets another
organisation's operator cannot take or assign our conversations, nor can ours assign one to theirs."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, Operator, row_id
from citymes_app.pages import inbox
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import OTHER_OPERATOR, Site, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

LAIA, PAU = "operator@demo.citymes.local", "operator2@demo.citymes.local"


def _conversation(site: Site, chat_id: int) -> Conversation:
    with Session(get_engine(site.database_url)) as session:
        return session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one()


def _operator_id(site: Site, email: str) -> int:
    with Session(get_engine(site.database_url)) as session:
        return row_id(session.exec(select(Operator).where(Operator.email == email)).one())


def test_a_take_shows_live_to_the_other_operator_whose_reply_then_asks_before_it_goes(site: Site, new_context) -> None:
    laia, pau = new_context().new_page(), new_context().new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)
    chat_id, marker = new_chat_id(), f"clot-{new_chat_id()}"
    site.citizen_says(chat_id, "Rosa", text=f"Hi ha un clot a la plaça ({marker})")

    laia_line, pau_line = (page.locator(".queue-item", has_text=marker) for page in (laia, pau))
    laia_line.click()
    pau_line.click()
    expect(laia.locator("#thread-assignee")).to_have_text("Unassigned")
    expect(laia_line.locator(".assignee")).to_have_count(0)

    pau.click("#take")
    expect(pau.locator("#thread-assignee")).to_have_text("Assigned to you")
    expect(pau_line.locator(".assignee")).to_have_text("You")
    expect(laia.locator("#thread-assignee")).to_have_text("Pau (operator)")  # live, no reload
    expect(laia_line.locator(".assignee")).to_have_text("Pau (operator)")
    expect(laia.locator("#take")).to_be_visible()
    expect(pau.locator("#take")).to_have_count(0)

    reply = f"Enviem la brigada ({marker})"
    laia.fill("#reply-box", reply)
    laia.click("#send-reply")
    question = laia.locator("#moved-question")
    expect(question).to_have_text("Pau (operator) has just taken this conversation.")
    screenshot(laia, "inbox_someone_else_took_it")
    laia.click("#keep-draft")
    expect(question).to_have_count(0)
    expect(laia.locator("#reply-box")).to_have_value(reply)
    expect(pau.locator("#thread .bubble-out", has_text=reply)).to_have_count(0)  # nothing went

    laia.click("#send-reply")
    expect(question).to_be_visible()
    laia.click("#send-anyway")
    expect(pau.locator("#thread .bubble-out", has_text=reply)).to_be_visible()
    expect(laia.locator("#reply-box")).to_have_value("")
    deadline = time.monotonic() + 15
    while not any(m["from"] == "bot" and m["text"] == reply for m in site.phone_screen(chat_id)):
        assert time.monotonic() < deadline, "the confirmed reply never reached the citizen"
        time.sleep(0.1)
    expect(laia.locator("#thread-assignee")).to_have_text("Pau (operator)")  # answering did not take it from Pau
    screenshot(pau, "inbox_taken_by_pau")


def test_a_transfer_reaches_the_assignee_live_and_a_reply_after_a_resolve_asks(site: Site, new_context) -> None:
    laia, pau = new_context().new_page(), new_context().new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)
    marker = f"fuita-{new_chat_id()}"
    site.citizen_says(new_chat_id(), "Biel", text=f"Fuita d'aigua al carrer ({marker})")
    laia.locator(".queue-item", has_text=marker).click()
    pau_line = pau.locator(".queue-item", has_text=marker)
    expect(pau_line).to_be_visible()

    laia.click("#assign-menu")
    laia.locator(".assign-option", has_text="Pau (operator)").click()
    expect(laia.locator("#thread-assignee")).to_have_text("Pau (operator)")
    expect(pau_line.locator(".assignee")).to_have_text("You")  # Pau's queue, live

    pau_line.click()
    expect(pau.locator("#thread-assignee")).to_have_text("Assigned to you")
    laia.click("#resolve")
    expect(pau.locator("#thread-status")).to_have_text("Resolved")
    pau.fill("#reply-box", f"Ja hi som ({marker})")
    pau.click("#send-reply")
    expect(pau.locator("#moved-question")).to_have_text("Laia (operator) has just resolved this conversation.")
    screenshot(pau, "inbox_someone_else_resolved_it")


def test_another_organisations_operator_cannot_take_or_assign_ours_nor_ours_assign_to_theirs(site: Site) -> None:
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Carla", text=f"Soroll nocturn ({new_chat_id()})")
    ours = _conversation(site, chat_id)
    outsider_id = _operator_id(site, OTHER_OPERATOR[0])
    laia_id = _operator_id(site, LAIA)

    email, password, _ = OTHER_OPERATOR
    cookie = session_cookie(site, email, password)
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
    try:
        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "select", conversation_id=row_id(ours))
        attacker.send(InboxState, "take_selected")
        attacker.send(InboxState, "assign_selected", operator_id=outsider_id)
        attacker.send(InboxState, "assign_selected", operator_id=laia_id)
        attacker.send(InboxState, "set_selected_id", value=row_id(ours))  # no such setter: refused by Reflex
        attacker.send(InboxState, "take_selected")
        assert "Carla" not in attacker.text()
    finally:
        attacker.close()

    cookie = session_cookie(site, LAIA, demo.DEMO_PASSWORD)
    laia = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
    try:
        laia.load_page(inbox.ROUTE)
        laia.send(InboxState, "select", conversation_id=row_id(ours))
        laia.send(InboxState, "assign_selected", operator_id=outsider_id)
        laia.send(InboxState, "assign_selected", operator_id="1 OR 1=1")
        assert "Queralt" not in laia.text()
        assert "This operator does not exist." in laia.text()
    finally:
        laia.close()

    after = _conversation(site, chat_id)
    assert (after.assigned_operator_id, after.version) == (ours.assigned_operator_id, ours.version), (
        "a refused take or assignment changed the conversation"
    )
