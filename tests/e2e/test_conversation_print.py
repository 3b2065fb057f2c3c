"""The printable page of a conversation, in the browser: the operator opens it from the thread header (a new tab) and
reads every message with who wrote it, a photo's link and the internal note apart, in her language, with the citizen's
markup shown as text; another organisation's operator opening our conversation's address, a stranger, garbage in the
URL and forged websocket frames get a plain "not found" or the login page, and nothing of ours."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, row_id
from citymes_app.pages import conversation_print
from citymes_app.state.inbox_print import PRINT_PREFIX, ConversationPrintState
from tests.e2e.raw_tab import NAMESPACE, RawTab, session_cookie
from tests.e2e.support import (
    OPERATOR,
    OTHER_OPERATOR,
    Site,
    new_chat_id,
    screenshot,
    set_interface_language,
    sign_in,
    street_photo,
)

pytestmark = pytest.mark.browser


def _conversation_id(site: Site, chat_id: int) -> int:
    with Session(get_engine(site.database_url)) as session:
        return row_id(session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one())


def _frames(page: Page) -> list[str]:
    """Everything the page's websockets receive from now on (to check what the server sent, not only what is drawn)."""
    received: list[str] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda frame: received.append(str(frame))))
    return received


@contextmanager
def _in_catalan(site: Site) -> Iterator[None]:
    set_interface_language(site.database_url, "ca", OPERATOR)
    try:
        yield
    finally:
        set_interface_language(site.database_url, "en", OPERATOR)


def test_the_printable_page_shows_every_message_the_note_and_the_photo_in_the_operators_language(site: Site, new_context) -> None:
    chat_id, marker = new_chat_id(), f"vorera-{new_chat_id()}"
    photo = base64.b64encode(street_photo(320, 200)).decode()
    markup = f"<b>Forat</b> a la vorera <img src=x onerror=alert(1)> ({marker})"
    site.citizen_says(
        chat_id, "Jordi", photo={"content_base64": photo, "filename": "vorera.png", "mime_type": "image/png"}, caption=markup
    )
    context = new_context()
    page = context.new_page()
    with _in_catalan(site):
        sign_in(page, site, OPERATOR)
        page.locator(".queue-item", has_text=marker).click()
        expect(page.locator("#thread .bubble-in", has_text=marker)).to_be_visible()
        reply = f"Gràcies, Jordi: avisem la brigada ({marker})"
        page.fill("#reply-box", reply)
        page.click("#send-reply")
        expect(page.locator("#thread", has_text=reply)).to_be_visible()
        page.click("#composer-note")
        note = f"Trucat a via pública ({marker})"
        page.fill("#note-box", note)
        page.click("#save-note")
        expect(page.locator("#thread", has_text=note)).to_be_visible()

        conversation_id = _conversation_id(site, chat_id)
        page.click("#thread-more")  # the header's menu: link, CSV, printable page
        expect(page.locator("#print-conversation")).to_have_text("Pàgina per imprimir")
        screenshot(page, "inbox_thread_header_ca")
        with context.expect_page() as opened:
            page.click("#print-conversation")
        sheet = opened.value
        sheet.wait_for_url(f"**{PRINT_PREFIX}{conversation_id}")
        expect(sheet.locator("#print-title")).to_have_text("Conversa amb Jordi")
        expect(sheet.locator("#print-organisation")).not_to_be_empty()
        expect(sheet.locator("#print-state")).to_have_text("Oberta")
        expect(sheet.locator("#print-zone")).to_have_text("Hores segons el rellotge de l'organització (Europe/Madrid).")
        expect(sheet.locator("#print-conversation-page")).to_have_text("Imprimeix o desa en PDF")

        lines = sheet.locator("#print-messages .printed-line")
        first, answer_line = lines.first, lines.filter(has_text=reply)  # the office may have answered automatically between
        expect(first.locator(".printed-who")).to_have_text("Jordi")
        expect(first.locator(".printed-text")).to_have_text(markup)  # the citizen's markup, as text
        assert first.locator(".printed-text b, .printed-text img").count() == 0
        expect(first).to_contain_text("Foto")
        media = first.locator("a.media-link")
        expect(media).to_have_attribute("href", re.compile(r"/media/\d+/"))
        expect(answer_line.locator(".printed-who")).to_have_text(re.compile(r".+"))
        expect(answer_line.locator(".printed-when")).to_contain_text(" del 20")  # "2 de des. del 2026, 10:00": Catalan
        assert lines.filter(has_text=note).count() == 0  # the note is apart from the messages

        expect(sheet.locator("#print-notes")).to_contain_text("Notes internes")
        expect(sheet.locator("#print-notes .printed-line")).to_have_count(1)
        expect(sheet.locator("#print-notes .printed-text")).to_have_text(note)
        screenshot(sheet, "conversation_print_ca")

        # The photo's link opens the file for a signed-in operator of the organisation.
        answer = sheet.request.get(media.get_attribute("href") or "")
        assert answer.status == 200 and answer.headers["content-type"].startswith("image/")

        # The print stylesheet hides the buttons on paper.
        sheet.emulate_media(media="print")
        expect(sheet.locator("#print-conversation-page")).to_be_hidden()
        screenshot(sheet, "conversation_print_ca_paper")


