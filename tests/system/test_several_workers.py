"""Several backend workers on PostgreSQL and Redis: a citizen's message arriving through the webhook on one worker
reaches an operator whose tab is connected to another.

Two backend processes (`reflex run --env prod --backend-only`, one granian worker each) on two ports share one
PostgreSQL database and one Redis database: that is what granian's workers are to each other (separate processes,
each with its own Reflex instance id), but with two ports the test chooses which worker each connection reaches.
The operator's tab is a raw websocket client speaking Reflex's protocol (`tests/e2e/raw_tab.py`); the citizen writes
through the simulator, whose webhook points at the other worker.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from citymes_app.core.db import make_engine
from citymes_app.pages import inbox
from citymes_app.state.inbox_state import InboxState
from tests.e2e.raw_tab import RawTab
from tests.e2e.support import Site, new_chat_id
from tests.processes import free_port
from tests.system.conftest import fresh_postgres_database, fresh_redis_database
from tests.system.installation import run_cli, serve_backend, serve_simulator

TOKEN = "7000000002:severalWorkersBotToken"
SECRET = "several-workers-secret"
OPERATOR = ("laia@vila.test", "laia-password-123")
KEYWORDS_CSV = "keyword,response,language,synonyms,featured\nHORARIS,L'OAC obre de 8 a 19 h.,ca,horari,true\n"
ANSWER = "L'OAC obre de 8 a 19 h."
CITIZENS = 60
UPDATE_TIMEOUT = 30.0


@dataclass
class Workers:
    """The simulator and two backends sharing one PostgreSQL database and one Redis database."""

    env: dict[str, str]
    simulator_url: str
    urls: list[str]
    logs: list[Path]
    channel_id: int

    def site(self, worker: int) -> Site:
        """One worker as a site a raw tab can connect to."""
        return Site(url=self.urls[worker], simulator_url=self.simulator_url, bot_token=TOKEN, log_path=self.logs[worker])

    def conversation_of(self, chat_id: int) -> int:
        """The id of the conversation with the citizen `chat_id`."""
        engine = make_engine(self.env["CITYMES_DATABASE_URL"])
        try:
            with engine.connect() as connection:
                query = text("SELECT id FROM conversation WHERE address = :address")
                return connection.execute(query, {"address": str(chat_id)}).scalar_one()
        finally:
            engine.dispose()

    def query(self, sql: str) -> list[tuple]:
        engine = make_engine(self.env["CITYMES_DATABASE_URL"])
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(sql))]
        finally:
            engine.dispose()

    def signed_in_tab(self, worker: int) -> RawTab:
        """An operator's inbox tab connected to `worker`, signed in and linked to the live inbox."""
        email, password = OPERATOR
        login = RawTab(self.site(worker)).connect("/login")
        try:
            cookie = login.sign_in(email, password)
        finally:
            login.close()
        tab = RawTab(self.site(worker)).connect(inbox.ROUTE, session_cookie=cookie)
        tab.load_page(inbox.ROUTE)
        return tab


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    """One installation for the module's tests (each uses citizens of its own)."""
    tmp_path = tmp_path_factory.mktemp("workers")
    with fresh_postgres_database() as postgres_url, fresh_redis_database() as redis_url:
        yield from serve_two_workers(tmp_path, postgres_url, redis_url)


def serve_two_workers(tmp_path: Path, postgres_url: str, redis_url: str) -> Iterator[Workers]:
    sim_port = free_port()
    simulator_url = f"http://127.0.0.1:{sim_port}"
    env = {
        "CITYMES_DATABASE_URL": postgres_url,
        "REFLEX_REDIS_URL": redis_url,
        "GRANIAN_WORKERS": "1",  # one worker per port: the test picks the worker by the port
        "CITYMES_MEDIA_DIR": str(tmp_path / "media"),
        "CITYMES_TELEGRAM_API_BASE": simulator_url,
        "CITYMES_WHATSAPP_API_BASE": simulator_url,
        "CITYMES_SIMULATOR_URL": simulator_url,
    }
    with ExitStack() as running:
        running.enter_context(serve_simulator(sim_port, tmp_path / "simulator.log", env))
        keywords = tmp_path / "keywords.csv"
        keywords.write_text(KEYWORDS_CSV)
        run_cli(env, "init-db")
        run_cli(env, "tenant", "add", "vila", "--name", "Ajuntament de la Vila")
        run_cli(env, "keywords", "import", "vila", str(keywords))
        email, password = OPERATOR
        run_cli(env, "operator", "add", "vila", email, "--name", "Laia", stdin=password + "\n")
        channel_id = int(run_cli(env, "channel", "add", "vila", "telegram", "--token", TOKEN, "--secret", SECRET))
        ports = [free_port(), free_port()]
        logs = [tmp_path / f"worker-{n}.log" for n in range(len(ports))]
        # One after the other: both prepare the same .web folder.
        served = [running.enter_context(serve_backend(port, log, env)) for port, log in zip(ports, logs, strict=True)]
        yield Workers(env, simulator_url, [worker.url for worker in served], logs, channel_id)


