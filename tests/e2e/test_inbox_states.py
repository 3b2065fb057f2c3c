"""A conversation's state and labels, live for every operator: pending, snoozed until a time (offered, or a day and time
the operator chooses, refused beside the fields when gone or too far) and back to open when the time comes (the
server's snooze alarm, with no reload) or when the citizen writes; labels added and removed as chips; and another
organisation's operator, or forged times, refused over a raw websocket."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import update
from sqlmodel import Session, col, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, ConversationLabel, ConversationStatus, utcnow
from citymes_app.pages import inbox
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import OTHER_OPERATOR, Site, choose_option, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

LAIA, PAU = "operator@demo.citymes.local", "operator2@demo.citymes.local"
MADRID = ZoneInfo("Europe/Madrid")  # the demo town's clock


def _conversation(site: Site, chat_id: int) -> Conversation:
    with Session(get_engine(site.database_url)) as session:
        return session.exec(select(Conversation).where(Conversation.address == str(chat_id))).one()


def test_snooze_pending_and_labels_show_live_and_a_snooze_ends_at_its_time(site: Site, new_context) -> None:
    laia, pau = new_context().new_page(), new_context().new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)
    chat_id, marker = new_chat_id(), f"arbre-{new_chat_id()}"
    site.citizen_says(chat_id, "Teresa", text=f"Un arbre a punt de caure ({marker})")
    laia.locator(".queue-item", has_text=marker).click()
    pau_line = pau.locator(".queue-item", has_text=marker)
    expect(pau_line).to_be_visible()

    laia.click("#label-menu")
    laia.fill("#label-input", "Parcs i jardins")
    laia.click("#label-add")
    laia.fill("#label-input", "Urgent")
    laia.press("#label-input", "Enter")
    expect(laia.locator("#thread-labels .label-chip")).to_have_text(["Parcs i jardins", "Urgent"])
    expect(pau_line.locator(".label-chip")).to_have_text(["Parcs i jardins", "Urgent"])  # live
    laia.keyboard.press("Escape")

    laia.click("#state-menu")
    laia.click("#state-pending")
    expect(laia.locator("#thread-status")).to_have_text("Pending")
    expect(pau_line.locator(".line-state")).to_have_text("Pending")

    laia.click("#state-menu")
    laia.click("#snooze-tomorrow")
    expect(laia.locator("#thread-status")).to_have_text("Snoozed until tomorrow at 08:00")
    expect(pau_line).to_have_count(0)  # snoozed: out of Pau's queue of open and pending conversations
    choose_option(pau, "state-filter", "Snoozed")
    expect(pau_line.locator(".line-state")).to_have_text("until tomorrow at 08:00")
    screenshot(pau, "inbox_snoozed_and_labelled")
    choose_option(pau, "state-filter", "Open and pending")
    expect(pau_line).to_have_count(0)

    # The time comes (moved to the past in the database): the server's alarm opens it again, live, with no reload.
    with Session(get_engine(site.database_url)) as session:
        session.connection().execute(
            update(Conversation)
            .where(col(Conversation.address) == str(chat_id))
            .values(snoozed_until=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    expect(pau_line).to_be_visible(timeout=30_000)
    expect(pau_line.locator(".line-state")).to_have_count(0)
    expect(laia.locator("#thread-status")).to_have_text("Open conversation")

    laia.locator("#thread-labels .label-chip", has_text="Urgent").locator(".remove-label").click()
    expect(pau_line.locator(".label-chip")).to_have_text(["Parcs i jardins"])

    laia.click("#state-menu")
    laia.click("#snooze-hour")
    expect(pau_line).to_have_count(0)
    site.citizen_says(chat_id, "Teresa", text=f"Encara hi és ({marker})")  # the citizen writes: open again
    expect(pau_line).to_be_visible()
    expect(pau_line.locator(".line-state")).to_have_count(0)
    assert _conversation(site, chat_id).status == ConversationStatus.OPEN


def test_another_organisations_operator_cannot_change_the_state_or_labels_of_ours(site: Site) -> None:
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Oriol", text=f"Gossos sense lligar ({new_chat_id()})")
    ours = _conversation(site, chat_id)

    email, password, _ = OTHER_OPERATOR
    cookie = session_cookie(site, email, password)
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
    try:
        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "select", conversation_id=ours.id)
        attacker.send(InboxState, "mark_pending")
        attacker.send(InboxState, "snooze", choice="hour")
        attacker.send(InboxState, "add_label", form_data={"label": "hacked"})
        attacker.send(InboxState, "add_existing_label", name="hacked")
        attacker.send(InboxState, "remove_label", label_id=1)
        attacker.send(InboxState, "open_labels", opened=True)
        assert "Oriol" not in attacker.text()
    finally:
        attacker.close()

    after = _conversation(site, chat_id)
    assert (after.status, after.snoozed_until, after.version) == (ours.status, ours.snoozed_until, ours.version)
    with Session(get_engine(site.database_url)) as session:
        assert session.exec(select(ConversationLabel).where(ConversationLabel.conversation_id == ours.id)).all() == []


def _typed_snooze(page, day: str, at: str) -> None:  # noqa: ANN001
    page.fill("#snooze-day", day)
    page.fill("#snooze-time", at)
    page.click("#snooze-typed")


def test_a_conversation_is_snoozed_until_a_day_and_time_the_operator_chooses(site: Site, new_context) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, LAIA)
    chat_id, marker = new_chat_id(), f"banc-{new_chat_id()}"
    site.citizen_says(chat_id, "Rita", text=f"Un banc trencat a la plaça ({marker})")
    laia.locator(".queue-item", has_text=marker).click()
    before = _conversation(site, chat_id)

    laia.click("#state-menu")
    laia.click("#snooze-choose")
    expect(laia.locator("#snooze-dialog")).to_contain_text("Europe/Madrid")
    today = utcnow().astimezone(MADRID).date()
    expect(laia.locator("#snooze-day")).to_have_value((today + timedelta(days=1)).isoformat())
    expect(laia.locator("#snooze-time")).to_have_value("08:00")

    _typed_snooze(laia, today.isoformat(), "00:00")  # earlier today: gone
    expect(laia.locator("#snooze-error")).to_have_text("Choose a time to come to snooze the conversation until.")
    _typed_snooze(laia, (today + timedelta(days=400)).isoformat(), "09:00")
    expect(laia.locator("#snooze-error")).to_have_text("A conversation can be snoozed for a year at most.")
    screenshot(laia, "inbox_snooze_typed_refused")
    after = _conversation(site, chat_id)
    assert (after.status, after.snoozed_until, after.version) == (before.status, before.snoozed_until, before.version)

    day = today + timedelta(days=12)
    _typed_snooze(laia, day.isoformat(), "09:30")
    expect(laia.locator("#snooze-dialog")).to_have_count(0)
    expect(laia.locator("#thread-status")).to_have_text(re.compile(r"^Snoozed until .+ at 09:30$"))
    snoozed = _conversation(site, chat_id)
    assert snoozed.status == ConversationStatus.SNOOZED
    assert snoozed.snoozed_until == datetime.combine(day, time(9, 30), tzinfo=MADRID).astimezone(UTC)
    choose_option(laia, "state-filter", "Snoozed")
    expect(laia.locator(".queue-item", has_text=marker).locator(".line-state")).to_have_text(re.compile(r"^until .+ at 09:30$"))


def test_forged_snooze_times_and_another_organisations_operator_change_nothing(site: Site) -> None:
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Oriol", text=f"Un fanal que parpelleja ({new_chat_id()})")
    ours = _conversation(site, chat_id)
    soon = (utcnow().astimezone(MADRID).date() + timedelta(days=3)).isoformat()

    email, password, _ = OTHER_OPERATOR
    cookies = [session_cookie(site, who, secret) for who, secret in ((email, password), (LAIA, demo.DEMO_PASSWORD))]
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=cookies[0])
    laia = RawTab(site).connect(inbox.ROUTE, session_cookie=cookies[1])
    try:
        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "select", conversation_id=ours.id)  # refused: not theirs
        attacker.send(InboxState, "open_snooze_dialog")
        attacker.send(InboxState, "snooze_until_typed", form_data={"day": soon, "time": "09:00"})
        attacker.send(InboxState, "snooze_until_typed", form_data={"day": soon, "time": "09:00"}, conversation_id=ours.id)
        assert "Oriol" not in attacker.text()

        laia.load_page(inbox.ROUTE)
        laia.send(InboxState, "select", conversation_id=ours.id)
        for forged in (
            {"day": "2020-01-01", "time": "09:00"},  # long gone
            {"day": "2099-01-01", "time": "09:00"},  # past a year
            {"day": "9999-99-99", "time": "99:99"},
            {"day": "2026-13-01T00:00:00+00:00", "time": "09:00"},
            {"day": [soon], "time": {"hour": 9}},
            {"day": soon * 1000, "time": "09:00"},
            {},
        ):
            laia.send(InboxState, "snooze_until_typed", form_data=forged)
        assert laia.client.connected  # every refusal answered, none of them broke the connection
        assert "A conversation can be snoozed for a year at most." in laia.text()
    finally:
        attacker.close()
        laia.close()

    after = _conversation(site, chat_id)
    assert (after.status, after.snoozed_until, after.version) == (ours.status, ours.snoozed_until, ours.version)
