"""Internal notes, live: an operator writes a note in the open conversation (the composer turns amber), a colleague of
the same organisation sees it appear in the thread with its author without a reload, and nothing reaches the citizen's
phone; an empty or too long note is refused beside the box; and over raw websockets another organisation's operator
can neither add a note to our conversation nor read its notes."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, ConversationNote, Message, OutboxItem, row_id
from citymes_app.pages import inbox
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import OTHER_OPERATOR, Site, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

LAIA, PAU = "operator@demo.citymes.local", "operator2@demo.citymes.local"


def _conversation(site: Site, chat_id: int) -> Conversation:
    with Session(get_engine(site.database_url)) as session:
        return session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one()


def _notes(site: Site, conversation_id: int) -> list[str]:
    with Session(get_engine(site.database_url)) as session:
        found = session.exec(select(ConversationNote).where(ConversationNote.conversation_id == conversation_id))
        return [note.text for note in found]


def _sent_anywhere(site: Site, marker: str) -> int:
    """How many messages or outbox items hold `marker`: what would reach a citizen."""
    with Session(get_engine(site.database_url)) as session:
        messages = session.exec(select(Message).where(col(Message.text).contains(marker))).all()
        items = [item for item in session.exec(select(OutboxItem)).all() if marker in str(item.model_dump())]
        return len(messages) + len(items)


def test_a_note_reaches_the_colleague_live_with_its_author_and_never_the_citizen(site: Site, new_context) -> None:
    laia, pau = new_context().new_page(), new_context().new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)
    chat_id, marker = new_chat_id(), f"arbre-{new_chat_id()}"
    site.citizen_says(chat_id, "Roser", text=f"Un arbre caigut al parc ({marker})")
    laia.locator(".queue-item", has_text=marker).click()
    pau_line = pau.locator(".queue-item", has_text=marker)
    pau_line.click()
    expect(pau.locator("#thread .bubble-in", has_text=marker)).to_be_visible()
    on_phone_before = len(site.phone_screen(chat_id))

    laia.click("#composer-note")
    expect(laia.locator("#composer")).to_have_class(re.compile(r"\bcomposer-note\b"))
    expect(laia.locator("#note-hint")).to_contain_text("never sent to the citizen. At most 4,000 characters.")
    laia.click("#save-note")  # nothing written yet: the reason shows beside the box
    expect(laia.locator("form #note-error")).to_have_text("Write the note before saving it.")

    laia.fill("#note-box", "x" * 4001)
    laia.click("#save-note")
    expect(laia.locator("#note-error")).to_have_text("A note has at most 4,000 characters (this one has 4,001): shorten it.")
    expect(laia.locator("#note-box")).to_have_value("x" * 4001)  # kept, to shorten

    note = f"<b>He trucat</b> a Parcs i Jardins <img src=x onerror=\"document.title='pwned'\"> ({marker})"
    laia.fill("#note-box", note)
    expect(laia.locator("#note-error")).to_have_count(0)
    laia.click("#save-note")
    expect(laia.locator("#note-box")).to_have_value("")

    pau_note = pau.locator("#thread .note", has_text=marker)  # live, no reload
    expect(pau_note).to_be_visible()
    expect(pau_note.locator(".note-label")).to_have_text("Internal note · Laia (operator)")
    expect(pau_note.locator(".body")).to_have_text(note)  # the markup shown as text
    assert pau_note.locator("b, img").count() == 0
    assert pau.title() != "pwned"
    expect(laia.locator("#thread .note", has_text=marker)).to_be_visible()
    expect(pau.locator("#thread .bubble", has_text="He trucat")).to_have_count(0)  # apart from the messages
    expect(pau_line).not_to_contain_text("He trucat")  # the queue's preview is the citizen's
    screenshot(pau, "inbox_internal_note_seen_by_a_colleague")
    screenshot(laia, "inbox_internal_note_composer")

    # Pau answers the citizen after the note: the thread keeps the order, and only the reply reaches the phone.
    reply = f"Gràcies, Roser: hi anem ({marker})"
    pau.fill("#reply-box", reply)
    pau.click("#send-reply")
    expect(laia.locator("#thread .bubble-out", has_text=reply)).to_be_visible()
    order = laia.locator("#thread .note, #thread .bubble").evaluate_all(
        "elements => elements.map(e => e.classList.contains('note') ? 'note' : e.textContent.includes('hi anem') ? 'reply' : '')"
    )
    assert order.index("note") < order.index("reply")
    deadline = time.monotonic() + 15
    while not any(m["from"] == "bot" and m["text"] == reply for m in site.phone_screen(chat_id)):
        assert time.monotonic() < deadline, "the reply never reached the citizen"
        time.sleep(0.1)
    on_phone = site.phone_screen(chat_id)
    assert not any("He trucat" in (m.get("text") or "") for m in on_phone), "the note reached the citizen's phone"
    assert len(on_phone) == on_phone_before + 1  # the reply only
    assert _sent_anywhere(site, "He trucat") == 0

    laia.click("#composer-reply")  # back to the reply box; the note box is only for notes
    expect(laia.locator("#composer")).to_have_class(re.compile(r"\bcomposer-reply\b"))
    expect(laia.locator("#reply-box")).to_be_visible()


def test_another_organisations_operator_can_neither_add_a_note_to_ours_nor_read_its_notes(site: Site) -> None:
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Carla", text=f"Contenidor cremat ({new_chat_id()})")
    ours = row_id(_conversation(site, chat_id))
    secret = f"Informació reservada {new_chat_id()}"

    email, password, _ = OTHER_OPERATOR
    outsider_cookie, laia_cookie = session_cookie(site, email, password), session_cookie(site, LAIA, demo.DEMO_PASSWORD)
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=outsider_cookie)
    laia = RawTab(site).connect(inbox.ROUTE, session_cookie=laia_cookie)
    stranger = RawTab(site).connect(inbox.ROUTE)  # not signed in at all
    try:
        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "select", conversation_id=ours)  # refused: not theirs
        attacker.send(InboxState, "save_note", form_data={"note": "Nota de l'intrús"})
        attacker.send(InboxState, "set_selected_id", value=ours)  # no such setter: refused by Reflex
        attacker.send(InboxState, "save_note", form_data={"note": "Nota de l'intrús"})
        attacker.send(InboxState, "set_note_draft", value="Nota de l'intrús")
        attacker.send(InboxState, "save_note", form_data=["not", "a", "form"])
        stranger.send(InboxState, "save_note", form_data={"note": "Nota d'un desconegut"})

        laia.load_page(inbox.ROUTE)  # our operator writes a note meanwhile: it must not reach the attacker
        laia.send(InboxState, "select", conversation_id=ours)
        laia.send(InboxState, "save_note", form_data={"note": secret})
        attacker.settle(quiet=1.0)
        assert secret in laia.text()
        assert secret not in attacker.text()
        assert "Carla" not in attacker.text()
        assert secret not in stranger.text()
        assert "/login" in stranger.redirects()
    finally:
        attacker.close()
        laia.close()
        stranger.close()

    assert _notes(site, ours) == [secret], "a refused note was stored"
