"""The labels page in the browser: an administrator sees how many conversations carry each label, renames one (a
name another label has, in another case, refused beside the field) and the operator's live queue and open thread show
the new name with no reload; deleting asks first and takes the label off the conversation. Over raw websockets, an
operator who is not an administrator and another organisation's administrator cannot rename or delete the town's
labels."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from citymes_app import demo
from citymes_app.core.db import get_engine
from citymes_app.models import ConversationLabel, Label, Tenant
from citymes_app.pages import labels
from citymes_app.state.labels_state import LabelsState
from tests.e2e.raw_tab import RawTab, session_cookie
from tests.e2e.support import ADMIN, OPERATOR, Site, demo_data_restored, new_chat_id, other_admin, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _leaves_the_labels_as_found(site: Site) -> Iterator[None]:
    """The demo's labels as they were, even when a test fails half-way through."""
    with demo_data_restored(site, "label", "conversation_label"):
        yield


def demo_labels(site: Site) -> list[tuple[int, str, str, int]]:
    """The demo town's labels as stored (id, name, colour), with the number of conversations carrying each."""
    with Session(get_engine(site.database_url)) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == demo.DEMO_SLUG)).one()
        rows = session.exec(select(Label).where(Label.tenant_id == tenant.id)).all()
        links = session.exec(select(ConversationLabel).where(ConversationLabel.tenant_id == tenant.id)).all()
        return sorted(
            (label.id or 0, label.name, label.color, sum(1 for link in links if link.label_id == label.id)) for label in rows
        )


def test_an_administrator_renames_and_deletes_a_label_and_the_operators_queue_follows(site: Site, new_context) -> None:
    tag = secrets.randbelow(10**6)
    chat_id, marker = new_chat_id(), f"bassal-{tag}"
    site.citizen_says(chat_id, "Montserrat", text=f"Hi ha un bassal enorme a la plaça ({marker})")
    laia = new_context().new_page()
    sign_in(laia, site, OPERATOR)
    line = laia.locator(".queue-item", has_text=marker)
    line.click()
    laia.click("#label-menu")
    laia.fill("#label-input", f"Aigua {tag}")
    laia.press("#label-input", "Enter")
    expect(line.locator(".label-chip")).to_have_text([f"Aigua {tag}"])
    laia.keyboard.press("Escape")

    jordi = new_context().new_page()
    sign_in(jordi, site, ADMIN)
    jordi.locator("#admin-nav").get_by_text("Labels").click()
    jordi.wait_for_url(f"**{labels.ROUTE}")
    row = jordi.locator(".label-row", has_text=f"Aigua {tag}")
    expect(row.locator(".label-used")).to_have_text("1 conversation")

    row.locator(".rename-label").click()
    jordi.fill("#label-name", "ENLLUMENAT")  # the demo's "Enllumenat", in capitals
    jordi.click("#save-label")
    expect(jordi.locator("#label-name-error")).to_have_text("There is already a label Enllumenat.")
    screenshot(jordi, "labels_page_refused_name")
    jordi.fill("#label-name", f"Aigües {tag}")
    jordi.click("#save-label")
    expect(jordi.locator("#labels-notice")).to_have_text(f"Label renamed to Aigües {tag}.")
    renamed = jordi.locator(".label-row", has_text=f"Aigües {tag}")
    expect(renamed.locator(".label-used")).to_have_text("1 conversation")

    # The operator's queue line and open thread show the new name, live; so does her queue's label filter.
    expect(line.locator(".label-chip")).to_have_text([f"Aigües {tag}"])
    expect(laia.locator("#thread-labels .label-chip")).to_have_text([f"Aigües {tag}"])
    laia.click("#label-filter")
    expect(laia.get_by_role("option", name=f"Aigües {tag}", exact=True)).to_have_count(1)
    expect(laia.get_by_role("option", name=f"Aigua {tag}", exact=True)).to_have_count(0)
    laia.keyboard.press("Escape")

    # And the colour the administrator gives it.
    expect(line.locator(".label-chip")).to_have_attribute("data-accent-color", "cyan")
    renamed.locator(".label-color").click()
    jordi.get_by_role("option", name="Violet", exact=True).click()
    expect(jordi.locator("#labels-notice")).to_have_text(f"Label Aigües {tag} recoloured.")
    expect(renamed.locator(".label-name")).to_have_attribute("data-accent-color", "violet")
    expect(line.locator(".label-chip")).to_have_attribute("data-accent-color", "violet")
    expect(laia.locator("#thread-labels .label-chip")).to_have_attribute("data-accent-color", "violet")
    screenshot(jordi, "labels_page")

    renamed.locator(".delete-label").click()
    expect(jordi.get_by_role("alertdialog")).to_contain_text("It will be taken off the 1 conversation that carries it.")
    screenshot(jordi, "labels_page_delete")
    jordi.click("#confirm-delete-label")
    expect(jordi.locator("#labels-notice")).to_have_text(f"Label Aigües {tag} deleted.")
    expect(jordi.locator(".label-row", has_text=f"Aigües {tag}")).to_have_count(0)
    expect(line.locator(".label-chip")).to_have_count(0)
    laia.click("#label-filter")  # no longer offered
    expect(laia.get_by_role("option", name="Enllumenat", exact=True)).to_have_count(1)
    expect(laia.get_by_role("option", name=f"Aigües {tag}", exact=True)).to_have_count(0)
    laia.keyboard.press("Escape")
    expect(laia.locator("#thread-labels .label-chip")).to_have_count(0)
    assert f"Aigües {tag}" not in [name for _, name, _, _ in demo_labels(site)]


