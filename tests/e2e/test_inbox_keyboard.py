"""The inbox by keyboard (`components/inbox_keys.py`): `j`/`k` open the next and previous conversations, `r` goes to the
reply box and Enter sends to the citizen's phone, `/` opens the canned responses, `e` resolves, `?` lists the
shortcuts; keys typed in the reply box are words, not shortcuts, until Escape leaves it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import OPERATOR, Site, new_chat_id, screenshot, set_interface_language, sign_in

pytestmark = pytest.mark.browser

PAU = "operator2@demo.citymes.local"


def showing(page: Page, marker: str) -> None:
    """The thread shows the conversation whose citizen wrote `marker`, and the queue marks its line as selected."""
    expect(page.locator("#thread .bubble-in", has_text=marker)).to_be_visible()
    expect(page.locator(".queue-item[data-selected='true']", has_text=marker)).to_have_count(1)


def test_an_operator_moves_through_the_queue_answers_and_resolves_by_keyboard(site: Site, new_context) -> None:
    first_chat, second_chat = new_chat_id(), new_chat_id()
    first, second = f"fanal-{first_chat}", f"gual-{second_chat}"
    site.citizen_says(first_chat, "Aina", text=f"El fanal de la plaça no s'encén ({first})")
    site.citizen_says(second_chat, "Bernat", text=f"Un cotxe tapa el gual ({second})")
    laia = new_context().new_page()
    sign_in(laia, site, OPERATOR)

    # With nothing open, `j` opens the queue's first line.
    expect(laia.locator(".queue-item", has_text=second)).to_be_visible()
    expect(laia.locator("#thread-empty")).to_be_visible()
    laia.keyboard.press("j")
    expect(laia.locator(".queue-item").first).to_have_attribute("data-selected", "true")
    expect(laia.locator("#thread-title")).to_be_visible()

    # Newest first: the second citizen's line, then the first's; `j` and `k` (and the arrows) go from one to the other.
    laia.locator(".queue-item", has_text=second).click()
    showing(laia, second)
    lines = laia.locator(".queue-item")
    texts = [lines.nth(n).inner_text() for n in range(lines.count())]
    where = next(n for n, text in enumerate(texts) if second in text)
    assert first in texts[where + 1], "the first citizen's line should follow the second's"
    laia.keyboard.press("j")
    showing(laia, first)
    expect(laia.locator("#thread-title")).to_have_text("Aina")
    laia.keyboard.press("k")
    showing(laia, second)
    laia.keyboard.press("ArrowDown")
    showing(laia, first)
    laia.keyboard.press("Control+k")  # a modifier held: the browser's, not ours
    laia.wait_for_timeout(300)
    showing(laia, first)

    # `r`: the reply box; what is typed there is the reply, `j` and `k` included; Enter sends it to the citizen.
    laia.keyboard.press("r")
    box = laia.locator("#reply-box")
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    reply = f"Avisem la brigada d'enllumenat, jk ({first})"
    laia.keyboard.type(reply)
    expect(box).to_have_value(reply)
    showing(laia, first)
    laia.keyboard.press("Enter")
    expect(laia.locator("#thread .bubble-out", has_text=reply)).to_be_visible()
    deadline = time.monotonic() + 15
    while not any(m["from"] == "bot" and m["text"] == reply for m in site.phone_screen(first_chat)):
        assert time.monotonic() < deadline, "the reply never reached the citizen's phone"
        time.sleep(0.1)

    # Still in the box: `j` and `k` are letters there; Escape leaves it and they open conversations again.
    expect(box).to_be_focused()
    laia.keyboard.type("jk")
    expect(box).to_have_value("jk")
    laia.wait_for_timeout(300)
    showing(laia, first)
    laia.keyboard.press("Control+a")
    laia.keyboard.press("Backspace")
    expect(box).to_have_value("")
    laia.keyboard.press("Escape")
    expect(box).not_to_be_focused()

    # `/`: the reply box with `/` in it, and the canned responses under it.
    laia.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("/")
    expect(laia.locator("#canned-suggestions")).to_be_visible()
    expect(laia.locator(".canned-suggestion[data-shortcut='hola']")).to_be_visible()
    laia.keyboard.press("Backspace")
    expect(laia.locator("#canned-suggestions")).to_have_count(0)
    laia.keyboard.press("Escape")
    expect(box).not_to_be_focused()

    # `?`: the list of shortcuts; while it is open, single keys do nothing; Escape closes it.
    button = laia.locator("#shortcuts-button")
    expect(button).to_have_attribute("aria-label", "Keyboard shortcuts")
    laia.keyboard.press("?")
    dialog = laia.locator("#shortcuts-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Keyboard shortcuts")
    expect(dialog).to_contain_text("Next conversation")
    expect(dialog).to_contain_text("Resolve the conversation")
    screenshot(laia, "inbox_keyboard_shortcuts")
    laia.keyboard.press("k")
    laia.keyboard.press("e")
    laia.wait_for_timeout(300)
    laia.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    showing(laia, first)
    expect(laia.locator(".queue-item", has_text=first)).to_have_count(1)

    # `e`: resolved, and gone from the open queue; then the second one likewise.
    laia.keyboard.press("e")
    expect(laia.locator(".queue-item", has_text=first)).to_have_count(0)
    laia.locator(".queue-item", has_text=second).click()
    showing(laia, second)
    laia.keyboard.press("e")
    expect(laia.locator(".queue-item", has_text=second)).to_have_count(0)


def test_the_keyboard_button_lists_the_shortcuts_in_the_operators_language(site: Site, new_context) -> None:
    set_interface_language(site.database_url, "es", PAU)
    try:
        pau = new_context().new_page()
        sign_in(pau, site, PAU)
        button = pau.locator("#shortcuts-button")
        expect(button).to_have_attribute("aria-label", "Atajos de teclado")
        button.click()
        dialog = pau.locator("#shortcuts-dialog")
        expect(dialog).to_contain_text("Atajos de teclado")
        expect(dialog).to_contain_text("Conversación siguiente")
        expect(dialog).to_contain_text("Resolver la conversación")
        dialog.get_by_role("button", name="Cerrar").click()
        expect(dialog).to_have_count(0)
    finally:
        set_interface_language(site.database_url, "en", PAU)
