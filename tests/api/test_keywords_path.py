"""Keywords, personal codes and office hours, through the real path: citizen → simulator → webhook → pipeline →
outbox → python-telegram-bot → the citizen's phone in the simulator."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from citymes_app import demo
from citymes_app.core import clock, codes, hours, inbox
from citymes_app.models import Conversation, Tenant, UnmatchedQuery, row_id
from citymes_app.runtime import Runtime
from tests.helpers import IN_HOURS_NOTICE, Town, bot_messages, citizen_says, eventually, replace_keywords

MADRID = ZoneInfo("Europe/Madrid")
HOURS_CA = "L'Oficina d'Atenció Ciutadana obre de dilluns a divendres de 8 a 19 h. Biblioteques: de 10 a 20 h."
HOURS_ES = "La Oficina de Atención Ciudadana abre de lunes a viernes de 8 a 19 h. Bibliotecas: de 10 a 20 h."


@pytest.fixture
async def demo_town(runtime: Runtime, town: Town, dispatcher: None) -> Town:
    """The test town with the demo's keywords (three languages, topics, menus) and personal codes."""
    with Session(runtime.engine) as session:
        tenant = session.get_one(Tenant, town.tenant_id)
        replace_keywords(session, tenant, demo.DEMO_KEYWORDS_CSV)
        report = codes.import_codes_csv(
            session,
            tenant=tenant,
            keyword_text="TRAMIT",
            content=(
                "code,response,phone\nAB1234,Expedient AB1234: en revisió.,\nZZ9999,Expedient ZZ9999: aprovat.,+34600111222\n"
            ),
        )
        assert report.ok, report.errors
        session.commit()
    return town


async def answers_to(town: Town, chat_id: int, text: str | None, *, count: int = 1, **extra: Any) -> list[dict]:
    """Send `text` (or other content) as a citizen and wait for `count` new bot messages in that chat."""
    before = len(await bot_messages(town, chat_id))
    content: dict[str, Any] = {"text": text} if text is not None else {}
    await citizen_says(town, chat_id, **content, **extra)
    messages = await eventually(lambda: _new(town, chat_id, before, count))
    return messages


async def _new(town: Town, chat_id: int, before: int, count: int) -> list[dict] | None:
    messages = (await bot_messages(town, chat_id))[before:]
    return messages if len(messages) >= count else None


@pytest.mark.parametrize(
    "typed",
    ["HORARIS", "horaris", "Horàris!!", "  horaris  ", "hola, horaris biblioteca?", "horaros", "hroaris", "horari"],
)
async def test_keyword_matches_forgive_case_accents_sentences_and_typos(demo_town: Town, typed: str) -> None:
    [answer] = await answers_to(demo_town, 1001, typed)
    assert answer["text"] == HOURS_CA


async def test_near_miss_words_are_not_taken_for_keywords(runtime: Runtime, demo_town: Town) -> None:
    near_misses = ["hora", "horas", "padre", "pare", "tram", "deixa", "punto", "hores de platja", "horror"]
    for number, typed in enumerate(near_misses):
        [notice] = await answers_to(demo_town, 1100 + number, typed)
        assert notice["text"] == IN_HOURS_NOTICE, typed
    with Session(runtime.engine) as session:
        recorded = session.exec(select(UnmatchedQuery.normalized).order_by(col(UnmatchedQuery.id))).all()
    assert recorded == near_misses  # the "what no keyword answers" report gets each of them


async def test_answer_comes_in_the_language_of_the_keyword_used(demo_town: Town) -> None:
    [answer] = await answers_to(demo_town, 1002, "horarios")
    assert answer["text"] == HOURS_ES


@pytest.mark.parametrize(
    ("command", "header", "expected"),
    [
        ("PARAULES CLAU", "Paraules clau (escriviu-ne una):", ["HORARIS", "DEIXALLERIA", "TRAMIT"]),
        ("palabras clave", "Palabras clave (escriba una):", ["HORARIOS", "PUNTO LIMPIO", "TRAMITE"]),
        ("Keywords", "Keywords (send one):", ["OPENING HOURS"]),
    ],
)
async def test_index_commands_list_featured_keywords_in_each_language(
    demo_town: Town, command: str, header: str, expected: list[str]
) -> None:
    [index] = await answers_to(demo_town, 1003, command)
    lines = index["text"].splitlines()
    assert lines[0] == header
    assert sorted(line.removeprefix("• ") for line in lines[1:-1]) == sorted(expected)
    assert sorted(b for row in index["buttons"] for b in row) == sorted(expected)


async def test_full_list_shows_every_keyword_of_the_language(demo_town: Town) -> None:
    [listing] = await answers_to(demo_town, 1004, "paraules clau totes")
    assert listing["text"].splitlines() == [
        "Totes les paraules clau (pàgina 1 de 1):",
        "• DEIXALLERIA",
        "• HORARIS",
        "• PADRO",
        "• TRAMIT",
    ]


async def test_menu_buttons_lead_to_related_answers(demo_town: Town) -> None:
    [answer] = await answers_to(demo_town, 1005, "HORARIS")
    assert answer["buttons"] == [["DEIXALLERIA", "PADRO"]]
    [next_answer] = await answers_to(demo_town, 1005, answer["buttons"][0][0])  # the citizen taps the first
    assert next_answer["text"].startswith("La deixalleria municipal obre")


