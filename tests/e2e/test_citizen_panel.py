"""The citizen panel, the inbox's third pane: beside the open conversation it says who the citizen is, lists their
earlier conversations (a click opens one) and the operators' private notes on them — a note written by one operator
appears in a colleague's panel without a reload, shown as text, and only its author can take it back; an empty note is
refused beside the box; the panel folds away. The citizen's distribution lists show in it, and an operator adds them to
one or takes them off one, seen live by a colleague. Over raw websockets another organisation's operator sending our
ids can neither read nor add nor delete a note on our citizen, nor change their lists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from citymes_app import demo
from citymes_app.core import lists
from citymes_app.core.db import get_engine
from citymes_app.core.lists import ListTexts
from citymes_app.models import CitizenNote, Conversation, ListSubscription, Tenant, row_id
from citymes_app.pages import inbox
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import (
    OTHER_OPERATOR,
    Site,
    demo_data_restored,
    new_chat_id,
    new_wa_id,
    screenshot,
    set_interface_language,
    sign_in,
)

pytestmark = pytest.mark.browser

LAIA, PAU = "operator@demo.citymes.local", "operator2@demo.citymes.local"


def _conversations(site: Site, chat_id: int) -> list[Conversation]:
    with Session(get_engine(site.database_url)) as session:
        return list(session.exec(select(Conversation).where(Conversation.address == str(chat_id)).order_by(col(Conversation.id))))


def _citizen_notes(site: Site, citizen_id: int) -> list[str]:
    with Session(get_engine(site.database_url)) as session:
        return [note.text for note in session.exec(select(CitizenNote).where(CitizenNote.citizen_id == citizen_id))]


def _resolve_first_conversation(site: Site, page: Page, chat_id: int, marker: str) -> None:
    """The citizen writes once, an operator resolves it; they write again: a second conversation opens."""
    site.citizen_says(chat_id, "Roser <b>Vidal</b>", text=f"Un fanal apagat al carrer Major ({marker}-1)")
    page.locator(".queue-item", has_text=f"{marker}-1").click()
    expect(page.locator("#thread .bubble-in", has_text=f"{marker}-1")).to_be_visible()
    page.click("#resolve")
    expect(page.locator("#thread-empty")).to_be_visible()
    site.citizen_says(chat_id, "Roser <b>Vidal</b>", text=f"Ara hi ha un arbre caigut al parc ({marker}-2)")


def test_a_note_on_the_citizen_reaches_a_colleagues_panel_live_and_an_earlier_conversation_opens(site: Site, new_context) -> None:
    laia, pau = new_context().new_page(), new_context().new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)
    chat_id, marker = new_chat_id(), f"fanal-{new_chat_id()}"
    _resolve_first_conversation(site, laia, chat_id, marker)
    laia.locator(".queue-item", has_text=f"{marker}-2").click()
    pau.locator(".queue-item", has_text=f"{marker}-2").click()
    expect(pau.locator("#thread .bubble-in", has_text=f"{marker}-2")).to_be_visible()

    panel = pau.locator("#citizen-panel")
    expect(panel.locator("#citizen-name")).to_have_text("Roser <b>Vidal</b>")  # the name as text, never as HTML
    expect(panel.locator("#citizen-conversation-count")).to_have_text("2 conversations")
    expect(panel.locator("#citizen-details")).to_contain_text("Telegram")
    expect(panel.locator("#citizen-details")).to_contain_text("Writes to")
    earlier = panel.locator(".earlier-conversation")
    expect(earlier).to_have_count(1)
    expect(earlier).to_contain_text("Resolved")

    laia.click("#save-citizen-note")  # nothing written: the reason shows beside the box
    expect(laia.locator("#citizen-notes #citizen-note-error")).to_have_text("Write the note before saving it.")
    note = f"Prefereix que la truquem al matí <img src=x onerror=\"document.title='pwned'\"> ({marker})"
    laia.fill("#citizen-note-box", note)
    expect(laia.locator("#citizen-note-error")).to_have_count(0)
    laia.click("#save-citizen-note")
    expect(laia.locator("#citizen-note-box")).to_have_value("")

    pau_note = pau.locator("#citizen-notes .citizen-note", has_text=marker)  # live, no reload
    expect(pau_note).to_be_visible()
    expect(pau_note.locator(".note-author")).to_have_text("Laia (operator)")
    expect(pau_note.locator(".body")).to_have_text(note)
    assert panel.locator("b, img").count() == 0
    assert pau.title() != "pwned"
    expect(pau_note.locator(".delete-citizen-note")).to_have_count(0)  # only its author may take it back
    expect(laia.locator("#citizen-notes .citizen-note", has_text=marker).locator(".delete-citizen-note")).to_have_count(1)
    expect(pau.locator("#thread .note", has_text=marker)).to_have_count(0)  # not a note on the conversation
    screenshot(laia, "inbox_citizen_panel")

    earlier.click()  # Pau opens her earlier conversation: same citizen, same notes, and today's is now the earlier one
    expect(pau.locator("#thread .bubble-in", has_text=f"{marker}-1")).to_be_visible()
    expect(pau.locator("#thread-status")).to_have_text("Resolved")
    expect(pau_note).to_be_visible()
    expect(panel.locator(".earlier-conversation")).to_have_count(1)
    expect(panel.locator(".earlier-conversation")).to_contain_text("Open")

    expect(pau_note.locator(".edit-citizen-note")).to_have_count(0)  # nor change it
    laia_note = laia.locator("#citizen-notes .citizen-note", has_text=marker)
    laia_note.locator(".edit-citizen-note").click()  # her own note comes into the box to be changed
    expect(laia.locator("#citizen-note-box")).to_have_value(note)
    expect(laia.locator("#save-citizen-note")).to_have_text("Save changes")
    laia.fill("#citizen-note-box", " ")
    laia.click("#save-citizen-note")  # emptied: refused beside the box, the note kept
    expect(laia.locator("#citizen-notes #citizen-note-error")).to_have_text("Write the note before saving it.")
    changed = f"Millor a la tarda, després de les 16 h ({marker})"
    laia.fill("#citizen-note-box", changed)
    laia.click("#save-citizen-note")
    expect(laia.locator("#citizen-note-box")).to_have_value("")
    expect(laia.locator("#save-citizen-note")).to_have_text("Add note")
    expect(pau_note.locator(".body")).to_have_text(changed)  # live in the colleague's panel
    expect(pau.locator("#citizen-notes .citizen-note")).to_have_count(1)  # changed, not added
    laia_note.locator(".edit-citizen-note").click()
    laia.click("#cancel-citizen-note-edit")  # changed her mind: the box is empty again, the note as it was
    expect(laia.locator("#citizen-note-box")).to_have_value("")
    expect(laia_note.locator(".body")).to_have_text(changed)

    laia.locator("#citizen-notes .citizen-note", has_text=marker).locator(".delete-citizen-note").click()
    expect(pau_note).to_have_count(0)  # taken back, also in the colleague's panel on the other conversation

    pau.click("#toggle-citizen-panel")  # folded away for a wider thread, and back
    expect(panel).to_have_count(0)
    pau.click("#toggle-citizen-panel")
    expect(pau.locator("#citizen-panel #citizen-name")).to_have_text("Roser <b>Vidal</b>")


@pytest.fixture
def laia_in_catalan(site: Site, new_context) -> Iterator[Page]:
    """Laia signed in with the interface in Catalan."""
    set_interface_language(site.database_url, "ca", LAIA)
    try:
        page = new_context(locale="ca-ES").new_page()
        sign_in(page, site, LAIA)
        yield page
    finally:
        set_interface_language(site.database_url, "en", LAIA)


def test_the_citizen_panel_speaks_catalan(site: Site, laia_in_catalan: Page) -> None:
    page, chat_id, marker = laia_in_catalan, new_chat_id(), f"arbre-{new_chat_id()}"
    _resolve_first_conversation(site, page, chat_id, marker)
    page.locator(".queue-item", has_text=f"{marker}-2").click()
    page.fill("#citizen-note-box", "Té mobilitat reduïda: millor una trucada que un correu.")
    page.click("#save-citizen-note")

    panel = page.locator("#citizen-panel")
    expect(panel.locator("#citizen-conversation-count")).to_have_text("2 converses")
    expect(panel.locator("#citizen-notes")).to_contain_text("Notes sobre el ciutadà")
    expect(panel.locator("#citizen-notes .citizen-note")).to_contain_text("Té mobilitat reduïda")
    expect(panel.locator("#citizen-earlier")).to_contain_text("Converses anteriors")
    expect(panel.locator(".earlier-conversation")).to_contain_text("Oberta el")
    screenshot(page, "inbox_citizen_panel_ca")


def test_another_organisations_operator_can_neither_read_nor_add_nor_delete_notes_on_our_citizen(site: Site) -> None:
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Carla", text=f"Contenidor cremat ({new_chat_id()})")
    (conversation,) = _conversations(site, chat_id)
    ours, citizen_id = row_id(conversation), conversation.citizen_id
    secret = f"Informació reservada {new_chat_id()}"

    email, password, _ = OTHER_OPERATOR
    outsider_cookie, laia_cookie = session_cookie(site, email, password), session_cookie(site, LAIA, demo.DEMO_PASSWORD)
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=outsider_cookie)
    laia = RawTab(site).connect(inbox.ROUTE, session_cookie=laia_cookie)
    stranger = RawTab(site).connect(inbox.ROUTE)  # not signed in at all
    try:
        laia.load_page(inbox.ROUTE)  # our operator writes a note: it must not reach the attacker
        laia.send(InboxState, "select", conversation_id=ours)
        laia.send(InboxState, "save_citizen_note", form_data={"citizen_note": secret})
        assert secret in laia.text()
        (note_id,) = _note_ids(site, citizen_id)

        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "select", conversation_id=ours)  # refused: not theirs
        attacker.send(InboxState, "save_citizen_note", form_data={"citizen_note": "Nota de l'intrús"})
        attacker.send(InboxState, "set_citizen_note_draft", value="Nota de l'intrús")
        attacker.send(InboxState, "save_citizen_note", form_data=["not", "a", "form"])
        attacker.send(InboxState, "delete_citizen_note", note_id=note_id)
        attacker.send(InboxState, "edit_citizen_note", note_id=note_id)  # not in their panel: nothing to change
        attacker.send(InboxState, "save_citizen_note", form_data={"citizen_note": "Nota canviada per l'intrús"})
        attacker.send(InboxState, "edit_citizen_note", note_id=["1"])
        attacker.send(InboxState, "delete_citizen_note", note_id="1 OR 1=1")
        stranger.send(InboxState, "save_citizen_note", form_data={"citizen_note": "Nota d'un desconegut"})
        stranger.send(InboxState, "delete_citizen_note", note_id=note_id)
        attacker.settle(quiet=1.0)

        assert secret not in attacker.text()
        assert "Carla" not in attacker.text()
        assert secret not in stranger.text()
        assert "/login" in stranger.redirects()
    finally:
        attacker.close()
        laia.close()
        stranger.close()

    assert _citizen_notes(site, citizen_id) == [secret], "a refused note was stored, or ours deleted"
    with Session(get_engine(site.database_url)) as session:  # and nothing landed on any citizen of theirs
        assert session.exec(select(CitizenNote).where(col(CitizenNote.text).contains("intrús"))).all() == []


def _note_ids(site: Site, citizen_id: int) -> list[int]:
    with Session(get_engine(site.database_url)) as session:
        return [row_id(note) for note in session.exec(select(CitizenNote).where(CitizenNote.citizen_id == citizen_id))]


def test_a_whatsapp_citizens_number_shows_in_full_for_the_operator_to_call_back(site: Site, new_context) -> None:
    page, wa_id = new_context().new_page(), new_wa_id()
    sign_in(page, site, LAIA)
    site.wa_citizen_says(wa_id, "Jordi Pons", text=f"Quan passa la recollida de mobles? ({wa_id})")
    page.locator(".queue-item", has_text=wa_id).click()

    details = page.locator("#citizen-panel #citizen-details")
    expect(details.locator(".citizen-identity")).to_contain_text("WhatsApp")
    expect(details.locator(".citizen-identity .identity-address")).to_have_text(f"+{wa_id}")
    expect(details.get_by_role("link", name=f"+{wa_id}")).to_have_attribute("href", f"tel:+{wa_id}")
    expect(page.locator("#citizen-panel #citizen-name")).to_have_text("Jordi Pons")
    expect(page.locator("#citizen-panel .earlier-conversation")).to_have_count(0)
    expect(page.locator("#citizen-earlier")).to_contain_text("This is their first conversation.")


def _demo_list(site: Site, word: str) -> int:
    """A list of the demo town whose phrases end in `word`; its id."""
    with Session(get_engine(site.database_url)) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == demo.DEMO_SLUG)).one()
        texts = {
            "ca": ListTexts("ca", f"Trànsit {word}", "", f"ALTA T{word}", f"BAIXA T{word}"),
            "es": ListTexts("es", f"Tráfico {word}", "", f"ALTA T{word} ES", f"BAJA T{word}"),
            "en": ListTexts("en", f"Traffic {word}", "", f"JOIN T{word}", f"LEAVE T{word}"),
        }
        change = lists.save_list(session, tenant=tenant, list_id=None, texts=texts)
        session.commit()
        return change.id


def _subscriptions(site: Site, citizen_id: int) -> list[tuple[int, str]]:
    with Session(get_engine(site.database_url)) as session:
        rows = session.exec(select(ListSubscription).where(ListSubscription.citizen_id == citizen_id)).all()
        return sorted((row.list_id, row.source) for row in rows)


@pytest.fixture
def lists_restored(site: Site) -> Iterator[None]:
    """The demo's lists as they were after the test."""
    with demo_data_restored(site, "distribution_list", "list_wording", "list_phrase", "list_subscription", "list_consent"):
        yield


