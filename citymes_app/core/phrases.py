"""Messages for people as an English template and its values, so the interface words them in each reader's language.

Core says what went wrong in English (its logs and the CLI read that), but keeps the template apart from the values:
the web layer looks the template up in the catalogs as its msgid (`Words.phrase`), then fills the values in. The
templates are marked for the catalogs by the error classes' names (`i18n.EXTRACT_KEYWORDS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Phrase:
    """An English template with `{name}` placeholders and their values (a value may itself be a `Phrase`)."""

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**{name: str(value) for name, value in self.values.items()}) if self.values else self.template


class PhrasedError(ValueError):
    """An error whose message is a `Phrase`: `str(error)` is the English text, `error.phrase` what to translate."""

    def __init__(self, template: str | Phrase, **values: object) -> None:
        self.phrase = template if isinstance(template, Phrase) else Phrase(template, values)
        super().__init__(str(self.phrase))


class FieldError(PhrasedError):
    """A form that cannot be accepted; the message (a template and its values, as `PhrasedError`) is for the person
    and `field` names the field to show it beside ("" for the form as a whole)."""

    def __init__(self, field: str, message: str | Phrase, **values: object) -> None:
        super().__init__(message, **values)
        self.field = field
