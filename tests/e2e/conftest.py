"""Browser tests: the whole app (`reflex run --env prod`, one port) against the simulator, driven by Chromium.

One app, one simulator and one Chromium serve this package (starting them takes seconds); every test uses its own
citizens (fresh chat ids), so tests do not depend on each other. Package scope, not session: Playwright's sync API
keeps an event loop running while it is open, which the asyncio tests of other packages cannot share. Screenshots
go to `test-artifacts/`.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ViewportSize, sync_playwright

from citymes_app import demo
from integrations.simulator.server import serve_simulator
from tests.e2e.support import ARTIFACTS, OTHER_OPERATOR, OTHER_TENANT, ROOT, Site, set_interface_language

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT_SECONDS = 300  # the very first start installs the front end's npm packages
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"reflex exited with status {proc.returncode}; see {log_path}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200 and httpx.get(url, timeout=5).is_success:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app did not answer within {STARTUP_TIMEOUT_SECONDS}s; see {log_path}")
        time.sleep(0.5)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGINT)  # the group: reflex, granian and its workers
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class AppProcess:
    """The app's process group, `reflex run --env prod`: started, killed (as a crash would), started again on the
    same port (as a service manager restarts it)."""

    def __init__(self, port: int, env: dict[str, str], log_path: Path) -> None:
        self.port, self.env, self.log_path = port, env, log_path
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod", "--backend-port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = time.perf_counter()
        _wait_until_up(self.url, self.proc, self.log_path)
        print(f"\napp up in {time.perf_counter() - started:.1f}s at {self.url}", flush=True)

    def kill(self) -> None:
        """SIGKILL the whole group (reflex, granian and its workers), as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)


# Session-scoped (not package-scoped): under pytest-xdist a process runs browser test files between others, and a
# package fixture would be torn down and the site rebuilt each time it came back to this folder.
@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo town served by `reflex run --env prod` on a free port, its bot's webhook pointing at it."""
    ARTIFACTS.mkdir(exist_ok=True)
    data = tmp_path_factory.mktemp("e2e")
    log_path = ARTIFACTS / f"reflex-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with serve_simulator() as simulator_url:
        env = dict(
            os.environ,
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # Node 24 from the venv
            REFLEX_USE_NPM="1",
            REFLEX_TELEMETRY_ENABLED="false",
            REFLEX_CHECK_LATEST_VERSION="false",
            PYTHONUNBUFFERED="1",
            CITYMES_DATABASE_URL=f"sqlite:///{data / 'citymes.db'}",
            CITYMES_MEDIA_DIR=str(data / "media"),
            CITYMES_TELEGRAM_API_BASE=simulator_url,
            CITYMES_WHATSAPP_API_BASE=simulator_url,
            CITYMES_SIMULATOR_URL=simulator_url,
        )
        cli = [sys.executable, "-m", "citymes_app.cli"]
        loaded = subprocess.run([*cli, "demo"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        telegram = re.search(r"Telegram channel (\d+)", loaded.stdout)
        whatsapp = re.search(r"WhatsApp channel (\d+)", loaded.stdout)
        assert telegram and whatsapp, "the demo command named no Telegram or no WhatsApp channel"
        channel_id, whatsapp_id = telegram.group(1), whatsapp.group(1)
        slug, name = OTHER_TENANT
        email, password, operator_name = OTHER_OPERATOR
        subprocess.run([*cli, "tenant", "add", slug, "--name", name], cwd=ROOT, env=env, capture_output=True, check=True)
        subprocess.run(
            [*cli, "operator", "add", slug, email, "--name", operator_name],
            input=password + "\n",
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        # The browser tests read the interface in English; the demo town's operators would see Catalan (its first
        # language), as a fresh `make run` shows it. test_interface_language.py switches languages itself.
        set_interface_language(env["CITYMES_DATABASE_URL"], "en")

        log_path.write_text("")
        app = AppProcess(port, env, log_path)
        try:
            app.start()
            subprocess.run(
                [*cli, "channel", "set-webhook", channel_id, "--base-url", url],
                cwd=ROOT,
                env=env,
                capture_output=True,
                check=True,
            )
            # The demo's WhatsApp number: registered with the simulator, which checks our webhook (Meta's handshake).
            subprocess.run(
                [*cli, "channel", "connect-simulator", whatsapp_id, "--simulator-url", simulator_url, "--base-url", url],
                cwd=ROOT,
                env=env,
                capture_output=True,
                check=True,
            )
            yield Site(
                url=url,
                simulator_url=simulator_url,
                bot_token=demo.DEMO_TOKEN,
                log_path=log_path,
                whatsapp_number_id=demo.DEMO_WHATSAPP_CREDENTIALS["phone_number_id"],
                database_url=env["CITYMES_DATABASE_URL"],
                app=app,
            )
        finally:
            app.stop()


# Package-scoped: Playwright's sync API keeps an event loop running in this thread while it is open, and the async
# tests a process runs after leaving this folder need the thread without one.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded one)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make browser`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator:
    """Make browser contexts (one per simulated person: background tabs of one context get throttled)."""
    contexts: list[BrowserContext] = []

    def make(locale: str | None = None) -> BrowserContext:
        """A context; `locale` is the language the browser prefers (Accept-Language), Chromium's own by default."""
        context = browser.new_context(viewport=VIEWPORT, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]):
    """Print a measurement even under `-q` (measured, not asserted)."""

    def say(line: str) -> None:
        with capsys.disabled():
            print(f"\n  {line}", flush=True)

    return say
