"""The citizen phone's lines: which bots it offers, and a citizen's message there reaching the town hall and back."""

from __future__ import annotations

import pytest

from citymes_app.runtime import Runtime, get_runtime
from citymes_app.state.citizen_bubbles import phone_messages
from citymes_app.state.citizen_lines import delivery_problem, phone_lines
from tests.helpers import Town, eventually

HORARIS_ANSWER = "L'OAC obre de dilluns a divendres de 8 a 19 h."


async def test_a_citizen_on_the_phone_writes_to_the_towns_bot_and_sees_the_keyword_answer(
    runtime: Runtime, town: Town, dispatcher: None
) -> None:
    lines, problem = await phone_lines()

    assert problem == ""
    line = lines[str(town.channel_id)]
    assert line.platform == "telegram"
    answer = await line.citizen_message("700123", "Núria", {"text": "HORARIS"})
    assert delivery_problem(answer) == ""

    async def bubbles() -> list[tuple[bool, str]]:
        shown = phone_messages(line.platform, line.timezone, await line.chat("700123"))
        return [(m.from_citizen, m.text) for m in shown]

    async def answered() -> bool:
        return len(await bubbles()) >= 2

    await eventually(answered)
    assert (await bubbles())[:2] == [(True, "HORARIS"), (False, HORARIS_ANSWER)]


async def test_the_phone_offers_nothing_when_the_platforms_are_not_on_the_simulator(
    runtime: Runtime, town: Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYMES_TELEGRAM_API_BASE", "https://api.telegram.org")
    monkeypatch.setenv("CITYMES_WHATSAPP_API_BASE", "https://graph.facebook.com")
    get_runtime.cache_clear()

    lines, problem = await phone_lines()

    assert lines == {}
    assert problem.startswith("The citizen phone works only when CityMes talks to the simulator")
