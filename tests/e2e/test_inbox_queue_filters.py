"""The queue as one operator narrows it: mine / unassigned, a label, a search across conversations (a resolved one
found by a message's words), waiting longest first, how long each has waited, the number waiting in the page title;
the live queue stays live under a filter; and another organisation's operator finds nothing of ours by searching."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from citymes_app.pages import inbox
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import (
    OTHER_OPERATOR,
    Site,
    choose_option,
    new_chat_id,
    screenshot,
    set_interface_language,
    sign_in,
)

pytestmark = pytest.mark.browser

LAIA = "operator@demo.citymes.local"


def test_filters_and_search_narrow_the_queue_which_stays_live(site: Site, new_context) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, LAIA)
    tag = new_chat_id()
    first, second, third = (f"{word}-{tag}" for word in ("escombraries", "semafor", "pintades"))
    site.citizen_says(new_chat_id(), "Anna", text=f"No han passat les escombraries ({first})")
    site.citizen_says(new_chat_id(), "Berta", text=f"El semàfor no funciona ({second})")
    expect(laia.locator(".queue-item", has_text=second)).to_be_visible()
    expect(laia).to_have_title(re.compile(r"^\(\d+\) Inbox · \d+ waiting · CityMes$"))
    expect(laia.locator(".queue-item", has_text=first).locator(".waited")).to_have_text("1 min")

    # Take the first: it is mine; the second is nobody's.
    laia.locator(".queue-item", has_text=first).click()
    laia.click("#take")
    expect(laia.locator(".queue-item", has_text=first).locator(".assignee")).to_have_text("You")
    laia.locator("#queue-view").get_by_role("radio", name="Mine").click()
    expect(laia.locator(".queue-item", has_text=first)).to_be_visible()
    expect(laia.locator(".queue-item", has_text=second)).to_have_count(0)
    laia.locator("#queue-view").get_by_role("radio", name="Unassigned").click()
    expect(laia.locator(".queue-item", has_text=second)).to_be_visible()
    expect(laia.locator(".queue-item", has_text=first)).to_have_count(0)
    site.citizen_says(new_chat_id(), "Carles", text=f"Pintades a la façana ({third})")  # live under the filter
    expect(laia.locator(".queue-item", has_text=third)).to_be_visible()
    laia.locator("#queue-view").get_by_role("radio", name="All").click()

    # A label narrows it too.
    laia.locator(".queue-item", has_text=second).click()
    label = f"Mobilitat {tag}"
    laia.click("#label-menu")
    laia.fill("#label-input", label)
    laia.press("#label-input", "Enter")
    expect(laia.locator(".queue-item", has_text=second).locator(".label-chip")).to_have_text([label])
    laia.keyboard.press("Escape")
    choose_option(laia, "label-filter", label)
    expect(laia.locator(".queue-item")).to_have_count(1)
    expect(laia.locator(".queue-item", has_text=second)).to_be_visible()
    choose_option(laia, "label-filter", "Any label")

    # Waiting longest first: the first citizen wrote before the others.
    choose_option(laia, "queue-sort", "Waiting longest first")
    ours = laia.locator(".queue-item").filter(has_text=str(tag))
    expect(ours).to_contain_text([first, second, third])  # in this order, once the page has sorted it (it retries)
    screenshot(laia, "inbox_queue_filters")
    choose_option(laia, "queue-sort", "Newest first")

    # Resolve the first, then find it again by its message's words.
    laia.locator(".queue-item", has_text=first).click()
    laia.click("#resolve")
    expect(laia.locator(".queue-item", has_text=first)).to_have_count(0)
    laia.fill("#queue-search", f"escombraries ({first}")
    found = laia.locator(".queue-item", has_text=first)
    expect(found).to_be_visible()
    expect(laia.locator(".queue-item")).to_have_count(1)
    laia.fill("#queue-search", "Berta")
    expect(laia.locator(".queue-item", has_text=second)).to_be_visible()
    later = f"bancs-{tag}"
    site.citizen_says(new_chat_id(), "Berta", text=f"I els bancs de la plaça ({later})")  # the search follows, live
    expect(laia.locator(".queue-item", has_text=later)).to_be_visible()
    screenshot(laia, "inbox_queue_search")
    laia.fill("#queue-search", "zzz-nothing-like-this")
    expect(laia.locator("#queue-empty")).to_contain_text("No conversation matches")
    laia.fill("#queue-search", "")
    expect(laia.locator(".queue-item", has_text=second)).to_be_visible()


def test_another_organisations_operator_finds_nothing_of_ours_by_searching_or_filtering(site: Site) -> None:
    marker = f"clavegueram-{new_chat_id()}"
    site.citizen_says(new_chat_id(), "Xavier", text=f"Fa pudor el clavegueram ({marker})")
    email, password, _ = OTHER_OPERATOR
    cookie = session_cookie(site, email, password)
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
    try:
        attacker.load_page(inbox.ROUTE)
        for words in (marker, "Xavier", "clavegueram", "%"):
            attacker.send(InboxState, "set_search", value=words)
        attacker.send(InboxState, "set_search", value="")
        for state in ("resolved", "open", "snoozed", "pending"):
            attacker.send(InboxState, "set_state_filter", value=state)
        attacker.send(InboxState, "set_channel_filter", value="1")
        attacker.send(InboxState, "set_label_filter", value="1")
        attacker.send(InboxState, "refresh_found")
        name = InboxState.get_full_name()
        lines = [
            value
            for update in attacker.updates
            for key, value in update.get("delta", {}).get(name, {}).items()
            if key.startswith(("found_rx_state", "visible_queue_rx_state"))
        ]
        assert lines and all(value == [] for value in lines), "another organisation's search or filter showed a line"
        for secret in ("Fa pudor", "Vilademo"):  # what the attacker did not type: the message, the town
            assert secret not in attacker.text(), f"{secret!r} reached another organisation's operator"
    finally:
        attacker.close()


# How far the mine / unassigned / all control reaches past the queue's column (the search box spans it), and which of
# its labels do not fit their segment (cut or spilling).
QUEUE_VIEW_FIT = """
() => {
  const control = document.querySelector("#queue-view");
  const column = document.querySelector("#queue-search").closest(".rt-TextFieldRoot").getBoundingClientRect();
  const box = control.getBoundingClientRect();
  const labels = Array.from(control.querySelectorAll(".rt-SegmentedControlItemLabel > span"));
  return {
    past_column: Math.round(Math.max(box.right - column.right, column.left - box.left, 0)),
    cut: labels.filter((span) => span.scrollWidth > span.clientWidth + 0.5).map((span) => span.textContent),
  };
}
"""


@pytest.mark.parametrize("language", ["ca", "es"])
def test_the_queue_view_segments_fit_their_control_in_every_language(site: Site, new_context, language: str) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, LAIA)
    try:
        laia.click("#account-menu")
        laia.click(f"#language-{language}")
        unassigned = {"ca": "Sense assignar", "es": "Sin asignar"}[language]
        expect(laia.locator("#queue-view")).to_contain_text(unassigned)
        laia.wait_for_timeout(300)  # the segments' indicator settles
        fit = laia.evaluate(QUEUE_VIEW_FIT)
        screenshot(laia, f"inbox_queue_view_{language}")
        assert fit == {"past_column": 0, "cut": []}, fit
    finally:
        set_interface_language(site.database_url, "en", LAIA)


def test_the_search_ignores_accents_and_case(site: Site, new_context) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, LAIA)
    tag = new_chat_id()
    site.citizen_says(new_chat_id(), f"Pere Camí {tag}", text=f"Hi ha un forat a la vorera ({tag})")
    site.citizen_says(new_chat_id(), "Lucía", text=f"Pregunta la SEÑORA PEÑA per l'Àrea de Cultura ({tag})")
    expect(laia.locator(".queue-item", has_text=f"Pere Camí {tag}")).to_be_visible()

    laia.fill("#queue-search", f"pere cami {tag}")
    expect(laia.locator(".queue-item")).to_have_count(1)
    expect(laia.locator(".queue-item", has_text=f"Pere Camí {tag}")).to_be_visible()
    laia.fill("#queue-search", f"senora pena per l'area de cultura ({tag}")
    expect(laia.locator(".queue-item")).to_have_count(1)
    expect(laia.locator(".queue-item", has_text="Lucía")).to_be_visible()
    screenshot(laia, "inbox_search_without_accents")
