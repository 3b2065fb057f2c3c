"""The managers' statistics dashboard (managers and administrators): the filters a tab chose, the figures it shows,
its CSV downloads, and its place among the tenant's live dashboards.

Two states:

* `StatisticsShared` — one per tenant, under a secret-derived token (`stats-<digest>`): nothing for the tabs, only
  the server's bookkeeping of which tabs are open (`_linked_from`, `_viewers`) and which of them show a period that
  includes today, with their selection (`_live`). The bridge (`state/statistics_live.py`) refreshes those tabs.
* `StatisticsState` — per tab: the selection, the filters' choices, and the display rows
  (`state/statistics_rows.py`).

Every handler resolves the session cookie again, checks the role and that the tenant is the one this tab shows, and
only then reads; the tenant always comes from the session, never from the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import date

import reflex as rx
from babel.dates import format_date

from citymes_app.core.auth import SignedInOperator, session_digest
from citymes_app.core.figures import Choices, FiguresError, Filters, Period, period_filters
from citymes_app.i18n import DEFAULT_LANGUAGE, N_, Words, words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import STATISTICS_ROLES, AuthState, admin_page_visit
from citymes_app.state.language import on_language_switch
from citymes_app.state.statistics_csv import EXPORTS
from citymes_app.state.statistics_rows import (
    AnswerSlice,
    ChannelLine,
    DayPoint,
    DurationLine,
    Headline,
    HeatSquare,
    HourPoint,
    KeywordLine,
    OperatorLine,
    PinPoint,
    StatisticsView,
    UnansweredLine,
    clock_now,
    platform_text,
    statistics_view,
)
from citymes_app.state.tenant_shared import shared_token
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)

ALL = "all"  # "every channel / platform / operator" (a select cannot hold an empty value)
DEFAULT_PERIOD = Period.LAST_30_DAYS
MONTHS_OFFERED = 24
# The periods' names (msgids: the page translates them).
PERIOD_LABELS = (
    (Period.TODAY, N_("Today")),
    (Period.LAST_7_DAYS, N_("7 days")),
    (Period.LAST_30_DAYS, N_("30 days")),
    (Period.LAST_90_DAYS, N_("90 days")),
    (Period.MONTH, N_("Month")),
    (Period.CUSTOM, N_("Custom")),
)


@dataclass(frozen=True)
class Selection:
    """What a tab chose in the filters, as text (ISO days, ids, `ALL`): the bridge turns it into filters again on
    each refresh, so "today" and "the last 7 days" move on at midnight."""

    period: str = DEFAULT_PERIOD.value
    month: str = ""  # "2026-11"
    first: str = ""  # custom range, ISO days
    last: str = ""
    channel: str = ALL
    platform: str = ALL
    operator: str = ALL


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _id(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def selection_filters(selection: Selection, *, today: date) -> Filters:
    """The filters a selection means on `today` (`FiguresError` with a message for the person when it means none)."""
    try:
        period = Period(selection.period)
    except ValueError as exc:
        raise FiguresError("choose a period") from exc
    month = _day(f"{selection.month}-01") if selection.month else None
    return period_filters(
        period,
        today=today,
        month=month,
        first=_day(selection.first),
        last=_day(selection.last),
        channel_id=_id(selection.channel),
        platform=None if selection.platform == ALL else selection.platform,
        operator_id=_id(selection.operator),
    )


def includes_today(filters: Filters, today: date) -> bool:
    return filters.first <= today <= filters.last


@dataclass(frozen=True)
class ChoiceView:
    """One entry of a filter's menu."""

    value: str
    label: str


def month_name(month: date, words: Words) -> str:
    """A month and its year as the reader's language names it: "November 2026", "novembre 2026", "noviembre 2026"."""
    return format_date(month, "LLLL y", locale=words.locale)


def month_choices(today: date, words: Words, count: int = MONTHS_OFFERED) -> list[ChoiceView]:
    """This month and the ones before it, newest first: ("2026-11", "November 2026")."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(ChoiceView(f"{year:04d}-{month:02d}", month_name(date(year, month, 1), words)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def statistics_token(tenant_id: int) -> str:
    """The shared token of a tenant's live dashboards."""
    return shared_token("stats", tenant_id)


class StatisticsShared(rx.SharedState):
    """A tenant's open dashboards, for the bridge; nothing in it is sent to the tabs."""

    _viewers: dict[str, str] = {}  # client token → digest of the session it linked with
    _live: dict[str, Selection] = {}  # client token → its selection, for the tabs whose period includes today


