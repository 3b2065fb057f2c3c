"""The printable page's wording: the id of the URL taken only when it is a plain number, each line named after who
wrote it with its time on the organisation's clock in the reader's language, the state said in words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from citymes_app.core.conversation_export import ConversationRecord, ExportLine
from citymes_app.core.inbox import ConversationHeader
from citymes_app.i18n import words_for
from citymes_app.models import Author, ConversationStatus
from citymes_app.state.inbox_print import conversation_id_from, printed_line, state_words

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Europe/Madrid


def _record(status: ConversationStatus = ConversationStatus.OPEN, until: datetime | None = None) -> ConversationRecord:
    header = ConversationHeader(7, 3, "Núria", "Bot", "telegram", status=status, snoozed_until=until)
    return ConversationRecord("Vila", header, ZoneInfo("Europe/Madrid"), AT, AT, [])


def _line(author: Author | None, **fields: object) -> ExportLine:
    values: dict = {"name": "", "direction": "in", "kind": "text", "text": "", "media_path": "", "media_filename": ""}
    values |= {"latitude": None, "longitude": None, "status": "received"} | fields
    return ExportLine(AT, author, **values)


@pytest.mark.parametrize(
    ("argument", "expected"),
    [("42", 42), ("0", None), ("", None), ("-3", None), ("4a", None), ("٣", None), ("9" * 19, None), (["42"], None)],
)
def test_only_a_plain_number_in_the_url_names_a_conversation(argument: object, expected: int | None) -> None:
    assert conversation_id_from(argument) == expected


def test_each_line_says_who_wrote_it_and_when_in_the_readers_language() -> None:
    record, words = _record(), words_for("ca")
    citizen = printed_line(0, _line(Author.CITIZEN, text="<b>hola</b>"), record, words)
    assert (citizen.who, citizen.when, citizen.side, citizen.text) == (
        "Núria",
        "2 de març del 2026, 10:00",
        "citizen",
        "<b>hola</b>",
    )
    bot = printed_line(1, _line(Author.BOT, direction="out"), record, words)
    assert (bot.who, bot.side) == ("Resposta automàtica", "automatic")
    photo = printed_line(2, _line(Author.OPERATOR, name="Laia", kind="photo", media_path="1/a.jpg"), record, words)
    assert (photo.who, photo.side, photo.kind, photo.media_name, photo.media_path) == (
        "Laia",
        "operator",
        "Foto",
        "Foto",
        "1/a.jpg",
    )
    note = printed_line(3, _line(None, name="Laia", kind="note", direction="note"), record, words)
    assert (note.who, note.side, note.kind) == ("Laia", "note", "")
    place = printed_line(4, _line(Author.CITIZEN, kind="location", latitude=41.38, longitude=2.17), record, words)
    assert place.coordinates == "41.38000, 2.17000" and "openstreetmap.org" in place.map_link


def test_the_state_is_said_in_words_with_a_snoozes_time() -> None:
    until = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
    assert state_words(_record(ConversationStatus.SNOOZED, until), words_for("en")) == "Snoozed until 10 Mar 2026, 08:00"
    assert state_words(_record(ConversationStatus.PENDING), words_for("es")) == "Pendiente"
