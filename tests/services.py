"""PostgreSQL and Redis for the tests, found or started.

Each server is looked for in this order: the URL in the environment (`CITYMES_TEST_DATABASE_URL`,
`CITYMES_TEST_REDIS_URL`), then the standard local port (5432 as user `postgres`, 6379), and else a throwaway
instance is started in a temporary folder from Debian's packages (`make test` installs `postgresql` and
`redis-server` when they are missing) and stopped when the test session ends. `CITYMES_TEST_SERVICES=throwaway`
skips the first two, to try the last on a machine that has servers running.

Each test on PostgreSQL gets a database of its own (`fresh_postgres_database`), cloned from a template that the
project's Alembic migrations built once per session, and dropped after the test.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import psycopg
import redis
from psycopg import sql
from sqlalchemy.engine import make_url

from citymes_app.core.db import migrate

POSTGRES_ENV = "CITYMES_TEST_DATABASE_URL"
REDIS_ENV = "CITYMES_TEST_REDIS_URL"
SERVICES_ENV = "CITYMES_TEST_SERVICES"  # "throwaway": ignore the environment's URLs and the local ports
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
STARTUP_TIMEOUT = 60.0
TEST_DATABASE_PREFIX = "citymes_test_"


class ServiceUnavailable(RuntimeError):
    """A server the tests need could not be found nor started; the message says what to install or set."""


@dataclass
class ThrowawayServer:
    """A server process started for this test session, its files in a temporary folder removed when it stops."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    folder: Path
    stop_signal: int = signal.SIGTERM
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.folder / "server.log"

    def stop(self) -> None:
        """Stop the server (its own shutdown first, a kill if it does not end) and remove its folder."""
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def _force_throwaway() -> bool:
    return os.environ.get(SERVICES_ENV, "").strip().lower() == "throwaway"


# --- PostgreSQL -----------------------------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """`url` as libpq takes it (no SQLAlchemy driver suffix such as `+psycopg`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_answers(url: str) -> bool:
    """Whether a PostgreSQL server answers at `url` and lets us in."""
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def _postgres_binaries() -> Path:
    """The folder of `initdb` and `postgres`: Debian's newest `/usr/lib/postgresql/N/bin`, else the PATH's."""
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    found = debian[-1] if debian else shutil.which("initdb")
    if not found:
        raise ServiceUnavailable(
            f"no PostgreSQL for the tests: none answers at {LOCAL_POSTGRES}, {POSTGRES_ENV} is not set and initdb "
            "is not installed (`make test` installs Debian's `postgresql`; or run `apt-get install postgresql`)"
        )
    return Path(found).parent


def _server_user() -> pwd.struct_passwd | None:
    """The account PostgreSQL runs under when we are root (initdb refuses root): `postgres`, else `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServiceUnavailable("running as root with neither a `postgres` nor a `nobody` account to run PostgreSQL as")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until(ready: Callable[[], bool], server: ThrowawayServer) -> None:
    """Wait for a server just started to answer; stop it and say why (its log's end) if it dies or never does."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        if ready():
            return
        time.sleep(0.1)
    tail = server.log.read_text(errors="replace")[-2000:] if server.log.exists() else ""
    server.stop()
    raise ServiceUnavailable(f"the throwaway {server.name} did not start:\n{tail}")


def start_throwaway_postgres() -> ThrowawayServer:
    """initdb a cluster in a temporary folder and start `postgres` on a free port (trust auth, user `postgres`,
    its unix socket in the folder, durability off: the data lives as long as the test session)."""
    binaries = _postgres_binaries()
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="citymes-postgres-"))
    as_user: dict[str, object] = {}
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    data = folder / "data"
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "HOME": str(folder)}
    initdb = subprocess.run(
        [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
        cwd=folder,
        env=environment,
        capture_output=True,
        **as_user,  # type: ignore[call-overload]
    )
    if initdb.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise ServiceUnavailable(f"initdb failed: {initdb.stderr.decode(errors='replace')[-2000:]}")
    port = _free_port()
    options = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(folder),
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "200",
    }
    command = [str(binaries / "postgres"), "-D", str(data)]
    for name, value in options.items():
        command += ["-c", f"{name}={value}"]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(command, cwd=folder, env=environment, stdout=log, stderr=subprocess.STDOUT, **as_user)  # type: ignore[call-overload]
    log.close()
    # SIGINT is PostgreSQL's fast shutdown: it ends the open sessions instead of waiting for them.
    server = ThrowawayServer("PostgreSQL", f"postgresql://postgres@127.0.0.1:{port}/postgres", process, folder, signal.SIGINT)
    _wait_until(lambda: postgres_answers(server.url), server)
    return server


