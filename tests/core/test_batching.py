"""Steps asked for together are done as one lot, and one step's trouble stays its own."""

from __future__ import annotations

import asyncio

import pytest

from citymes_app.core.batching import StepBatcher


class Ledger:
    """Doubles numbers; refuses 13. Keeps the lots it was asked to do."""

    def __init__(self) -> None:
        self.lots: list[list[int]] = []

    async def do_lot(self, steps: list[int]) -> list[int]:
        self.lots.append(list(steps))
        await asyncio.sleep(0.01)
        if 13 in steps:
            raise ValueError("13 is refused")
        return [2 * step for step in steps]

    async def do_one(self, step: int) -> int:
        [answer] = await self.do_lot([step])
        return answer


async def test_steps_asked_for_at_once_are_done_as_one_lot_each_with_its_own_answer() -> None:
    ledger = Ledger()
    batcher = StepBatcher(ledger.do_lot, ledger.do_one)

    answers = await asyncio.gather(*(batcher.ask(n) for n in range(20, 70)))

    assert answers == [2 * n for n in range(20, 70)]
    assert ledger.lots == [list(range(20, 70))]


async def test_steps_asked_for_while_a_lot_is_being_done_go_together_in_the_next() -> None:
    ledger = Ledger()
    batcher = StepBatcher(ledger.do_lot, ledger.do_one)

    first = asyncio.create_task(batcher.ask(1))
    await asyncio.sleep(0.001)  # the first lot is under way
    later = await asyncio.gather(*(batcher.ask(n) for n in (2, 3, 4)))

    assert (await first, later) == (2, [4, 6, 8])
    assert ledger.lots == [[1], [2, 3, 4]]


async def test_a_failing_step_fails_alone_and_the_others_of_its_lot_are_done() -> None:
    ledger = Ledger()
    batcher = StepBatcher(ledger.do_lot, ledger.do_one)

    answers = await asyncio.gather(*(batcher.ask(n) for n in (12, 13, 14)), return_exceptions=True)

    assert answers[0] == 24 and answers[2] == 28
    assert isinstance(answers[1], ValueError)
    with pytest.raises(ValueError, match="13 is refused"):
        await batcher.ask(13)
