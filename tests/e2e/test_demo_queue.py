"""The demo town's queue as a newcomer finds it on the first run, in Catalan at 1440×900: a dozen citizens waiting
(one since yesterday), some taken by Laia or Pau, one pending, labelled ones, unread ones; a complaint opened shows its
photo, served by the app, and its place. Screenshots of the panes (navigation, queue, thread) go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import MetaData, Table, exists, select, update

from citymes_app import demo_queue
from citymes_app.core.db import make_engine
from tests.e2e.support import OPERATOR, Site, demo_data_restored, screenshot, set_interface_language, sign_in

pytestmark = pytest.mark.browser


def resolve_all_but_the_demo_queue(site: Site) -> None:
    """Resolve, in the database, every conversation other tests of this session opened (the caller puts them back)."""
    engine = make_engine(site.database_url)
    metadata = MetaData()
    conversation = Table("conversation", metadata, autoload_with=engine)
    message = Table("message", metadata, autoload_with=engine)
    from_the_demo = exists(
        select(message.c.id).where(
            message.c.conversation_id == conversation.c.id,
            message.c.platform_message_id.like(f"{demo_queue.MESSAGE_ID_PREFIX}%"),
        )
    )
    try:
        with engine.begin() as connection:
            connection.execute(update(conversation).where(~from_the_demo).values(status="resolved", awaiting_operator=False))
    finally:
        engine.dispose()


def show_the_demo_queue_alone(page: Page, site: Site) -> None:
    """The queue as a newcomer finds it: only the demo's own conversations.

    The live inbox keeps the queue it last read in memory, and reads it again when a conversation changes: resolving
    one of the other lines through the page has it read the database, where the others are resolved already."""
    resolve_all_but_the_demo_queue(site)
    page.goto(f"{site.url}/inbox")
    expect(page.locator(".queue-item", has_text=demo_queue.QUEUE[0].citizen.name)).to_be_visible()
    demo_names = re.compile("|".join(re.escape(queued.citizen.name) for queued in demo_queue.QUEUE))
    others = page.locator(".queue-item").filter(has_not_text=demo_names)
    if others.count():
        others.first.click()
        try:
            page.locator("#resolve").click(timeout=5_000)
        except PlaywrightTimeoutError:
            pass  # the queue was read again meanwhile (the line left it, and its Resolve button): nothing to resolve
    expect(others).to_have_count(0)


@pytest.fixture
def laia_in_catalan(site: Site, new_context) -> Iterator[Page]:
    """Laia, the demo's operator, signed in with the interface in Catalan, before the demo's queue alone."""
    set_interface_language(site.database_url, "ca", OPERATOR)
    try:
        with demo_data_restored(site, "conversation"):
            page = new_context(locale="ca-ES").new_page()
            sign_in(page, site, OPERATOR)
            show_the_demo_queue_alone(page, site)
            yield page
    finally:
        set_interface_language(site.database_url, "en", OPERATOR)


def test_a_newcomer_finds_the_demo_inbox_busy_and_a_complaint_with_its_photo_and_place(laia_in_catalan: Page) -> None:
    page = laia_in_catalan
    assert page.viewport_size == {"width": 1440, "height": 900}
    lines = page.locator(".queue-item")
    expect(lines).to_have_count(len(demo_queue.QUEUE))
    expect(page.locator("#waiting-count")).to_contain_text("en espera")
    yesterday = lines.filter(has_text="Montse Puig")
    expect(yesterday.locator(".waiting")).to_contain_text("En espera")
    expect(yesterday.locator(".waited")).to_contain_text(" h")  # since yesterday: hours, not minutes
    expect(lines.filter(has_text="Lucía Fernández").locator(".assignee")).to_have_text("Vós")
    expect(lines.filter(has_text="Emma Wilson").locator(".assignee")).to_have_text("Pau (operator)")
    expect(lines.filter(has_text="Joan Ferrer").locator(".label-chip")).to_have_text(["Enllumenat"])
    expect(lines.filter(has_text="Joan Ferrer").locator(".unread")).to_have_text("3")
    expect(lines.filter(has_text="Ramon Vidal").locator(".line-state")).to_be_visible()  # pending
    expect(lines.filter(has_text="Pilar Costa")).to_contain_text("Ubicació")
    screenshot(page, "demo_inbox_queue_ca")

    lines.filter(has_text="Joan Ferrer").click()
    expect(page.locator("#thread-title")).to_have_text("Joan Ferrer")
    photo = page.locator("#thread .bubble img.photo")
    expect(photo).to_be_visible()
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("image => image.naturalWidth") == 480, "the app served the photo the citizen sent"
    expect(page.locator("#thread .bubble .location")).to_be_visible()
    expect(page.locator("#thread .bubble-in", has_text="cantonada del carrer de Sant Josep")).to_be_visible()
    expect(page.locator("#thread-labels .label-chip")).to_have_text(["Enllumenat"])
    screenshot(page, "demo_inbox_thread_ca")

    lines.filter(has_text="Lucía Fernández").click()  # Laia's: her answer in Spanish, a question since
    expect(page.locator("#thread .bubble-out", has_text="brigada de limpieza")).to_be_visible()
    expect(page.locator("#thread .bubble img.photo")).to_be_visible()
    page.fill("#reply-box", "Hola, Lucía. La brigada pasará esta tarde; le escribiremos cuando esté recogido.")
    screenshot(page, "demo_inbox_thread_mine_ca")