def test_the_citizens_lists_show_in_the_panel_and_an_operator_adds_and_removes_one_live(
    site: Site, new_context, lists_restored: None
) -> None:
    word = str(new_chat_id())[-5:]
    joined_by_message, added_by_operator = _demo_list(site, word), _demo_list(site, word + "B")
    laia, pau = new_context().new_page(), new_context().new_page()
    sign_in(laia, site, LAIA)
    sign_in(pau, site, PAU)
    chat_id, marker = new_chat_id(), f"llista-{new_chat_id()}"
    site.citizen_says(chat_id, "Jana", text=f"Quan tallen el carrer Major? ({marker})")
    site.citizen_says(chat_id, "Jana", text=f"alta t{word}")
    for page in (laia, pau):
        page.locator(".queue-item", has_text="Jana").click()
        expect(page.locator("#thread .bubble-in", has_text=marker)).to_be_visible()

    subscriptions = pau.locator("#citizen-lists .citizen-subscription")
    expect(subscriptions).to_have_count(1)
    expect(subscriptions.locator(".subscription-list")).to_have_text(f"Traffic {word}")  # in the operator's language
    expect(subscriptions.locator(".subscription-detail")).to_contain_text("by message")

    laia.click("#add-to-list")
    laia.get_by_role("option", name=f"Traffic {word}B").click()
    added = pau.locator("#citizen-lists .citizen-subscription", has_text=f"Traffic {word}B")  # live, no reload
    expect(added).to_be_visible()
    expect(added.locator(".subscription-detail")).to_contain_text("by an operator")
    (conversation,) = _conversations(site, chat_id)
    assert _subscriptions(site, conversation.citizen_id) == sorted(
        [(joined_by_message, "keyword"), (added_by_operator, "operator")]
    )
    screenshot(laia, "inbox_citizen_panel_lists")

    laia.click("#add-to-list")  # again: already on it
    laia.get_by_role("option", name=f"Traffic {word}B").click()
    expect(laia.locator("#citizen-list-error")).to_contain_text("already on this list")

    pau.locator("#citizen-lists .citizen-subscription", has_text=f"Traffic {word}B").locator(".remove-subscription").click()
    expect(laia.locator("#citizen-lists .citizen-subscription")).to_have_count(1)  # live in the colleague's panel
    assert _subscriptions(site, conversation.citizen_id) == [(joined_by_message, "keyword")]


