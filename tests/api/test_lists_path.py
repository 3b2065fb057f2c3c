"""Citizens join and leave distribution lists by writing, through the simulator: a list's phrase in each language is
confirmed in that language, joining twice and leaving a list one is not on say so, STOP and BAIXA TOT leave every
list, LLISTES shows the lists with one's own marked, a join word for a list that does not exist answers with the lists;
on WhatsApp the consent is recorded for the number written to, and only for it."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, col, select

from citymes_app.core import lists
from citymes_app.core.lists import ListTexts
from citymes_app.models import Conversation, ListConsent, ListSubscription, Message, Tenant
from citymes_app.runtime import Runtime
from tests.helpers import (
    Town,
    WhatsAppTown,
    bot_messages,
    citizen_says,
    eventually,
    make_whatsapp_town,
    wa_business_messages,
    wa_citizen_says,
)

TRAFFIC = {
    "ca": ListTexts("ca", "Trànsit", "Talls i obres", "ALTA TRANSIT", "BAIXA TRANSIT"),
    "es": ListTexts("es", "Tráfico", "Cortes y obras", "ALTA TRAFICO", "BAJA TRAFICO"),
    "en": ListTexts("en", "Traffic", "Closures and works", "JOIN TRAFFIC", "LEAVE TRAFFIC"),
}
CULTURE = {
    "ca": ListTexts("ca", "Cultura", "", "ALTA CULTURA", "BAIXA CULTURA"),
    "es": ListTexts("es", "Cultura", "", "ALTA CULTURA ES", "BAJA CULTURA"),
    "en": ListTexts("en", "Culture", "", "JOIN CULTURE", "LEAVE CULTURE"),
}


@pytest.fixture
async def listed_town(runtime: Runtime, town: Town, dispatcher: None) -> Town:
    """The test town with two lists: traffic and culture."""
    with Session(runtime.engine) as session:
        tenant = session.get_one(Tenant, town.tenant_id)
        for texts in (TRAFFIC, CULTURE):
            lists.save_list(session, tenant=tenant, list_id=None, texts=texts)
        session.commit()
    return town


async def answer_to(town: Town, chat_id: int, text: str) -> str:
    """Send `text` as a citizen on Telegram; the bot's next message."""
    before = len(await bot_messages(town, chat_id))
    await citizen_says(town, chat_id, text=text)

    async def new() -> str | None:
        messages = (await bot_messages(town, chat_id))[before:]
        return messages[0]["text"] if messages else None

    return str(await eventually(new))


def _subscriptions(runtime: Runtime) -> list[tuple[int, int]]:
    with Session(runtime.engine) as session:
        rows = session.exec(select(ListSubscription.list_id, ListSubscription.channel_id)).all()
        return [(list_id, channel_id) for list_id, channel_id in rows]


@pytest.mark.parametrize(
    ("join", "leave", "joined", "left"),
    [
        (
            "ALTA TRANSIT",
            "baixa trànsit",
            "Us heu donat d'alta a la llista Trànsit.",
            "Us heu donat de baixa de la llista Trànsit.",
        ),
        ("Alta Tráfico", "BAJA TRAFICO", "Se ha dado de alta en la lista Tráfico.", "Se ha dado de baja de la lista Tráfico."),
        ("join traffic", "LEAVE TRAFFIC!", "You have joined the list Traffic.", "You have left the list Traffic."),
    ],
)
async def test_joining_and_leaving_is_confirmed_in_the_language_of_the_phrase(
    runtime: Runtime, listed_town: Town, join: str, leave: str, joined: str, left: str
) -> None:
    assert (await answer_to(listed_town, 501, join)).startswith(joined)
    assert [channel for _, channel in _subscriptions(runtime)] == [listed_town.channel_id]
    assert (await answer_to(listed_town, 501, leave)).startswith(left)
    assert _subscriptions(runtime) == []
    with Session(runtime.engine) as session:
        history = session.exec(select(ListConsent.action, ListConsent.source).order_by(col(ListConsent.id))).all()
        outcomes = session.exec(select(Message.outcome).where(Message.direction == "in")).all()
    assert history == [("joined", "keyword"), ("left", "keyword")]
    assert outcomes == ["list", "list"]


async def test_joining_twice_and_leaving_a_list_one_is_not_on_say_so(listed_town: Town) -> None:
    await answer_to(listed_town, 502, "ALTA TRANSIT")
    assert (await answer_to(listed_town, 502, "ALTA TRANSIT")).startswith("Ja sou a la llista Trànsit.")
    assert (await answer_to(listed_town, 502, "LEAVE CULTURE")) == "You are not on the list Culture: there is nothing to leave."


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("STOP", "Us heu donat de baixa de totes les llistes (2)."),
        ("baixa tot", "Us heu donat de baixa de totes les llistes (2)."),
        ("BAJA TODO", "Se ha dado de baja de todas las listas (2)."),
        ("Leave all", "You have left every list (2)."),
    ],
)
async def test_stop_leaves_every_list(runtime: Runtime, listed_town: Town, command: str, answer: str) -> None:
    await answer_to(listed_town, 503, "ALTA TRANSIT")
    await answer_to(listed_town, 503, "ALTA CULTURA")
    assert len(_subscriptions(runtime)) == 2
    assert await answer_to(listed_town, 503, command) == answer
    assert _subscriptions(runtime) == []
    # STOP says no language: the citizen's last one answers.
    nothing_left = {"ca": "No sou a cap llista.", "es": "No está en ninguna lista.", "en": "You are not on any list."}
    language = {"Us": "ca", "Se": "es", "You": "en"}[answer.split()[0]]
    assert await answer_to(listed_town, 503, "STOP") == nothing_left[language]


