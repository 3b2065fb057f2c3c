"""Live updates by conversation: with 20 operator tabs open, how many of them redraw a thread when one citizen writes.

The app runs as `reflex run --env prod --backend-only` against the simulator; 20 tabs (raw websocket clients that
speak Reflex's protocol, `tests/e2e/raw_tab.py`) sign in, and tab i opens citizen i's conversation. Then citizen 0
writes once (a text no keyword answers, while already waiting: one inbound message, nothing sent back), and the bench
counts, over the next seconds, the updates that carried a thread to a tab — each one a thread read from the database
— and those that carried a reply window (read with it). Then citizen 0 sends a keyword: the inbound message, the
automatic answer and its delivery status, counted the same way.

`BENCH_APP_ROOT` points at another checkout of the app to measure it the same way (the "before" figure); its figures
go to `results/live_fanout_<BENCH_LABEL>.json`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, text

RESULTS = Path(__file__).parent / "results"
TABS = int(os.environ.get("BENCH_TABS", "20"))
APP_ROOT = Path(os.environ.get("BENCH_APP_ROOT", Path(__file__).resolve().parents[1]))
FIRST_CHAT = 700_000_100


def _updates_carrying(tab, var: str) -> int:  # noqa: ANN001
    from citymes_app.state.inbox_state import InboxState

    name = InboxState.get_full_name()
    return sum(
        1 for update in tab.updates if any(key.startswith(var + "_rx_state") for key in update.get("delta", {}).get(name, {}))
    )


def _start_app(workdir: Path, simulator_url: str, *, grown: bool = False) -> tuple[subprocess.Popen, str, dict[str, str]]:
    from citymes_app.core import vault
    from tests.e2e.conftest import _free_port

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        CITYMES_DATABASE_URL=f"sqlite:///{workdir / 'citymes.db'}",
        CITYMES_MEDIA_DIR=str(workdir / "media"),
        CITYMES_TELEGRAM_API_BASE=simulator_url,
        CITYMES_WHATSAPP_API_BASE=simulator_url,
        CITYMES_ENCRYPTION_KEYS=vault.new_key(),  # a throwaway database: throwaway keys
        CITYMES_SECRET_KEY=secrets.token_urlsafe(32),
        CITYMES_KEYS_FILE="/nonexistent/citymes-bench/keys.env",
    )
    cli = [sys.executable, "-m", "citymes_app.cli"]
    loaded = subprocess.run([*cli, "demo"], cwd=APP_ROOT, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Telegram channel (\d+)", loaded.stdout)
    assert found, loaded.stdout
    channel_id = found.group(1)
    if grown:  # a town with years behind it: 1,000,000 messages, 100,000 open conversations
        from bench import grown as history

        engine = create_engine(env["CITYMES_DATABASE_URL"])
        with engine.connect() as connection:
            tenant_id = connection.execute(
                text("SELECT tenant_id FROM channel WHERE id = :id"), {"id": int(channel_id)}
            ).scalar_one()
        engine.dispose()
        history.seed(env["CITYMES_DATABASE_URL"], tenant_id=tenant_id, channel_id=int(channel_id))
    log = (workdir / "reflex.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod", "--backend-only", "--backend-port", str(port)],
        cwd=APP_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _wait_until_up(url, proc, workdir / "reflex.log")
    subprocess.run([*cli, "channel", "set-webhook", channel_id, "--base-url", url], cwd=APP_ROOT, env=env, check=True)
    return proc, url, env


def _wait_until_up(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"reflex exited with status {proc.returncode}; see {log_path}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the backend did not answer; see {log_path}")


def _sign_in(tab, email: str, password: str) -> str:  # noqa: ANN001
    """`RawTab.sign_in`, waiting as long as a busy machine needs for the password check."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return tab.sign_in(email, password) if time.monotonic() < deadline - 29.9 else _cookie(tab)
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _cookie(tab) -> str:  # noqa: ANN001
    from citymes_app.state.auth_state import AuthState

    for update in reversed(tab.updates):
        cookie = update.get("delta", {}).get(AuthState.get_full_name(), {}).get("session_token_rx_state_")
        if cookie:
            return cookie
    raise AssertionError("no session cookie yet")


