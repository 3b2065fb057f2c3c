"""Who is here, live: two operators of the organisation see each other online, see on the queue line and in the
thread who else has a conversation open, and see a colleague writing a reply — for as long as they write, gone once the
box has rested, and the colleague gone once their tab closes. Over raw websockets: another organisation's operator
never appears among ours nor learns who is here, a signed-out tab can say nothing, and a colleague's tab learns names
and conversations but never another tab's client token. A colleague whose connection drops goes from the others'
pages and comes back, on the conversation they had open, when it returns."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, row_id
from citymes_app.pages import inbox
from citymes_app.state.inbox_presence import TYPING_IDLE_SECONDS
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import OTHER_OPERATOR, Site, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

LAIA, PAU = "operator@demo.citymes.local", "operator2@demo.citymes.local"
LAIA_NAME, PAU_NAME = "Laia (operator)", "Pau (operator)"


def _online(page: Page, name: str):  # noqa: ANN202
    return page.locator(f"#colleagues-online .online-colleague[data-name='{name}']")


def _conversation_id(site: Site, chat_id: int) -> int:
    with Session(get_engine(site.database_url)) as session:
        return row_id(session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one())


def test_colleagues_see_who_is_here_what_each_reads_and_who_is_writing_until_they_stop_or_leave(site: Site, new_context) -> None:
    laia, pau_context = new_context().new_page(), new_context()
    pau = pau_context.new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)
    expect(_online(laia, PAU_NAME)).to_have_count(1)
    expect(_online(pau, LAIA_NAME)).to_have_count(1)
    expect(_online(laia, LAIA_NAME)).to_have_count(0)  # nobody is shown to themselves

    marker = f"fanal-{new_chat_id()}"
    site.citizen_says(new_chat_id(), "Montse", text=f"El fanal del carrer no s'encén ({marker})")
    laia_line, pau_line = (page.locator(".queue-item", has_text=marker) for page in (laia, pau))
    pau_line.click()
    expect(laia_line.locator(f".line-reader[title='{PAU_NAME}']")).to_have_count(1)  # Laia's queue, live
    expect(pau_line.locator(".line-reader")).to_have_count(0)

    laia_line.click()
    expect(laia.locator("#here-too")).to_be_visible()
    expect(pau.locator("#here-too")).to_be_visible()
    expect(laia.locator(".writing-now")).to_have_count(0)

    box = pau.locator("#reply-box")
    box.press_sequentially("Bon dia, ", delay=40)
    writing = laia.locator(".writing-now")
    expect(writing).to_have_text(f"{PAU_NAME} is writing a reply…")
    expect(laia_line.locator(".line-reader .lucide-pencil")).to_have_count(1)
    screenshot(laia, "inbox_colleague_writing")
    # While Pau keeps writing (a word a second, each within the idle time), Laia keeps seeing it.
    for word in ("avisem ", "la ", "brigada ", "d'enllumenat"):
        box.press_sequentially(word, delay=20)
        last_keystroke = time.monotonic()
        time.sleep(1)
        assert writing.count() == 1, "the notice went while the colleague was still writing"

    expect(writing).to_have_count(0, timeout=20_000)  # the box rested: gone without a word from Pau
    rested = time.monotonic() - last_keystroke
    assert rested >= TYPING_IDLE_SECONDS - 0.5, f"the notice went {rested:.1f} s after the last keystroke"
    expect(laia.locator("#here-too")).to_be_visible()  # still reading it
    expect(box).to_have_value("Bon dia, avisem la brigada d'enllumenat")  # the draft is Pau's, untouched

    box.press_sequentially(".", delay=20)
    expect(writing).to_have_count(1)
    box.press("Enter")  # sent: no longer writing, at once
    expect(pau.locator("#thread .bubble-out", has_text="brigada d'enllumenat")).to_be_visible()
    expect(writing).to_have_count(0)

    pau_context.close()  # Pau leaves: gone from Laia's page, with no reload
    expect(_online(laia, PAU_NAME)).to_have_count(0, timeout=20_000)
    expect(laia_line.locator(".line-reader")).to_have_count(0)
    expect(laia.locator("#here-too")).to_have_count(0)


def test_another_organisation_never_appears_nor_learns_who_is_here_and_no_tab_learns_another_tabs_token(
    site: Site, new_context
) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, LAIA)
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Jordi", text=f"Contenidor ple ({new_chat_id()})")
    conversation_id = _conversation_id(site, chat_id)
    laia.locator(".queue-item", has_text="Jordi").first.click()
    laia.locator("#reply-box").press_sequentially("Ho mirem", delay=20)
    laia_token = laia.evaluate("window.sessionStorage.getItem('token')")
    assert laia_token

    email, password, outsider = OTHER_OPERATOR
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=session_cookie(site, email, password))
    try:
        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "select", conversation_id=conversation_id)  # ours: refused by the desk
        attacker.send(InboxState, "set_draft", value="escrivint")
        attacker.send(InboxState, "stopped_writing")
        seen = attacker.text()
        assert LAIA_NAME not in seen and "Jordi" not in seen, "another organisation learnt who is here"
    finally:
        attacker.close()
    expect(_online(laia, outsider)).to_have_count(0)

    signed_out = RawTab(site).connect(inbox.ROUTE)
    try:
        signed_out.send(InboxState, "set_draft", value="escrivint")
        signed_out.send(InboxState, "stopped_writing")
        assert LAIA_NAME not in signed_out.text()
    finally:
        signed_out.close()

    colleague = RawTab(site).connect(inbox.ROUTE, session_cookie=session_cookie(site, PAU, demo.DEMO_PASSWORD))
    try:
        colleague.load_page(inbox.ROUTE)
        seen = colleague.text()
        assert LAIA_NAME in seen, "a colleague of the organisation should see Laia here"
        assert laia_token not in seen, "another tab's client token reached a colleague"
    finally:
        colleague.close()
    expect(_online(laia, outsider)).to_have_count(0)


def test_a_colleague_whose_connection_dropped_goes_and_comes_back_reading_the_same_conversation(site: Site, new_context) -> None:
    laia, pau_context = new_context().new_page(), new_context()
    pau = pau_context.new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)
    marker = f"bassal-{new_chat_id()}"
    site.citizen_says(new_chat_id(), "Jordi", text=f"Hi ha un bassal enorme a la parada del bus ({marker})")
    laia_line = laia.locator(".queue-item", has_text=marker)
    pau.locator(".queue-item", has_text=marker).click()
    reader = laia_line.locator(f".line-reader[title='{PAU_NAME}']")
    expect(reader).to_have_count(1)

    pau.evaluate("window.__citymes_not_reloaded = true")  # a reload would wipe it
    pau_context.set_offline(True)  # his network goes: Laia no longer sees him, with no reload
    expect(pau.locator("#connection-lost")).to_be_visible()
    expect(_online(laia, PAU_NAME)).to_have_count(0, timeout=20_000)
    expect(reader).to_have_count(0)

    pau_context.set_offline(False)  # back: online again, and on the conversation he had open
    expect(pau.locator("#connection-lost")).to_have_count(0, timeout=20_000)
    expect(_online(laia, PAU_NAME)).to_have_count(1, timeout=20_000)
    expect(reader).to_have_count(1)
    expect(pau.locator("#thread .bubble-in", has_text=marker)).to_be_visible()
    assert pau.evaluate("window.__citymes_not_reloaded === true"), "his page came back by reloading"
