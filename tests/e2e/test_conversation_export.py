"""Exporting a conversation, in the browser: the operator opens a conversation, answers it, writes a note, clicks Export
and downloads a CSV with the citizen's message, the reply and the note; over raw websockets another organisation's
operator (or a stranger) firing the export gets no file of ours."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, row_id
from citymes_app.pages import inbox
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import OTHER_OPERATOR, Site, new_chat_id, sign_in

pytestmark = pytest.mark.browser

LAIA = "operator@demo.citymes.local"


def _conversation_id(site: Site, chat_id: int) -> int:
    with Session(get_engine(site.database_url)) as session:
        return row_id(session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one())


def _downloads(tab: RawTab) -> list[str]:
    """The files the server told this tab to download, decoded."""
    with tab._lock:
        updates = list(tab.updates)
    return [
        base64.b64decode(event["payload"]["url"].split(",", 1)[1]).decode()
        for update in updates
        for event in update.get("events", [])
        if event.get("name") == "_download"
    ]


def test_the_operator_downloads_the_conversation_with_its_reply_and_note(site: Site, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, site, LAIA)
    chat_id, marker = new_chat_id(), f"fanal-{new_chat_id()}"
    site.citizen_says(chat_id, "Roser", text=f"Un fanal trencat al carrer Major ({marker})")
    page.locator(".queue-item", has_text=marker).click()
    expect(page.locator("#thread .bubble-in", has_text=marker)).to_be_visible()

    reply = f"Avisem la brigada ({marker})"
    page.fill("#reply-box", reply)
    page.click("#send-reply")
    expect(page.locator("#thread", has_text=reply)).to_be_visible()
    page.click("#composer-note")
    note = f"Trucat a enllumenat ({marker})"
    page.fill("#note-box", note)
    page.click("#save-note")
    expect(page.locator("#thread", has_text=note)).to_be_visible()

    page.click("#thread-more")
    with page.expect_download() as download:
        page.click("#export-conversation")
    conversation_id = _conversation_id(site, chat_id)
    assert re.fullmatch(rf"conversation-{conversation_id}-\d{{4}}-\d{{2}}-\d{{2}}\.csv", download.value.suggested_filename)
    date.fromisoformat(download.value.suggested_filename[-14:-4])  # a real day, not just digits
    path = download.value.path()
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    texts = [row[4] for row in rows[1:]]
    assert f"Un fanal trencat al carrer Major ({marker})" in texts
    assert reply in texts and note in texts
    assert texts.index(reply) < texts.index(note)
    note_row = rows[1:][texts.index(note)]
    assert note_row[2] == "note" and "·" in note_row[1]


def test_another_organisations_operator_firing_the_export_gets_no_file_of_ours(site: Site) -> None:
    chat_id, marker = new_chat_id(), f"secret-{new_chat_id()}"
    site.citizen_says(chat_id, "Carla", text=f"La meva adreça ({marker})")
    ours = _conversation_id(site, chat_id)

    email, password, _ = OTHER_OPERATOR
    cookies = [session_cookie(site, who, secret) for who, secret in ((email, password), (LAIA, demo.DEMO_PASSWORD))]
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=cookies[0])
    laia = RawTab(site).connect(inbox.ROUTE, session_cookie=cookies[1])
    stranger = RawTab(site).connect(inbox.ROUTE)  # not signed in at all
    try:
        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "select", conversation_id=ours)  # refused: not theirs
        attacker.send(InboxState, "export_selected")
        attacker.send(InboxState, "export_selected", conversation_id=ours)  # the handler takes no id: refused
        stranger.send(InboxState, "export_selected")

        laia.load_page(inbox.ROUTE)  # our operator, as the control: she gets the file
        laia.send(InboxState, "select", conversation_id=ours)
        laia.send(InboxState, "export_selected")
        assert any(marker in content for content in _downloads(laia))

        attacker.settle(quiet=1.0)
        assert not _downloads(attacker)
        assert marker not in attacker.text()
        assert not _downloads(stranger)
        assert "/login" in stranger.redirects()
    finally:
        attacker.close()
        laia.close()
        stranger.close()
