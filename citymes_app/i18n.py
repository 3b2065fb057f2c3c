"""The interface's words in Catalan, Spanish and English: gettext catalogs read with babel, once per process.

The catalogs are `locales/<language>/LC_MESSAGES/<domain>.po`, one domain per area of the interface (`common`: the
frame and the login page; `inbox`; `admin`: the administration pages; `statistics`; `reports`: the monthly and the
unanswered-questions reports; `phone`: the citizen phone), so work on two areas never touches the same file.
The msgid is the English text; English needs no translation (an empty msgstr falls back to the msgid).

Strings are marked where they are written, with keywords `pybabel extract` understands:

* `t("Inbox")`, `t("{n} waiting", n=...)` — one text (in components a Var read from the tab's catalog, on the server
  `Words.t`); `tn("{n} minute", "{n} minutes", n)` — a text with plural forms;
* `N_("📷 Photo")` — a text chosen at run time (a label looked up later by its msgid), marked only.

`DOMAINS` says which source files each domain covers; a domain listed there is translated, and
`tests/test_i18n.py` fails when its ca or es catalog misses a string its files mark.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from citymes_app.core.phrases import Phrase

LANGUAGES = ("ca", "es", "en")
LANGUAGE_NAMES = {"ca": "Català", "es": "Español", "en": "English"}
# When nothing says otherwise (no choice, no organisation, no browser language we have): the demo town's language.
DEFAULT_LANGUAGE = "ca"
LOCALES_DIR = Path(__file__).parent / "locales"
# The files (relative to the package, globs allowed) whose marked strings each translated domain holds.
DOMAINS: dict[str, tuple[str, ...]] = {
    "common": ("components/frame.py", "pages/login.py", "state/auth_state.py", "state/language.py"),
    "inbox": (
        "pages/inbox.py",
        "components/bubble.py",
        "components/queue_item.py",
        "components/reply_box.py",
        "components/link_dialog.py",
        "components/assignment.py",
        "components/department.py",
        "components/conversation_state.py",
        "components/snooze_dialog.py",
        "components/queue_filters.py",
        "components/inbox_clock.py",
        "components/inbox_keys.py",
        "components/dialog_close.py",
        "components/inbox_notifier.py",
        "components/presence.py",
        "components/citizen_panel.py",
        "state/inbox_*.py",
        "pages/conversation_print.py",
        "state/citizen_link.py",
        "state/wording.py",
        "core/inbox.py",
        "core/inbox_work.py",
        "core/inbox_states.py",
        "core/labels.py",
        "core/departments.py",
        "core/notes.py",
        "core/citizen_profile.py",
        "core/conversation_export.py",
        "core/reply_window.py",
        "core/citizens.py",
    ),
    "admin": (
        "components/admin.py",
        "components/answer_bubble.py",
        "pages/keywords/*.py",
        "pages/office_hours/*.py",
        "pages/canned_responses.py",
        "pages/labels.py",
        "pages/departments.py",
        "pages/lists.py",
        "pages/channels.py",
        "pages/operators.py",
        "state/keywords/*.py",
        "state/hours_*.py",
        "state/canned_state.py",
        "state/labels_state.py",
        "state/departments_state.py",
        "state/lists_state.py",
        "core/lists.py",
        "state/admin_form.py",
        "state/channels_state.py",
        "state/operators_state.py",
        "core/auth.py",
        "core/operators.py",
        "core/canned_responses.py",
        "core/templates.py",
        "core/tenants.py",
        "core/hours.py",
        "core/keywords.py",
        "core/csvfiles.py",
        "core/keyword_examples.py",
        "core/matching.py",
        "core/routing.py",
    ),
    "statistics": (
        "pages/statistics.py",
        "components/statistics_*.py",
        "state/statistics_*.py",
        "core/figures.py",
        "core/figures_query.py",
    ),
    "reports": ("pages/statistics_report.py", "pages/unmatched.py", "state/unmatched_state.py"),
    "phone": ("pages/citizen.py", "components/phone.py", "state/citizen_state.py"),
}
# The key under which the client's catalog keeps plural form `i` of a msgid (gettext's own separator).
PLURAL_SEPARATOR = "\x04"
# Every language here forms plurals as English does; the client's `tn` relies on it (tests/test_i18n.py checks).
PLURAL_RULE = "(n != 1)"


def N_(message: str) -> str:  # noqa: N802 — gettext's name for "mark, do not translate yet"
    """Mark a text for the catalogs without translating it (it is looked up later by its msgid)."""
    return message


def supported(language: str | None) -> str | None:
    """`language` ("ca", "es-ES", "EN") as one of ours, or None."""
    base = (language or "").strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def organisation_language(languages: str) -> str:
    """The interface's language for an organisation's "ca,es" list: its first language we have, else the default."""
    return next((code for code in map(supported, languages.split(",")) if code), DEFAULT_LANGUAGE)


def browser_language(accept_language: str) -> str:
    """The first of the browser's languages (an Accept-Language header) that we have, else the default."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            quality = float(weight) if weight else 1.0
        except ValueError:
            continue
        ranked.append((-quality, position, tag))
    return next((code for *_, tag in sorted(ranked) if (code := supported(tag))), DEFAULT_LANGUAGE)


