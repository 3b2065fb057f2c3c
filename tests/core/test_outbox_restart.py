"""The outbox survives restarts: what was pending when a worker died is delivered exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
from sqlmodel import Session, col, select

from citymes_app.core import inbox
from citymes_app.core.db import get_engine
from citymes_app.models import Conversation, Message, OutboxItem, OutboxStatus, row_id, utcnow
from citymes_app.runtime import Runtime, build_runtime
from tests.helpers import IN_HOURS_NOTICE, Town, citizen_says, eventually

Send = tuple[int, str]  # (chat id, text): one bubble the bot sent


async def sent_record(town: Town) -> Counter[Send]:
    """Every message the bot sent, as the simulator recorded them, counted: automatic notices included."""
    async with httpx.AsyncClient() as client:
        response = await client.get(town.bot_url("sent"))
    return Counter((item["chat_id"], item["text"]) for item in response.json()["sent"])


def queued_sends(runtime: Runtime) -> Counter[Send]:
    """Every item in the outbox (operators' replies and automatic notices), counted."""
    with Session(runtime.engine) as session:
        rows = session.exec(select(OutboxItem.address, Message.text).join(Message, col(Message.id) == OutboxItem.message_id))
        return Counter((int(address), text) for address, text in rows)


async def leave_pending_replies(runtime: Runtime, town: Town) -> Send:
    """Citizens write while no dispatcher runs (each gets an automatic notice queued); operators answer; one send
    was cut off mid-way by a crash. Returns that half-sent item."""
    for chat_id in (701, 702, 703):
        await citizen_says(town, chat_id, text=f"consulta {chat_id}")
    with Session(runtime.engine) as session:
        for conversation in session.exec(select(Conversation).order_by(col(Conversation.id))):
            for n in (1, 2):
                text = f"resposta {n} per {conversation.address}"
                inbox.reply(session, operator=town.operator, conversation_id=row_id(conversation), text=text)
        session.commit()
        # A worker that died while sending leaves its item 'sending' with a lease that runs out.
        item = session.exec(select(OutboxItem).order_by(col(OutboxItem.id))).first()
        assert item is not None
        item.status, item.lease_until = OutboxStatus.SENDING, utcnow() - timedelta(seconds=1)
        session.add(item)
        session.commit()
        half_sent = (int(item.address), session.get_one(Message, item.message_id).text)
    queued = queued_sends(runtime)
    assert sum(queued.values()) == 9 and set(queued.values()) == {1}  # 3 notices + 6 replies, all different
    assert half_sent in queued
    assert await sent_record(town) == Counter()  # nothing left yet
    return half_sent


def fresh_runtime(runtime: Runtime) -> Runtime:
    """What a restarted process builds: new engine, new channel clients, same database."""
    get_engine.cache_clear()
    return build_runtime(runtime.settings)


async def test_pending_items_are_delivered_once_after_a_restart(runtime: Runtime, town: Town) -> None:
    half_sent = await leave_pending_replies(runtime, town)

    restarted = fresh_runtime(runtime)
    dispatcher = restarted.dispatcher()
    for _ in range(40):
        await dispatcher.dispatch_due()
        if await _all_sent(restarted):
            break
        await asyncio.sleep(0.3)
    sent = await sent_record(town)
    assert sent == queued_sends(runtime)  # every item, notices included, exactly once
    assert sent[half_sent] == 1
    assert await dispatcher.dispatch_due() == 0  # nothing left to send again
    assert await sent_record(town) == sent
    await restarted.channels.close()


async def test_two_workers_share_the_outbox_without_sending_twice(runtime: Runtime, town: Town) -> None:
    half_sent = await leave_pending_replies(runtime, town)
    first, second = fresh_runtime(runtime), fresh_runtime(runtime)
    workers = [asyncio.create_task(rt.dispatcher(poll_interval=0.1).run()) for rt in (first, second)]
    try:
        await eventually(lambda: _all_sent(first), timeout=30, interval=0.2)
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    sent = await sent_record(town)
    assert sent == queued_sends(runtime)  # every item, notices included, exactly once
    assert sent[half_sent] == 1
    await first.channels.close()
    await second.channels.close()


async def test_replies_to_one_citizen_arrive_in_the_order_written(runtime: Runtime, town: Town) -> None:
    await citizen_says(town, 704, text="tinc tres preguntes")
    with Session(runtime.engine) as session:
        conversation = session.exec(select(Conversation)).one()
        for n in range(1, 6):
            inbox.reply(session, operator=town.operator, conversation_id=row_id(conversation), text=f"part {n}")
        session.commit()
    async with httpx.AsyncClient() as client:  # the second send hits a flood limit
        await client.post(town.bot_url("failures"), json={"method": "sendMessage", "status": 429, "retry_after": 1})
    task = asyncio.create_task(runtime.dispatcher(poll_interval=0.1).run())
    try:
        await eventually(lambda: _all_sent(runtime), timeout=30, interval=0.2)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    async with httpx.AsyncClient() as client:
        sent = (await client.get(town.bot_url("sent"))).json()["sent"]
    assert [item["text"] for item in sent] == [IN_HOURS_NOTICE] + [f"part {n}" for n in range(1, 6)]


async def _all_sent(runtime: Runtime) -> bool:
    def check() -> bool:
        with Session(runtime.engine) as session:
            statuses = session.exec(select(OutboxItem.status)).all()
        return bool(statuses) and all(status == OutboxStatus.SENT for status in statuses)

    return await asyncio.to_thread(check)
