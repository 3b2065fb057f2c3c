"""Group commit: units of work from many requests run one after another in a single writer thread, many to a
transaction.

Why: on SQLite only one transaction writes at a time. Many threads each committing their own message fight for the
writer lock (the busy handler sleeps) and pay a commit each; one writer that takes whatever is queued, runs it in one
transaction and commits once pays one commit for the lot and never waits for the lock. On PostgreSQL the same batching
saves a commit per message. When a unit fails (a duplicate delivery racing another worker, a bug), the batch is rolled
back and its units run again one transaction each, so the failing one is refused alone and the others commit: a unit
must be a function of what the database holds (run twice, it does the same).

A caller awaits its unit's result: when `run` returns, the unit is committed (acknowledge it then).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core.db import BATCH_MEMO

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_BATCH = 256
# The thread ends after this long with nothing to do, and starts again with the next unit of work.
IDLE_SECONDS = 10.0


@dataclass(eq=False)
class _Unit(Generic[T]):
    work: Callable[[Session], T]
    future: asyncio.Future[T]
    loop: asyncio.AbstractEventLoop = field(init=False)

    def __post_init__(self) -> None:
        self.loop = self.future.get_loop()


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():  # the caller gave up waiting (cancelled)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


class BatchWriter:
    """One writer thread for an engine; `await writer.run(work)` runs `work(session)` and returns once committed."""

    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH, idle_seconds: float = IDLE_SECONDS) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[_Unit[Any]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # how many transactions it committed (the tests and benchmarks read it)

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work` in the writer's next transaction; its exception, if any, is raised here (nothing of it kept)."""
        unit: _Unit[T] = _Unit(work, asyncio.get_running_loop().create_future())
        self._queue.put(unit)
        self._ensure_thread()
        return await unit.future

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="citymes-writer", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self._idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[_Unit[Any]]) -> None:
        """Run the batch in one transaction; if a unit fails, roll the batch back and run each unit in a transaction
        of its own, so only the failing one is refused (savepoints would cost two statements for every unit)."""
        pending = [unit for unit in batch if not unit.future.done()]
        if len(pending) <= 1:  # nothing to roll back for others: its own outcome, in one run
            for unit in pending:
                self._write_alone(unit)
            return
        try:
            values = self._transaction(pending)
        except Exception:  # noqa: BLE001 — a unit failed: nothing of the batch is stored; one at a time now
            for unit in pending:
                self._write_alone(unit)
            return
        for unit, value in zip(pending, values, strict=True):
            self._settle(unit, value, None)

    def _write_alone(self, unit: _Unit[Any]) -> None:
        try:
            [value] = self._transaction([unit])
        except Exception as exc:  # noqa: BLE001 — reported to the unit's caller
            self._settle(unit, None, exc)
        else:
            self._settle(unit, value, None)

    def _transaction(self, units: list[_Unit[Any]]) -> list[Any]:
        with Session(self._engine, expire_on_commit=False, info={BATCH_MEMO: {}}) as session:
            if self._engine.dialect.name == "sqlite":
                # Take SQLite's write lock first (waiting for it under the busy timeout): a transaction that read
                # first and then writes fails at once if another connection wrote in between.
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            values = [unit.work(session) for unit in units]
            session.commit()
        self.batches += 1
        return values

    @staticmethod
    def _settle(unit: _Unit[Any], value: Any, error: BaseException | None) -> None:
        try:
            unit.loop.call_soon_threadsafe(_settle, unit.future, value, error)
        except RuntimeError:  # its event loop has closed: nobody is waiting any more
            pass
