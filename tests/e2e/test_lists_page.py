"""The distribution lists page in the browser: an administrator adds a list with its words in each language (an empty
name or a phrase without its join word refused beside the field), imports a CSV of members — refused whole when a
line is bad, naming the line, then imported — and sees the members and the growth. An operator who is not an
administrator gets the administrators-only view. Over raw websockets, an operator and another organisation's
administrator cannot change the town's lists nor read their members."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from citymes_app import demo
from citymes_app.core import lists
from citymes_app.core.db import get_engine
from citymes_app.models import Citizen, CitizenIdentity, Conversation, ListSubscription, ListWording, Tenant
from citymes_app.pages import lists as lists_page
from citymes_app.state.lists_state import ListsState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import (
    ADMIN,
    OPERATOR,
    Site,
    demo_data_restored,
    other_admin,
    screenshot,
    set_interface_language,
    sign_in,
)

pytestmark = pytest.mark.browser

LIST_TABLES = ("distribution_list", "list_wording", "list_phrase", "list_subscription", "list_consent")


@pytest.fixture(autouse=True)
def _leaves_the_lists_as_found(site: Site) -> Iterator[None]:
    """The demo's lists as they were, even when a test fails half-way through."""
    with demo_data_restored(site, *LIST_TABLES):
        yield


def _demo_tenant(session: Session) -> Tenant:
    return session.exec(select(Tenant).where(Tenant.slug == demo.DEMO_SLUG)).one()


def telegram_identities(site: Site, n: int) -> list[str]:
    """Telegram user ids of `n` of the demo town's citizens."""
    with Session(get_engine(site.database_url)) as session:
        tenant = _demo_tenant(session)
        rows = session.exec(
            select(CitizenIdentity.platform_user_id).where(
                CitizenIdentity.tenant_id == tenant.id, CitizenIdentity.platform == "telegram"
            )
        ).all()
    assert len(rows) >= n, "the demo town has too few Telegram citizens"
    return list(rows[:n])


def _fill_language(page, language: str, name: str, join: str, leave: str) -> None:  # noqa: ANN001
    page.fill(f"#list-name-{language}", name)
    page.fill(f"#list-join-{language}", join)
    page.fill(f"#list-leave-{language}", leave)


def test_an_administrator_adds_a_list_and_imports_its_members(site: Site, new_context, tmp_path: Path) -> None:
    word = f"OBRES{secrets.randbelow(10**5)}"
    jordi = new_context().new_page()
    sign_in(jordi, site, ADMIN)
    jordi.locator("#admin-nav").get_by_text("Distribution lists").click()
    jordi.wait_for_url(f"**{lists_page.ROUTE}")

    _fill_language(jordi, "ca", "", f"ALTA {word}", f"BAIXA {word}")
    _fill_language(jordi, "es", "Obras", f"ALTA {word} ES", f"BAJA {word}")
    _fill_language(jordi, "en", "Works", f"SUBSCRIBE {word}", f"LEAVE {word}")
    jordi.click("#save-list")
    expect(jordi.locator("#list-name-ca-error")).to_have_text("Write the list's name.")
    jordi.fill("#list-name-ca", "Obres")
    jordi.click("#save-list")
    expect(jordi.locator("#list-join-en-error")).to_contain_text("ALTA or JOIN")
    screenshot(jordi, "lists_page_refused_phrase")
    jordi.fill("#list-join-en", f"JOIN {word}")
    jordi.click("#save-list")
    expect(jordi.locator("#lists-notice")).to_have_text("List Works added.")  # named in the administrator's language
    row = jordi.locator(".list-row", has_text="Works")
    expect(row.locator(".list-members")).to_have_text("0 members")

    row.locator(".choose-list").click()
    expect(jordi.locator("#list-detail")).to_contain_text("Members of Works")
    first, second = telegram_identities(site, 2)
    bad = tmp_path / "members-bad.csv"
    bad.write_text(f"platform,identity\ntelegram,{first}\nwhatsapp,12\ntelegram,{second}\n")
    jordi.set_input_files("#list-import input[type=file]", str(bad))
    expect(jordi.locator("#list-import-report")).to_contain_text("was not imported: nothing changed")
    expect(jordi.locator(".import-error")).to_have_text(["Line 3: not a valid international phone number (e.g. +34600111222)."])
    expect(jordi.locator(".member-row")).to_have_count(0)

    good = tmp_path / "members.csv"
    good.write_text(f"platform,identity\ntelegram,{first}\ntelegram,{second}\n")
    jordi.set_input_files("#list-import input[type=file]", str(good))
    expect(jordi.locator("#list-import-report")).to_contain_text("2 added, 0 already on the list")
    expect(jordi.locator(".member-row")).to_have_count(2)
    expect(jordi.locator(".member-how").first).to_have_text("imported")
    expect(jordi.locator("#list-member-count")).to_have_text("2 members")
    expect(jordi.locator("#list-joined")).to_have_text("2 joined")
    screenshot(jordi, "lists_page")

    jordi.locator(".remove-member").first.click()
    expect(jordi.locator("#member-notice")).to_have_text("The citizen was taken off the list.")
    expect(jordi.locator(".member-row")).to_have_count(1)
    expect(jordi.locator("#list-left")).to_have_text("1 left")

    row.locator(".delete-list").click()
    jordi.click("#confirm-delete-list")
    expect(jordi.locator("#lists-notice")).to_have_text("List Works deleted.")
    expect(jordi.locator(".list-row", has_text="Works")).to_have_count(0)


