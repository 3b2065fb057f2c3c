"""The statistics dashboard attacked over raw websockets: an operator (not a manager), a browser with a forged or no
session cookie, and another organisation's manager send the dashboard's events (page load, filter changes, CSV
downloads) and receive none of our figures; our own manager, sending the same events, does (so the test can fail)."""

from __future__ import annotations

import base64
import re
import secrets

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from citymes_app import demo
from citymes_app.core import auth, tenants
from citymes_app.core.db import get_engine
from citymes_app.models import Role, UnmatchedQuery
from citymes_app.pages import statistics
from citymes_app.state.statistics_state import StatisticsState
from tests.e2e.raw_tab import RawTab
from tests.e2e.support import OPERATOR, OTHER_TENANT, Site, new_chat_id

pytestmark = pytest.mark.browser

MANAGER = "manager@demo.citymes.local"
OTHER_MANAGER = ("manager@consell.test", "consell-manager-password")


def our_secrets(site: Site) -> tuple[str, str]:
    """A place and a question of this test's own, sent by our citizens: what an attacker must never receive."""
    # Far from the town, somewhere in 1 × 1 degree: a pin of its own.
    latitude, longitude = (round(base + secrets.randbelow(10**6) / 10**6, 5) for base in (42.0, 1.0))
    site.citizen_says(new_chat_id(), first_name="Ona", location={"latitude": latitude, "longitude": longitude})
    token = secrets.token_hex(4)
    site.citizen_says(new_chat_id(), first_name="Ona", text=f"Qui arregla el fanal {token}?")
    return f"{latitude}", token


def asked_most(site: Site, question: str) -> None:
    """Ask `question` (already asked once) until it tops the dashboard's unanswered questions, whatever the rest of the
    suite asked before: the top ten is what the page and its CSV show."""
    with Session(get_engine(site.database_url)) as session:
        tenant = tenants.require_tenant(session, slug=demo.DEMO_SLUG)
        times = sa.func.count()
        most = session.exec(
            select(times)
            .where(UnmatchedQuery.tenant_id == tenant.id)
            .group_by(col(UnmatchedQuery.normalized))
            .order_by(times.desc())
        ).first()
    for _ in range(most or 0):
        site.citizen_says(new_chat_id(), first_name="Ona", text=f"Qui arregla el fanal {question}?")


def every_dashboard_event(tab: RawTab) -> None:
    """What an attacker's tab tries: the page load, each filter, each download."""
    route = statistics.ROUTE
    tab.load_page(route)
    tab.send(StatisticsState, "open_statistics_page", path=route)
    tab.send(StatisticsState, "set_period", path=route, value="90d")
    tab.send(StatisticsState, "apply_range", path=route, form_data={"first": "2026-01-01", "last": "2026-12-31"})
    tab.send(StatisticsState, "set_channel", path=route, value="all")
    tab.send(StatisticsState, "set_platform", path=route, value="telegram")
    tab.send(StatisticsState, "set_operator", path=route, value="all")
    for table in ("locations", "unanswered", "channels"):
        tab.send(StatisticsState, "download", path=route, table=table)


def signed_in_tab(site: Site, email: str, password: str = demo.DEMO_PASSWORD) -> RawTab:
    login = RawTab(site).connect("/login")
    try:
        cookie = login.sign_in(email, password)
    finally:
        login.close()
    return RawTab(site).connect(statistics.ROUTE, session_cookie=cookie)


def received(tab: RawTab) -> str:
    """Everything the tab received, the CSV downloads (base64 data URLs) decoded."""
    text = tab.text()
    downloads = re.findall(r"data:text/csv;base64,([A-Za-z0-9+/=]+)", text)
    return "\n".join([text, *(base64.b64decode(data).decode() for data in downloads)])


def assert_nothing_of_ours(tab: RawTab, place: str, question: str, who: str) -> None:
    text = received(tab)
    assert place not in text, f"our citizens' place reached {who}"
    assert question not in text, f"our citizens' question reached {who}"
    assert "@vilademo_bot" not in text, f"our channels reached {who}"


@pytest.fixture(scope="module")
def other_manager(site: Site) -> tuple[str, str]:
    """A manager of the other organisation."""
    email, password = OTHER_MANAGER
    with Session(get_engine(site.database_url)) as session:
        tenant = tenants.require_tenant(session, slug=OTHER_TENANT[0])
        auth.add_operator(session, tenant=tenant, email=email, password=password, role=Role.MANAGER)
        session.commit()
    return email, password


def test_our_manager_receives_the_figures_and_a_csv(site: Site) -> None:
    place, question = our_secrets(site)
    asked_most(site, question)
    tab = signed_in_tab(site, MANAGER)
    try:
        every_dashboard_event(tab)
        text, downloads = tab.text(), received(tab)
        assert place in text and question in text  # in the page's figures
        assert "text/csv" in text and downloads.count(place) > text.count(place)  # and in the locations' CSV
    finally:
        tab.close()


def test_an_operator_receives_no_figures(site: Site) -> None:
    place, question = our_secrets(site)
    tab = signed_in_tab(site, OPERATOR)
    try:
        every_dashboard_event(tab)
        assert_nothing_of_ours(tab, place, question, "an operator")
        assert "text/csv" not in tab.text()
    finally:
        tab.close()


@pytest.mark.parametrize("cookie", ["", "forged-session-cookie"])
def test_a_browser_without_a_session_receives_no_figures(site: Site, cookie: str) -> None:
    place, question = our_secrets(site)
    tab = RawTab(site).connect(statistics.ROUTE, session_cookie=cookie)
    try:
        every_dashboard_event(tab)
        assert_nothing_of_ours(tab, place, question, "a signed-out browser")
        assert "text/csv" not in tab.text()
        assert StatisticsState.get_full_name() not in tab.states_received()
        assert "/login" in tab.redirects()
    finally:
        tab.close()


def test_another_organisations_manager_receives_none_of_our_figures_even_live(site: Site, other_manager: tuple[str, str]) -> None:
    place, question = our_secrets(site)
    tab = signed_in_tab(site, *other_manager)
    try:
        every_dashboard_event(tab)
        tab.send(StatisticsState, "set_period", path=statistics.ROUTE, value="today")
        later_place, later_question = our_secrets(site)  # our live figures move: theirs must not carry ours
        tab.settle(quiet=2.0)
        assert_nothing_of_ours(tab, place, question, "another organisation's manager")
        assert_nothing_of_ours(tab, later_place, later_question, "another organisation's manager")
    finally:
        tab.close()
