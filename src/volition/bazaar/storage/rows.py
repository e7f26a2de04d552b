"""Records to rows and back: one ``RowMap`` per frozen record type, instead of hand copies.

A record's fields become columns of the same name, converted by their declared type: an enum
is stored as its value, a tuple as a list (a JSON or array column), a ``timedelta`` as seconds
in ``<field>_seconds``; everything else as it is. A field that is itself a record (an
inspection's limits, a node's pending decision) is flattened into its own columns, with a
prefix; an optional one is absent when its first column is NULL. Fields kept elsewhere (a
journal entry's postings) are ``skip``ped, and given back when reading.

A field added to a record and a column of the same name added to its table need nothing
here: the map follows the record.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any, Generic, TypeVar

__all__ = ["RowMap"]

R = TypeVar("R")

_Get = Callable[[Mapping[str, Any]], Any]
_Put = Callable[[Any, dict[str, Any]], None]


def _optional(hint: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None``, else ``(hint, False)``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def _simple(hint: Any) -> tuple[Callable[[Any], Any] | None, Callable[[Any], Any] | None]:
    """How a value of type ``hint`` goes to a column and comes back (None: as it is)."""
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return (lambda v: v.value), hint
    if hint is timedelta:
        return (lambda v: v.total_seconds()), (lambda v: timedelta(seconds=v))
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if args and args[0] is float:  # JSON may give back whole numbers as ints
            return list, lambda v: tuple(float(x) for x in v)
        return list, tuple
    return None, None


class RowMap(Generic[R]):
    """How the records of one dataclass become the values of one table's rows, and back.

    ``columns`` renames fields (field -> column); ``nested`` flattens a field that is itself a
    record through that record's map, whose columns carry its ``prefix``; ``skip`` leaves
    fields out of the row. A nested map's ``present`` column (default: its first) is NULL when
    the field is None, and its columns then hold ``absent`` (column -> value; else NULL).
    """

    def __init__(
        self,
        record: type[R],
        *,
        columns: Mapping[str, str] | None = None,
        nested: Mapping[str, RowMap[Any]] | None = None,
        skip: Iterable[str] = (),
        prefix: str = "",
        present: str | None = None,
        absent: Mapping[str, Any] | None = None,
    ) -> None:
        self.record = record
        renamed = dict(columns or {})
        inner = dict(nested or {})
        hints = typing.get_type_hints(record)
        skipped = set(skip)
        fields = dataclasses.fields(record)  # type: ignore[arg-type]
        names = [f.name for f in fields if f.name not in skipped]
        self._fields: list[tuple[str, _Put, _Get]] = []
        columns_: list[str] = []
        for name in names:
            hint, optional = _optional(hints[name])
            if name in inner:
                self._fields.append((name, *_flattened(inner[name], optional)))
                columns_ += inner[name].columns
                continue
            to_row, from_row = _simple(hint)
            column = prefix + renamed.get(name, f"{name}_seconds" if hint is timedelta else name)
            self._fields.append((name, *_plain(column, to_row, from_row)))
            columns_.append(column)
        self.fields: tuple[str, ...] = tuple(names)
        self.columns: tuple[str, ...] = tuple(columns_)
        self.present = present or self.columns[0]
        self.empty: dict[str, Any] = dict.fromkeys(self.columns) | dict(absent or {})

    def values(
        self, record: R, *, only: Iterable[str] | None = None, exclude: Iterable[str] = ()
    ) -> dict[str, Any]:
        """The row of ``record`` (column -> value); ``only``/``exclude`` choose fields."""
        wanted = None if only is None else set(only)
        left_out = set(exclude)
        out: dict[str, Any] = {}
        for name, put, _ in self._fields:
            if (wanted is None or name in wanted) and name not in left_out:
                put(getattr(record, name), out)
        return out

    def record_of(self, row: Any, **given: Any) -> R:
        """The record of a row (a SQLAlchemy ``Row`` or a mapping); ``given``: skipped fields."""
        values: Mapping[str, Any] = getattr(row, "_mapping", row)
        fields = {name: get(values) for name, _, get in self._fields}
        return self.record(**fields, **given)

    def records(self, rows: Iterable[Any]) -> list[R]:
        """The records of ``rows``, in order."""
        return [self.record_of(r) for r in rows]


def _plain(
    column: str, to_row: Callable[[Any], Any] | None, from_row: Callable[[Any], Any] | None
) -> tuple[_Put, _Get]:
    """The put and get of a field kept in one column (None stays None)."""

    def put(value: Any, out: dict[str, Any]) -> None:
        out[column] = value if to_row is None or value is None else to_row(value)

    def get(row: Mapping[str, Any]) -> Any:
        value = row[column]
        return value if from_row is None or value is None else from_row(value)

    return put, get


def _flattened(inner: RowMap[Any], optional: bool) -> tuple[_Put, _Get]:
    """The put and get of a field that is a record kept in its map's columns."""

    def put(value: Any, out: dict[str, Any]) -> None:
        out.update(inner.empty if value is None else inner.values(value))

    def get(row: Mapping[str, Any]) -> Any:
        return None if optional and row[inner.present] is None else inner.record_of(row)

    return put, get
