"""Printing results: JSON for programs, rich tables for people."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from volition.jsonable import to_jsonable

__all__ = ["console", "print_json", "print_table", "to_jsonable"]

console = Console(highlight=False)


def print_json(payload: Mapping[str, Any]) -> None:
    """One JSON object on standard output."""
    print(json.dumps(to_jsonable(payload), indent=2))


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A titled table of rows."""
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*(fmt(v) for v in row))
    console.print(table)


def fmt(value: Any) -> str:
    """A value as a short readable string (floats to 6 significant digits)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={fmt(v)}" for k, v in value.items())
    return str(value)
