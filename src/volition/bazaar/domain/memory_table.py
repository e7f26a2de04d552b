"""A table of the in-memory store: a dict whose changes a failed unit of work undoes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["MemoryTable"]


K = TypeVar("K")
V = TypeVar("V")


class MemoryTable(Generic[K, V]):
    """A dict whose changes are undone if the unit of work fails."""

    def __init__(self, undo: list[Callable[[], None]]) -> None:
        self.rows: dict[K, V] = {}
        self._undo = undo

    def get(self, key: K) -> V | None:
        return self.rows.get(key)

    def put(self, key: K, value: V) -> None:
        if key in self.rows:
            self._undo.append(self._restorer(key, self.rows[key]))
        else:
            self._undo.append(self._remover(key))
        self.rows[key] = value

    def _restorer(self, key: K, old: V) -> Callable[[], None]:
        def restore() -> None:
            self.rows[key] = old

        return restore

    def _remover(self, key: K) -> Callable[[], None]:
        def remove() -> None:
            self.rows.pop(key, None)

        return remove

    def delete(self, key: K) -> None:
        if key in self.rows:
            self._undo.append(self._restorer(key, self.rows.pop(key)))

    def values(self) -> list[V]:
        return list(self.rows.values())
