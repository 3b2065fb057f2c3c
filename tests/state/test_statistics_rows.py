"""The dashboard's display rows and CSV exports, from a hand-made `Dashboard`: durations and shares as a person
says them, keyword trends, the heatmap's shades, and downloads that hold exactly the rows the page draws."""

from __future__ import annotations

import csv
import io
from collections.abc import Sized
from datetime import UTC, date, datetime

import pytest

from citymes_app.core.figures import (
    ChannelRow,
    Dashboard,
    DayRow,
    Durations,
    Filters,
    HeatCell,
    HourRow,
    KeywordRow,
    OperatorRow,
    Pin,
    Totals,
    UnansweredRow,
)
from citymes_app.i18n import words_for
from citymes_app.state.statistics_csv import EXPORTS, KEYWORD_COLUMNS, OPERATOR_COLUMNS
from citymes_app.state.statistics_rows import (
    duration_text,
    keyword_trend,
    period_text,
    share_text,
    statistics_view,
)

NO_SPANS = Durations(count=0, median_office_seconds=None, p90_office_seconds=None, median_seconds=None, p90_seconds=None)


EN = words_for("en")


def spans(median: float, p90: float) -> Durations:
    return Durations(
        count=4, median_office_seconds=median, p90_office_seconds=p90, median_seconds=median * 3, p90_seconds=p90 * 3
    )


def town_dashboard() -> Dashboard:
    """Two days of a small town, by hand."""
    filters = Filters(first=date(2026, 11, 30), last=date(2026, 12, 1))
    heat = [HeatCell(weekday, hour, 0) for weekday in range(7) for hour in range(24)]
    heat[0 * 24 + 9] = HeatCell(0, 9, 8)  # Monday 09:00, the busiest hour
    heat[1 * 24 + 10] = HeatCell(1, 10, 1)
    return Dashboard(
        filters=filters,
        timezone="Europe/Madrid",
        computed_at=datetime(2026, 12, 1, 9, 41, 5, tzinfo=UTC),
        totals=Totals(
            messages_in=12345,
            messages_out_bot=10,
            messages_out_operator=3,
            opened=5,
            resolved=4,
            waiting_now=2,
            open_now=3,
            automatic=6,
            clarified=1,
            to_operator=1,
            automatic_share=0.75,
        ),
        by_day=[
            DayRow(date(2026, 11, 30), 5, 4, 1, 3, 2, 3, 1),
            DayRow(date(2026, 12, 1), 4, 6, 2, 2, 2, 3, 0),
        ],
        by_hour=[HourRow(hour, 1 if hour in (9, 10) else 0, 0) for hour in reversed(range(24))],
        by_channel=[
            ChannelRow(1, "Ajuntament bot", "telegram", 6, 9),
            ChannelRow(2, "WhatsApp +34 600", "whatsapp", 3, 4),
        ],
        first_response=spans(600, 7500),
        responses=spans(30, 59),
        resolution=NO_SPANS,
        operators=[OperatorRow(7, "Laia", replies=3, resolved=2, first_response=spans(600, 7500), assigned_open_now=1)],
        keywords=[
            KeywordRow(1, "HORARIS", "ca", hits=7, previous_hits=5),
            KeywordRow(2, "DEIXALLERIA", "ca", hits=2, previous_hits=4),
            KeywordRow(3, "", "es", hits=1, previous_hits=0),
        ],
        unanswered=[UnansweredRow("on puc aparcar, la caravana?", 2)],
        unanswered_total=3,
        heatmap=heat,
        locations=[Pin(41.5381, 2.4445, 9), Pin(41.54, 2.45, 1)],
    )


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (None, "—"),
        (20, "< 1 min"),
        (600, "10 min"),
        (3600, "1 h"),
        (7500, "2 h 5 min"),
        (86400 + 4 * 3600, "1 d 4 h"),
        (3 * 86400, "3 d"),
    ],
)
def test_durations_are_said_as_a_person_says_them(seconds: float | None, said: str) -> None:
    assert duration_text(seconds, EN) == said


def test_shares_and_periods_are_said_plainly() -> None:
    assert (share_text(0.734), share_text(None), share_text(1.0)) == ("73 %", "—", "100 %")
    assert period_text(Filters(date(2026, 12, 1), date(2026, 12, 1)), EN) == "1 Dec 2026"
    assert period_text(Filters(date(2026, 11, 2), date(2026, 12, 1)), EN) == "2 Nov – 1 Dec 2026"
    assert period_text(Filters(date(2025, 12, 15), date(2026, 1, 14)), EN) == "15 Dec 2025 – 14 Jan 2026"


def test_keyword_trends_compare_with_the_period_before() -> None:
    row = KeywordRow(1, "HORARIS", "ca", hits=7, previous_hits=5)
    assert keyword_trend(row, EN) == ("+40 %", "up")
    assert keyword_trend(KeywordRow(1, "X", "ca", hits=2, previous_hits=4), EN) == ("−50 %", "down")
    assert keyword_trend(KeywordRow(1, "X", "ca", hits=3, previous_hits=0), EN) == ("new", "new")
    assert keyword_trend(KeywordRow(1, "X", "ca", hits=3, previous_hits=3), EN) == ("=", "flat")