def test_an_operator_gets_the_administrators_only_view(site: Site, new_context) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, OPERATOR)
    laia.goto(f"{site.url}{lists_page.ROUTE}")
    expect(laia.locator("#lists-admin-only")).to_have_text("Distribution lists are managed by administrators")
    expect(laia.locator(".list-row")).to_have_count(0)


def _town_list(site: Site, identity: str) -> tuple[int, int, list[tuple[str, str]]]:
    """A list of the demo town with one member: its id, the subscription's id, and the town's phrases."""
    with Session(get_engine(site.database_url)) as session:
        tenant = _demo_tenant(session)
        texts = {
            "ca": lists.ListTexts("ca", "Secreta", "", "ALTA SECRETA", "BAIXA SECRETA"),
            "es": lists.ListTexts("es", "Secreta", "", "ALTA SECRETA ES", "BAJA SECRETA"),
            "en": lists.ListTexts("en", "Secret", "", "JOIN SECRET", "LEAVE SECRET"),
        }
        change = lists.save_list(session, tenant=tenant, list_id=None, texts=texts)
        report = lists.import_members_csv(
            session, tenant=tenant, list_id=change.id, content=f"platform,identity\ntelegram,{identity}\n"
        )
        assert report.ok, report.errors
        session.commit()
        subscription = session.exec(select(ListSubscription).where(ListSubscription.list_id == change.id)).one()
        return change.id, subscription.id or 0, _phrases(site)


def _phrases(site: Site) -> list[tuple[str, str]]:
    with Session(get_engine(site.database_url)) as session:
        tenant = _demo_tenant(session)
        rows = session.exec(
            select(ListWording.join_phrase, ListWording.leave_phrase)
            .where(ListWording.tenant_id == tenant.id)
            .order_by(col(ListWording.id))
        ).all()
        return [(join, leave) for join, leave in rows]


def _members(site: Site, list_id: int) -> int:
    with Session(get_engine(site.database_url)) as session:
        return len(session.exec(select(ListSubscription).where(ListSubscription.list_id == list_id)).all())


