"""The catalogs' strings, taken from the code with babel's Python extractor; `python -m citymes_app.i18n_extract`
brings every domain's catalogs up to date (new strings added with an empty translation, gone ones made obsolete).

The same as `pybabel extract -k t -k tn:1,2 -k N_ -k InboxError -k CitizenError -k ConversationMoved -k Phrase ...
-o inbox.pot FILES...` (every name of `EXTRACT_KEYWORDS`) followed by `pybabel update -D inbox -i inbox.pot -d
citymes_app/locales`, with the files of each domain taken from `i18n.DOMAINS`. `tests/test_i18n.py` uses `extract` to
check that no catalog misses a string.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from citymes_app.i18n import DOMAINS, LANGUAGES, PLURAL_RULE, catalog_path

PACKAGE_DIR = Path(__file__).parent
# The marking functions (see `i18n`): texts, texts with plural forms, texts marked for later, and the core errors and
# phrases whose first argument is an English template (`core.phrases`).
EXTRACT_KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "t": None,
    "tn": (1, 2),
    "N_": None,
    "InboxError": None,
    "CitizenError": None,
    "ConversationMoved": None,
    "Phrase": None,
    "AuthError": None,
    "OperatorAccountError": None,
    "TemplateError": None,
    "TenantError": None,
    "HoursError": None,
    "ExampleError": None,
    "FiguresError": None,
    # A form's refusal names its field first, then the message.
    "KeywordError": (2,),
    "CannedResponseError": (2,),
    "LabelError": (2,),
    "DepartmentError": (2,),
    "ListError": (2,),
}
# The names that must be called with literal texts (an error may also pass on another error's message).
LITERAL_ONLY = ("t", "tn", "N_")


@dataclass(frozen=True)
class Marked:
    """A string the code marks: its msgid (a pair for plural forms) and where."""

    msgid: str | tuple[str, str]
    path: Path
    line: int


def domain_files(domain: str) -> list[Path]:
    """The source files a domain covers."""
    found: set[Path] = set()
    for pattern in DOMAINS[domain]:
        found.update(PACKAGE_DIR.glob(pattern))
    return sorted(found)


def extract(domain: str) -> Iterator[Marked]:
    """Every string marked in a domain's files."""
    for path in domain_files(domain):
        for line, message, _comments, _context in extract_from_file("python", path, keywords=EXTRACT_KEYWORDS):
            found: object = message  # a non-literal argument comes as None, whatever babel's annotations say
            if isinstance(found, tuple) and len(found) > 1 and isinstance(found[0], str) and isinstance(found[1], str):
                yield Marked((found[0], found[1]), path, line)
            elif isinstance(found, str) and found:
                yield Marked(found, path, line)


def template(domain: str) -> Catalog:
    """A domain's strings as a catalog template (a .pot)."""
    pot = Catalog(domain=domain, project="CityMes", msgid_bugs_address="", fuzzy=False)
    for marked in extract(domain):
        pot.add(marked.msgid, locations=[(str(marked.path.relative_to(PACKAGE_DIR.parent)), marked.line)])
    return pot


def update_catalogs() -> None:
    """Merge every domain's strings into its catalog of each language (creating the missing ones)."""
    for domain in sorted(DOMAINS):
        pot = template(domain)
        for language in LANGUAGES:
            path = catalog_path(language, domain)
            if path.exists():
                with path.open("rb") as po:
                    catalog = read_po(po, locale=language, domain=domain)
            else:
                catalog = Catalog(locale=language, domain=domain, project="CityMes", fuzzy=False)
            catalog.update(pot, no_fuzzy_matching=True)
            # gettext's usual rule for our languages (babel's CLDR data adds a third form for millions in ca and es).
            catalog.mime_headers = [
                *[(name, value) for name, value in catalog.mime_headers if name.lower() != "plural-forms"],
                ("Plural-Forms", f"nplurals=2; plural={PLURAL_RULE};"),
            ]
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as po:
                write_po(po, catalog, width=120, omit_header=False, ignore_obsolete=True, sort_output=False)


if __name__ == "__main__":
    update_catalogs()
