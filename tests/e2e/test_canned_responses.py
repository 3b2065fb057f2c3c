"""Canned responses in the browser: an administrator adds one with `{name}` (a misspelt placeholder refused beside the
text), an operator types `/` and its shortcut in a conversation, picks it, sees the citizen's name filled in and sends
it to the citizen's phone; a citizen with no known name gets `{name}` left in the box, named beside it, and not sent.
Over raw websockets, an operator who is not an administrator and another organisation's administrator can neither
save nor delete the town's canned responses, nor insert them."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import CannedResponse, Citizen, Conversation, Tenant
from citymes_app.pages import canned_responses
from citymes_app.state.canned_state import CannedResponsesState
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import (
    ADMIN,
    OPERATOR,
    Site,
    demo_data_restored,
    fill_settled,
    new_chat_id,
    other_admin,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _leaves_the_canned_responses_as_found(site: Site) -> Iterator[None]:
    """The demo's canned responses as they were, even when a test fails half-way through."""
    with demo_data_restored(site, "canned_response"):
        yield


def demo_rows(site: Site) -> list[tuple[int, str, str]]:
    """The demo town's canned responses as stored."""
    with Session(get_engine(site.database_url)) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == demo.DEMO_SLUG)).one()
        rows = session.exec(select(CannedResponse).where(CannedResponse.tenant_id == tenant.id))
        return sorted((c.id or 0, c.shortcut, c.text) for c in rows)


def add_canned(page: Page, site: Site, shortcut: str, text: str) -> Page:
    """As the demo's administrator, add a canned response through the page; a misspelt placeholder first."""
    sign_in(page, site, ADMIN)
    page.locator("#admin-nav").get_by_text("Canned responses").click()
    page.wait_for_url(f"**{canned_responses.ROUTE}")
    expect(page.locator(".canned-row[data-shortcut='hola']")).to_be_visible()  # the demo's

    page.fill("#canned-shortcut", shortcut)
    page.fill("#canned-text", text.replace("{name}", "{nom}"))
    page.click("#save-canned")
    expect(page.locator("#canned-text-error")).to_contain_text("Unknown placeholder {nom}")
    fill_settled(page, "#canned-shortcut", "hola")
    fill_settled(page, "#canned-text", text)
    page.click("#save-canned")
    expect(page.locator("#canned-shortcut-error")).to_have_text("/hola already exists.")
    expect(page.locator("#canned-text-error")).to_have_count(0)

    fill_settled(page, "#canned-shortcut", shortcut)
    page.click("#save-canned")
    expect(page.locator("#canned-notice")).to_have_text(f"/{shortcut} added.")
    expect(page.locator(f".canned-row[data-shortcut='{shortcut}'] .canned-text")).to_have_text(text)
    expect(page.locator(f".canned-row[data-shortcut='{shortcut}']")).to_contain_text("Jordi (admin)")
    screenshot(page, "canned_responses_admin_page")
    return page


def forget_name(site: Site, chat_id: int) -> None:
    """Blank the name of the citizen writing from `chat_id` (a fresh citizen of the calling test)."""
    with Session(get_engine(site.database_url)) as session:
        conversation = session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one()
        citizen = session.get_one(Citizen, conversation.citizen_id)
        citizen.display_name = ""
        session.add(citizen)
        session.commit()


def open_conversation(page: Page, site: Site, marker: str) -> None:
    sign_in(page, site, OPERATOR)
    page.locator(".queue-item", has_text=marker).click()
    expect(page.locator("#thread .bubble-in", has_text=marker)).to_be_visible()


def test_an_operator_inserts_a_canned_response_with_the_citizens_name_and_the_citizen_receives_it(
    site: Site, new_context
) -> None:
    shortcut = f"benvinguda{secrets.randbelow(10**6)}"
    text = "Hola {name}, sóc {operator}. Com us podem ajudar? (" + shortcut + ")"
    jordi = add_canned(new_context().new_page(), site, shortcut, text)

    chat_id, marker = new_chat_id(), f"vorera-{new_chat_id()}"
    site.citizen_says(chat_id, "Montserrat", text=f"La vorera del carrer Gran està trencada ({marker})")
    laia = new_context().new_page()
    open_conversation(laia, site, marker)

    laia.locator("#reply-box").press_sequentially("/" + shortcut[:6])
    suggestion = laia.locator(f".canned-suggestion[data-shortcut='{shortcut}']")
    expect(suggestion).to_be_visible()
    expect(laia.locator(".canned-suggestion[data-shortcut='hola']")).to_have_count(0)  # /hola does not start so
    expect(suggestion).to_contain_text("Hola {name}, sóc {operator}")
    screenshot(laia, "canned_responses_composer_suggestions")
    suggestion.click()

    filled = f"Hola Montserrat, sóc Laia (operator). Com us podem ajudar? ({shortcut})"
    expect(laia.locator("#reply-box")).to_have_value(filled)
    expect(laia.locator("#canned-suggestions")).to_have_count(0)
    expect(laia.locator("#canned-notice")).to_have_count(0)
    laia.click("#send-reply")
    expect(laia.locator("#thread .bubble-out", has_text=filled)).to_be_visible()

    deadline = time.monotonic() + 15
    while not any(m["from"] == "bot" and m["text"] == filled for m in site.phone_screen(chat_id)):
        assert time.monotonic() < deadline, "the canned response never reached the citizen's phone"
        time.sleep(0.1)

    jordi.locator(f".canned-row[data-shortcut='{shortcut}'] .delete-canned").click()  # asks first
    jordi.click("#confirm-delete-canned")
    expect(jordi.locator("#canned-notice")).to_have_text(f"/{shortcut} deleted.")
    expect(jordi.locator(f".canned-row[data-shortcut='{shortcut}']")).to_have_count(0)
    assert shortcut not in [row_shortcut for _, row_shortcut, _ in demo_rows(site)]


