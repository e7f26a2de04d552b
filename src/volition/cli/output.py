"""Printing results: JSON for programs, rich tables for people."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from volition.jsonable import to_jsonable

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "MISSING",
    "JsonOutput",
    "console",
    "fmt",
    "print_json",
    "print_record",
    "print_table",
    "to_jsonable",
]

M = TypeVar("M", bound="BaseModel")

console = Console(highlight=False)

JsonOutput = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
"""The ``--json`` option of the analysis commands: the result as one JSON object."""
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
"""The ``--json`` option of the commands that talk to a server."""


def print_json(payload: Mapping[str, Any]) -> None:
    """One JSON object on standard output."""
    print(json.dumps(to_jsonable(payload), indent=2))


def print_record(as_json: bool, key: str, record: M, say: Callable[[M], None]) -> None:
    """A record the server sent back: with ``--json`` one JSON object that holds it under
    ``key``; else ``say(record)``, what people read."""
    if as_json:
        print_json({key: record.model_dump(mode="json")})
    else:
        say(record)


SIGNIFICANT = 4  # digits people read in tables; --json keeps full precision
NEGLIGIBLE = 1e-9  # floats nearer zero than this are float noise, shown as 0
MISSING = "-"  # None in a table


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A titled table of rows. Id columns are never cut (an id is copied into the next
    command); other cells wrap rather than end in an ellipsis."""
    cells = [[fmt(v) for v in row] for row in rows]
    table = Table(title=title, title_justify="left")
    for i, col in enumerate(columns):
        if col == "id" or col.endswith(" id"):
            width = max([len(col), *(len(row[i]) for row in cells)])
            table.add_column(col, no_wrap=True, min_width=width)
        else:
            table.add_column(col, overflow="fold")
    for row in cells:
        table.add_row(*row)
    console.print(table)


def fmt(value: Any) -> str:
    """A value as people read it: floats to 4 significant digits (float noise such as
    6.6000000000000005 or 6e-121 rounded away), None as "-", lists and mappings item by item."""
    if isinstance(value, np.generic | np.ndarray):
        value = value.tolist()
    if value is None:
        return MISSING
    if isinstance(value, float):
        if abs(value) < NEGLIGIBLE:
            return "0"
        return f"{value:.{SIGNIFICANT}g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={fmt(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    return str(value)
