"""The database engine and sessions."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from sqlalchemy import Update, event
from sqlalchemy.engine import CursorResult, Engine, make_url
from sqlmodel import Session, create_engine

from citymes_app.core.config import load_settings

if TYPE_CHECKING:
    from alembic.config import Config  # imported for real only when migrating

T = TypeVar("T")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys so the web workers and the
    background tasks can share it."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: database errors must not carry citizens' texts or phone numbers into the logs.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(installed_driver_url(url), pool_pre_ping=True, hide_parameters=True)


def installed_driver_url(url: str) -> str:
    """`url` with the driver this project installs: `postgresql://` (libpq's form, what hosting providers hand out)
    means psycopg 3, not SQLAlchemy's default psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


@cache
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for the configured database (or `url`)."""
    return make_engine(url or load_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


BATCH_MEMO = "citymes.batch_memo"


def batch_memo(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, remembered for the rest of the session when the session asks for it (the group-committing writer
    does: a batch of messages reads the tenant's office hours and keyword index once, not once per message)."""
    memo = session.info.get(BATCH_MEMO)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def rows_updated(session: Session, statement: Update) -> int:
    """Run an UPDATE and count the rows it changed: a conditional update that changed none lost its race."""
    # `Session.execute` is typed as returning a plain `Result`; an UPDATE's result is a `CursorResult`.
    return cast(CursorResult, session.execute(statement)).rowcount


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration for this project's migrations, on `url` (default: the configured database)."""
    from alembic.config import Config

    from citymes_app.core.config import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["database_url"] = url or load_settings().database_url
    config.attributes["configure_logger"] = False
    return config


def migrate(url: str | None = None, *, revision: str = "head") -> None:
    """Bring the database schema up to date (Alembic `upgrade head`), or up to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