async def test_ambiguous_message_asks_which_keyword_with_buttons(demo_town: Town) -> None:
    [question] = await answers_to(demo_town, 1006, "horaris deixalleria")
    assert question["text"] == "Voleu dir HORARIS o DEIXALLERIA?"
    assert sorted(b for row in question["buttons"] for b in row) == ["DEIXALLERIA", "HORARIS"]


async def test_personal_code_gives_the_personal_answer(demo_town: Town) -> None:
    [answer] = await answers_to(demo_town, 1007, "tramit ab-1234")
    assert answer["text"] == "Expedient AB1234: en revisió."


async def test_code_tied_to_a_phone_is_only_given_to_that_citizen(demo_town: Town) -> None:
    [refused] = await answers_to(demo_town, 1008, "TRAMIT ZZ9999")
    assert refused["text"].startswith("Aquesta resposta només es pot donar al telèfon associat al codi.")
    # The right person shares their own contact (their number), then asks again.
    [thanks] = await answers_to(
        demo_town, 1008, None, contact={"phone_number": "+34600111222", "first_name": "Núria", "user_id": 1008}
    )
    assert thanks["text"] == "Gràcies: hem desat el vostre número per a les consultes personals."
    [answer] = await answers_to(demo_town, 1008, "TRAMIT ZZ9999")
    assert answer["text"] == "Expedient ZZ9999: aprovat."
    # Someone else with the same code still gets nothing personal.
    [other] = await answers_to(demo_town, 1009, "TRAMIT ZZ9999")
    assert other["text"].startswith("Aquesta resposta només es pot donar")


async def test_repeated_wrong_codes_lock_further_tries_politely(demo_town: Town) -> None:
    for attempt in range(codes.MAX_WRONG_PER_HOUR - 1):
        [wrong] = await answers_to(demo_town, 1010, f"TRAMIT XX{attempt:04d}")
        assert wrong["text"] == "Aquest codi no és correcte. Reviseu-lo i torneu-ho a provar: TRAMIT CODI."
    [locked] = await answers_to(demo_town, 1010, "TRAMIT XX9998")
    assert locked["text"].startswith("Per seguretat, hem aturat les consultes amb codi")
    [still_locked] = await answers_to(demo_town, 1010, "TRAMIT AB1234")  # even the right code, for now
    assert still_locked["text"].startswith("Per seguretat")
    [other_citizen] = await answers_to(demo_town, 1011, "TRAMIT AB1234")  # others are not affected
    assert other_citizen["text"] == "Expedient AB1234: en revisió."
    clock.freeze(datetime(2026, 11, 24, 11, 5, tzinfo=MADRID))  # an hour later the lock is over
    [answer] = await answers_to(demo_town, 1010, "TRAMIT AB1234")
    assert answer["text"] == "Expedient AB1234: en revisió."


async def test_out_of_hours_message_says_when_operators_are_back_once(demo_town: Town) -> None:
    clock.freeze(datetime(2026, 11, 28, 22, 30, tzinfo=MADRID))  # Saturday night
    [notice] = await answers_to(demo_town, 1012, "tinc un problema amb un rebut")
    assert "els operadors tornen dilluns 30/11 a les 08:00" in notice["text"]
    await citizen_says(demo_town, 1012, text="és urgent")
    [keyword] = await answers_to(demo_town, 1012, "horaris")  # keywords still answer at night
    assert keyword["text"] == HOURS_CA
    texts = [m["text"] for m in await bot_messages(demo_town, 1012)]
    assert texts == [notice["text"], HOURS_CA]  # the second message got no second notice


async def test_public_and_local_holidays_close_the_office(runtime: Runtime, demo_town: Town) -> None:
    clock.freeze(datetime(2026, 12, 8, 10, 0, tzinfo=MADRID))  # Tuesday, a public holiday in Spain
    [notice] = await answers_to(demo_town, 1013, "vull parlar amb algú")
    assert "els operadors tornen dimecres 09/12 a les 08:00" in notice["text"]

    with Session(runtime.engine) as session:
        hours.add_local_holiday(session, tenant_id=demo_town.tenant_id, day=date(2026, 11, 24), name="Festa major")
        session.commit()
    clock.freeze(datetime(2026, 11, 24, 10, 0, tzinfo=MADRID))  # Tuesday, the town's own holiday
    [local] = await answers_to(demo_town, 1014, "vull parlar amb algú", language_code="es")
    assert "los operadores vuelven el miércoles 25/11 a las 08:00" in local["text"]


async def test_in_hours_notice_is_sent_again_only_after_an_operator_answered(runtime: Runtime, demo_town: Town) -> None:
    [first] = await answers_to(demo_town, 1015, "tinc una queixa")
    assert first["text"] == IN_HOURS_NOTICE
    await citizen_says(demo_town, 1015, text="sobre el soroll del carrer")
    with Session(runtime.engine) as session:
        conversation = session.exec(select(Conversation).where(Conversation.address == "1015")).one()
        inbox.reply(session, operator=demo_town.operator, conversation_id=row_id(conversation), text="Expliqueu-nos-ho.")
        session.commit()
    runtime.bus.wake_outbox()
    await eventually(lambda: _new(demo_town, 1015, 1, 1))
    [again] = await answers_to(demo_town, 1015, "el soroll és cada nit")
    assert again["text"] == IN_HOURS_NOTICE
    texts = [m["text"] for m in await bot_messages(demo_town, 1015)]
    assert texts == [IN_HOURS_NOTICE, "Expliqueu-nos-ho.", IN_HOURS_NOTICE]
