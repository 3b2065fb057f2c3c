"""The Telegram channel: splitting long texts, its public address, and the Bot API base it is given."""

from __future__ import annotations

import pytest

from integrations.base import AddressKind, ChannelAddress, OutboundMessage, describe_channel
from integrations.simulator.client import SimulatorClient
from integrations.telegram import TelegramChannel, split_text

TOKEN = "123456789:AAtest_token-ABCDE"


def test_short_text_is_one_part() -> None:
    assert split_text("hola") == ["hola"]


def test_long_text_splits_at_word_breaks_within_the_limit() -> None:
    text = "paraula " * 1500
    parts = split_text(text)
    assert all(len(p) <= 4096 for p in parts)
    assert " ".join(p.strip() for p in parts).split() == text.split()


def test_text_without_spaces_is_cut_hard() -> None:
    parts = split_text("x" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]


def test_a_bot_is_described_by_its_public_id_never_its_token() -> None:
    address = TelegramChannel.describe({"token": "123456789:AAsecret-part", "secret": "webhook-secret"})

    assert address == ChannelAddress(AddressKind.BOT, "123456789")
    assert describe_channel("telegram", {"token": "123456789:AAsecret-part"}) == address
    assert TelegramChannel.describe({"token": "no-colon"}) is None


async def test_the_bot_talks_to_the_api_base_it_is_given_not_the_environment(
    simulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYMES_TELEGRAM_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    channel = TelegramChannel.from_credentials(1, {"token": TOKEN, "secret": "s"}, api_base=simulator_url)
    try:
        receipt = await channel.send(OutboundMessage(address="4242", text="Bon dia"))
    finally:
        await channel.close()

    assert len(receipt.platform_message_ids) == 1
    screen = await SimulatorClient(simulator_url).telegram_chat(TOKEN, 4242)
    assert [m["text"] for m in screen["messages"]] == ["Bon dia"]