def test_a_citizen_with_no_known_name_leaves_the_placeholder_named_beside_the_box_and_unsent(site: Site, new_context) -> None:
    chat_id, marker = new_chat_id(), f"soroll-{new_chat_id()}"
    site.citizen_says(chat_id, "Anònim", text=f"Hi ha molt soroll a la plaça ({marker})")
    forget_name(site, chat_id)  # as when the platform gives no name (Telegram always does, WhatsApp may not)
    laia = new_context().new_page()
    open_conversation(laia, site, marker)

    laia.locator("#reply-box").press_sequentially("/hola")
    expect(laia.locator(".canned-suggestion[data-shortcut='hola']")).to_be_visible()
    laia.locator("#reply-box").press("Enter")  # the whole shortcut typed: Enter inserts it instead of sending

    expect(laia.locator("#reply-box")).to_have_value(
        "Bon dia {name}, sóc Laia (operator), de l'Ajuntament. En què us puc ajudar?"
    )
    notice = "No name is known for this citizen: replace {name} before sending."
    expect(laia.locator("#canned-notice")).to_have_text(notice)
    laia.click("#send-reply")
    expect(laia.locator("#reply-error")).to_have_text(notice)
    expect(laia.locator("#canned-notice")).to_have_count(0)  # said once
    expect(laia.locator("#thread .bubble-out", has_text="Bon dia")).to_have_count(0)  # only the automatic notice
    screenshot(laia, "canned_responses_missing_name")

    laia.fill("#reply-box", "Bon dia, sóc Laia, de l'Ajuntament. En què us puc ajudar?")
    expect(laia.locator("#canned-notice")).to_have_count(0)
    laia.click("#send-reply")
    expect(laia.locator("#thread .bubble-out", has_text="Bon dia, sóc Laia")).to_be_visible()


def forge_edits(tab: RawTab, canned_id: int) -> None:
    """What an attacker's tab tries on the canned responses page: add, change and delete, by id."""
    path = canned_responses.ROUTE
    tab.load_page(path)
    tab.send(CannedResponsesState, "open_canned_page", path=path)
    tab.send(CannedResponsesState, "set_form_shortcut", path=path, value="pirata")
    tab.send(CannedResponsesState, "set_form_text", path=path, value="Pirates {name}")
    tab.send(CannedResponsesState, "save", path=path, form_data={})
    tab.send(CannedResponsesState, "edit", path=path, canned_id=canned_id)
    tab.send(CannedResponsesState, "set_editing_id", path=path, value=canned_id)  # should setters exist
    tab.send(CannedResponsesState, "set_form_text", path=path, value="Canviat per un pirata")
    tab.send(CannedResponsesState, "save", path=path, form_data={})
    tab.send(CannedResponsesState, "ask_delete", path=path, canned_id=canned_id, shortcut="hola")
    tab.send(CannedResponsesState, "confirm_delete", path=path)
    tab.send(InboxState, "insert_canned", canned_id=canned_id)


@pytest.mark.parametrize("who", ["operator", "other organisation's administrator"])
def test_forged_events_cannot_save_delete_or_read_canned_responses(site: Site, who: str) -> None:
    email, password = (OPERATOR, demo.DEMO_PASSWORD) if who == "operator" else other_admin(site)
    before = demo_rows(site)
    canned_id = next(row_id for row_id, shortcut, _ in before if shortcut == "hola")
    tab = RawTab(site).connect(canned_responses.ROUTE, session_cookie=session_cookie(site, email, password))
    try:
        forge_edits(tab, canned_id)
        assert demo_rows(site) == before, f"the {who} changed the town's canned responses"
        assert "Bon dia" not in tab.text(), f"the town's canned responses reached the {who}'s page"
        if who == "operator":
            assert "Only an administrator can change canned responses." in tab.text()
    finally:
        tab.close()
