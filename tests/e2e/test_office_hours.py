"""Office hours: an administrator adds a local holiday and sees it in the year's list; a schedule that closes before
it opens, or a notice with an unknown placeholder, is refused with the reason beside it and nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.support import ADMIN, Site, demo_data_restored, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _leaves_the_office_hours_as_found(site: Site) -> Iterator[None]:
    """The schedule, holidays and automatic notices (on the tenant) as they were, even when a test fails."""
    with demo_data_restored(site, "tenant", "office_hours", "local_holiday"):
        yield


def test_local_holiday_is_listed_and_a_bad_schedule_is_refused(site: Site, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, site, ADMIN)
    page.locator("#admin-nav").get_by_text("Office hours").click()
    page.wait_for_url("**/admin/hours")
    expect(page.locator("#open-now")).to_contain_text(" now")
    expect(page.locator(".holiday-public").first).to_be_visible()

    day = date.today() + timedelta(days=12)  # not today: the other tests expect the office's usual hours
    name = "Festa Major de Sant Pere"
    page.fill("#holiday-day", day.isoformat())
    page.fill("#holiday-name", name)
    page.click("#holiday-add")
    holiday = page.locator(".holiday-local", has_text=name)
    expect(holiday).to_contain_text(day.strftime("%d/%m"))
    expect(page.locator("#holiday-year")).to_have_text(str(day.year))

    page.fill("#holiday-day", day.isoformat())
    page.fill("#holiday-name", "Fira de la Tardor")
    page.click("#holiday-add")  # the same day twice is refused beside the date
    expect(page.locator("#holiday-day-error")).to_have_text(f"{day.isoformat()} is already a local holiday.")

    monday = page.locator(".weekday[data-weekday='0']")
    monday.locator(".slot-closes input").first.fill("07:00")
    page.click("#schedule-save")
    expect(page.locator("#schedule-error")).to_have_text("Monday: closing time 07:00 is not after opening time 08:00.")
    screenshot(page, "office_hours_schedule_refused")

    notice = page.locator(".notice[data-language='ca'][data-kind='in_hours']")
    notice.locator(".notice-text textarea").fill("Gràcies, {nom}: us respondrem aviat.")
    notice.locator(".notice-save").click()
    expect(notice.locator(".field-error")).to_have_text("Unknown placeholder in the text: this text takes no {…} placeholders.")
    screenshot(page, "office_hours_notice_refused")

    holiday.locator(".holiday-remove").click()
    expect(holiday).to_have_count(0)
    page.reload()  # nothing of the refused schedule or notice was saved
    expect(monday.locator(".slot-closes input").first).to_have_value("19:00")
    expect(notice.locator(".notice-text textarea")).to_have_value("Gràcies pel vostre missatge. Un operador us respondrà aviat.")
    screenshot(page, "office_hours")
