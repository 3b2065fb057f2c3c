"""The inbox's wording: moments and windows said on the tenant's clock, bubbles named after who wrote them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from citymes_app.core.inbox import ReplyWindow, ThreadMessage
from citymes_app.models import Author, DeliveryStatus, Direction
from citymes_app.state.inbox_format import NO_WINDOW, bubble, clock_label, moment_label, time_left, window_view
from integrations.base import MessageKind

MADRID = ZoneInfo("Europe/Madrid")


def test_moments_are_said_on_the_tenants_clock() -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=MADRID)
    assert moment_label(datetime(2026, 11, 24, 15, 32, tzinfo=MADRID), tz=MADRID, now=now) == "today at 15:32"
    assert moment_label(datetime(2026, 11, 25, 9, 5, tzinfo=MADRID), tz=MADRID, now=now) == "tomorrow at 09:05"
    assert moment_label(datetime(2026, 11, 23, 18, 0, tzinfo=MADRID), tz=MADRID, now=now) == "yesterday at 18:00"
    assert moment_label(datetime(2026, 11, 20, 8, 0, tzinfo=MADRID), tz=MADRID, now=now) == "Fri 20 Nov at 08:00"


def test_queue_times_shorten_with_age() -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=MADRID)
    said = [
        clock_label(now - age, tz=MADRID, now=now)
        for age in (timedelta(hours=1), timedelta(days=1), timedelta(days=3), timedelta(days=30), timedelta(days=400))
    ]
    assert said == ["09:00", "Yesterday", "Sat", "25 Oct", "20/10/2025"]


def test_an_open_window_says_when_it_closes_and_how_long_is_left() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    window = ReplyWindow(applies=True, open=True, closes_at=now + timedelta(hours=22, minutes=40), refusal=NO_REFUSAL)
    view = window_view(window, tz=MADRID, now=now)
    assert (view.applies, view.open, view.closes_label, view.time_left, view.explanation) == (
        True,
        True,
        "tomorrow at 08:40",
        "22 h left",
        "",
    )
    assert time_left(timedelta(seconds=20)) == "1 min left"


def test_a_closed_window_gives_the_reason_and_a_channel_without_one_says_nothing() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    closed = window_view(ReplyWindow(True, False, now - timedelta(hours=1), "Too old"), tz=MADRID, now=now)
    assert (closed.open, closed.closes_label, closed.time_left, closed.explanation) == (False, "today at 09:00", "", "Too old")
    assert window_view(ReplyWindow(False, True, None, ""), tz=MADRID, now=now) == NO_WINDOW


def test_bubbles_name_the_automatic_answer_the_operator_and_the_citizen() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def message(author: Author, operator_name: str = "") -> ThreadMessage:
        outbound = Direction.INBOUND if author == Author.CITIZEN else Direction.OUTBOUND
        return ThreadMessage(
            1, 1, outbound, author, operator_name, MessageKind.LOCATION, "", "", "", 41.5381, 2.4445, "", "",
            DeliveryStatus.SENT, "", now,
        )  # fmt: skip

    said = [
        bubble(message(author, name), citizen_name="Núria", tz=MADRID, now=now)
        for author, name in ((Author.BOT, ""), (Author.OPERATOR, "Laia"), (Author.OPERATOR, ""), (Author.CITIZEN, ""))
    ]
    assert [(b.author_name, b.outbound) for b in said] == [
        ("Automatic answer", True),
        ("Laia", True),
        ("Operator", True),
        ("Núria", False),
    ]
    assert (said[0].coordinates, said[0].status, said[0].kind, said[0].time_label) == (
        "41.53810, 2.44450",
        "sent",
        "location",
        "10:00",
    )