def test_an_operator_gets_the_administrators_only_view(site: Site, new_context) -> None:
    laia = new_context().new_page()
    sign_in(laia, site, OPERATOR)
    expect(laia.locator("#admin-nav")).to_have_count(0)
    laia.goto(f"{site.url}{labels.ROUTE}")
    expect(laia.locator("#labels-admin-only")).to_have_text("Labels are renamed and deleted by administrators")
    expect(laia.locator(".label-row")).to_have_count(0)


def forge_edits(tab: RawTab, label_id: int) -> None:
    """What an attacker's tab tries on the labels page: rename and delete the town's label, by id."""
    path = labels.ROUTE
    tab.load_page(path)
    tab.send(LabelsState, "open_labels_page", path=path)
    tab.send(LabelsState, "edit", path=path, label_id=label_id)
    tab.send(LabelsState, "set_editing_id", path=path, value=label_id)  # should setters exist
    tab.send(LabelsState, "set_form_name", path=path, value="Pirata")
    tab.send(LabelsState, "save", path=path, form_data={"name": "Pirata"})
    tab.send(LabelsState, "set_color", path=path, label_id=label_id, color="red")
    tab.send(LabelsState, "ask_delete", path=path, label_id=label_id)
    tab.send(LabelsState, "set_delete_id", path=path, value=label_id)  # should setters exist
    tab.send(LabelsState, "confirm_delete", path=path)


@pytest.mark.parametrize("who", ["operator", "other organisation's administrator"])
def test_forged_events_cannot_rename_or_delete_the_towns_labels(site: Site, who: str) -> None:
    email, password = (OPERATOR, demo.DEMO_PASSWORD) if who == "operator" else other_admin(site)
    before = demo_labels(site)
    label_id = next(row_id for row_id, name, _, _ in before if name == "Enllumenat")
    tab = RawTab(site).connect(labels.ROUTE, session_cookie=session_cookie(site, email, password))
    try:
        forge_edits(tab, label_id)
        assert demo_labels(site) == before, f"the {who} changed the town's labels"
        assert "Enllumenat" not in tab.text(), f"the town's labels reached the {who}'s page"
        if who == "operator":
            assert "Only an administrator can change labels." in tab.text()
    finally:
        tab.close()