@cache
def postgres_server_url() -> str:
    """A PostgreSQL server for this session (a superuser URL on its `postgres` database); see the module's doc."""
    if not _force_throwaway():
        configured = os.environ.get(POSTGRES_ENV, "").strip()
        if configured:
            if not postgres_answers(configured):
                raise ServiceUnavailable(f"{POSTGRES_ENV} is set, but no PostgreSQL answers there (or lets us in)")
            return configured
        if postgres_answers(LOCAL_POSTGRES):
            return LOCAL_POSTGRES
    server = start_throwaway_postgres()
    atexit.register(server.stop)
    return server.url


def _database_url(server_url: str, name: str) -> str:
    """The SQLAlchemy URL of database `name` on the server of `server_url` (psycopg 3 driver)."""
    url = make_url(server_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def _run_on_server(server_url: str, statement: sql.Composed) -> None:
    with psycopg.connect(libpq_url(server_url), autocommit=True) as connection:
        connection.execute(statement)


def drop_database(server_url: str, name: str) -> None:
    """Drop database `name`, ending whatever sessions still use it (PostgreSQL 13+)."""
    _run_on_server(server_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _drop_if_still_served(server_url: str, name: str) -> None:
    try:
        drop_database(server_url, name)
    except psycopg.OperationalError:
        pass  # the server is gone (a throwaway one, stopped), and its databases with it


@cache
def migrated_template(server_url: str) -> str:
    """A database brought to the latest schema by the project's migrations, once per session, cloned per test."""
    name = f"{TEST_DATABASE_PREFIX}template_{secrets.token_hex(6)}"
    _run_on_server(server_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    atexit.register(_drop_if_still_served, server_url, name)
    migrate(_database_url(server_url, name))
    return name


@contextmanager
def fresh_postgres_database(server_url: str, *, migrated: bool = True) -> Iterator[str]:
    """A new database on the server, migrated (a copy of the session's template) or empty, dropped afterwards; yields
    its SQLAlchemy URL. Whatever still holds connections to it when the test ends is cut off by the drop."""
    name = f"{TEST_DATABASE_PREFIX}{secrets.token_hex(8)}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if migrated:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(migrated_template(server_url)))
    _run_on_server(server_url, statement)
    try:
        yield _database_url(server_url, name)
    finally:
        drop_database(server_url, name)


# --- Redis ----------------------------------------------------------------------------------------------------


def redis_answers(url: str) -> bool:
    """Whether a Redis server answers PING at `url`."""
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def start_throwaway_redis() -> ThrowawayServer:
    """Start `redis-server` on a free port, nothing saved to disk."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise ServiceUnavailable(
            f"no Redis for the tests: none answers at {LOCAL_REDIS}, {REDIS_ENV} is not set and redis-server is not "
            "installed (`make test` installs Debian's `redis-server`; or run `apt-get install redis-server`)"
        )
    folder = Path(tempfile.mkdtemp(prefix="citymes-redis-"))
    port = _free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--dir", str(folder), "--daemonize", "no"]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    server = ThrowawayServer("Redis", f"redis://127.0.0.1:{port}/0", process, folder)
    _wait_until(lambda: redis_answers(server.url), server)
    return server


@cache
def redis_server_url() -> str:
    """A Redis server for this session; see the module's doc."""
    if not _force_throwaway():
        configured = os.environ.get(REDIS_ENV, "").strip()
        if configured:
            if not redis_answers(configured):
                raise ServiceUnavailable(f"{REDIS_ENV} is set, but no Redis answers there")
            return configured
        if redis_answers(LOCAL_REDIS):
            return LOCAL_REDIS
    server = start_throwaway_redis()
    atexit.register(server.stop)
    return server.url