def test_anything_but_a_conversation_of_ours_in_the_url_is_not_found(site: Site, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, site, OPERATOR)
    for garbage in ("abc", "0", "-1", "99999999", "1e3", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "9" * 30):
        page.goto(f"{site.url}{PRINT_PREFIX}{garbage}")
        expect(page.locator("#print-not-found")).to_be_visible()
        expect(page.locator("#print-title")).to_have_count(0)


def test_another_organisations_operator_and_a_stranger_see_nothing_of_ours(site: Site, new_context) -> None:
    chat_id, marker = new_chat_id(), f"secret-{new_chat_id()}"
    site.citizen_says(chat_id, "Carla Secreta", text=f"La meva adreça és el carrer Nou, 3 ({marker})")
    ours = _conversation_id(site, chat_id)
    address = f"{site.url}{PRINT_PREFIX}{ours}"

    attacker = new_context().new_page()
    email, password, _ = OTHER_OPERATOR
    sign_in(attacker, site, email, password)
    seen = _frames(attacker)
    attacker.goto(address)
    expect(attacker.locator("#print-not-found")).to_be_visible()
    attacker.wait_for_timeout(500)
    assert marker not in attacker.content() and "Carla Secreta" not in attacker.content()
    assert seen and not any(marker in frame or "Carla" in frame for frame in seen)
    screenshot(attacker, "conversation_print_not_found")

    stranger = new_context().new_page()
    heard = _frames(stranger)
    stranger.goto(address)
    stranger.wait_for_url("**/login")
    assert not any(marker in frame or "Carla" in frame for frame in heard)


def _open_print_page(tab: RawTab, query: object, path: str) -> None:
    """The page's on_load handler, fired by hand with whatever route arguments the attacker likes."""
    tab.client.emit(
        "event",
        {
            "name": f"{ConversationPrintState.get_full_name()}.open_print_page",
            "payload": {},
            "router_data": {"pathname": conversation_print.ROUTE, "asPath": path, "query": query},
        },
        namespace=NAMESPACE,
    )
    tab.settle()


def test_forged_route_arguments_over_a_raw_websocket_load_nothing_of_ours(site: Site) -> None:
    chat_id, marker = new_chat_id(), f"secret-{new_chat_id()}"
    site.citizen_says(chat_id, "Carla", text=f"El meu DNI ({marker})")
    ours = _conversation_id(site, chat_id)
    path = f"{PRINT_PREFIX}{ours}"

    email, password, _ = OTHER_OPERATOR
    cookies = [session_cookie(site, who, secret) for who, secret in ((email, password), (OPERATOR, demo.DEMO_PASSWORD))]
    attacker = RawTab(site).connect(path, session_cookie=cookies[0])
    laia = RawTab(site).connect(path, session_cookie=cookies[1])
    stranger = RawTab(site).connect(path)
    try:
        for query in ({"conversation": str(ours)}, {"conversation": [str(ours)]}, {"conversation": ours}, "x", None):
            _open_print_page(attacker, query, path)
            _open_print_page(stranger, query, path)
        _open_print_page(laia, {"conversation": str(ours)}, path)  # the control: our operator gets it
        assert marker in laia.text()

        assert marker not in attacker.text() and marker not in stranger.text()
        assert "/login" in stranger.redirects()
    finally:
        attacker.close()
        laia.close()
        stranger.close()
