"""The interface in Catalan, Spanish and English: the login page speaks the browser's language (else Catalan) and
remembers a choice; an operator switches in the account menu and the inbox changes at once, with no reload, and stays
so at the next sign-in; a busy inbox in Catalan, photographed."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import OPERATOR, Site, new_chat_id, screenshot, set_interface_language, sign_in, street_photo

pytestmark = pytest.mark.browser

PAU = "operator2@demo.citymes.local"
# What the inbox says in each language: the sidebar's first entry, the resolve button, the automatic answer's author.
SAID = {
    "ca": ("Safata d'entrada", "Resol", "Resposta automàtica", "Escriviu una resposta, o / per a una resposta predefinida…"),
    "es": (
        "Bandeja de entrada",
        "Resolver",
        "Respuesta automática",
        "Escriba una respuesta, o / para una respuesta predefinida…",
    ),
    "en": ("Inbox", "Resolve", "Automatic answer", "Write a reply, or / for a canned response…"),
}


def switch_to(page: Page, language: str) -> None:
    page.click("#account-menu")
    page.click(f"#language-{language}")


def expect_inbox_in(page: Page, language: str) -> None:
    inbox, resolve, automatic, placeholder = SAID[language]
    expect(page.locator("a[href='/inbox']")).to_have_text(inbox)
    expect(page.locator("#resolve")).to_have_text(resolve)
    expect(page.locator(".bubble[data-author=bot]").first).to_contain_text(automatic)
    expect(page.locator("#reply-box")).to_have_attribute("placeholder", placeholder)


def test_the_login_page_speaks_catalan_unless_the_browser_prefers_another_of_ours(site: Site, new_context) -> None:
    german = new_context("de-DE").new_page()
    german.goto(f"{site.url}/login")
    expect(german.locator("#login-submit")).to_have_text("Inicia la sessió")
    expect(german.locator("#login-language-ca")).to_have_attribute("aria-pressed", "true")
    screenshot(german, "login_ca")

    spanish = new_context("es-ES").new_page()
    spanish.goto(f"{site.url}/login")
    expect(spanish.locator("#login-submit")).to_have_text("Iniciar sesión")

    german.click("#login-language-en")  # a choice, remembered by this browser
    expect(german.locator("#login-submit")).to_have_text("Sign in")
    german.reload()
    expect(german.locator("#login-submit")).to_have_text("Sign in")
    german.fill("#login-email", "nobody@demo.citymes.local")
    german.fill("#login-password", "not the password")
    german.click("#login-submit")
    expect(german.locator("#login-error")).to_have_text("Wrong email or password.")
    german.click("#login-language-es")
    german.click("#login-submit")
    expect(german.locator("#login-error")).to_have_text("El correo electrónico o la contraseña no son correctos.")


def test_an_operator_switches_language_at_once_and_it_is_remembered(site: Site, new_context, report) -> None:
    chat_id = new_chat_id()
    site.citizen_says(chat_id, "Rosa", text=f"Vull saber com va la meva sol·licitud ({chat_id})")
    page = new_context().new_page()
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    try:
        sign_in(page, site, PAU)
        page.locator(".queue-item", has_text=str(chat_id)).click()
        expect_inbox_in(page, "en")
        page.evaluate("window.__sameDocument = true")

        for language in ("ca", "es", "en", "ca"):
            switch_to(page, language)
            expect_inbox_in(page, language)
        assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
        expect(page.locator("#waiting-count")).to_contain_text("en espera")
        catalog = max((f for f in frames if "Bandeja de entrada" in f), key=len)
        report(f"the Spanish catalog reached the tab in one frame of {len(catalog.encode()) / 1024:.1f} KB")

        frames.clear()  # a live update carries the change, never the catalog again
        marker = f"nova-{new_chat_id()}"
        site.citizen_says(new_chat_id(), "Lluís", text=marker)
        expect(page.locator(".queue-item", has_text=marker)).to_be_visible()
        assert frames and not any("Safata d'entrada" in f for f in frames), "a live update sent the catalog again"

        page.click("#sign-out")
        page.wait_for_url("**/login")
        expect(page.locator("#login-submit")).to_have_text("Inicia la sessió")  # this browser remembers

        elsewhere = new_context().new_page()  # another browser (English): the operator's choice comes with them
        elsewhere.goto(f"{site.url}/login")
        expect(elsewhere.locator("#login-submit")).to_have_text("Sign in")
        sign_in(elsewhere, site, PAU)
        expect(elsewhere.locator("a[href='/inbox']")).to_have_text("Safata d'entrada")
    finally:
        set_interface_language(site.database_url, "en", PAU)


def test_a_busy_inbox_in_catalan(site: Site, new_context) -> None:
    photo = base64.b64encode(street_photo(480, 320)).decode()
    stamp = new_chat_id()
    site.citizen_says(new_chat_id(), "Marta", text="Bon dia, el contenidor de vidre del carrer Major és ple des de dilluns.")
    site.citizen_says(new_chat_id(), "Anna", text="HORARIS")
    site.citizen_says(new_chat_id(), "Pere", text="Quins papers necessito per demanar l'ajut del lloguer?")
    site.citizen_says(new_chat_id(), "Carme", location={"latitude": 41.5392, "longitude": 2.4431})
    site.citizen_says(
        stamp,
        "Jordi",
        photo={"content_base64": photo, "filename": "vorera.png", "mime_type": "image/png"},
        caption="Hi ha un forat a la vorera davant de l'escola, algú s'hi farà mal.",
    )
    set_interface_language(site.database_url, "ca", OPERATOR)
    page = new_context().new_page()
    try:
        sign_in(page, site, OPERATOR)
        expect(page.locator(".queue-item .waiting").first).to_contain_text("En espera")  # and how long, once a minute
        expect(page.locator(".queue-item", has_text="Ubicació").first).to_be_visible()
        screenshot(page, "inbox_ca_queue")

        page.locator(".queue-item", has_text="Hi ha un forat a la vorera").first.click()
        expect(page.locator(".bubble img.photo")).to_be_visible()
        expect(page.locator(".queue-item", has_text="Hi ha un forat").first).to_contain_text("Foto · Hi ha un forat")
        page.fill("#reply-box", "Bon dia, Jordi. Gràcies per avisar-nos: la brigada hi passarà avui mateix.")
        screenshot(page, "inbox_ca_thread")

        page.click("#account-menu")
        expect(page.locator("#language-ca")).to_be_visible()
        screenshot(page, "inbox_ca_account_menu")
    finally:
        set_interface_language(site.database_url, "en", OPERATOR)
