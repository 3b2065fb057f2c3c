"""Polling mode: python-telegram-bot long-polls the simulator; offsets are confirmed only after storing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from citymes_app.core.polling import PollingSupervisor
from citymes_app.models import Channel, Message, utcnow
from citymes_app.runtime import Runtime
from integrations.simulator.client import SimulatorClient
from tests.helpers import Town, bot_messages, citizen_says, eventually, make_town


@pytest.fixture
async def polling_town(runtime: Runtime, simulator_url: str, dispatcher: None) -> AsyncIterator[Town]:
    town = make_town(runtime, simulator_url, mode="polling")
    yield town
    await runtime.channels.close()


async def run_poller(runtime: Runtime) -> asyncio.Task[None]:
    supervisor = PollingSupervisor(ingestor=runtime.ingestor, channels=runtime.channels, long_poll_seconds=1)
    return asyncio.create_task(supervisor.run())


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def inbound_count(runtime: Runtime) -> int:
    with Session(runtime.engine) as session:
        return session.exec(select(func.count()).select_from(Message).where(Message.direction == "in")).one()


async def test_polled_keyword_is_answered_and_offset_confirmed(runtime: Runtime, polling_town: Town) -> None:
    poller = await run_poller(runtime)
    try:
        answer = await citizen_says(polling_town, 801, text="horaris")
        assert answer["delivery"] == "getUpdates"
        replies = await eventually(lambda: bot_messages(polling_town, 801))
        assert [m["text"] for m in replies] == ["L'OAC obre de dilluns a divendres de 8 a 19 h."]
        with Session(runtime.engine) as session:
            channel = session.get_one(Channel, polling_town.channel_id)
            assert channel.poll_offset == answer["update_id"] + 1
    finally:
        await stop(poller)


async def test_messages_sent_while_stopped_are_taken_once_after_a_restart(runtime: Runtime, polling_town: Town) -> None:
    poller = await run_poller(runtime)
    await citizen_says(polling_town, 802, text="primer missatge")
    await eventually(lambda: inbound_count(runtime) == 1)
    await stop(poller)

    await citizen_says(polling_town, 802, text="segon missatge, amb el servei aturat")
    poller = await run_poller(runtime)
    try:
        await eventually(lambda: inbound_count(runtime) == 2)
        await asyncio.sleep(1.5)  # a further long-poll round must not hand the same updates out again
        assert inbound_count(runtime) == 2
    finally:
        await stop(poller)


def confirmed_offset(runtime: Runtime, town: Town) -> int:
    with Session(runtime.engine) as session:
        return session.get_one(Channel, town.channel_id).poll_offset


async def polling_now(simulator: SimulatorClient, town: Town, polls_before: int) -> bool:
    return (await simulator.telegram_polling(town.token))["polls"] > polls_before


def lease_owner(runtime: Runtime, channel_id: int) -> str | None:
    with Session(runtime.engine) as session:
        return session.get_one(Channel, channel_id).poll_lease_owner


async def test_two_workers_never_poll_one_bot_at_once_and_one_takes_over_when_the_other_stops(
    runtime: Runtime, polling_town: Town
) -> None:
    def worker() -> PollingSupervisor:
        lease = timedelta(seconds=3)
        return PollingSupervisor(
            ingestor=runtime.ingestor, channels=runtime.channels, long_poll_seconds=1, lease=lease, rescan_seconds=0.2
        )

    first, second = worker(), worker()
    tasks = {first.owner: asyncio.create_task(first.run()), second.owner: asyncio.create_task(second.run())}
    try:
        holder = await eventually(lambda: lease_owner(runtime, polling_town.channel_id))
        for n in range(6):
            await citizen_says(polling_town, 810 + n, text=f"missatge {n}")
            await asyncio.sleep(0.3)
        await eventually(lambda: inbound_count(runtime) == 6)
        assert lease_owner(runtime, polling_town.channel_id) == holder

        assert holder in tasks
        await stop(tasks.pop(holder))
        successor = await eventually(lambda: lease_owner(runtime, polling_town.channel_id))
        assert successor != holder
        for n in range(6, 10):
            await citizen_says(polling_town, 810 + n, text=f"missatge {n}")
        await eventually(lambda: inbound_count(runtime) == 10)

        polling = await SimulatorClient(polling_town.simulator_url).telegram_polling(polling_town.token)
        assert polling["polls"] >= 2  # both workers polled (each stored some of the messages)...
        assert polling["conflicts"] == 0  # ...and never two at once
    finally:
        for task in tasks.values():
            await stop(task)


async def test_a_worker_whose_lease_was_taken_over_stops_polling_and_confirms_nothing(
    runtime: Runtime, polling_town: Town
) -> None:
    worker = PollingSupervisor(
        ingestor=runtime.ingestor,
        channels=runtime.channels,
        long_poll_seconds=2,
        lease=timedelta(seconds=5),
        rescan_seconds=0.2,
    )
    task = asyncio.create_task(worker.run())
    simulator = SimulatorClient(polling_town.simulator_url)
    try:
        first = await citizen_says(polling_town, 830, text="abans")
        await eventually(lambda: inbound_count(runtime) == 1 and confirmed_offset(runtime, polling_town) > first["update_id"])
        polls = (await simulator.telegram_polling(polling_town.token))["polls"]
        await eventually(lambda: polling_now(simulator, polling_town, polls))  # a long poll is open...
        with Session(runtime.engine) as session:
            # As if this worker had stalled past its lease and another had taken the bot over.
            channel = session.get_one(Channel, polling_town.channel_id)
            offset = channel.poll_offset
            channel.poll_lease_owner, channel.poll_lease_until = "another-worker", utcnow() + timedelta(minutes=5)
            session.add(channel)
            session.commit()
        await citizen_says(polling_town, 831, text="després")  # ...and hands this message out
        await asyncio.sleep(2.5)  # the long poll open at the takeover ends
        polls = (await simulator.telegram_polling(polling_town.token))["polls"]
        await asyncio.sleep(4)  # a worker still polling would have asked again by now

        assert (await simulator.telegram_polling(polling_town.token))["polls"] == polls
        with Session(runtime.engine) as session:
            channel = session.get_one(Channel, polling_town.channel_id)
            assert (channel.poll_lease_owner, channel.poll_offset) == ("another-worker", offset)
        assert inbound_count(runtime) == 2  # the open poll fetched it and it was stored, but not confirmed
    finally:
        await stop(task)
