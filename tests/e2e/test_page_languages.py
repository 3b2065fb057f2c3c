"""The administration and report pages in the administrator's language: an administrator who chose Spanish (or
Catalan) sees the keyword page, the office hours, the statistics dashboard and the unanswered report in it —
headings, buttons, a refusal beside a field, and numbers and dates as that language writes them; photographed in
Catalan, where the words are longest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import ADMIN, Site, screenshot, set_interface_language, sign_in

pytestmark = pytest.mark.browser

# What each page says in each language.
SAID = {
    "ca": {
        "keywords": "Paraules clau",
        "new keyword": "Nova paraula clau",
        "no response": "La paraula clau «HORARIS» no té resposta.",
        "hours": "Horari d'atenció",
        "save schedule": "Desa l'horari",
        "monday": "Dilluns",
        "bad time": "Dilluns: l'hora de tancament 07:00 no és posterior a l'hora d'obertura 08:00.",
    },
    "es": {
        "keywords": "Palabras clave",
        "new keyword": "Nueva palabra clave",
        "no response": "La palabra clave «HORARIS» no tiene respuesta.",
        "hours": "Horario de atención",
        "save schedule": "Guardar el horario",
        "monday": "Lunes",
        "bad time": "Lunes: la hora de cierre 07:00 no es posterior a la hora de apertura 08:00.",
    },
}


@pytest.fixture
def admin_in(site: Site) -> Iterator:
    """Store a language for the demo's administrator; English again afterwards (the other browser tests read it)."""

    def choose(language: str) -> None:
        set_interface_language(site.database_url, language, ADMIN)

    yield choose
    set_interface_language(site.database_url, "en", ADMIN)


def go(page: Page, site: Site, path: str) -> None:
    page.goto(f"{site.url}{path}")
    page.wait_for_url(f"**{path}")


@pytest.mark.parametrize("language", ["es", "ca"])
def test_the_keyword_page_and_office_hours_speak_the_administrators_language(
    site: Site, new_context, admin_in, language: str
) -> None:
    said = SAID[language]
    admin_in(language)
    page = new_context().new_page()
    sign_in(page, site, ADMIN)

    page.locator("#admin-nav a[href='/admin/keywords']").click()
    page.wait_for_url("**/admin/keywords")
    expect(page.locator("h1, h2").filter(has_text=said["keywords"]).first).to_be_visible()
    expect(page.locator("#keyword-new")).to_have_text(said["new keyword"])
    expect(page).to_have_title(f"{said['keywords']} · CityMes")
    screenshot(page, f"keywords_{language}")
    page.locator(".keyword-row[data-keyword='HORARIS'] .keyword-edit").click()
    page.fill("#kw-response", "")
    page.click("#kw-save")  # refused beside the answer, in the administrator's language; nothing is saved
    expect(page.locator("#kw-response-error")).to_have_text(said["no response"])
    screenshot(page, f"keyword_form_{language}")
    page.keyboard.press("Escape")

    go(page, site, "/admin/hours")
    expect(page.locator("h1, h2").filter(has_text=said["hours"]).first).to_be_visible()
    expect(page.locator("#schedule-save")).to_have_text(said["save schedule"])
    monday = page.locator(".weekday[data-weekday='0']")
    expect(monday).to_contain_text(said["monday"])
    monday.locator(".slot-closes input").first.fill("07:00")
    page.click("#schedule-save")  # refused, nothing changes
    expect(page.locator("#schedule-error")).to_have_text(said["bad time"])
    screenshot(page, f"office_hours_{language}")
