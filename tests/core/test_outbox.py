"""The outbox dispatcher: one item's trouble stays its own, accepted sends are recorded, leases hold during slow sends."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from citymes_app.core.db import make_engine
from citymes_app.core.outbox import LEASE, OutboxDispatcher
from citymes_app.models import Direction, Message, OutboxItem, OutboxStatus
from citymes_app.runtime import Runtime
from tests.helpers import Town, citizen_says, eventually

HOURS_ANSWER = "L'OAC obre de dilluns a divendres de 8 a 19 h."
HORARIOS_ANSWER = "La OAC abre de lunes a viernes de 8 a 19 h."


async def sent_by_bot(town: Town) -> list[tuple[int, str]]:
    """What the simulator recorded as sent by the town's bot: (chat id, text), oldest first."""
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.get(town.bot_url("sent"))
    response.raise_for_status()
    return [(item["chat_id"], item["text"]) for item in response.json()["sent"]]


def outbox_rows(runtime: Runtime) -> list[OutboxItem]:
    with Session(runtime.engine) as session:
        return list(session.exec(select(OutboxItem).order_by(col(OutboxItem.id))))


async def update_straight_to_webhook(town: Town, api_url: str, *, chat_id: int, message_id: int, text: str) -> None:
    """An update that reaches our webhook without passing through the platform (the simulator never numbers it)."""
    update = {
        "update_id": 900_000 + message_id,
        "message": {
            "message_id": message_id,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Pau"},
            "chat": {"id": chat_id, "type": "private", "first_name": "Pau"},
            "date": int(time.time()),
            "text": text,
        },
    }
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{api_url}/webhooks/telegram/{town.channel_id}",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": town.secret},
        )
    assert response.status_code == 200, response.text


def dispatcher(runtime: Runtime, *, lease: timedelta | None = None) -> OutboxDispatcher:
    return OutboxDispatcher(
        engine=runtime.engine,
        channel_for=runtime.channels.get,
        bus=runtime.bus,
        media_dir=runtime.settings.media_dir,
        lease=lease or LEASE,
    )


async def test_an_item_whose_platform_id_collides_is_sent_once_and_the_others_go_out(
    runtime: Runtime, town: Town, api_url: str
) -> None:
    chats = [801, 802, 803, 804, 805]
    for chat_id in chats:
        await citizen_says(town, chat_id, text="horaris")  # the simulator numbers it 1, and our answer will be 2
    # Chat 803's message number 2 reaches the webhook straight: our answer, numbered 2 by the platform, collides.
    await update_straight_to_webhook(town, api_url, chat_id=803, message_id=2, text="horaris")

    attempted = await dispatcher(runtime).dispatch_due()

    assert attempted == 6
    expected = sorted([(chat_id, HOURS_ANSWER) for chat_id in chats] + [(803, HOURS_ANSWER)])
    assert sorted(await sent_by_bot(town)) == expected
    assert [row.status for row in outbox_rows(runtime)] == [OutboxStatus.SENT] * 6
    with Session(runtime.engine) as session:
        answers = session.exec(select(Message).where(Message.direction == Direction.OUTBOUND).order_by(col(Message.id))).all()
        assert {message.status for message in answers} == {"sent"}
        ids = [message.platform_message_id for message in answers]
    assert ids.count(None) == 1  # the collided one, recorded sent without the taken id
    assert "803:3" in ids  # the reply behind it in the same chat went out and kept its id

    # Nothing is left to go out again, now or after any lease would have run out.
    assert await dispatcher(runtime).dispatch_due() == 0
    assert sorted(await sent_by_bot(town)) == expected


async def test_a_send_slower_than_the_lease_is_not_sent_twice_by_another_worker(runtime: Runtime, town: Town) -> None:
    await citizen_says(town, 811, text="horaris")
    async with httpx.AsyncClient(timeout=30) as client:
        (await client.post(town.bot_url("latency"), json={"seconds": 3})).raise_for_status()
    lease = timedelta(seconds=1)
    slow, other = dispatcher(runtime, lease=lease), dispatcher(runtime, lease=lease)

    first = asyncio.create_task(slow.dispatch_due())
    await eventually(lambda: [row.status for row in outbox_rows(runtime)] == [OutboxStatus.SENDING])
    taken_by_other = 0
    while not first.done():  # the other worker keeps looking for items whose lease ran out
        taken_by_other += await other.dispatch_due()
        await asyncio.sleep(0.1)

    assert await first == 1
    assert taken_by_other == 0
    assert await sent_by_bot(town) == [(811, HOURS_ANSWER)]
    assert [row.status for row in outbox_rows(runtime)] == [OutboxStatus.SENT]


