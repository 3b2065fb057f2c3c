"""The keyword editor: an administrator changes an answer and citizens get it at once; "try it" explains the
matcher; a CSV with a bad line changes nothing; operators who are not administrators cannot use the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import ADMIN, OPERATOR, Site, demo_data_restored, new_chat_id, screenshot, sign_in, street_photo

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _leaves_the_keywords_as_found(site: Site) -> Iterator[None]:
    """The keywords and their history as they were, even when a test fails half-way through an edit."""
    with demo_data_restored(site, "keyword", "keyword_change"):
        yield


HOURS_ANSWER = "L'Oficina d'Atenció Ciutadana obre de dilluns a divendres de 8 a 19 h."


def open_keywords(page: Page, site: Site) -> None:
    """Sign in as the demo town's administrator and go to the editor through the sidebar."""
    sign_in(page, site, ADMIN)
    page.locator("#admin-nav").get_by_text("Keywords").click()
    page.wait_for_url("**/admin/keywords")
    expect(page.locator(".keyword-row").first).to_be_visible()


def test_edited_answer_is_what_the_citizen_gets_next(site: Site, new_context) -> None:
    page = new_context().new_page()
    open_keywords(page, site)
    row = page.locator(".keyword-row[data-keyword='HORARIS']")
    expect(row.locator(".featured-star")).to_be_visible()
    expect(row.locator(".keyword-synonyms")).to_have_text("horari, horaris oac")
    row.locator(".keyword-edit").click()
    expect(page.locator("#kw-keyword")).to_have_value("HORARIS")

    page.fill("#kw-response", "")
    page.click("#kw-save")  # an empty answer is refused beside the answer field
    expect(page.locator("#kw-response-error")).to_have_text("Keyword 'HORARIS' has no response.")

    marker = f"ref-{new_chat_id()}"
    # The new answer keeps the old one's first sentence, so other tests that ask HORARIS still recognise it.
    new_answer = f"{HOURS_ANSWER} Dissabtes, de 9 a 13 h ({marker})."
    page.fill("#kw-response", new_answer)
    page.fill("#kw-link", "https://www.vilademo.cat/oac")
    page.fill("#kw-latitude", "41.5381")
    page.click("#kw-save")  # half a map pin is refused beside the pin
    expect(page.locator("#kw-latitude-error")).to_have_text("A map pin needs both latitude and longitude.")
    page.fill("#kw-longitude", "2.4445")
    page.set_input_files(
        "#keyword-media input[type=file]",
        files=[{"name": "oac.png", "mimeType": "image/png", "buffer": street_photo()}],
    )
    expect(page.locator("#kw-media-name")).to_have_text("oac.png")

    preview = page.locator("#keyword-preview")  # the answer previewed live, as the phone shows it
    expect(preview.locator(".answer-text")).to_have_text(new_answer)
    expect(preview.locator(".answer-link")).to_have_text("https://www.vilademo.cat/oac")
    expect(preview.locator(".answer-pin")).to_contain_text("41.53810, 2.44450")
    expect(preview.locator(".answer-button")).to_have_text(["DEIXALLERIA", "PADRO"])
    photo = preview.locator("img.answer-photo")
    page.wait_for_function("img => img.complete && img.naturalWidth === 240", arg=photo.element_handle())
    screenshot(page, "keyword_editor_form")

    page.click("#kw-save")
    expect(page.locator("#keyword-editor")).to_have_count(0)
    expect(row.locator(".keyword-preview")).to_contain_text(marker)
    latest = page.locator("#keyword-history .change-row").first
    expect(latest).to_contain_text("Jordi (admin)")
    expect(latest).to_contain_text("HORARIS")
    expect(page.locator("#keyword-history")).to_contain_text("response, link, map pin")
    expect(latest).to_contain_text("media")
    screenshot(page, "keyword_editor_list")

    phone = new_context().new_page()
    phone.goto(f"{site.url}/citizen")
    expect(phone.locator("#phone-bot-name")).to_have_text("Telegram @vilademo_bot")
    phone.fill("#phone-text", "HORARIS")
    phone.click("#phone-send")
    answer = phone.locator("#phone .from-bot", has_text=marker)
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("https://www.vilademo.cat/oac")
    expect(phone.locator("#phone .from-bot img").last).to_be_visible()  # the picture and the pin follow the text
    expect(phone.locator("#phone .from-bot .phone-location").last).to_be_visible()
    screenshot(phone, "citizen_phone_edited_answer")