def catalog_path(language: str, domain: str) -> Path:
    """Where a domain's catalog of a language lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def _catalogs(language: str) -> Iterator[Catalog]:
    """A language's catalogs, one a domain (babel reads the .po files)."""
    for domain in sorted(DOMAINS):
        path = catalog_path(language, domain)
        if path.exists():
            with path.open("rb") as po:
                yield read_po(po, locale=language, domain=domain)


@cache
def _translations(language: str) -> gettext.NullTranslations:
    """Every domain's catalog of `language` as one gettext object (gettext picks the plural forms)."""
    merged: gettext.NullTranslations = gettext.NullTranslations()
    for catalog in _catalogs(language):
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        domain_translations = gettext.GNUTranslations(compiled)
        domain_translations.add_fallback(merged)
        merged = domain_translations
    return merged


@cache
def client_catalog(language: str) -> dict[str, str]:
    """A language's translations as a tab receives them: msgid → text, plural forms under `msgid␄index`.

    Only translated entries: a missing one shows the English msgid. English sends nothing."""
    found: dict[str, str] = {}
    for catalog in _catalogs(language):
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, tuple | list) and isinstance(message.string, tuple | list):
                for index, form in enumerate(message.string):
                    if form:
                        found[f"{message.id[0]}{PLURAL_SEPARATOR}{index}"] = form
            elif isinstance(message.id, str) and isinstance(message.string, str) and message.string != message.id:
                if message.string:
                    found[message.id] = message.string
    return found


@dataclass(frozen=True)
class Words:
    """The interface's texts, dates and numbers in one language, for what the server words (errors, labels)."""

    language: str

    @property
    def locale(self) -> Locale:
        """The babel locale for dates and numbers."""
        return _locale(self.language)

    def t(self, message: str, **values: object) -> str:
        """`message` (its English msgid) in this language, with `{name}` placeholders filled in."""
        text = _translations(self.language).gettext(message)
        return text.format(**values) if values else text

    def translate(self, message: str) -> str:
        """A msgid chosen at run time (marked with `N_` where it is written) in this language."""
        return _translations(self.language).gettext(message)

    def tn(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The form for `n` of a text with plural forms; `{n}` (written in this language) and the others filled in."""
        return _translations(self.language).ngettext(singular, plural, n).format(n=self.number(n), **values)

    def number(self, value: int | float) -> str:
        """A number as this language writes it ("16.000" in Catalan and Spanish, "16,000" in English)."""
        return format_decimal(value, locale=self.locale)

    def day(self, day: date, skeleton: str = "yMMMd") -> str:
        """A day as this language writes it (a CLDR skeleton: "yMMMd" → "1 Dec 2026", "1 de des. del 2026")."""
        return format_skeleton(skeleton, day, locale=self.locale)

    def moment(self, moment: datetime) -> str:
        """A day and its time: "24 Nov 2026, 10:00", "24 de nov. del 2026, 10:00"."""
        return f"{self.day(moment)}, {moment:%H:%M}"

    def phrase(self, phrase: Phrase) -> str:
        """A core message (`core.phrases.Phrase`) in this language: its template looked up as a msgid, then its values
        filled in (numbers as this language writes them, nested phrases translated too)."""
        if not phrase.values:
            return self.translate(phrase.template) if phrase.template else ""
        values = {name: self._value(value) for name, value in phrase.values.items()}
        return _translations(self.language).gettext(phrase.template).format(**values)

    def _value(self, value: object) -> str:
        if isinstance(value, Phrase):
            return self.phrase(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.number(value)
        return str(value)


# English as a European town hall writes dates (24 h, day before month), not as babel's "en" (the United States).
_FORMAT_LOCALES = {"en": "en_GB"}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(_FORMAT_LOCALES.get(language, language))


@cache
def words_for(language: str | None) -> Words:
    """The words of `language`, or of the default language if it is not one of ours."""
    return Words(supported(language) or DEFAULT_LANGUAGE)
