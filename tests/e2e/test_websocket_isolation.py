"""The live inbox and every page's state, attacked over raw websockets: a shared state's name is refused as a client
token, a browser that is not signed in receives no page state, another tenant's operator reads nothing of this
tenant and cannot disturb its operators' live view, a tab whose session ended stops receiving live updates, and the
language switch stores a language only for the signed-in operator, only one of ours."""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, Operator, Tenant, row_id
from citymes_app.pages import canned_responses, channels, inbox, keywords, office_hours, unmatched
from citymes_app.state.access import page_states
from citymes_app.state.auth_state import AuthState
from citymes_app.state.canned_state import CannedResponsesState
from citymes_app.state.channels_state import ChannelsState
from citymes_app.state.hours_state import HoursState
from citymes_app.state.inbox_state import InboxState, inbox_token
from citymes_app.state.keywords.list_state import KeywordsState
from citymes_app.state.unmatched_state import UnmatchedState
from tests.e2e.raw_tab import RawTab, Refused
from tests.e2e.support import OTHER_OPERATOR, Site, new_chat_id, set_interface_language, sign_in

pytestmark = pytest.mark.browser

LAIA, PAU = "operator@demo.citymes.local", "operator2@demo.citymes.local"
PAGES = [inbox.ROUTE, keywords.ROUTE, office_hours.ROUTE, channels.ROUTE, unmatched.ROUTE, canned_responses.ROUTE]
# Each page's load handler, and handlers that read data, with the ids an attacker would try.
PAGE_LOADS = [
    (InboxState, "open_inbox", inbox.ROUTE),
    (KeywordsState, "open_editor_page", keywords.ROUTE),
    (HoursState, "open_hours_page", office_hours.ROUTE),
    (ChannelsState, "open_channels_page", channels.ROUTE),
    (UnmatchedState, "open_report_page", unmatched.ROUTE),
    (CannedResponsesState, "open_canned_page", canned_responses.ROUTE),
]


def page_state_names() -> set[str]:
    return {cls.get_full_name() for cls in page_states()}


def demo_conversation(site: Site, chat_id: int) -> tuple[int, int]:
    """The demo tenant's id and the id of the conversation of the citizen `chat_id`."""
    with Session(get_engine(site.database_url)) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == demo.DEMO_SLUG)).one()
        conversation = session.exec(
            select(Conversation).where(Conversation.tenant_id == tenant.id, Conversation.address == str(chat_id))
        ).one()
        return row_id(tenant), row_id(conversation)


def read_everything(tab: RawTab, conversation_id: int) -> None:
    """What an attacker's tab tries: every page's load handler, and opening another tenant's conversation."""
    for state, handler, path in PAGE_LOADS:
        tab.send(state, handler, path=path)
    for path in PAGES:
        tab.load_page(path)
    tab.send(InboxState, "select", conversation_id=conversation_id)
    tab.send(InboxState, "open_link")


def test_a_shared_state_name_is_refused_as_a_client_token(site: Site) -> None:
    chat_id, marker = new_chat_id(), f"farola-{new_chat_id()}"
    site.citizen_says(chat_id, "Pere", text=f"La farola no funciona ({marker})")
    tenant_id, _ = demo_conversation(site, chat_id)
    names = [f"inbox-{tenant_id}", inbox_token(tenant_id), "", "not-a-uuid", str(uuid.uuid4()).upper(), "a" * 36]
    accepted = []
    for name in names:
        tab = RawTab(site, token=name)
        try:
            tab.connect(inbox.ROUTE)
            accepted.append(name)
        except Refused:
            pass
        finally:
            tab.close()
        assert marker not in tab.text()
    assert accepted == [], "client tokens that are not a browser's were accepted"


def test_a_browser_that_is_not_signed_in_receives_no_page_state(site: Site) -> None:
    chat_id, marker = new_chat_id(), f"contenidor-{new_chat_id()}"
    site.citizen_says(chat_id, "Marta", text=f"Contenidor cremat ({marker})")
    _, conversation_id = demo_conversation(site, chat_id)

    for cookie in ("", "forged-session-cookie"):
        tab = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
        try:
            read_everything(tab, conversation_id)
            assert marker not in tab.text()
            assert "Vilademo" not in tab.text()
            assert not tab.states_received() & page_state_names(), "a page's state reached a signed-out browser"
            assert "/login" in tab.redirects()
        finally:
            tab.close()