def test_try_it_explains_a_typo_match(site: Site, new_context) -> None:
    page = new_context().new_page()
    open_keywords(page, site)
    page.fill("#try-text", "deixalleriaa")
    page.click("#try-submit")

    expect(page.locator("#try-outcome")).to_have_text("Keyword answer")
    expect(page.locator("#try-keyword")).to_have_text("DEIXALLERIA")
    expect(page.locator("#try-reason")).to_have_text("'deixalleriaa' looks like 'deixalleria' (1 typo).")
    result = page.locator("#try-result")
    expect(result.locator(".answer-question")).to_have_text("deixalleriaa")
    expect(result.locator(".answer-text")).to_contain_text("La deixalleria municipal obre de dimarts a dissabte")
    expect(result.locator(".answer-button")).to_have_text(["HORARIS"])
    screenshot(page, "keyword_editor_try_it")

    page.fill("#try-text", "el fanal del meu carrer no funciona")
    page.click("#try-submit")
    expect(page.locator("#try-outcome")).to_have_text("Waits for an operator")


def test_featured_order_is_the_order_of_the_index_command(site: Site, new_context) -> None:
    page = new_context().new_page()
    open_keywords(page, site)
    names = page.locator("#featured-list .featured-name")
    expect(names).to_have_text(["DEIXALLERIA", "HORARIS", "TRAMIT"])
    tramit = page.locator("#featured-list .featured-row[data-keyword='TRAMIT']")
    tramit.locator(".featured-up").click()
    expect(names).to_have_text(["DEIXALLERIA", "TRAMIT", "HORARIS"])

    page.fill("#try-text", "paraules clau")
    page.click("#try-submit")
    expect(page.locator("#try-outcome")).to_have_text("Keyword index")
    expect(page.locator("#try-result .try-option")).to_have_text(["DEIXALLERIA", "TRAMIT", "HORARIS"])
    screenshot(page, "keyword_editor_featured_order")

    tramit.locator(".featured-down").click()  # as it was, for the other tests
    expect(names).to_have_text(["DEIXALLERIA", "HORARIS", "TRAMIT"])


def test_csv_with_a_bad_line_changes_nothing(site: Site, new_context) -> None:
    page = new_context().new_page()
    open_keywords(page, site)
    keyword = f"BIBLIO{new_chat_id()}"
    refused = f"keyword,response,language\n{keyword},La biblioteca obre de 10 a 20 h.,ca\nPISCINA,,ca\nHORARIS,Obert,xx\n"
    upload = "#keyword-import input[type=file]"
    page.set_input_files(upload, files=[{"name": "noves.csv", "mimeType": "text/csv", "buffer": refused.encode()}])

    report = page.locator("#import-report")
    expect(report).to_contain_text("noves.csv was not imported: nothing changed.")
    expect(report.locator(".import-error")).to_have_text(
        [
            "Line 3: keyword 'PISCINA' has no response.",
            "Line 4: language 'xx' is not one of the tenant's (ca,es,en).",
        ]
    )
    page.fill("#keyword-search", keyword)
    expect(page.locator("#keyword-list-empty")).to_be_visible()  # the good line was not imported either
    screenshot(page, "keyword_editor_import_refused")

    accepted = f"keyword,response,language\n{keyword},La biblioteca obre de 10 a 20 h.,ca\n"
    page.set_input_files(upload, files=[{"name": "noves.csv", "mimeType": "text/csv", "buffer": accepted.encode()}])
    expect(report.locator("#import-counts")).to_have_text("1 created, 0 updated")
    new_row = page.locator(f".keyword-row[data-keyword='{keyword}']")
    expect(new_row).to_be_visible()

    with page.expect_download() as download:  # the export is the import's format, the new keyword included
        page.click("#keyword-export")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.startswith("keyword,response,language,synonyms,featured,topic,buttons,link,examples\n")
    assert f"{keyword},La biblioteca obre de 10 a 20 h.,ca,,false,,,," in exported.splitlines()
    assert download.value.suggested_filename.startswith("keywords-demo-")

    new_row.locator(".keyword-delete").click()  # deleting asks first
    page.click("#confirm-delete")
    expect(new_row).to_have_count(0)
    expect(page.locator("#keyword-history .change-row").first).to_contain_text("Deleted")


