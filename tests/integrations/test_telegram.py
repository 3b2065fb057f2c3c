"""The Telegram channel: splitting long texts, its public address, the Bot API base it is given, its send rate."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from integrations.base import BURST_SECONDS, AddressKind, ChannelAddress, OutboundMessage, describe_channel
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


def most_in_one_second(times: list[float]) -> int:
    """The most sends the platform saw within any one second (from its own record of when each arrived)."""
    ordered = sorted(times)
    return max(sum(1 for t in ordered[i:] if t < start + 1.0) for i, start in enumerate(ordered))


async def arrival_times(simulator_url: str, token: str) -> list[float]:
    """When each of the bot's sends reached the platform, as the simulator recorded it."""
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.get(f"{simulator_url}/sim/telegram/bots/{token}/sent")
    response.raise_for_status()
    return [item["time"] for item in response.json()["sent"]]


async def send_to_citizens(channel: TelegramChannel, citizens: int) -> float:
    """One notice to each of `citizens` citizens at once; the seconds the channel took to send them all."""
    started = time.monotonic()
    await asyncio.gather(*(channel.send(OutboundMessage(address=str(7000 + n), text="Avís")) for n in range(citizens)))
    return time.monotonic() - started


def slowest_allowed(sends: int, per_second: float) -> float:
    """The least time `sends` sends can take at `per_second` after the channel's small burst: any faster and the
    channel went over its rate (a loaded machine only makes it slower)."""
    return (sends - max(1.0, per_second * BURST_SECONDS)) / per_second


async def test_a_bot_raised_above_the_default_rate_sends_faster_and_never_above_its_own_limit(simulator_url: str) -> None:
    token = "223456789:AAraised_bot-ABCDE"
    simulator = SimulatorClient(simulator_url)
    await simulator.telegram_limits(token, global_per_second=100)  # the bot on paid broadcast, at 100/s
    channel = TelegramChannel.from_credentials(2, {"token": token, "secret": "s", "max_per_second": 100}, api_base=simulator_url)
    try:
        took = await send_to_citizens(channel, 250)  # any send the platform refused would raise RateLimited here
    finally:
        await channel.close()

    times = await arrival_times(simulator_url, token)
    assert len(times) == 250
    # Above Telegram's default 30/s. Never above the bot's 100/s is proven by the platform, which refuses a send over
    # its limit and refused none (a refusal raises above); arrivals counted here are bunched by the simulator's loop on
    # a loaded machine, so they prove the floor, not the ceiling.
    assert most_in_one_second(times) > 30
    assert took >= slowest_allowed(250, 100)


async def test_a_bot_at_the_default_rate_is_never_refused_by_the_platform(simulator_url: str) -> None:
    token = "323456789:AAdefault_bot-ABCDE"
    channel = TelegramChannel.from_credentials(3, {"token": token, "secret": "s"}, api_base=simulator_url)
    try:
        took = await send_to_citizens(channel, 70)  # more than two seconds' worth at 30/s
    finally:
        await channel.close()

    times = await arrival_times(simulator_url, token)
    assert len(times) == 70  # and none refused: a refusal over the platform's 30/s raises above
    assert took >= slowest_allowed(70, 30)


def test_a_channel_rate_that_is_not_a_positive_number_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="max_per_second"):
        TelegramChannel.from_credentials(4, {"token": TOKEN, "secret": "s", "max_per_second": "fast"})
    with pytest.raises(ValueError, match="max_per_second"):
        TelegramChannel.from_credentials(4, {"token": TOKEN, "secret": "s", "max_per_second": 0})