async def test_a_worker_that_lost_its_lease_neither_sends_nor_overwrites_the_new_holder(runtime: Runtime, town: Town) -> None:
    await citizen_says(town, 821, text="horaris")
    stalled = dispatcher(runtime, lease=timedelta(milliseconds=200))
    [claimed] = await stalled.ledger.claim_due("stalled")  # then the worker stalls past its lease
    await asyncio.sleep(0.4)

    assert await dispatcher(runtime).dispatch_due() == 1  # another worker takes it over and sends it
    assert await stalled._send_one("stalled", claimed) is False  # the stalled one wakes up: it must not send
    await stalled.ledger.finish_failed("stalled", claimed, "late verdict", False)

    assert await sent_by_bot(town) == [(821, HOURS_ANSWER)]
    [row] = outbox_rows(runtime)
    assert (row.status, row.last_error) == (OutboxStatus.SENT, None)


async def test_a_worker_that_loses_its_lease_mid_send_does_not_overwrite_the_new_holders_result(
    runtime: Runtime, town: Town
) -> None:
    """The public path: a worker cut off from the database (its renewals fail) while its send is in flight."""
    await citizen_says(town, 831, text="horaris")
    async with httpx.AsyncClient(timeout=30) as client:
        (await client.post(town.bot_url("latency"), json={"seconds": 3})).raise_for_status()
    cut_off = make_engine(runtime.settings.database_url)

    @event.listens_for(cut_off, "before_cursor_execute")
    def _renewals_fail(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.startswith("UPDATE outbox_item SET lease_until="):  # only `_renew` sets the lease alone
            raise OperationalError(statement, None, Exception("the database went away"))

    lease = timedelta(milliseconds=500)
    stalled = OutboxDispatcher(
        engine=cut_off, channel_for=runtime.channels.get, bus=runtime.bus, media_dir=runtime.settings.media_dir, lease=lease
    )
    first = asyncio.create_task(stalled.dispatch_due())
    await eventually(lambda: [row.status for row in outbox_rows(runtime)] == [OutboxStatus.SENDING])
    async with httpx.AsyncClient(timeout=30) as client:  # the platform refuses the first send to reach it: the stalled one's
        (await client.post(town.bot_url("failures"), json={"method": "sendMessage", "status": 400})).raise_for_status()
    # Its lease runs out while the platform holds its send: another worker takes the item over and sends it.
    taken_over = 0
    for _ in range(100):
        taken_over = await dispatcher(runtime, lease=lease).dispatch_due()
        if taken_over:
            break
        await asyncio.sleep(0.05)
    assert taken_over == 1

    assert await first == 1
    assert await sent_by_bot(town) == [(831, HOURS_ANSWER)]  # the new holder's send, once
    [row] = outbox_rows(runtime)
    assert (row.status, row.last_error) == (OutboxStatus.SENT, None)  # not the stalled worker's late "refused"
    with Session(runtime.engine) as session:
        answer = session.exec(select(Message).where(Message.direction == Direction.OUTBOUND)).one()
    assert (answer.status, answer.error) == ("sent", None)
    cut_off.dispose()


async def test_many_citizens_answers_are_claimed_marked_sending_and_recorded_in_lots(runtime: Runtime, town: Town) -> None:
    chats = list(range(851, 881))  # fewer than a worker's lanes: all of them start together
    for chat_id in chats:
        await citizen_says(town, chat_id, text="horaris")
    updates: list[str] = []

    def count_outbox_updates(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("UPDATE outbox_item"):
            updates.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", count_outbox_updates)
    try:
        attempted = await dispatcher(runtime).dispatch_due()
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count_outbox_updates)

    assert attempted == len(chats)
    assert sorted(await sent_by_bot(town)) == [(chat_id, HOURS_ANSWER) for chat_id in chats]
    assert {row.status for row in outbox_rows(runtime)} == {OutboxStatus.SENT}
    # Item by item it takes three updates each (claimed, sending, sent): 90 here. In lots the claim and the marking
    # are one statement each; the answers are recorded in as many lots as they arrive apart (at 30/s, most alone).
    assert len(updates) <= len(chats) + 2


async def test_a_running_worker_sends_each_citizens_answers_in_the_order_they_were_written(runtime: Runtime, town: Town) -> None:
    asked = ["horaris", "horarios", "horaris"]
    for chat_id in (861, 862):
        for keyword in asked:
            await citizen_says(town, chat_id, text=keyword)
    worker = asyncio.create_task(runtime.dispatcher(poll_interval=0.05).run())
    try:
        await eventually(lambda: {row.status for row in outbox_rows(runtime)} == {OutboxStatus.SENT}, timeout=30)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)

    sent = await sent_by_bot(town)
    expected = [HOURS_ANSWER, HORARIOS_ANSWER, HOURS_ANSWER]
    assert [text for chat, text in sent if chat == 861] == expected
    assert [text for chat, text in sent if chat == 862] == expected
