"""The managers' statistics dashboard in a real browser: today's counters move in an open page as a citizen writes,
a CSV download matches the table on screen row for row, a bad custom range is explained beside the field, an
operator is refused, and the busy dashboard is photographed."""

from __future__ import annotations

import csv
import io
import re
import secrets
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import OPERATOR, Site, new_chat_id, screenshot, sign_in

pytestmark = pytest.mark.browser

MANAGER = "manager@demo.citymes.local"
# What citizens of the demo town ask: keywords in three languages, a question no keyword answers, places.
QUESTIONS = ("horaris", "HORARIS?", "deixalleria", "punt verd", "horario", "punto limpio", "opening hours", "padro")
TOWN = (41.5381, 2.4445)


def open_dashboard(page: Page, site: Site) -> None:
    sign_in(page, site, MANAGER)
    page.locator("#reports-nav").get_by_text("Statistics").click()
    page.wait_for_url("**/statistics")
    expect(page.locator("#headline-messages-in")).to_be_visible()


def messages_in(page: Page) -> int:
    return int(re.sub(r"\D", "", page.locator("#headline-messages-in").inner_text()))


def busy_morning(site: Site) -> None:
    """A few citizens write: keywords, an unanswered question, locations around the town."""
    for index, text in enumerate(QUESTIONS):
        site.citizen_says(new_chat_id(), first_name=f"Veí {index}", text=text)
    site.citizen_says(new_chat_id(), first_name="Rita", text=f"On puc aparcar la caravana {secrets.token_hex(3)}?")
    for step in range(4):
        latitude, longitude = TOWN[0] + step * 0.004, TOWN[1] - step * 0.006
        site.citizen_says(new_chat_id(), first_name="Ot", location={"latitude": latitude, "longitude": longitude})


def test_todays_messages_in_moves_in_an_open_dashboard_without_reload(site: Site, new_context, report) -> None:
    page = new_context().new_page()
    open_dashboard(page, site)
    page.get_by_role("radio", name="Today").click()
    expect(page.locator("#stats-period-label")).not_to_contain_text("–")  # one day: today
    expect(page.locator("#stats-live")).to_be_visible()
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    before = messages_in(page)

    sent = time.perf_counter()
    site.citizen_says(new_chat_id(), first_name="Laia", text="Hi ha una fuita d'aigua al carrer Major")
    expect(page.locator("#headline-messages-in")).to_have_text(str(before + 1))
    report(f"today's 'messages in' moved {time.perf_counter() - sent:.2f}s after the message was delivered")
    assert page.evaluate("window.__sameDocument === true"), "the dashboard reloaded instead of moving"

    site.citizen_says(new_chat_id(), first_name="Pere", text="horaris")
    expect(page.locator("#headline-messages-in")).to_have_text(str(before + 2))


def screen_rows(page: Page, table: str) -> list[list[str]]:
    """The header and the rows of a table, as the screen shows them."""
    root = page.locator(f"#table-{table}")
    header = [cell.strip() for cell in root.locator("thead th").all_inner_texts()]
    rows = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in root.locator("tr.stats-row").all()]
    return [header, *rows]


def downloaded_rows(page: Page, table: str) -> list[list[str]]:
    with page.expect_download() as download:
        page.click(f"#download-{table}")
    path = download.value.path()
    assert download.value.suggested_filename.startswith(f"statistics-{table}-")
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_csv_exports_match_the_tables_on_screen_row_for_row(site: Site, new_context) -> None:
    busy_morning(site)
    page = new_context().new_page()
    open_dashboard(page, site)
    expect(page.locator("#table-keywords tr.stats-row").first).to_be_visible()
    for table in ("keywords", "channels", "operators", "durations", "unanswered"):
        on_screen = screen_rows(page, table)
        assert downloaded_rows(page, table) == on_screen, f"the {table} download differs from the screen"
    assert len(screen_rows(page, "keywords")) > 3  # several keywords answered: the comparison compared something


def test_a_reversed_custom_range_is_explained_beside_the_fields(site: Site, new_context) -> None:
    page = new_context().new_page()
    open_dashboard(page, site)
    page.get_by_role("radio", name="Custom").click()
    page.fill("#range-first", "2026-11-20")
    page.fill("#range-last", "2026-11-10")
    page.click("#range-apply")
    expect(page.locator("#range-error")).to_have_text("The last day is before the first.")
    page.fill("#range-last", "2026-11-25")
    page.click("#range-apply")
    expect(page.locator("#range-error")).to_have_count(0)
    expect(page.locator("#stats-period-label")).to_have_text("20 Nov – 25 Nov 2026")


def test_an_operator_gets_no_statistics_and_no_menu_entry(site: Site, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, site, OPERATOR)
    expect(page.locator("#reports-nav")).to_have_count(0)
    page.goto(f"{site.url}/statistics")
    expect(page.locator("#stats-refused")).to_have_text("Statistics are for managers and administrators")
    expect(page.locator("#headlines")).to_have_count(0)


def test_the_busy_dashboard_looks_like_a_product(site: Site, new_context) -> None:
    busy_morning(site)
    page = new_context().new_page()
    open_dashboard(page, site)
    expect(page.locator("#table-keywords tr.stats-row").first).to_be_visible()
    expect(page.locator("#locations-map .map-pin, #locations-map .map-cluster").first).to_be_attached()  # no tiles
    page.wait_for_timeout(800)  # the charts' entry animation
    screenshot(page, "statistics_dashboard_top")
    page.set_viewport_size({"width": 1440, "height": 3000})
    page.wait_for_timeout(500)
    screenshot(page, "statistics_dashboard_full")
    # Seen from afar, the town's places gather in one cluster that adds up all their locations.
    for _ in range(6):
        page.locator("#locations-map .leaflet-control-zoom-out").click()
        page.wait_for_timeout(300)
    expect(page.locator("#locations-map .map-cluster")).to_have_count(1)
    header, *rows = downloaded_rows(page, "locations")
    locations = sum(int(row[header.index("Locations")]) for row in rows)
    assert locations >= 4  # the busy morning's four, at least
    expect(page.locator("#locations-map .map-cluster")).to_have_text(str(locations))


def test_the_monthly_report_prints_without_its_buttons(site: Site, new_context) -> None:
    page = new_context().new_page()
    open_dashboard(page, site)
    page.get_by_role("link", name="Monthly report").click()
    page.wait_for_url("**/statistics/report")
    expect(page.locator("#report-period")).to_have_text(re.compile(r"^1 \w{3} – \d{1,2} \w{3} \d{4}$"))  # a whole month
    expect(page.locator("#headline-messages-in")).to_be_visible()
    expect(page.locator("#report-print")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("#report-print")).to_be_hidden()
    expect(page.locator("#download-by-day")).to_be_hidden()
    expect(page.locator("#headline-messages-in")).to_be_visible()
    page.wait_for_timeout(800)  # the charts' entry animation
    screenshot(page, "statistics_monthly_report_print")