def test_example_questions_are_edited_one_per_line_and_travel_in_the_csv(site: Site, new_context) -> None:
    page = new_context().new_page()
    open_keywords(page, site)
    page.locator(".keyword-row[data-keyword='HORARIS'] .keyword-edit").click()
    expect(page.locator("#kw-examples")).to_have_value("")

    page.fill("#kw-examples", "A quina hora obriu?\nhorari | preu")
    page.click("#kw-save")  # a "|" would split the question in two in the CSV: refused beside the field
    expect(page.locator("#kw-examples-error")).to_have_text(
        "Example question 2 contains '|': write each question on a line of its own."
    )
    page.fill("#kw-examples", "A quina hora obriu?\n\nQuan tanqueu els dissabtes?\na quina hora OBRIU")
    page.click("#kw-save")
    expect(page.locator("#keyword-editor")).to_have_count(0)
    latest = page.locator("#keyword-history .change-row").first
    expect(latest).to_contain_text("HORARIS")
    expect(latest).to_contain_text("examples")

    page.locator(".keyword-row[data-keyword='HORARIS'] .keyword-edit").click()  # blank line and repeat dropped
    expect(page.locator("#kw-examples")).to_have_value("A quina hora obriu?\nQuan tanqueu els dissabtes?")
    screenshot(page, "keyword_editor_examples")
    page.keyboard.press("Escape")
    expect(page.locator("#keyword-editor")).to_have_count(0)

    with page.expect_download() as download:
        page.click("#keyword-export")
    exported = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert [line for line in exported if line.startswith("HORARIS,")][0].endswith(
        ",A quina hora obriu?|Quan tanqueu els dissabtes?"
    )

    keyword = f"PISCINA{new_chat_id()}"
    upload = "#keyword-import input[type=file]"
    too_many = "|".join(f"pregunta {n}" for n in range(51))
    refused = f"keyword,response,language,examples\n{keyword},De 7 a 22 h.,ca,{too_many}\n"
    page.set_input_files(upload, files=[{"name": "piscina.csv", "mimeType": "text/csv", "buffer": refused.encode()}])
    expect(page.locator("#import-report .import-error")).to_have_text(
        ["Line 2: 51 example questions: a keyword takes at most 50."]
    )

    accepted = (
        f"keyword,response,language,examples\n{keyword},De 7 a 22 h.,ca,Quan obre la piscina?|fins a quina hora es pot nedar\n"
    )
    page.set_input_files(upload, files=[{"name": "piscina.csv", "mimeType": "text/csv", "buffer": accepted.encode()}])
    expect(page.locator("#import-report #import-counts")).to_have_text("1 created, 0 updated")
    page.locator(f".keyword-row[data-keyword='{keyword}'] .keyword-edit").click()
    expect(page.locator("#kw-examples")).to_have_value("Quan obre la piscina?\nfins a quina hora es pot nedar")


def test_an_operator_who_is_not_an_administrator_cannot_use_it(site: Site, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, site, OPERATOR)
    expect(page.locator("#admin-nav")).to_have_count(0)

    page.goto(f"{site.url}/admin/keywords")
    expect(page.locator("#admin-only")).to_have_text("This page is for administrators")
    expect(page.locator(".keyword-row")).to_have_count(0)
    screenshot(page, "keyword_editor_refused_to_operator")

    page.goto(f"{site.url}/admin/hours")
    expect(page.locator("#admin-only")).to_have_text("This page is for administrators")

    signed_out = new_context().new_page()
    signed_out.goto(f"{site.url}/admin/keywords")
    signed_out.wait_for_url("**/login")
