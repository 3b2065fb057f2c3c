"""`cli secrets`: new keys, the demo's keys file and what a missing key says (rotation: tests/core/test_vault.py)."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from dotenv import dotenv_values

from citymes_app import cli
from citymes_app.core.config import PROJECT_ROOT


def test_new_key_prints_a_fresh_fernet_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["secrets", "new-key"]) == 0
    assert cli.main(["secrets", "new-key"]) == 0
    first, second = capsys.readouterr().out.split()
    assert first != second
    assert Fernet(second).decrypt(Fernet(second).encrypt(b"bot token")) == b"bot token"


def test_keys_file_is_created_once_for_the_owner_only_and_seals_the_channels(tmp_path: Path) -> None:
    keys_file = tmp_path / "data" / "keys.env"
    database = tmp_path / "citymes.db"
    # No key in the environment: the keys file is all there is, as on a first `make run`.
    env = {"CITYMES_DATABASE_URL": f"sqlite:///{database}", "CITYMES_KEYS_FILE": str(keys_file), "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "citymes_app.cli", *args]
        return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)

    created = run("secrets", "keys-file")
    assert (created.returncode, created.stderr) == (0, "")
    assert created.stdout.startswith(f"server keys created in {keys_file}")
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    keys = dotenv_values(keys_file)
    content = keys_file.read_text()
    assert keys["CITYMES_SECRET_KEY"] and keys["CITYMES_SECRET_KEY"] not in created.stdout

    again = run("secrets", "keys-file")
    assert (again.returncode, again.stdout.strip()) == (0, f"server keys come from the keys file {keys_file}")
    assert keys_file.read_text() == content  # never overwritten

    assert run("init-db").returncode == 0
    assert run("tenant", "add", "vila", "--name", "Vila").returncode == 0
    added = run("channel", "add", "vila", "telegram", "--token", "123:abcDEF", "--secret", "s3cret")
    assert (added.returncode, added.stdout.strip()) == (0, "1")
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute("SELECT credentials FROM channel").fetchone()
    encryption_keys = keys["CITYMES_ENCRYPTION_KEYS"]
    assert encryption_keys
    assert b"abcDEF" in Fernet(encryption_keys).decrypt(stored.encode())
    assert "abcDEF" not in stored


def test_a_keys_file_missing_a_key_is_named_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys_file = tmp_path / "keys.env"
    keys_file.write_text("CITYMES_SECRET_KEY=abc\n")
    monkeypatch.setenv("CITYMES_KEYS_FILE", str(keys_file))
    monkeypatch.delenv("CITYMES_ENCRYPTION_KEYS")
    assert cli.main(["secrets", "keys-file"]) == 2
    assert f"error: the keys file {keys_file} lacks CITYMES_ENCRYPTION_KEYS" in capsys.readouterr().err
    assert keys_file.read_text() == "CITYMES_SECRET_KEY=abc\n"
