"""Printing for the CLI: JSON for scripts, aligned columns for people."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from typing import Any


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    """Columns sized to their content; the last column is cut to the terminal's width."""
    text_rows = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in text_rows]) for i, h in enumerate(headers)]
    total = shutil.get_terminal_size((120, 20)).columns
    widths[-1] = max(len(headers[-1]), min(widths[-1], total - sum(widths[:-1]) - 2 * (len(widths) - 1)))
    for row in [list(headers), *text_rows]:
        print("  ".join(cell[: widths[i]].ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())
