"""Reading the CSV files administrators import (keywords, personal codes): one header check for all of them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable


def open_csv(content: str) -> tuple[csv.DictReader, list[str]]:
    """A reader over `content` (a leading byte-order mark ignored) and its header's column names."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    return reader, [name.strip() for name in (reader.fieldnames or [])]


def header_problems(header: list[str], *, allowed: list[str], required: Iterable[str]) -> list[str]:
    """Why a header cannot be imported: unknown columns named (with the allowed ones), missing columns named."""
    problems = []
    extra = [name for name in header if name not in allowed]
    missing = sorted(set(required) - set(header))
    if extra:
        problems.append(f"unknown column(s): {', '.join(extra)} (allowed: {', '.join(allowed)})")
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    return problems