def test_another_tenants_operator_reads_nothing_and_leaves_our_live_inbox_working(site: Site, new_context) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, LAIA)
    chat_id, marker = new_chat_id(), f"soroll-{new_chat_id()}"
    site.citizen_says(chat_id, "Jordi", text=f"Soroll al carrer Nou ({marker})")
    expect(laia.locator(".queue-item", has_text=marker)).to_be_visible()
    tenant_id, conversation_id = demo_conversation(site, chat_id)

    email, password, _ = OTHER_OPERATOR
    attacker = RawTab(site).connect("/login")
    try:
        cookie = attacker.sign_in(email, password)
        attacker.close()
        attacker = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
        read_everything(attacker, conversation_id)
        with pytest.raises(Refused):  # and the shared state's name, as the attacker's own token, even signed in
            RawTab(site, token=f"inbox-{tenant_id}").connect(inbox.ROUTE, session_cookie=cookie)

        later = f"bassal-{new_chat_id()}"
        site.citizen_says(new_chat_id(), "Aina", text=f"Un bassal enorme ({later})")
        expect(laia.locator(".queue-item", has_text=later)).to_be_visible()  # our live inbox still works
        attacker.settle()
        for secret in (marker, later, "Jordi", "Aina", "Vilademo"):
            assert secret not in attacker.text(), f"{secret!r} reached another tenant's operator"
        expect(laia.locator(".queue-item", has_text=marker)).to_be_visible()  # what our operators see is unchanged
        expect(laia.locator("body")).not_to_contain_text("Consell Comarcal")
    finally:
        attacker.close()


def test_a_tab_whose_session_ended_receives_no_more_live_updates(site: Site, new_context) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, LAIA)
    pau = RawTab(site).connect("/login")
    try:
        cookie = pau.sign_in(PAU, demo.DEMO_PASSWORD)
        pau.close()
        pau = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
        pau.load_page(inbox.ROUTE)
        before = f"gos-{new_chat_id()}"
        site.citizen_says(new_chat_id(), "Laia", text=f"Un gos perdut ({before})")
        deadline = time.monotonic() + 15
        while before not in pau.text():
            assert time.monotonic() < deadline, "the signed-in tab never received the live update"
            time.sleep(0.1)

        # Pau signs out in another tab of the same browser (same session cookie).
        other_tab = RawTab(site).connect(inbox.ROUTE, session_cookie=cookie)
        other_tab.send(AuthState, "sign_out")
        other_tab.close()
        pau.clear()

        after = f"arbre-{new_chat_id()}"
        site.citizen_says(new_chat_id(), "Marc", text=f"Un arbre caigut ({after})")
        expect(laia.locator(".queue-item", has_text=after)).to_be_visible()
        pau.settle(quiet=1.5)
        assert after not in pau.text(), "a signed-out tab kept receiving the live inbox"
    finally:
        pau.close()


def stored_languages(site: Site) -> dict[str, str | None]:
    with Session(get_engine(site.database_url)) as session:
        return {operator.email: operator.language for operator in session.exec(select(Operator))}


def test_a_language_is_stored_only_for_the_signed_in_operator_and_only_one_of_ours(site: Site) -> None:
    before = stored_languages(site)
    laia_id = operator_id(site, LAIA)
    signed_out = RawTab(site).connect("/login")
    try:
        for payload in ({"language": "es"}, {"language": "es", "operator_id": laia_id}):
            signed_out.send(AuthState, "choose_language", path="/login", **payload)
        assert stored_languages(site) == before, "a signed-out browser changed an operator's language"
    finally:
        signed_out.close()

    pau = RawTab(site).connect("/login")
    try:
        pau.sign_in(PAU, demo.DEMO_PASSWORD)
        pau.send(AuthState, "choose_language", language="es", operator_id=laia_id)  # not a parameter: refused whole
        pau.send(AuthState, "choose_language", language="fr")
        pau.send(AuthState, "choose_language", language="es'); DROP TABLE operator; --")
        assert stored_languages(site) == before
        pau.send(AuthState, "choose_language", language="es")
        assert stored_languages(site) == {**before, PAU: "es"}, "only Pau's own language changes"
    finally:
        pau.close()
        set_interface_language(site.database_url, "en", PAU)


def operator_id(site: Site, email: str) -> int:
    with Session(get_engine(site.database_url)) as session:
        return row_id(session.exec(select(Operator).where(Operator.email == email)).one())