def wait_for(tab: RawTab, marker: str, state: type | None = None) -> None:
    """Wait until the tab received `marker` (in the values of `state`, when given)."""
    deadline = time.monotonic() + UPDATE_TIMEOUT
    while marker not in (tab.text() if state is None else values_of(tab, state)):
        assert time.monotonic() < deadline, f"the tab on {tab.site.url} never received {marker!r}"
        time.sleep(0.1)


def values_of(tab: RawTab, state: type) -> str:
    """Everything the tab received of one state's values, as one string to search."""
    name = state.get_full_name()  # type: ignore[attr-defined]  # a Reflex state class
    return json.dumps([update.get("delta", {}).get(name) for update in list(tab.updates)], ensure_ascii=False)


def test_a_message_arriving_on_one_worker_reaches_an_operator_connected_to_another(workers: Workers) -> None:
    first, second = 0, 1
    run_cli(workers.env, "channel", "set-webhook", str(workers.channel_id), "--base-url", workers.urls[second])
    on_first = workers.signed_in_tab(first)
    on_second = workers.signed_in_tab(second)
    try:
        chat_id, marker = new_chat_id(), f"farola-{new_chat_id()}"
        assert marker not in on_first.text()
        answer = workers.site(second).citizen_says(chat_id, "Pere", text=f"La farola del carrer Nou no va ({marker})")
        assert answer["webhook_status"] == 200

        wait_for(on_first, marker)  # through Redis: the message was stored and published by the other worker
        wait_for(on_second, marker)

        # The operator on the first worker opens the conversation: the citizen's next message redraws that thread.
        on_first.send(InboxState, "select", conversation_id=workers.conversation_of(chat_id))
        later = f"encara-{new_chat_id()}"
        workers.site(second).citizen_says(chat_id, "Pere", text=f"Continua apagada ({later})")
        wait_for(on_first, later, InboxState)

        # Their reply, written on the first worker, reaches the citizen and the colleague on the second worker.
        reply = f"Hi enviem la brigada ({new_chat_id()})"
        on_first.send(InboxState, "send_reply", form_data={"reply": reply})
        wait_for(on_second, reply)
        deadline = time.monotonic() + UPDATE_TIMEOUT
        while reply not in [m.get("text") for m in workers.site(second).phone_screen(chat_id)]:
            assert time.monotonic() < deadline, "the operator's reply never reached the citizen"
            time.sleep(0.2)
    finally:
        on_first.close()
        on_second.close()


async def test_each_reply_is_sent_once_while_both_workers_dispatch(workers: Workers) -> None:
    chats = [new_chat_id() for _ in range(CITIZENS)]
    bot_url = f"{workers.simulator_url}/sim/telegram/bots/{TOKEN}"
    async with httpx.AsyncClient(timeout=60) as client:

        async def citizen_asks(chat_id: int) -> None:
            body = {"chat_id": chat_id, "first_name": "Veí", "text": "horaris"}
            answer = await client.post(f"{bot_url}/citizen-message", json=body)
            answer.raise_for_status()
            assert answer.json()["webhook_status"] == 200

        # Half the citizens write to each worker; every worker's dispatcher sends, from the one shared outbox.
        half = len(chats) // 2
        for worker, citizens in enumerate((chats[:half], chats[half:])):
            run_cli(workers.env, "channel", "set-webhook", str(workers.channel_id), "--base-url", workers.urls[worker])
            await asyncio.gather(*(citizen_asks(chat_id) for chat_id in citizens))

        async def replies() -> Counter[int]:
            sent = (await client.get(f"{bot_url}/sent")).json()["sent"]
            return Counter(item["chat_id"] for item in sent if item["text"] == ANSWER)

        deadline = time.monotonic() + UPDATE_TIMEOUT
        while True:
            waiting = workers.query("SELECT count(*) FROM outbox_item WHERE status IN ('pending', 'claimed', 'sending')")
            per_chat = await replies()
            if waiting[0][0] == 0 and all(per_chat[chat_id] for chat_id in chats):
                break
            assert time.monotonic() < deadline, f"replies still missing: {sum(1 for c in chats if not per_chat[c])}"
            await asyncio.sleep(0.5)

    assert {chat_id: per_chat[chat_id] for chat_id in chats} == dict.fromkeys(chats, 1)
