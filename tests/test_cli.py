"""The management commands: results on stdout, one clear error line and exit status 2 otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from citymes_app.core.config import PROJECT_ROOT
from tests.helpers import server_keys_env


@pytest.fixture
def cli(tmp_path: Path):
    env = {
        "CITYMES_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "CITYMES_MEDIA_DIR": str(tmp_path / "media"),  # the demo's photos
        "PATH": "/usr/bin:/bin",
        **server_keys_env(),
    }

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "citymes_app.cli", *args],
            cwd=PROJECT_ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert run("init-db").returncode == 0
    return run


def test_tenant_operator_channel_and_keywords_round_trip(cli, tmp_path: Path) -> None:
    assert cli("tenant", "add", "mataro", "--name", "Ajuntament de Mataró").returncode == 0
    added = cli("operator", "add", "mataro", "anna@mataro.cat", "--role", "admin", stdin="a-long-password\n")
    assert added.returncode == 0, added.stderr
    channel = cli("channel", "add", "mataro", "telegram", "--token", "123:abcDEF", "--secret", "s3cret")
    assert channel.stdout.strip() == "1"
    csv_in = tmp_path / "in.csv"
    csv_in.write_text("keyword,response,language\nHORARIS,De 8 a 19 h,ca\n", encoding="utf-8")
    assert cli("keywords", "import", "mataro", str(csv_in)).stdout.strip() == "1 keyword(s) created, 0 updated"
    exported = cli("keywords", "export", "mataro", "-").stdout
    assert exported.splitlines()[1] == "HORARIS,De 8 a 19 h,ca,,false,,,,"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("tenant", "add", "Bad Slug", "--name", "x"), "", "is not a valid slug"),
        (("operator", "add", "nowhere", "a@b.cat"), "long-enough-pw\n", "no tenant 'nowhere'"),
        (("channel", "add", "nowhere", "telegram", "--token", "1:abc", "--secret", "s"), "", "no tenant"),
        (("channel", "add", "nowhere", "telegram"), "", "needs --token"),
        (("channel", "add", "nowhere", "fax"), "", "platform 'fax' is not supported"),
        (("keywords", "import", "nowhere", "/no/such.csv"), "", "no file /no/such.csv"),
        (("frobnicate",), "", "invalid choice"),
    ],
)
def test_errors_are_one_line_and_exit_2(cli, args: tuple[str, ...], stdin: str, message: str) -> None:
    result = cli(*args, stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_keyword_file_with_unknown_column_is_refused(cli, tmp_path: Path) -> None:
    cli("tenant", "add", "vila", "--name", "Vila")
    bad = tmp_path / "bad.csv"
    bad.write_text("keyword,response,colour\nA,b,red\n", encoding="utf-8")
    result = cli("keywords", "import", "vila", str(bad))
    assert result.returncode == 2
    assert "unknown column(s): colour" in result.stderr


def test_personal_codes_import_reports_bad_lines_without_the_codes(cli, tmp_path: Path) -> None:
    cli("tenant", "add", "vila", "--name", "Vila")
    keywords_csv = tmp_path / "k.csv"
    keywords_csv.write_text("keyword,response\nTRAMIT,Escriviu TRAMIT i el codi\n", encoding="utf-8")
    cli("keywords", "import", "vila", str(keywords_csv))
    table = tmp_path / "codes.csv"
    table.write_text("code,response,phone\nSECRET1,En revisió,\nSECRET2,Aprovat,not-a-phone\n", encoding="utf-8")
    refused = cli("codes", "import", "vila", "TRAMIT", str(table))
    assert refused.returncode == 2
    assert "line 3: the phone is not a valid international number" in refused.stderr
    assert "SECRET" not in refused.stderr + refused.stdout
    table.write_text("code,response,phone\nSECRET1,En revisió,\nSECRET2,Aprovat,+34600111222\n", encoding="utf-8")
    imported = cli("codes", "import", "vila", "tramit", str(table))
    assert imported.stdout.strip() == "2 personal code(s) now answer TRAMIT"


def _can_sign_in(cli_db: str, email: str, password: str) -> bool:
    from sqlmodel import Session

    from citymes_app.core import auth
    from citymes_app.core.db import make_engine

    engine = make_engine(cli_db)
    try:
        with Session(engine) as session:
            return auth.authenticate(session, email=email, password=password) is not None
    finally:
        engine.dispose()


def test_operator_password_reset_and_disable_from_the_command_line(cli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    cli("tenant", "add", "vila", "--name", "Vila")
    cli("tenant", "add", "poble", "--name", "Poble")
    cli("operator", "add", "vila", "anna@vila.cat", stdin="the-first-password\n")

    reset = cli("operator", "reset-password", "vila", "Anna@vila.cat", stdin="the-second-password\n")
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.strip() == "operator anna@vila.cat has a new password; their sessions ended"
    assert not _can_sign_in(db, "anna@vila.cat", "the-first-password")
    assert _can_sign_in(db, "anna@vila.cat", "the-second-password")

    disabled = cli("operator", "disable", "vila", "anna@vila.cat")
    assert disabled.stdout.strip() == "operator anna@vila.cat disabled; their sessions ended"
    assert not _can_sign_in(db, "anna@vila.cat", "the-second-password")
    enabled = cli("operator", "enable", "vila", "anna@vila.cat")
    assert enabled.stdout.strip() == "operator anna@vila.cat enabled"
    assert _can_sign_in(db, "anna@vila.cat", "the-second-password")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("operator", "reset-password", "vila", "anna@vila.cat"), "short\n", "at least 8 characters"),
        (
            ("operator", "reset-password", "poble", "anna@vila.cat"),
            "long-enough-pw\n",
            "no operator anna@vila.cat in tenant 'poble'",
        ),
        (("operator", "disable", "vila", "nobody@vila.cat"), "", "no operator nobody@vila.cat in tenant 'vila'"),
        (("operator", "enable", "nowhere", "anna@vila.cat"), "", "no tenant 'nowhere'"),
    ],
)
def test_operator_administration_errors_are_one_line_and_status_2(cli, args, stdin, message) -> None:
    cli("tenant", "add", "vila", "--name", "Vila")
    cli("tenant", "add", "poble", "--name", "Poble")
    cli("operator", "add", "vila", "anna@vila.cat", stdin="the-first-password\n")
    result = cli(*args, stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_history_fills_the_demo_town_and_its_statistics_agree(cli) -> None:
    made = cli("demo", "--history", "--messages", "600", "--seed", "3", "--days", "60")
    assert made.returncode == 0, made.stderr
    assert "600 messages in 60 conversations" in made.stdout
    assert cli("stats", "check", "demo").returncode == 0
    assert "already there" in cli("demo").stdout  # the town was loaded first, once
    again = cli("demo", "--history", "--messages", "600", "--only-if-empty")  # what `make run` does on every start
    assert (again.returncode, again.stdout.strip()) == (0, "'demo' already has activity: no history added")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--messages", "many"), "invalid int value: 'many'"),
        (("--messages", "100", "--conversations", "80"), "need at least 160 messages"),
        (("nowhere", "--messages", "100"), "no tenant 'nowhere'"),
    ],
)
def test_demo_history_with_a_bad_argument_says_why_in_one_line(cli, args: tuple[str, ...], message: str) -> None:
    result = cli("demo", "--history", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
