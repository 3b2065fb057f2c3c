"""The inbox's notifications (`components/inbox_notifier.jsx`): a citizen writing while the inbox is open shows a toast
with their name (the queue as loaded shows none) and one more unread message in the title; with the tab hidden and
browser notifications switched on in the bell menu, a browser notification names the citizen without the message's
text; a conversation another operator assigns to Laia reaches her as a toast, one she takes herself does not."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.support import Site, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

LAIA, PAU = "operator@demo.citymes.local", "operator2@demo.citymes.local"
TOASTS = "[data-sonner-toast]"

# Lets a test hide the page (`window.__hideTab(true)`) and records every browser notification the app creates; the
# recording class is a real Notification, and it is what the app finds as `window.Notification`.
HIDDEN_TAB_AND_RECORDED_NOTIFICATIONS = """
(() => {
  let hidden = false;
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
  window.__hideTab = (value) => {
    hidden = value;
    document.dispatchEvent(new Event("visibilitychange"));
  };
  window.__notifications = [];
  const Real = window.Notification;
  class Recorded extends Real {
    constructor(title, options) {
      window.__notifications.push({ title, body: (options && options.body) || "" });
      super(title, options);
    }
  }
  window.Notification = Recorded;
})();
"""


def _signed_in(context: BrowserContext, site: Site, email: str) -> Page:
    page = context.new_page()
    sign_in(page, site, email)
    expect(page.locator(".queue-item").first).to_be_visible()
    return page


def _unread_in_title(page: Page) -> int:
    found = re.fullmatch(r"(?:\((\d+)\) )?Inbox(?: · \d+ waiting)? · CityMes", page.title())
    assert found, page.title()
    return int(found.group(1) or 0)


def test_a_citizen_writing_while_the_inbox_is_open_shows_a_toast_with_their_name(site: Site, new_context) -> None:
    laia = _signed_in(new_context(), site, LAIA)
    laia.wait_for_timeout(1500)  # time for a wrongly notified first load to show
    # Counted at once: `expect(...).to_have_count(0)` would wait for a wrong toast to go away.
    assert laia.locator(TOASTS).count() == 0, "the queue as loaded (with unread lines) is not news"
    unread = _unread_in_title(laia)

    name, marker = f"Rosa {new_chat_id()}", f"fanal-{new_chat_id()}"
    site.citizen_says(new_chat_id(), name, text=f"El fanal del carrer no s'encén ({marker})")
    toast = laia.locator(TOASTS, has_text=f"New message from {name}")
    expect(toast).to_be_visible()
    expect(toast).not_to_contain_text(marker)
    # The title counts the unread messages, and the conversations waiting for an operator.
    expect(laia).to_have_title(re.compile(rf"^\({unread + 1}\) Inbox · \d+ waiting · CityMes$"))
    screenshot(laia, "inbox_notification_toast")


def test_a_hidden_tab_gets_a_browser_notification_naming_the_citizen_without_the_text(site: Site, new_context) -> None:
    context = new_context()
    context.grant_permissions(["notifications"], origin=site.url)
    context.add_init_script(HIDDEN_TAB_AND_RECORDED_NOTIFICATIONS)
    laia = _signed_in(context, site, LAIA)

    laia.click("#notify-menu")
    browser_switch = laia.locator("#notify-browser")
    expect(browser_switch).to_have_text("Browser notifications")
    browser_switch.click()
    expect(browser_switch).to_have_attribute("aria-checked", "true")
    laia.keyboard.press("Escape")
    assert laia.evaluate("localStorage.getItem('citymes_notify_browser')") == "on"

    laia.evaluate("window.__hideTab(true)")
    name, marker = f"Jordi {new_chat_id()}", f"contenidor-{new_chat_id()}"
    site.citizen_says(new_chat_id(), name, text=f"El contenidor està ple ({marker})")
    laia.wait_for_function("window.__notifications.length > 0")
    notifications = laia.evaluate("window.__notifications")
    assert [n["title"] for n in notifications] == [f"New message from {name}"]
    assert all(marker not in n["title"] and marker not in n["body"] for n in notifications), notifications

    laia.reload()  # the choice is remembered by the browser
    laia.wait_for_selector("#operator-name:not(:empty)")
    laia.click("#notify-menu")
    expect(laia.locator("#notify-browser")).to_have_attribute("aria-checked", "true")


def test_a_conversation_another_operator_assigns_to_laia_reaches_her_as_a_toast(site: Site, new_context) -> None:
    laia = _signed_in(new_context(), site, LAIA)
    pau = _signed_in(new_context(), site, PAU)
    name, marker = f"Marta {new_chat_id()}", f"banc-{new_chat_id()}"
    site.citizen_says(new_chat_id(), name, text=f"Hi ha un banc trencat al parc ({marker})")
    expect(laia.locator(TOASTS, has_text=f"New message from {name}")).to_be_visible()

    pau.locator(".queue-item", has_text=marker).click()
    pau.click("#assign-menu")
    pau.locator(".assign-option", has_text="Laia (operator)").click()
    expect(pau.locator("#thread-assignee")).to_have_text("Laia (operator)")
    expect(laia.locator(TOASTS, has_text=f"Conversation assigned to you: {name}")).to_be_visible()
    assert pau.locator(TOASTS, has_text="Conversation assigned to you").count() == 0
    screenshot(laia, "inbox_notification_assigned")

    # What Laia takes herself is not news to her.
    own, own_marker = f"Pere {new_chat_id()}", f"gual-{new_chat_id()}"
    site.citizen_says(new_chat_id(), own, text=f"Em tapen el gual ({own_marker})")
    laia.locator(".queue-item", has_text=own_marker).click()
    laia.click("#take")
    expect(laia.locator("#thread-assignee")).to_have_text("Assigned to you")
    expect(laia.locator(".queue-item", has_text=own_marker).locator(".assignee")).to_have_text("You")  # the live queue
    laia.wait_for_timeout(1000)
    assert laia.locator(TOASTS, has_text=f"Conversation assigned to you: {own}").count() == 0


# As above, and keeps each notification the app shows, so a test can click it as the operator would on the desktop
# (a headless browser shows none to click): `window.__shown[i].onclick(new Event("click"))`.
KEPT_NOTIFICATIONS = """
(() => {
  window.__shown = [];
  const Real = window.Notification;
  window.Notification = class Kept extends Real {
    constructor(title, options) {
      super(title, options);
      window.__shown.push(this);
    }
  };
})();
"""


def test_clicking_a_browser_notification_opens_its_conversation(site: Site, new_context) -> None:
    context = new_context()
    context.grant_permissions(["notifications"], origin=site.url)
    context.add_init_script(HIDDEN_TAB_AND_RECORDED_NOTIFICATIONS)
    context.add_init_script(KEPT_NOTIFICATIONS)
    laia = _signed_in(context, site, LAIA)
    laia.click("#notify-menu")
    laia.locator("#notify-browser").click()
    expect(laia.locator("#notify-browser")).to_have_attribute("aria-checked", "true")
    laia.keyboard.press("Escape")

    first, marker = f"Berta {new_chat_id()}", f"escola-{new_chat_id()}"
    site.citizen_says(new_chat_id(), first, text=f"La porta de l'escola no tanca ({marker})")
    laia.locator(".queue-item", has_text=marker).click()  # she has another conversation open meanwhile
    expect(laia.locator("#thread .bubble-in", has_text=marker)).to_be_visible()

    laia.evaluate("window.__hideTab(true)")
    name, wanted = f"Quim {new_chat_id()}", f"semafor-{new_chat_id()}"
    site.citizen_says(new_chat_id(), name, text=f"El semàfor de la rambla no funciona ({wanted})")
    laia.wait_for_function(f"window.__shown.some((n) => n.title === {f'New message from {name}'!r})")
    laia.evaluate(
        f"""window.__hideTab(false);
        window.__shown.find((n) => n.title === {f"New message from {name}"!r}).onclick(new Event("click"))"""
    )
    expect(laia.locator("#thread .bubble-in", has_text=wanted)).to_be_visible()
    expect(laia.locator("#thread .bubble-in", has_text=marker)).to_have_count(0)
    screenshot(laia, "inbox_notification_clicked")