def _after(tabs: list, write) -> dict:  # noqa: ANN001
    """What the tabs received after `write` (a citizen's message), once everything it set off has settled."""
    for tab in tabs:
        tab.settle(quiet=0.3)
        tab.clear()
    write()
    time.sleep(3)
    for tab in tabs:
        tab.settle(quiet=1.0)
    threads = [_updates_carrying(tab, "thread") for tab in tabs]
    return {
        "thread_updates": sum(threads),
        "reply_window_updates": sum(_updates_carrying(tab, "reply_window") for tab in tabs),
        "tabs_redrawing_a_thread": sum(1 for n in threads if n),
        "thread_updates_in_the_writers_tab": threads[0],
        "tabs_receiving_updates": sum(1 for tab in tabs if tab.updates),
    }


def resident_mb(proc: subprocess.Popen) -> float:
    """The backend's resident memory: the reflex process and everything under it."""
    leader = psutil.Process(proc.pid)
    return round(sum(p.memory_info().rss for p in [leader, *leader.children(recursive=True)]) / 2**20, 1)


def measure(workdir: Path, *, tabs_open: int = TABS, grown: bool = False) -> dict:
    """Open the tabs, let one citizen write once, count the thread redraws (and the backend's memory then)."""
    from citymes_app import demo
    from citymes_app.state.inbox_state import InboxState
    from integrations.simulator.server import serve_simulator
    from tests.e2e.conftest import _stop
    from tests.e2e.raw_tab import RawTab
    from tests.e2e.support import OPERATOR, Site

    with serve_simulator() as simulator_url:
        proc, url, env = _start_app(workdir, simulator_url, grown=grown)
        tabs: list[RawTab] = []
        try:
            site = Site(url=url, simulator_url=simulator_url, bot_token=demo.DEMO_TOKEN, log_path=workdir / "reflex.log")
            for n in range(tabs_open):
                site.citizen_says(FIRST_CHAT + n, f"Citizen {n}", text=f"Una consulta sense paraula clau {n}")
            engine = create_engine(env["CITYMES_DATABASE_URL"])
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT c.id FROM conversation c JOIN citizen z ON z.id = c.citizen_id "
                        "WHERE z.display_name LIKE 'Citizen %' ORDER BY c.id"
                    )
                ).all()
            conversations = [row[0] for row in rows]
            login = RawTab(site).connect("/login")
            cookie = _sign_in(login, OPERATOR, demo.DEMO_PASSWORD)
            login.close()
            for n in range(tabs_open):
                tab = RawTab(site).connect("/inbox", session_cookie=cookie)
                tab.load_page("/inbox")
                tab.send(InboxState, "select", conversation_id=conversations[n])
                tabs.append(tab)
            waiting = _after(tabs, lambda: site.citizen_says(FIRST_CHAT, "Citizen 0", text="Encara espero resposta"))
            answered = _after(tabs, lambda: site.citizen_says(FIRST_CHAT, "Citizen 0", text="HORARIS"))
            return {
                "tabs": tabs_open,
                "messages_stored_before": 1_000_000 if grown else 0,
                "backend_rss_mb": resident_mb(proc),
                "thread_loads_per_inbound_message": waiting["thread_updates"],
                "reply_window_loads_per_inbound_message": waiting["reply_window_updates"],
                "tabs_redrawing_a_thread": waiting["tabs_redrawing_a_thread"],
                "tabs_receiving_updates": waiting["tabs_receiving_updates"],
                "keyword_answered_and_delivered": answered,
                "app": os.environ.get("BENCH_LABEL", "") or "this checkout",
            }
        finally:
            for tab in tabs:
                tab.close()
            _stop(proc)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(Path(tmp))
    RESULTS.mkdir(exist_ok=True)
    label = os.environ.get("BENCH_LABEL", "")
    name = f"live_fanout_{label}.json" if label else "live_fanout.json"
    (RESULTS / name).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