async def test_the_lists_command_shows_the_lists_and_marks_ones_own(listed_town: Town) -> None:
    await answer_to(listed_town, 504, "ALTA CULTURA")
    lines = (await answer_to(listed_town, 504, "LLISTES")).splitlines()
    assert lines == [
        "Llistes de difusió (escriviu la frase per donar-vos d'alta):",
        "• Cultura ✓ (hi sou; per sortir-ne: BAIXA CULTURA)",
        "• Trànsit: ALTA TRANSIT",
        "Escriviu BAIXA TOT per sortir de totes les llistes.",
    ]
    english = (await answer_to(listed_town, 504, "lists")).splitlines()
    assert english[1:3] == ["• Culture ✓ (you are on it; to leave: LEAVE CULTURE)", "• Traffic: JOIN TRAFFIC"]


async def test_a_join_word_for_a_list_that_does_not_exist_answers_with_the_lists(runtime: Runtime, listed_town: Town) -> None:
    lines = (await answer_to(listed_town, 505, "JOIN SWIMMING")).splitlines()
    assert lines[0] == "That list does not exist."
    assert lines[1] == "Distribution lists (send the phrase to join):"
    assert "• Traffic: JOIN TRAFFIC" in lines
    assert _subscriptions(runtime) == []


async def test_a_keyword_that_starts_with_a_join_word_still_answers(runtime: Runtime, listed_town: Town) -> None:
    # The test town's keywords: HORARIS among them; an unknown list after ALTA does not hide a keyword.
    with Session(runtime.engine) as session:
        tenant = session.get_one(Tenant, listed_town.tenant_id)
        from citymes_app.core import keywords

        keywords.create_keyword(
            session,
            tenant=tenant,
            form=keywords.KeywordForm(
                keyword="ALTA PADRO", response="Per donar-vos d'alta al padró, demaneu cita.", language="ca"
            ),
        )
        session.commit()
    assert await answer_to(listed_town, 506, "alta padró") == "Per donar-vos d'alta al padró, demaneu cita."


@pytest.fixture
async def two_numbers(runtime: Runtime, simulator_url: str, api_url: str, dispatcher: None) -> tuple[WhatsAppTown, WhatsAppTown]:
    """A town with two WhatsApp numbers (statuses back quickly) and the traffic list."""
    first = await make_whatsapp_town(runtime, simulator_url, api_url)
    with Session(runtime.engine) as session:
        tenant = session.get_one(Tenant, first.tenant_id)
        lists.save_list(session, tenant=tenant, list_id=None, texts=TRAFFIC)
        session.commit()
    shell = Town(first.tenant_id, first.channel_id, "", "", first.operator, simulator_url)
    second = await make_whatsapp_town(runtime, simulator_url, api_url, town=shell)
    async with httpx.AsyncClient() as client:
        for number in (first, second):
            await client.post(number.number_url("statuses"), json={"delay_seconds": 0.01})
    return first, second


async def wa_answer_to(town: WhatsAppTown, wa_id: str, text: str) -> str:
    """Send `text` as a citizen on WhatsApp; the town's next message."""
    before = len(await wa_business_messages(town, wa_id))
    await wa_citizen_says(town, wa_id, text=text)

    async def new() -> str | None:
        messages = (await wa_business_messages(town, wa_id))[before:]
        return messages[0]["text"] if messages else None

    return str(await eventually(new))


async def test_whatsapp_consent_is_recorded_for_the_number_written_to_only(
    runtime: Runtime, two_numbers: tuple[WhatsAppTown, WhatsAppTown]
) -> None:
    first, second = two_numbers
    assert (await wa_answer_to(first, "34600111222", "ALTA TRANSIT")).startswith("Us heu donat d'alta a la llista Trànsit.")
    assert [channel for _, channel in _subscriptions(runtime)] == [first.channel_id]
    # The same citizen on the town's other number is not on the list there.
    lines = (await wa_answer_to(second, "34600111222", "LLISTES")).splitlines()
    assert "• Trànsit: ALTA TRANSIT" in lines
    with Session(runtime.engine) as session:
        conversations = session.exec(select(Conversation.citizen_id)).all()
    assert len(set(conversations)) == 1  # one citizen, two numbers
    assert [channel for _, channel in _subscriptions(runtime)] == [first.channel_id]
