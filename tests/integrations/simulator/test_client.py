"""The simulator's control-API client: the same calls from async and blocking code, errors as two exceptions."""

from __future__ import annotations

import secrets

import pytest

from integrations.simulator.client import (
    SimulatorClient,
    SimulatorRefused,
    SimulatorUnreachable,
    SyncSimulatorClient,
    simulator_handle,
)

TOKEN = "987654321:AAclient_test-token"


async def test_a_citizen_message_shows_on_the_phone_from_both_clients(simulator_url: str) -> None:
    answer = await SimulatorClient(simulator_url).telegram_citizen_message(TOKEN, 555, "Laia", text="Hola")

    assert answer["delivery"] == "getUpdates"  # no webhook set: the bot would fetch it
    screen = SyncSimulatorClient(simulator_url).telegram_chat(TOKEN, 555)
    assert [(m["from"], m["text"]) for m in screen["messages"]] == [("citizen", "Hola")]


async def test_a_refusal_carries_the_simulators_own_words(simulator_url: str) -> None:
    with pytest.raises(SimulatorRefused) as refused:
        await SimulatorClient(simulator_url).whatsapp_citizen_message("404404", "34600111222", "Pere", text="Hola")
    assert refused.value.status == 400
    assert refused.value.description.startswith("no number ")

    with pytest.raises(SimulatorRefused) as bad_template:
        SyncSimulatorClient(simulator_url).whatsapp_approve_template("404404", name="Not A Name", language="ca", body="x")
    assert bad_template.value.status == 400


async def test_a_registered_number_takes_templates(simulator_url: str) -> None:
    credentials = {
        "phone_number_id": str(10**14 + secrets.randbelow(10**14)),
        "access_token": "EAAG" + secrets.token_hex(8),
        "app_secret": secrets.token_hex(16),
        "verify_token": secrets.token_hex(8),
    }
    simulator = SimulatorClient(simulator_url)

    registered = await simulator.whatsapp_register_number(credentials)
    approved = await simulator.whatsapp_approve_template(
        simulator_handle("whatsapp", credentials), name="avis", language="ca", body="Avís: {{1}}"
    )

    assert registered["verified"] is False  # no callback URL given: nothing to verify
    assert approved["templates"] == [{"name": "avis", "language": "ca"}]


async def test_a_simulator_that_is_not_running_is_unreachable() -> None:
    with pytest.raises(SimulatorUnreachable):
        await SimulatorClient("http://127.0.0.1:9", timeout=2).reset()
    with pytest.raises(SimulatorUnreachable):
        SyncSimulatorClient("http://127.0.0.1:9", timeout=2).reset()


def test_the_handle_is_the_token_or_the_number_id() -> None:
    assert simulator_handle("telegram", {"token": TOKEN, "secret": "s"}) == TOKEN
    assert simulator_handle("whatsapp", {"phone_number_id": "600000000", "access_token": "t"}) == "600000000"
    assert simulator_handle("signal", {"token": TOKEN}) == ""