@pytest.mark.parametrize("who", ["operator", "other organisation's administrator"])
def test_forged_events_cannot_change_or_read_the_towns_lists(site: Site, who: str) -> None:
    email, password = (OPERATOR, demo.DEMO_PASSWORD) if who == "operator" else other_admin(site)
    [identity] = telegram_identities(site, 1)
    list_id, subscription_id, phrases = _town_list(site, identity)
    tab = RawTab(site).connect(lists_page.ROUTE, session_cookie=session_cookie(site, email, password))
    try:
        path = lists_page.ROUTE
        tab.load_page(path)
        tab.send(ListsState, "open_lists_page", path=path)
        tab.send(ListsState, "choose", path=path, list_id=list_id)
        tab.send(ListsState, "set_chosen_id", path=path, value=list_id)  # should setters exist
        tab.send(ListsState, "members_page_to", path=path, page=1)
        tab.send(ListsState, "edit", path=path, list_id=list_id)
        tab.send(ListsState, "set_editing_id", path=path, value=list_id)  # should setters exist
        tab.send(
            ListsState, "save", path=path, form_data={"name_ca": "Pirata", "join_ca": "ALTA PIRATA", "leave_ca": "BAIXA PIRATA"}
        )
        tab.send(ListsState, "remove_member", path=path, subscription_id=subscription_id)
        tab.send(ListsState, "add_member", path=path, citizen_id=1)
        tab.send(ListsState, "search_citizens", path=path, value="a")
        tab.send(ListsState, "ask_delete", path=path, list_id=list_id)
        tab.send(ListsState, "set_delete_id", path=path, value=list_id)  # should setters exist
        tab.send(ListsState, "confirm_delete", path=path)
        assert _phrases(site) == phrases, f"the {who} changed the town's lists"
        assert _members(site, list_id) == 1, f"the {who} changed the town's list members"
        assert "SECRETA" not in tab.text() and "Secreta" not in tab.text(), f"the town's lists reached the {who}'s page"
        if who == "operator":
            assert "Only an administrator can change distribution lists." in tab.text()
    finally:
        tab.close()


def _demo_citizen_name(site: Site) -> str:
    """The name of a demo citizen who wrote to the town (so there is a channel to reach them on)."""
    with Session(get_engine(site.database_url)) as session:
        tenant = _demo_tenant(session)
        name = session.exec(
            select(Citizen.display_name)
            .join(Conversation, col(Conversation.citizen_id) == Citizen.id)
            .where(Citizen.tenant_id == tenant.id, Citizen.display_name != "")
            .order_by(col(Citizen.id))
        ).first()
    assert name, "the demo town has no named citizen"
    return name


def test_an_administrator_adds_a_citizen_found_by_name(site: Site, new_context) -> None:
    word = f"BUS{secrets.randbelow(10**5)}"
    name = _demo_citizen_name(site)
    jordi = new_context().new_page()
    sign_in(jordi, site, ADMIN)
    jordi.goto(f"{site.url}{lists_page.ROUTE}")
    _fill_language(jordi, "ca", "Autobusos", f"ALTA {word}", f"BAIXA {word}")
    _fill_language(jordi, "es", "Autobuses", f"ALTA {word} ES", f"BAJA {word}")
    _fill_language(jordi, "en", "Buses", f"JOIN {word}", f"LEAVE {word}")
    jordi.click("#save-list")
    expect(jordi.locator("#lists-notice")).to_have_text("List Buses added.")
    jordi.locator(".list-row", has_text="Buses").locator(".choose-list").click()
    expect(jordi.locator("#list-detail")).to_contain_text("Members of Buses")

    jordi.fill("#member-search", name.lower())  # case and accents aside
    choice = jordi.locator(".citizen-choice", has_text=name).first
    expect(choice).to_be_visible()
    choice.locator(".add-member").click()
    expect(jordi.locator("#member-notice")).to_have_text("The citizen was added to the list.")
    expect(jordi.locator(".member-row", has_text=name)).to_have_count(1)
    expect(jordi.locator(".member-how")).to_have_text(["by an operator"])


def test_the_lists_page_speaks_the_administrators_language(site: Site, new_context) -> None:
    set_interface_language(site.database_url, "ca", ADMIN)
    try:
        jordi = new_context(locale="ca-ES").new_page()
        sign_in(jordi, site, ADMIN)
        jordi.goto(f"{site.url}{lists_page.ROUTE}")
        expect(jordi.locator("#list-form")).to_contain_text("Afegir una llista")
        row = jordi.locator(".list-row", has_text="Trànsit")  # the demo's list, named in Catalan
        expect(row.locator(".list-members")).to_contain_text("membres")
        row.locator(".choose-list").click()
        expect(jordi.locator("#list-detail")).to_contain_text("Membres de Trànsit")
        expect(jordi.locator(".member-how").first).to_have_text("per missatge")
        jordi.click("#save-list")
        expect(jordi.locator("#list-name-ca-error")).to_have_text("Escriviu el nom de la llista.")
        screenshot(jordi, "lists_page_ca")
    finally:
        set_interface_language(site.database_url, "en", ADMIN)
