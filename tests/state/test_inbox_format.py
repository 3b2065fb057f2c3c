"""The inbox's wording: moments and windows said on the tenant's clock in the operator's language, bubbles named after
who wrote them, the queue's lines ready for operators of every language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from citymes_app.core.inbox import ConversationHeader, ReplyWindow, ThreadMessage
from citymes_app.core.inbox_desk import ThreadSnapshot
from citymes_app.core.notes import ThreadNote
from citymes_app.core.phrases import Phrase
from citymes_app.core.pipeline import _KIND_PREVIEW
from citymes_app.core.reply_window import NO_REFUSAL
from citymes_app.i18n import words_for
from citymes_app.models import Author, DeliveryStatus, Direction
from citymes_app.state.inbox_format import (
    NO_WINDOW,
    PREVIEW_KINDS,
    NoticeLine,
    QueueLine,
    QueueNotices,
    bubble,
    clock_label,
    moment_label,
    queue_notices,
    split_preview,
    thread_bubbles,
    time_left,
    window_view,
)
from integrations.base import MessageKind

MADRID = ZoneInfo("Europe/Madrid")
CA, ES, EN = words_for("ca"), words_for("es"), words_for("en")


def test_moments_are_said_on_the_tenants_clock_in_each_language() -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=MADRID)
    moments = [datetime(2026, 11, d, h, m, tzinfo=MADRID) for d, h, m in ((24, 15, 32), (25, 9, 5), (23, 18, 0), (20, 8, 0))]
    assert [moment_label(m, tz=MADRID, now=now, words=EN) for m in moments] == [
        "today at 15:32",
        "tomorrow at 09:05",
        "yesterday at 18:00",
        "Fri 20 Nov at 08:00",
    ]
    assert [moment_label(m, tz=MADRID, now=now, words=CA) for m in moments] == [
        "avui a les 15:32",
        "demà a les 9:05",
        "ahir a les 18:00",
        "dv., 20 de nov. a les 8:00",
    ]
    assert moment_label(moments[3], tz=MADRID, now=now, words=ES) == "vie, 20 nov a las 8:00"


def test_queue_times_shorten_with_age_in_each_language() -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=MADRID)
    ages = (timedelta(hours=1), timedelta(days=1), timedelta(days=3), timedelta(days=30), timedelta(days=400))
    said = {w.language: [clock_label(now - age, tz=MADRID, now=now, words=w) for age in ages] for w in (CA, ES, EN)}
    assert said == {
        "ca": ["9:00", "Ahir", "ds.", "25 d’oct.", "20/10/2025"],
        "es": ["9:00", "Ayer", "sáb", "25 oct", "20/10/2025"],
        "en": ["09:00", "Yesterday", "Sat", "25 Oct", "20/10/2025"],
    }


def test_an_open_window_says_when_it_closes_and_how_long_is_left() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    window = ReplyWindow(applies=True, open=True, closes_at=now + timedelta(hours=22, minutes=40), refusal=NO_REFUSAL)
    view = window_view(window, tz=MADRID, now=now, words=EN)
    assert (view.applies, view.open, view.closes_label, view.time_left, view.explanation) == (
        True,
        True,
        "tomorrow at 08:40",
        "22 h left",
        "",
    )
    assert window_view(window, tz=MADRID, now=now, words=ES).time_left == "quedan 22 h"
    assert time_left(timedelta(seconds=20), CA) == "en queden 1 min"


def test_a_closed_window_gives_the_reason_in_the_operators_language() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    reason = Phrase(
        "The citizen's last message is more than {hours} hours old, so {channel} only delivers an approved template "
        "until they write again; a free-form reply would not arrive. {offer}",
        {
            "hours": 24,
            "channel": "OAC",
            "offer": Phrase("Send one of this channel's approved templates instead: {names}.", {"names": "seguiment (ca)"}),
        },
    )
    closed = window_view(ReplyWindow(True, False, now - timedelta(hours=1), reason), tz=MADRID, now=now, words=CA)
    assert (closed.open, closed.closes_label, closed.time_left) == (False, "avui a les 9:00", "")
    assert closed.explanation.startswith("L'últim missatge del ciutadà té més de 24 hores, de manera que OAC")
    assert closed.explanation.endswith("Envieu-hi una de les plantilles aprovades d'aquest canal: seguiment (ca).")
    assert window_view(ReplyWindow(False, True, None, NO_REFUSAL), tz=MADRID, now=now, words=CA) == NO_WINDOW


def test_bubbles_name_the_automatic_answer_the_operator_and_the_citizen() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def message(author: Author, operator_name: str = "") -> ThreadMessage:
        outbound = Direction.INBOUND if author == Author.CITIZEN else Direction.OUTBOUND
        return ThreadMessage(
            1, 1, outbound, author, operator_name, MessageKind.LOCATION, "", "", "", 41.5381, 2.4445, "", "",
            DeliveryStatus.SENT, "", now,
        )  # fmt: skip

    said = [
        bubble(message(author, name), citizen_name="Núria", tz=MADRID, now=now, words=CA)
        for author, name in ((Author.BOT, ""), (Author.OPERATOR, "Laia"), (Author.OPERATOR, ""), (Author.CITIZEN, ""))
    ]
    assert [(b.author_name, b.outbound) for b in said] == [
        ("Resposta automàtica", True),
        ("Laia", True),
        ("Operador", True),
        ("Núria", False),
    ]
    assert (said[0].coordinates, said[0].status, said[0].kind, said[0].time_label) == (
        "41.53810, 2.44450",
        "sent",
        "location",
        "10:00",
    )


def test_the_queue_recognises_every_label_core_puts_before_a_preview() -> None:
    assert set(PREVIEW_KINDS) == set(_KIND_PREVIEW.values())
    assert split_preview("📷 Photo The bin on Carrer Major") == ("camera", "Photo", "The bin on Carrer Major")
    assert split_preview("📍 Location") == ("map-pin", "Location", "")
    assert split_preview("Bon dia") == ("", "", "Bon dia")


def test_notes_sit_among_the_messages_in_time_order_named_after_their_author() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def message(id_: int, minute: int) -> ThreadMessage:
        return ThreadMessage(
            id_, 7, Direction.INBOUND, Author.CITIZEN, "", MessageKind.TEXT, f"message {id_}", "", "", None, None, "", "",
            DeliveryStatus.RECEIVED, "", now + timedelta(minutes=minute),
        )  # fmt: skip

    def note(id_: int, minute: int, name: str) -> ThreadNote:
        return ThreadNote(id_, 7, 3, name, f"<i>note {id_}</i>", now + timedelta(minutes=minute))

    snapshot = ThreadSnapshot(
        header=ConversationHeader(7, 5, "Núria", "Bot", "telegram"),
        timezone=MADRID,
        messages=[message(1, 0), message(2, 10)],
        window=ReplyWindow(applies=False, open=True, closes_at=None, refusal=NO_REFUSAL),
        notes=[note(1, 5, "Laia"), note(2, 10, ""), note(3, 20, "Pau")],
    )
    drawn = thread_bubbles(snapshot, words=CA, now=now)
    assert [(b.note, b.id, b.author_name, b.text) for b in drawn] == [
        (False, 1, "Núria", "message 1"),
        (True, 1, "Laia", "<i>note 1</i>"),
        (False, 2, "Núria", "message 2"),  # a note written in the same instant as a message comes after it
        (True, 2, "Operador", "<i>note 2</i>"),
        (True, 3, "Pau", "<i>note 3</i>"),
    ]
    assert (drawn[1].kind, drawn[1].outbound, drawn[1].status, drawn[1].time_label) == ("note", False, "", "10:05")


def test_the_notifiers_summary_names_the_citizen_but_carries_no_message_text() -> None:
    line = QueueLine(
        id=7,
        citizen_id=12,
        citizen_name="Rosa",
        channel_name="Telegram",
        platform="telegram",
        preview_icon="",
        preview_label="",
        preview="El meu DNI és 12345678Z",
        time_labels={"en": "14:05"},
        unread_count=2,
        awaiting_operator=True,
        citizen_unreachable=False,
        assignee_id=3,
    )
    notices = queue_notices([line], version=4)
    assert notices == QueueNotices(version=4, lines=[NoticeLine(id=7, citizen_id=12, name="Rosa", unread=2, assignee_id=3)])
    assert "12345678Z" not in repr(notices)
