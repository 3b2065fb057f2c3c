"""Reading the CSV files administrators import (keywords, personal codes): one header check for all of them; and the
guard every export puts on the cells people wrote, so a spreadsheet shows them instead of running them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from citymes_app.core.phrases import Phrase


def open_csv(content: str) -> tuple[csv.DictReader, list[str]]:
    """A reader over `content` (a leading byte-order mark ignored) and its header's column names."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    return reader, [name.strip() for name in (reader.fieldnames or [])]


def header_problems(header: list[str], *, allowed: list[str], required: Iterable[str]) -> list[Phrase]:
    """Why a header cannot be imported: unknown columns named (with the allowed ones), missing columns named (as
    phrases: `str()` gives the English text)."""
    problems = []
    extra = [name for name in header if name not in allowed]
    missing = sorted(set(required) - set(header))
    if extra:
        problems.append(
            Phrase("unknown column(s): {extra} (allowed: {allowed})", {"extra": ", ".join(extra), "allowed": ", ".join(allowed)})
        )
    if missing:
        problems.append(Phrase("missing column(s): {missing}", {"missing": ", ".join(missing)}))
    return problems


# A spreadsheet runs a cell that starts with one of these as a formula ("=HYPERLINK(...)" in a citizen's message).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A cell people wrote, as a spreadsheet shows it without running it: a leading `'` before a formula's start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_written(cell: str) -> str:
    """A cell of a file we exported, read back: `safe_cell`'s guard taken off (so an export imports unchanged)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell
