"""The administration and report pages in the administrator's language: an administrator who chose Spanish (or
Catalan) sees the keyword page, the office hours, the statistics dashboard and the unanswered report in it —
headings, buttons, a refusal beside a field, and numbers and dates as that language writes them; photographed in
Catalan, where the words are longest."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import MetaData, Table, delete, insert, select

from citymes_app import demo
from citymes_app.core.db import make_engine
from citymes_app.i18n import words_for
from citymes_app.state.statistics_state import month_name
from tests.e2e.support import ADMIN, Site, new_chat_id, screenshot, set_interface_language, sign_in

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
        "canned": "Respostes predefinides",
        "channels": "Canals",
        "operators": "Operadors",
        "statistics": "Estadístiques",
        "custom": "Personalitzat",
        "reversed": "El darrer dia és anterior al primer.",
        "busy day": "12 de març del 2025",
        "monthly report": "Informe mensual",
        "unanswered": "Preguntes sense resposta",
        "7 days": "7 dies",
        "question": "Pregunta",
    },
    "es": {
        "keywords": "Palabras clave",
        "new keyword": "Nueva palabra clave",
        "no response": "La palabra clave «HORARIS» no tiene respuesta.",
        "hours": "Horario de atención",
        "save schedule": "Guardar el horario",
        "monday": "Lunes",
        "bad time": "Lunes: la hora de cierre 07:00 no es posterior a la hora de apertura 08:00.",
        "canned": "Respuestas predefinidas",
        "channels": "Canales",
        "operators": "Operadores",
        "statistics": "Estadísticas",
        "custom": "Personalizado",
        "reversed": "El último día es anterior al primero.",
        "busy day": "12 mar 2025",
        "monthly report": "Informe mensual",
        "unanswered": "Preguntas sin respuesta",
        "7 days": "7 días",
        "question": "Pregunta",
    },
}


@pytest.fixture
def admin_in(site: Site) -> Iterator:
    """Store a language for the demo's administrator; English again afterwards (the other browser tests read it)."""

    def choose(language: str) -> None:
        set_interface_language(site.database_url, language, ADMIN)

    yield choose
    set_interface_language(site.database_url, "en", ADMIN)


# A busy day long ago: 1,234 citizens' messages counted, so the headline shows the language's thousands separator.
BUSY_DAY = date(2025, 3, 12)
BUSY_COUNT = 1234


@pytest.fixture
def busy_day(site: Site) -> Iterator[None]:
    """The demo town's counters get a busy day in March 2025 (no other test reads that far back); removed after."""
    engine = make_engine(site.database_url)
    metadata = MetaData()
    daily, tenant, channel = (Table(name, metadata, autoload_with=engine) for name in ("daily_count", "tenant", "channel"))
    try:
        with engine.begin() as connection:
            tenant_id = connection.execute(select(tenant.c.id).where(tenant.c.slug == demo.DEMO_SLUG)).scalar_one()
            channel_id = connection.execute(select(channel.c.id).where(channel.c.tenant_id == tenant_id)).scalars().first()
            row = {"tenant_id": tenant_id, "local_day": BUSY_DAY, "channel_id": channel_id, "measure": "in"}
            connection.execute(insert(daily).values(**row, subject="operator", count=BUSY_COUNT))
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(delete(daily).where(daily.c.local_day == BUSY_DAY))
        engine.dispose()


def go(page: Page, site: Site, path: str, ready: str) -> None:
    """Open one of the signed-in pages by its address and wait for it to draw `ready`."""
    page.goto(f"{site.url}{path}")
    expect(page.locator(ready).first).to_be_visible(timeout=15_000)  # a page built from scratch: a busy machine is slow


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

    go(page, site, "/admin/hours", "#schedule-save")
    expect(page.locator("h1, h2").filter(has_text=said["hours"]).first).to_be_visible()
    expect(page.locator("#schedule-save")).to_have_text(said["save schedule"])
    monday = page.locator(".weekday[data-weekday='0']")
    expect(monday).to_contain_text(said["monday"])
    monday.locator(".slot-closes input").first.fill("07:00")
    page.click("#schedule-save")  # refused, nothing changes
    expect(page.locator("#schedule-error")).to_have_text(said["bad time"])
    screenshot(page, f"office_hours_{language}")

    for path, ready, heading in (
        ("/admin/canned-responses", "#canned-form", "canned"),
        ("/admin/channels", "#channel-list", "channels"),
        ("/admin/operators", "#operators-card", "operators"),
    ):
        go(page, site, path, ready)
        expect(page.locator("h1, h2").filter(has_text=said[heading]).first).to_be_visible()
        screenshot(page, f"{heading}_{language}")


@pytest.mark.parametrize("language", ["es", "ca"])
def test_the_statistics_and_the_unanswered_report_speak_the_administrators_language(
    site: Site, new_context, admin_in, busy_day: None, language: str
) -> None:
    said = SAID[language]
    admin_in(language)
    page = new_context().new_page()
    sign_in(page, site, ADMIN)

    page.locator("#reports-nav a[href='/statistics']").click()
    page.wait_for_url("**/statistics")
    expect(page.locator("#headline-messages-in")).to_be_visible()
    expect(page.locator("h1, h2").filter(has_text=said["statistics"]).first).to_be_visible()
    screenshot(page, f"statistics_{language}")
    page.get_by_role("radio", name=said["custom"]).click()
    page.fill("#range-first", BUSY_DAY.isoformat())
    page.fill("#range-last", "2025-03-11")
    page.click("#range-apply")  # refused beside the fields
    expect(page.locator("#range-error")).to_have_text(said["reversed"])
    page.fill("#range-last", BUSY_DAY.isoformat())
    page.click("#range-apply")
    expect(page.locator("#stats-period-label")).to_have_text(said["busy day"])
    expect(page.locator("#headline-messages-in")).to_have_text("1.234")  # Catalan and Spanish group thousands with a dot
    screenshot(page, f"statistics_busy_day_{language}")

    go(page, site, "/statistics/report", "#report-print")
    expect(page.locator("h1, h2").filter(has_text=said["monthly report"]).first).to_be_visible()
    this_month = month_name(date.today().replace(day=1), words_for(language))  # "desembre 2026", "diciembre 2026"
    expect(page.locator("#report-month")).to_have_text(this_month)
    screenshot(page, f"monthly_report_{language}")

    site.citizen_says(new_chat_id(), first_name="Berta", text=f"On es pot llogar una barca {secrets.token_hex(3)}?")
    go(page, site, "/admin/unmatched", "#unmatched-card")
    expect(page.locator("h1, h2").filter(has_text=said["unanswered"]).first).to_be_visible()
    page.get_by_role("radio", name=said["7 days"]).click()
    expect(page.get_by_role("radio", name=said["7 days"])).to_have_attribute("aria-checked", "true")
    expect(page.locator("#unmatched-table th").first).to_have_text(said["question"])
    expect(page.locator(".unmatched-row", has_text="on es pot llogar una barca").first).to_be_visible()
    screenshot(page, f"unanswered_{language}")
