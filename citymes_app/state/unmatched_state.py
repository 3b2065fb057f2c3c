"""The unanswered-questions report (managers and administrators): what citizens asked in the last 7, 30 or 90 days
that no keyword answered, most asked first, with the last time in the tenant's timezone.

Every handler resolves the session cookie again and reads only the operator's own tenant; the grouping lives in
`core.reports` (this module only shapes its answer for display).
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.reports import UnmatchedReport
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import STATISTICS_ROLES, AuthState, admin_page_visit

PERIODS = ("7", "30", "90")  # days
DEFAULT_PERIOD = "30"
LAST_ASKED_FORMAT = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class UnmatchedRow:
    """One line of the report, ready to show."""

    key: str
    text: str
    times: int
    last_asked: str  # "23/11/2026 12:00", tenant's clock
    channels: int


def report_rows(report: UnmatchedReport) -> list[UnmatchedRow]:
    """The report's lines as the table shows them, times on the tenant's clock."""
    return [
        UnmatchedRow(
            key=str(index),
            text=line.text,
            times=line.times_asked,
            last_asked=line.last_asked.astimezone(report.timezone).strftime(LAST_ASKED_FORMAT),
            channels=line.channels,
        )
        for index, line in enumerate(report.lines)
    ]


class UnmatchedState(rx.State):
    """One manager's or administrator's unanswered-questions tab."""

    period: str = DEFAULT_PERIOD
    timezone: str = ""
    rows: list[UnmatchedRow] = []
    total: int = 0
    loaded: bool = False

    async def _reader(self) -> SignedInOperator | None:
        """The signed-in operator if they may see statistics (the role is re-read on every call)."""
        access = await self.get_state(AuthState)
        operator = await access._signed_in()
        return operator if operator is not None and operator.role in STATISTICS_ROLES else None

    async def _reload(self, operator: SignedInOperator) -> None:
        report = await get_runtime().reports.unmatched(tenant_id=operator.tenant_id, days=int(self.period))
        self.timezone, self.rows, self.total, self.loaded = report.timezone.key, report_rows(report), report.total, True

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
