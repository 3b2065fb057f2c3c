"""The interface's catalogs: every string the code marks is translated into Catalan and Spanish, marks are literal (so
the extractor sees them), and the server's words come out in the operator's language."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from citymes_app.core.phrases import Phrase
from citymes_app.i18n import DOMAINS, PLURAL_RULE, browser_language, catalog_path, organisation_language, words_for
from citymes_app.i18n_extract import EXTRACT_KEYWORDS, LITERAL_ONLY, domain_files, extract

TRANSLATED = ("ca", "es")


def _translations(language: str, domain: str) -> dict[str | tuple[str, str], tuple[str, ...]]:
    with catalog_path(language, domain).open("rb") as po:
        catalog = read_po(po, locale=language, domain=domain)
    assert catalog.plural_expr == PLURAL_RULE, f"{language}/{domain}.po: the client's tn() assumes {PLURAL_RULE}"
    found: dict[str | tuple[str, str], tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = (message.id[0], message.id[1]) if isinstance(message.id, list | tuple) else message.id
        found[key] = tuple(message.string) if isinstance(message.string, list | tuple) else (message.string or "",)
    return found


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_every_marked_string_has_a_translation(domain: str, language: str) -> None:
    translations = _translations(language, domain)
    missing = sorted(
        f"{marked.path.name}:{marked.line}: {marked.msgid!r}"
        for marked in extract(domain)
        if not all(form.strip() for form in translations.get(marked.msgid, ("",)))
    )
    assert not missing, (
        f"{language}/{domain}.po misses (run `python -m citymes_app.i18n_extract`, then translate):\n" + "\n".join(missing)
    )


def _placeholders(text: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_translations_keep_the_placeholders_of_their_msgid(domain: str, language: str) -> None:
    for msgid, forms in _translations(language, domain).items():
        english = msgid[1] if isinstance(msgid, tuple) else msgid
        for form in forms:
            assert _placeholders(form) == _placeholders(english), f"{language}/{domain}.po: {form!r} for {msgid!r}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_text_shared_by_two_domains_is_translated_the_same_in_both(language: str) -> None:
    # The browser merges every domain's catalog into one dictionary: two translations of one msgid would show whichever
    # domain came last, on every page (a filter reading "Resoltes" for one resolved conversation).
    first: dict[str | tuple[str, str], tuple[str, tuple[str, ...]]] = {}
    clashes = []
    for domain in sorted(DOMAINS):
        for msgid, forms in _translations(language, domain).items():
            seen = first.setdefault(msgid, (domain, forms))
            if seen[1] != forms and all(forms) and all(seen[1]):
                clashes.append(f"{msgid!r}: {seen[0]} says {seen[1]}, {domain} says {forms}")
    assert not clashes, f"{language}: one text, two translations (reword one msgid):\n" + "\n".join(clashes)


def _called_name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) else ""


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_marks_are_literal_texts(domain: str) -> None:
    """A mark the extractor cannot read would show English for ever: t/tn/N_ take literals, errors no f-strings."""
    wrong = []
    for path in domain_files(domain):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call) or _called_name(node) not in EXTRACT_KEYWORDS:
                continue
            name = _called_name(node)
            wanted = 2 if name == "tn" else 1
            texts = node.args[:wanted]
            literal = len(texts) == wanted and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in texts)
            if (name in LITERAL_ONLY and not literal) or any(isinstance(a, ast.JoinedStr) for a in node.args):
                wrong.append(f"{Path(path).name}:{node.lineno}: {ast.unparse(node)[:80]}")
    assert not wrong, "marked texts must be literals:\n" + "\n".join(wrong)


def test_the_server_words_a_core_message_in_each_language() -> None:
    phrase = Phrase("the reply is too long ({length} characters; at most {limit})", {"length": 16500, "limit": 16000})
    assert words_for("ca").phrase(phrase) == "la resposta és massa llarga (16.500 caràcters; com a màxim 16.000)"
    assert words_for("es").phrase(phrase) == "la respuesta es demasiado larga (16.500 caracteres; como máximo 16.000)"
    assert words_for("en").phrase(phrase) == "the reply is too long (16,500 characters; at most 16,000)"
    assert words_for("es").tn("{n} conversation", "{n} conversations", 1) == "1 conversación"
    assert words_for("ca").tn("{n} conversation", "{n} conversations", 2) == "2 converses"


def test_the_default_language_comes_from_the_organisation_then_the_browser() -> None:
    assert organisation_language("ca,es") == "ca"
    assert organisation_language("fr,es") == "es"
    assert organisation_language("fr") == "ca"
    assert browser_language("es-ES,es;q=0.9,en;q=0.8") == "es"
    assert browser_language("fr-FR,fr;q=0.9,en-GB;q=0.7,ca;q=0.8") == "ca"
    assert browser_language("de-DE") == "ca"
    assert browser_language("") == "ca"
