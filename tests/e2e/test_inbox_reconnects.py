"""The live inbox stays live: when an operator's connection drops (network, laptop asleep) or the backend restarts,
the page says so, reconnects by itself and shows everything that arrived meanwhile — new messages in the open thread
and new conversations in the queue — without a reload.

The drop is the browser's own: its network goes offline (Chromium's emulation: the open websocket breaks and every
attempt to reconnect fails, as on a dead network); the restart kills the app's process group with SIGKILL and starts
it again on the same port, as a service manager would after a crash.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from citymes_app.core.db import get_engine
from citymes_app.models import Conversation
from integrations.simulator.telegram import protocol as telegram_protocol
from tests.e2e.support import OTHER_OPERATOR, Site, new_chat_id, sign_in

pytestmark = pytest.mark.browser

LAIA = "operator@demo.citymes.local"


def _mark_page(page: Page) -> None:
    """A mark that a reload would wipe: proof that what follows shows without one."""
    page.evaluate("window.__citymes_not_reloaded = true")


def _not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__citymes_not_reloaded === true")


def _open_conversation(page: Page, site: Site, chat_id: int, text: str) -> None:
    site.citizen_says(chat_id, "Rosa", text=text)
    page.locator(".queue-item", has_text=text).click()
    expect(page.locator("#thread .bubble-in", has_text=text)).to_be_visible()


def test_a_dropped_connection_says_so_and_catches_up_without_a_reload(site: Site, new_context) -> None:
    browser = new_context()
    laia = browser.new_page()
    failed_attempts: list[str] = []
    laia.on("console", lambda m: failed_attempts.append(m.text) if "_event" in m.text and "failed" in m.text else None)
    sign_in(laia, site, LAIA)
    chat_id, other_chat, marker = new_chat_id(), new_chat_id(), f"drop-{new_chat_id()}"
    _open_conversation(laia, site, chat_id, f"Hi ha un arbre caigut a la plaça ({marker})")
    _mark_page(laia)

    browser.set_offline(True)
    expect(laia.locator("#connection-lost")).to_be_visible()
    # While the operator is cut off, the citizen adds to the open conversation and another citizen writes.
    site.citizen_says(chat_id, "Rosa", text=f"Ara ja talla el pas dels cotxes ({marker})")
    site.citizen_says(other_chat, "Jaume", text=f"On puc llençar un matalàs? ({marker})")
    laia.wait_for_timeout(1500)  # the page keeps trying while the network is down
    assert failed_attempts, "the page did not try to reconnect while cut off"
    expect(laia.locator("#thread .bubble-in", has_text="talla el pas")).to_have_count(0)

    browser.set_offline(False)
    expect(laia.locator("#connection-lost")).to_be_hidden(timeout=30_000)
    expect(laia.locator("#thread .bubble-in", has_text=f"Ara ja talla el pas dels cotxes ({marker})")).to_be_visible()
    expect(laia.locator(".queue-item", has_text=f"On puc llençar un matalàs? ({marker})")).to_be_visible()
    assert _not_reloaded(laia)

    # And it is live again: the next message shows as it arrives.
    site.citizen_says(chat_id, "Rosa", text=f"Gràcies! ({marker})")
    expect(laia.locator("#thread .bubble-in", has_text=f"Gràcies! ({marker})")).to_be_visible()


def test_a_backend_restart_says_so_and_catches_up_without_a_reload(
    site: Site, new_context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Telegram keeps an update for 24 hours: the simulator must keep retrying while the app starts again.
    monkeypatch.setattr(telegram_protocol, "WEBHOOK_MAX_ATTEMPTS", 60)
    laia = new_context().new_page()
    sign_in(laia, site, LAIA)
    chat_id, other_chat, marker = new_chat_id(), new_chat_id(), f"restart-{new_chat_id()}"
    _open_conversation(laia, site, chat_id, f"El semàfor del carrer Nou no funciona ({marker})")
    _mark_page(laia)

    with site.backend_down():
        expect(laia.locator("#connection-lost")).to_be_visible()
        # The platform keeps what it could not deliver and delivers it again (Telegram retries its webhook).
        site.simulator.telegram_citizen_message(site.bot_token, chat_id, "Rosa", text=f"Encara no funciona ({marker})")
        site.simulator.telegram_citizen_message(site.bot_token, other_chat, "Jaume", text=f"Quan obre la piscina? ({marker})")

    expect(laia.locator("#connection-lost")).to_be_hidden(timeout=60_000)
    expect(laia.locator("#thread .bubble-in", has_text=f"Encara no funciona ({marker})")).to_be_visible(timeout=30_000)
    expect(laia.locator(".queue-item", has_text=f"Quan obre la piscina? ({marker})")).to_be_visible()
    assert _not_reloaded(laia)

    site.citizen_says(chat_id, "Rosa", text=f"Ara sí, gràcies ({marker})")
    expect(laia.locator("#thread .bubble-in", has_text=f"Ara sí, gràcies ({marker})")).to_be_visible()


def test_a_remembered_conversation_of_another_organisation_is_not_opened(site: Site, new_context) -> None:
    """The tab's remembered conversation comes from the browser: a forged one of another organisation opens nothing
    and sends none of it."""
    chat_id, marker = new_chat_id(), f"remembered-{new_chat_id()}"
    site.citizen_says(chat_id, "Rosa", text=f"Les meves dades personals ({marker})")
    with Session(get_engine(site.database_url)) as session:
        ours = session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one()

    outsider = new_context().new_page()
    frames: list[str] = []
    outsider.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    email, password, _ = OTHER_OPERATOR
    sign_in(outsider, site, email, password)
    outsider.evaluate(f"window.sessionStorage.setItem('citymes_open_conversation', '{ours.id}')")
    outsider.reload()
    expect(outsider.locator("#operator-name")).not_to_be_empty()
    expect(outsider.locator("#thread-empty")).to_be_visible()
    outsider.wait_for_timeout(1000)  # anything the server would send has arrived by now
    assert not any(marker in frame for frame in frames)
    assert outsider.evaluate("window.sessionStorage.getItem('citymes_open_conversation')") in ("", None)