def test_another_organisations_operator_cannot_add_or_remove_our_citizens_lists(site: Site, lists_restored: None) -> None:
    list_id = _demo_list(site, str(new_chat_id())[-5:])
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Marc", text=f"Soroll al carrer ({new_chat_id()})")
    (conversation,) = _conversations(site, chat_id)
    ours = row_id(conversation)
    email, password, _ = OTHER_OPERATOR
    laia = RawTab(site).connect(inbox.ROUTE, session_cookie=session_cookie(site, LAIA, demo.DEMO_PASSWORD))
    attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=session_cookie(site, email, password))
    try:
        laia.load_page(inbox.ROUTE)
        laia.send(InboxState, "select", conversation_id=ours)
        laia.send(InboxState, "add_citizen_to_list", list_id=str(list_id))
        laia.settle(quiet=1.0)
        [(_, source)] = _subscriptions(site, conversation.citizen_id)
        assert source == "operator"
        with Session(get_engine(site.database_url)) as session:
            subscription_id = session.exec(select(ListSubscription.id).where(ListSubscription.list_id == list_id)).one()

        attacker.load_page(inbox.ROUTE)
        attacker.send(InboxState, "select", conversation_id=ours)  # refused: not theirs
        attacker.send(InboxState, "add_citizen_to_list", list_id=str(list_id))
        attacker.send(InboxState, "remove_citizen_subscription", subscription_id=subscription_id)
        attacker.send(InboxState, "remove_citizen_subscription", subscription_id="1 OR 1=1")
        attacker.send(InboxState, "add_citizen_to_list", list_id=["1"])
        attacker.settle(quiet=1.0)
        assert "Marc" not in attacker.text()
        assert "Traffic" not in attacker.text()
    finally:
        laia.close()
        attacker.close()
    assert len(_subscriptions(site, conversation.citizen_id)) == 1, "the outsider changed our citizen's lists"
