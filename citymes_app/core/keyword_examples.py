"""A keyword's example questions: the sentences citizens write that it answers ("a quina hora tanqueu?"), which the
matcher learns the keyword from, like other systems' training phrases.

They are stored `|`-separated on the keyword (the CSV's `examples` column is the same string), so a question cannot
itself hold a `|`. Two questions that differ only in case, accents or punctuation are one: the matcher sees them
alike, and the first as typed is kept. The limits keep the editor usable and the index small.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from citymes_app.core.matching import normalize
from citymes_app.core.phrases import PhrasedError

MAX_EXAMPLES = 50
MAX_EXAMPLE_LENGTH = 300
SEPARATOR = "|"


class ExampleError(PhrasedError):
    """Example questions that cannot be stored; the message says which and why."""


def stored_examples(value: str) -> list[str]:
    """The questions of a stored `|`-separated string, without the empty ones."""
    return [part.strip() for part in value.split(SEPARATOR) if part.strip()]


def clean_examples(questions: Iterable[str]) -> tuple[str, ...]:
    """The questions to store, in order: trimmed, empty ones and repeats (as the matcher sees them) dropped.

    `ExampleError` when one holds a `|`, one is longer than `MAX_EXAMPLE_LENGTH` characters, or more than
    `MAX_EXAMPLES` remain."""
    kept: dict[str, str] = {}
    for number, question in enumerate(questions, start=1):
        question = " ".join(question.split())
        if not question:
            continue
        if SEPARATOR in question:
            raise ExampleError("example question {number} contains '|': write each question on a line of its own", number=number)
        if len(question) > MAX_EXAMPLE_LENGTH:
            raise ExampleError("example question {number} is longer than {n} characters", number=number, n=MAX_EXAMPLE_LENGTH)
        seen = normalize(question)
        if seen and seen not in kept:
            kept[seen] = question
    if len(kept) > MAX_EXAMPLES:
        raise ExampleError("{count} example questions: a keyword takes at most {n}", count=len(kept), n=MAX_EXAMPLES)
    return tuple(kept.values())


def with_example(current: Sequence[str], question: str) -> tuple[str, ...] | None:
    """`current` with `question` added at the end, or None when it is already there (as the matcher sees it);
    `ExampleError` when it cannot be stored or the keyword already has `MAX_EXAMPLES`."""
    if not normalize(question):
        raise ExampleError("the question is empty")
    if normalize(question) in {normalize(example) for example in current}:
        return None
    if len(clean_examples(current)) >= MAX_EXAMPLES:
        raise ExampleError("the keyword already has {n} example questions: remove one in its form first", n=MAX_EXAMPLES)
    return clean_examples([*current, question])
