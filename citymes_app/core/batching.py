"""Many coroutines' small steps done as one: each asks for its own step and awaits its own answer, and the steps asked
for while the previous lot was being done go together as the next lot.

Why: the outbox's sends run side by side, each needing its row marked `sending` before and `sent` after. One writer
unit per step costs a statement, an event-loop hop and a thread hop each; one unit for the lot costs them once, and
the lot grows by itself with the load (one step when idle, hundreds at the platforms' top rates).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Step = TypeVar("Step")
Answer = TypeVar("Answer")


class StepBatcher(Generic[Step, Answer]):
    """`await batcher.ask(step)` → its answer, from `do_lot(steps)` (answers in the same order) run for the lot.

    When the lot fails, each of its steps is done alone with `do_one`, so one step's trouble stays its own.
    """

    def __init__(
        self,
        do_lot: Callable[[list[Step]], Awaitable[list[Answer]]],
        do_one: Callable[[Step], Awaitable[Answer]],
    ) -> None:
        self._do_lot = do_lot
        self._do_one = do_one
        self._waiting: list[tuple[Step, asyncio.Future[Answer]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def ask(self, step: Step) -> Answer:
        """Have `step` done with the next lot; its answer, or its own exception."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((step, future))
        if self._worker is None:
            self._worker = asyncio.create_task(self._work())
        # A caller that gives up cancels its own answer only: the lot goes on for the others.
        return await future

    async def _work(self) -> None:
        try:
            while self._waiting:
                await asyncio.sleep(0)  # the steps asked for in this turn of the loop join the lot
                lot, self._waiting = self._waiting, []
                await self._answer(lot)
        finally:
            self._worker = None

    async def _answer(self, lot: list[tuple[Step, asyncio.Future[Answer]]]) -> None:
        try:
            answers = await self._do_lot([step for step, _ in lot])
        except Exception as exc:  # noqa: BLE001 — each step again alone, so only the failing one fails
            if len(lot) > 1:
                log.warning("a lot of %d steps failed (%s); doing them one by one", len(lot), type(exc).__name__)
            await asyncio.gather(*(self._answer_alone(step, future) for step, future in lot))
            return
        for (_, future), answer in zip(lot, answers, strict=True):
            if not future.done():
                future.set_result(answer)

    async def _answer_alone(self, step: Step, future: asyncio.Future[Answer]) -> None:
        try:
            answer = await self._do_one(step)
        except Exception as exc:  # noqa: BLE001 — handed to the step's caller
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                future.set_result(answer)
