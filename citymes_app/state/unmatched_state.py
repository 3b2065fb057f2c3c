"""The unanswered-questions report (managers and administrators): what citizens asked in the last 7, 30 or 90 days
that no keyword answered, most asked first, with the last time in the tenant's timezone.

Every handler resolves the session cookie again and reads only the operator's own tenant; the grouping lives in
`core.reports` (this module only shapes its answer for display).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import reflex as rx

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.keywords import KeywordError
from citymes_app.core.reports import UnmatchedReport
from citymes_app.i18n import N_, words_for
from citymes_app.models import Keyword, Role, row_id
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import STATISTICS_ROLES, AuthState, admin_page_visit, signed_in_admin
from citymes_app.state.language import on_language_switch
from citymes_app.state.wording import sentence, tab_words

PERIODS = ("7", "30", "90")  # days
DEFAULT_PERIOD = "30"
LAST_ASKED_FORMAT = "%d/%m/%Y %H:%M"
ONLY_ADMINISTRATORS_TEACH = N_("Only administrators can teach keywords.")


@dataclass(frozen=True)
class UnmatchedRow:
    """One line of the report, ready to show."""

    key: str
    text: str
    times: int
    last_asked: str  # "23/11/2026 12:00", tenant's clock
    channels: int
    taught: str = ""  # the keyword that has the question among its examples: "HORARIS · CA"; "" while none has
    choice: str = ""  # the id of the keyword picked in the row's "answer with keyword…", as text


@dataclass(frozen=True)
class KeywordChoice:
    """A keyword an administrator can teach a question to."""

    id: str
    label: str  # "HORARIS · CA"


def keyword_label(keyword: str, language: str) -> str:
    """A keyword with its language, as the report names it: "HORARIS · CA"."""
    return f"{keyword} · {language.upper()}"


def keyword_choices(found: list[Keyword]) -> list[KeywordChoice]:
    """The tenant's keywords as the picker lists them, alphabetically."""
    ordered = sorted(found, key=lambda keyword: (keyword.keyword, keyword.language))
    return [KeywordChoice(str(row_id(keyword)), keyword_label(keyword.keyword, keyword.language)) for keyword in ordered]


def report_rows(report: UnmatchedReport) -> list[UnmatchedRow]:
    """The report's lines as the table shows them, times on the tenant's clock."""
    return [
        UnmatchedRow(
            key=str(index),
            text=line.text,
            times=line.times_asked,
            last_asked=line.last_asked.astimezone(report.timezone).strftime(LAST_ASKED_FORMAT),
            channels=line.channels,
            taught=keyword_label(line.taught_keyword, line.taught_language) if line.taught_keyword else "",
        )
        for index, line in enumerate(report.lines)
    ]


class UnmatchedState(rx.State):
    """One manager's or administrator's unanswered-questions tab."""

    period: str = DEFAULT_PERIOD
    timezone: str = ""
    rows: list[UnmatchedRow] = []
    total: str = "0"  # how many messages, as the reader's language writes the number ("1.234")
    loaded: bool = False
    keyword_choices: list[KeywordChoice] = []  # administrators only
    teaching: str = ""  # the question being taught

    async def _reader(self) -> SignedInOperator | None:
        """The signed-in operator if they may see statistics (the role is re-read on every call)."""
        access = await self.get_state(AuthState)
        operator = await access._signed_in()
        return operator if operator is not None and operator.role in STATISTICS_ROLES else None

    async def _reload(self, operator: SignedInOperator) -> None:
        report = await get_runtime().reports.unmatched(tenant_id=operator.tenant_id, days=int(self.period))
        total = words_for(operator.language).number(report.total)
        self.timezone, self.rows, self.total, self.loaded = report.timezone.key, report_rows(report), total, True
        if operator.role == Role.ADMIN:
            self.keyword_choices = keyword_choices(await get_runtime().keyword_desk.search(by=operator))

    @rx.event
    async def open_report_page(self):
        """Page load: only managers and administrators get the report (others see why)."""
        operator, instead = await admin_page_visit(self, STATISTICS_ROLES)
        if operator is None:
            return instead
        await self._reload(operator)

    @rx.event
    async def set_period(self, value: str | list[str]):
        """Show the last 7, 30 or 90 days."""
        value = value[0] if isinstance(value, list) and value else value
        if value not in PERIODS:
            return
        operator = await self._reader()
        if operator is None:
            return
        self.period = str(value)
        await self._reload(operator)

    @rx.event
    def choose_keyword(self, text: str, keyword_id: str):
        """The keyword picked to answer a question (taught only with the button)."""
        self.rows = [replace(row, choice=str(keyword_id)) if row.text == text else row for row in self.rows]

    @rx.event
    async def teach(self, text: str, keyword_id: str):
        """Add the question to the picked keyword's example questions: it answers it from now on. Administrators
        only, and only with their own organisation's keywords (both checked again on the server)."""
        operator = await signed_in_admin(self)
        if operator is None:
            yield rx.toast.error((await tab_words(self)).translate(ONLY_ADMINISTRATORS_TEACH))
            return
        row = next((row for row in self.rows if row.text == text), None)
        if row is None or self.teaching or not str(keyword_id).isdigit():
            return
        self.teaching = row.text
        words = words_for(operator.language)
        yield
        try:
            taught = await get_runtime().keyword_desk.teach(by=operator, keyword_id=int(keyword_id), question=row.text)
        except KeywordError as exc:
            yield rx.toast.error(sentence(exc, words))
            return
        finally:
            self.teaching = ""
        await self._reload(operator)
        name = taught.keyword.keyword
        if taught.added:
            yield rx.toast.success(words.t("{keyword} answers “{question}” from now on.", keyword=name, question=row.text))
        else:
            yield rx.toast.info(words.t("{keyword} already had this question among its examples.", keyword=name))

    @rx.event
    async def relabel(self):
        """The reader switched language: the total as that language writes it."""
        operator = await self._reader()
        if operator is not None and self.loaded:
            await self._reload(operator)


on_language_switch(UnmatchedState.relabel)