def test_the_view_puts_the_automatic_share_first_and_reads_times_on_the_tenants_clock() -> None:
    view = statistics_view(town_dashboard(), EN)
    first = view.headlines[0]
    assert (first.key, first.value, first.detail) == ("automatic-share", "75 %", "6 of 8 questions, without a person")
    by_key = {h.key: h for h in view.headlines}
    assert by_key["messages-in"].value == "12,345"
    assert by_key["messages-out"].detail == "10 automatic · 3 by operators"
    assert by_key["waiting"].detail == "of 3 open now"
    assert view.computed_at == "10:41:05"  # 09:41 UTC is 10:41 in Madrid
    assert [d.label for d in view.by_day] == ["Mon 30 Nov", "Tue 1 Dec"]
    assert [h.hour for h in view.by_hour][:2] == ["00:00", "01:00"]  # the hours in the day's order
    assert [(a.value, a.share) for a in view.answers] == [(6, "75 %"), (1, "13 %"), (1, "13 %")]


def test_the_view_speaks_the_readers_language() -> None:
    catalan, spanish = statistics_view(town_dashboard(), words_for("ca")), statistics_view(town_dashboard(), words_for("es"))
    assert {h.key: h.value for h in catalan.headlines}["messages-in"] == "12.345"
    assert {h.key: h.value for h in spanish.headlines}["messages-in"] == "12.345"
    assert catalan.headlines[0].detail == "6 de 8 preguntes, sense cap persona"
    assert [d.label for d in catalan.by_day] == ["dl., 30 de nov.", "dt., 1 de des."]
    assert [d.label for d in spanish.by_day] == ["lun, 30 nov", "mar, 1 dic"]
    assert catalan.period == "30 de nov. – 1 de des. del 2026"
    assert catalan.heatmap[9].title == "dl. 09:00 · 8 missatges"
    header = ["Palabra clave", "Idioma", "Consultas", "Periodo anterior", "Tendencia"]
    assert rows(EXPORTS["keywords"](spanish, words_for("es")))[0] == header


def test_the_heatmap_shades_each_hour_against_the_busiest() -> None:
    squares = statistics_view(town_dashboard(), EN).heatmap
    assert len(squares) == 7 * 24
    monday_nine, tuesday_ten = squares[9], squares[24 + 10]
    assert (monday_nine.level, monday_nine.title) == (5, "Mon 09:00 · 8 messages")
    assert (tuesday_ten.level, tuesday_ten.title) == (1, "Tue 10:00 · 1 message")
    assert squares[0].level == 0


def test_pins_grow_with_the_locations_they_gather() -> None:
    pins = statistics_view(town_dashboard(), EN).pins
    assert [(p.count, p.radius) for p in pins] == [(9, 26), (1, 13)]


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_each_export_writes_the_rows_the_page_draws() -> None:
    view = statistics_view(town_dashboard(), EN)
    assert rows(EXPORTS["keywords"](view, EN)) == [
        list(KEYWORD_COLUMNS),
        ["HORARIS", "CA", "7", "5", "+40 %"],
        ["DEIXALLERIA", "CA", "2", "4", "−50 %"],
        ["(deleted keyword)", "ES", "1", "0", "new"],
    ]
    assert rows(EXPORTS["operators"](view, EN)) == [list(OPERATOR_COLUMNS), ["Laia", "3", "2", "10 min", "2 h 5 min", "1"]]
    assert rows(EXPORTS["unanswered"](view, EN))[1] == ["on puc aparcar, la caravana?", "2"]  # the comma quoted, not split
    assert rows(EXPORTS["channels"](view, EN))[1:] == [
        ["Ajuntament bot", "Telegram", "6", "9"],
        ["WhatsApp +34 600", "WhatsApp", "3", "4"],
    ]
    assert rows(EXPORTS["durations"](view, EN))[3] == ["Resolution", "0", "—", "—", "—", "—"]
    assert rows(EXPORTS["by-day"](view, EN))[1:] == [["2026-11-30", "5", "4", "1"], ["2026-12-01", "4", "6", "2"]]
    heat = rows(EXPORTS["heatmap"](view, EN))
    assert len(heat) == 8 and heat[1][0] == "Mon" and heat[1][10] == "8" and heat[2][11] == "1"
    assert rows(EXPORTS["locations"](view, EN))[1] == ["41.5381", "2.4445", "9"]


def test_every_export_has_a_header_and_one_line_per_row_drawn() -> None:
    view = statistics_view(town_dashboard(), EN)
    drawn: dict[str, Sized] = {
        "by-day": view.by_day,
        "by-hour": view.by_hour,
        "answers": view.answers,
        "durations": view.durations,
        "operators": view.operators,
        "keywords": view.keywords,
        "unanswered": view.unanswered,
        "heatmap": range(7),
        "channels": view.channels,
        "locations": view.pins,
    }
    assert set(drawn) == set(EXPORTS)
    for name, export in EXPORTS.items():
        assert len(rows(export(view, EN))) == 1 + len(drawn[name]), name
