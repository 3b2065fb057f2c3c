"""Channel commands: WhatsApp numbers added, listed, disabled and enabled again; their approved templates.

One test runs the real command line in a subprocess; the rest call `cli.main` in-process (a subprocess costs about a
second of imports each, and these cases only differ in their arguments).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from citymes_app import cli as citymes_cli
from citymes_app.core import tenants
from citymes_app.core.config import PROJECT_ROOT
from citymes_app.core.db import get_engine
from tests.helpers import server_keys_env

WHATSAPP = (
    "--phone-number-id",
    "106540352242922",
    "--access-token",
    "EAAGtoken",
    "--app-secret",
    "0123456789abcdef",
    "--verify-token",
    "verify-me",
)
TELEGRAM = ("--token", "123:abcDEF", "--secret", "s3cret")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[..., Result]]:
    """`python -m citymes_app.cli ARGS` run in-process against a fresh database with the tenant 'mataro'."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CITYMES_DATABASE_URL", url)
    get_engine.cache_clear()  # the engine is cached per process; this database is new

    def run(*args: str) -> Result:
        try:
            code = citymes_cli.main(list(args))
        except SystemExit as exc:  # argparse's own errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    assert run("init-db").returncode == 0
    assert run("tenant", "add", "mataro", "--name", "Ajuntament de Mataró").returncode == 0
    yield run
    get_engine().dispose()
    get_engine.cache_clear()


def test_whatsapp_channel_add_prints_the_new_id_from_the_command_line(tmp_path: Path) -> None:
    env = {"CITYMES_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PATH": "/usr/bin:/bin", **server_keys_env()}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "citymes_app.cli", *args]
        return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert run("init-db").returncode == 0
    run("tenant", "add", "mataro", "--name", "Mataró")
    added = run("channel", "add", "mataro", "whatsapp", *WHATSAPP)
    assert (added.returncode, added.stdout.strip(), added.stderr) == (0, "1", "")


def test_whatsapp_number_is_listed_disabled_and_enabled_again(cli: Callable[..., Result]) -> None:
    assert cli("channel", "add", "mataro", "telegram", "--token", "123:abcDEF", "--secret", "s3cret").stdout == "1\n"
    assert cli("channel", "add", "mataro", "whatsapp", *WHATSAPP, "--name", "WhatsApp OAC").stdout == "2\n"
    assert cli("channel", "list", "mataro").stdout.splitlines() == [
        "1\ttelegram\twebhook\tenabled\ttelegram",
        "2\twhatsapp\twebhook\tenabled\tWhatsApp OAC",
    ]
    assert cli("channel", "disable", "2").stdout == "channel 2 disabled\n"
    assert cli("channel", "list", "mataro").stdout.splitlines()[1] == "2\twhatsapp\twebhook\tdisabled\tWhatsApp OAC"
    assert cli("channel", "enable", "2").stdout == "channel 2 enabled\n"
    assert cli("channel", "list", "mataro").stdout.splitlines()[1] == "2\twhatsapp\twebhook\tenabled\tWhatsApp OAC"


def test_a_bot_on_paid_broadcast_is_added_with_its_raised_rate(cli: Callable[..., Result]) -> None:
    assert cli("channel", "add", "mataro", "telegram", *TELEGRAM, "--messages-per-second", "1000").stdout == "1\n"

    with Session(get_engine()) as session:
        [channel] = tenants.list_channels(session)
    assert channel.credentials["max_per_second"] == 1000


def test_approved_templates_are_recorded_per_channel(cli: Callable[..., Result]) -> None:
    cli("channel", "add", "mataro", "whatsapp", *WHATSAPP)
    body = "Hola {{1}}, el tràmit {{2}} és llest."
    added = cli("channel", "add-template", "1", "tramit_llest", "--language", "ca", "--body", body)
    assert added.stdout.strip() == "template tramit_llest (ca) recorded for channel 1: 2 parameter(s)", added.stderr
    assert cli("channel", "templates", "1").stdout.splitlines() == [f"tramit_llest\tca\t2\t{body}"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("channel", "add", "mataro", "whatsapp", "--access-token", "t"), "needs --phone-number-id"),
        (("channel", "add", "mataro", "whatsapp", *WHATSAPP[:6]), "needs --verify-token"),
        (("channel", "add", "mataro", "whatsapp", *WHATSAPP, "--mode", "polling"), "webhook only"),
        (("channel", "add", "mataro", "whatsapp", *WHATSAPP, "--messages-per-second", "5000"), "between 1 and 1000"),
        (("channel", "add", "mataro", "telegram", *TELEGRAM, "--messages-per-second", "0"), "between 1 and 1000"),
        (("channel", "add", "nowhere", "whatsapp", *WHATSAPP), "no tenant 'nowhere'"),
        (("channel", "add", "mataro", "fax"), "platform 'fax' is not supported"),
        (("channel", "disable", "99"), "no channel 99"),
        (("channel", "enable", "abc"), "invalid int value"),
        (("channel", "add-template", "99", "x", "--language", "ca", "--body", "b"), "no channel 99"),
        (("channel", "templates", "99"), "no channel 99"),
    ],
)
def test_channel_errors_are_one_line_and_exit_2(cli: Callable[..., Result], args: tuple[str, ...], message: str) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_number_already_added_and_a_bad_template_are_refused(cli: Callable[..., Result]) -> None:
    assert cli("channel", "add", "mataro", "whatsapp", *WHATSAPP).returncode == 0
    again = cli("channel", "add", "mataro", "whatsapp", *WHATSAPP)
    assert (again.returncode, again.stderr.strip()) == (2, "error: phone number id 106540352242922 is already channel 1")
    gap = cli("channel", "add-template", "1", "avis", "--language", "ca", "--body", "Hola {{2}}")
    assert (gap.returncode, gap.stderr.strip()) == (2, "error: the placeholders must be numbered {{1}}, {{2}}... without gaps")
    bad_name = cli("channel", "add-template", "1", "Avís Urgent", "--language", "ca", "--body", "Hola")
    assert bad_name.returncode == 2
    assert "is not a template name" in bad_name.stderr


def test_connect_simulator_registers_the_demo_number_so_citizens_reach_our_webhook(
    runtime, simulator_url: str, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlmodel import Session

    from citymes_app import demo

    with Session(runtime.engine) as session:
        summary = demo.load_demo(session)
        session.commit()
    get_engine.cache_clear()  # the command reads the database from the environment the runtime fixture set
    code = citymes_cli.main(
        [
            "channel",
            "connect-simulator",
            str(summary.whatsapp_channel_id),
            "--simulator-url",
            simulator_url,
            "--base-url",
            api_url,
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.strip() == (f"channel 2 (number 600000000) delivers to {api_url}/webhooks/whatsapp/2; 3 template(s) approved")
    number = f"{simulator_url}/sim/whatsapp/numbers/600000000"
    answer = httpx.post(f"{number}/citizen-message", json={"wa_id": "34611222333", "text": "Hola"}, timeout=30).json()
    assert answer["webhook_status"] == 200
    # The demo's templates were approved in the simulator too (approving one more lists them all).
    approved = httpx.post(f"{number}/templates", json={"name": "avis", "language": "ca", "body": "Avís"}, timeout=30).json()
    assert {"name": "seguiment", "language": "en"} in approved["templates"]

    assert citymes_cli.main(["channel", "connect-simulator", "1", "--base-url", api_url]) == 2
    assert "use `channel set-webhook`" in capsys.readouterr().err
    get_engine.cache_clear()