class StatisticsState(rx.State):
    """One manager's dashboard tab."""

    period: str = DEFAULT_PERIOD.value
    month: str = ""
    first: str = ""
    last: str = ""
    channel: str = ALL
    platform: str = ALL
    operator: str = ALL
    range_error: str = ""
    channel_choices: list[ChoiceView] = []
    platform_choices: list[ChoiceView] = []
    operator_choices: list[ChoiceView] = []
    month_options: list[ChoiceView] = []
    loaded: bool = False
    live: bool = False  # the period includes today: the figures move as messages arrive
    tiles_url: str = ""  # the map's tiles (`CITYMES_MAP_TILES_URL`); "": pins on a plain background
    tiles_attribution: str = ""

    # The display rows (`StatisticsView`'s fields).
    period_label: str = ""
    computed_at: str = ""
    timezone: str = ""
    headlines: list[Headline] = []
    by_day: list[DayPoint] = []
    by_hour: list[HourPoint] = []
    answers: list[AnswerSlice] = []
    durations: list[DurationLine] = []
    operators: list[OperatorLine] = []
    keywords: list[KeywordLine] = []
    unanswered: list[UnansweredLine] = []
    unanswered_total: int = 0
    heatmap: list[HeatSquare] = []
    channels: list[ChannelLine] = []
    pins: list[PinPoint] = []

    _tenant_id: int = 0
    _filters: Filters | None = None
    # The reader's language, for what the server words (the bridge's live redraws too).
    _language: str = DEFAULT_LANGUAGE

    def words(self) -> Words:
        """The reader's words."""
        return words_for(self._language)

    # --- Who may --------------------------------------------------------------------------------------------

    async def _reader(self) -> SignedInOperator | None:
        """The signed-in operator if a manager or administrator of the tenant this tab shows (re-read each call)."""
        operator = await (await self.get_state(AuthState))._signed_in()
        if operator is None or operator.role not in STATISTICS_ROLES:
            return None
        if self._tenant_id and operator.tenant_id != self._tenant_id:
            return None
        return operator

    # --- What the page and the bridge show ------------------------------------------------------------------

    def selection(self) -> Selection:
        return Selection(self.period, self.month, self.first, self.last, self.channel, self.platform, self.operator)

    def show(self, view: StatisticsView) -> None:
        """Draw `view` (the bridge calls this too, with the figures of this tab's own selection)."""
        self.period_label, self.computed_at, self.timezone = view.period, view.computed_at, view.timezone
        self.headlines, self.by_day, self.by_hour, self.answers = view.headlines, view.by_day, view.by_hour, view.answers
        self.durations, self.operators, self.keywords = view.durations, view.operators, view.keywords
        self.unanswered, self.unanswered_total = view.unanswered, view.unanswered_total
        self.heatmap, self.channels, self.pins = view.heatmap, view.channels, view.pins
        self.loaded = True

    def view(self) -> StatisticsView:
        """What the tab shows now, as the exports write it."""
        names = {f.name: f.name for f in fields(StatisticsView)} | {"period": "period_label"}
        return StatisticsView(**{name: getattr(self, attribute) for name, attribute in names.items()})

    def _show_choices(self, choices: Choices) -> None:
        words = self.words()
        channels = [ChoiceView(str(c.id), c.name) for c in choices.channels]
        platforms = [ChoiceView(p, platform_text(p)) for p in choices.platforms]
        operators = [ChoiceView(str(o.id), o.name) for o in choices.operators]
        self.channel_choices = [ChoiceView(ALL, words.t("All channels")), *channels]
        self.platform_choices = [ChoiceView(ALL, words.t("All platforms")), *platforms]
        self.operator_choices = [ChoiceView(ALL, words.t("All operators")), *operators]
        self.month_options = month_choices(choices.today, words)
        self.month = self.month or self.month_options[0].value
        self.timezone = choices.timezone

    async def _load(self, operator: SignedInOperator) -> None:
        """Read the figures of the tab's selection; a selection that means nothing shows why beside the fields."""
        today = clock_now(self.timezone).date() if self.timezone else date.today()
        try:
            filters = selection_filters(self.selection(), today=today)
            dashboard = await get_runtime().statistics.dashboard(tenant_id=operator.tenant_id, filters=filters)
        except FiguresError as exc:
            self.range_error = sentence(exc, self.words())
            return
        self.range_error = ""
        self._filters = filters
        self.live = includes_today(filters, today)
        self.show(statistics_view(dashboard, self.words()))
        await self._follow_today()

    async def _follow_today(self) -> None:
        """Tell the tenant's live dashboards whether this tab's period includes today (the bridge refreshes it)."""
        shared = await self.get_state(StatisticsShared)
        client = self.router.session.client_token
        selection = self.selection() if self.live else None
        if shared._live.get(client) != selection:
            live = {k: v for k, v in shared._live.items() if k != client}
            if selection is not None:
                live[client] = selection
            shared._live = live

    # --- Events ---------------------------------------------------------------------------------------------

    @rx.event
    async def open_statistics_page(self):
        """Page load: managers and administrators only (others see why); link this tab to the tenant's live
        dashboards, then show the figures of its selection."""
        return await self._open()

    async def _open(self, period: str = ""):  # noqa: ANN202
        operator, instead = await admin_page_visit(self, STATISTICS_ROLES)
        if operator is None:
            return instead
        if self._tenant_id != operator.tenant_id:  # a new tab, or another organisation's account in this browser
            self.reset()
            self._tenant_id = operator.tenant_id
        self._language = operator.language
        self.period = period or self.period
        self._show_choices(await get_runtime().statistics.choices(tenant_id=operator.tenant_id))
        settings = get_runtime().settings
        self.tiles_url, self.tiles_attribution = settings.map_tiles_url, settings.map_tiles_attribution
        auth = await self.get_state(AuthState)
        shared = await self.get_state(StatisticsShared)
        linked = await shared._link_to(statistics_token(operator.tenant_id))
        linked._viewers = {**linked._viewers, self.router.session.client_token: session_digest(auth.session_token)}
        await self._load(operator)

    @rx.event
    async def open_report_page(self):
        """The printable monthly report: the same checks, then the chosen month (this month at first)."""
        return await self._open(Period.MONTH.value)

    @rx.event
    async def set_period(self, value: str | list[str]):
        """Today, the last 7/30/90 days, a month or a custom range (shown once both days are chosen)."""
        value = value[0] if isinstance(value, list) and value else value
        if value not in {p.value for p in Period}:
            return
        operator = await self._reader()
        if operator is None:
            return
        self.period, self.range_error = str(value), ""
        if value == Period.CUSTOM and not (self.first and self.last):
            return
        await self._load(operator)

    @rx.event
    async def set_month(self, value: str):
        """The month shown when the period is a month."""
        operator = await self._reader()
        if operator is None or value not in {m.value for m in self.month_options}:
            return
        self.month, self.period = value, Period.MONTH.value
        await self._load(operator)

    @rx.event
    async def apply_range(self, form_data: dict[str, str]):
        """A custom range, first and last day included; a bad one is explained beside the fields."""
        operator = await self._reader()
        if operator is None:
            return
        self.first, self.last = (form_data.get("first") or "").strip(), (form_data.get("last") or "").strip()
        self.period = Period.CUSTOM.value
        await self._load(operator)

    async def _narrow(self, attribute: str, value: str, choices: list[ChoiceView]) -> None:
        operator = await self._reader()
        if operator is None or value not in {choice.value for choice in choices}:
            return
        setattr(self, attribute, value)
        await self._load(operator)

    @rx.event
    async def set_channel(self, value: str):
        """One channel, or all of them."""
        await self._narrow("channel", value, self.channel_choices)

    @rx.event
    async def set_platform(self, value: str):
        """One platform, or all of them."""
        await self._narrow("platform", value, self.platform_choices)

    @rx.event
    async def set_operator(self, value: str):
        """One operator's work (replies, resolutions, response times), or everyone's."""
        await self._narrow("operator", value, self.operator_choices)

    @rx.event
    async def download(self, table: str):
        """The CSV of one chart or table, exactly the rows on the screen."""
        export = EXPORTS.get(table)
        if export is None or not self.loaded or await self._reader() is None or self._filters is None:
            return None
        first, last = self._filters.first.isoformat(), self._filters.last.isoformat()
        filename = f"statistics-{table}-{first}-{last}.csv"
        return rx.download(data=export(self.view(), self.words()), filename=filename, mime_type="text/csv")

    @rx.event
    async def relabel(self):
        """The reader switched language: the filters' names and the figures' wording again."""
        operator = await self._reader()
        if operator is None or not self.loaded:
            return
        self._language = operator.language
        self._show_choices(await get_runtime().statistics.choices(tenant_id=operator.tenant_id))
        await self._load(operator)


on_language_switch(StatisticsState.relabel)
