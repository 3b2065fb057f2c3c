"""Which states hold page data (everything but the public ones), and emptying them when a tab is not signed in.

A state is public when it is marked with `@public`: the login form and the demo's citizen phone. Every other state
of the app holds an operator's data, and `state/guard.py` lets only signed-in browsers use it.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

import reflex as rx
from reflex.istate.shared import SharedState
from reflex.state import BaseState

APP_PACKAGE = "citymes_app."
_public: set[type[BaseState]] = set()
S = TypeVar("S", bound=type[BaseState])


def public(cls: S) -> S:
    """Mark a state class as usable by browsers that are not signed in."""
    _public.add(cls)
    return cls


@cache
def page_states() -> tuple[type[BaseState], ...]:
    """The app's state classes that hold page data: every state of this package that is not public (worked out once,
    when the first event asks: every state is defined by then)."""
    found: list[type[BaseState]] = []
    pending = list(rx.State.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if cls.__module__.startswith(APP_PACKAGE) and not any(issubclass(cls, p) for p in _public):
            found.append(cls)
    return tuple(found)


@cache
def page_state_names() -> frozenset[str]:
    """The full names of the page states (every substate is itself listed: an exact match is enough)."""
    return frozenset(cls.get_full_name() for cls in page_states())


async def empty_page_states(root: BaseState) -> None:
    """Forget every page's data in this tab and cut its live links (the tab is signed out, or signing in anew)."""
    for cls in page_states():
        state = await root.get_state(cls)
        if isinstance(state, SharedState):
            # Only cut the link: until this event ends, Reflex keeps the *linked* instance in the tree, and resetting
            # it would wipe the shared state of every other tab. The tab's private copy holds nothing of its own.
            if state._linked_to:
                await state._unlink()
        else:
            state.reset()
