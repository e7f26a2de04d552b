"""The SQL repository of decision contexts (table ``contexts``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, literal_column, or_, select, update
from sqlalchemy.sql.elements import BindParameter

from volition.bazaar.domain.contexts import (
    ACTIVE,
    ANY_CONTEXT,
    ContextFilter,
    ContextStatus,
    DecisionContext,
)
from volition.bazaar.storage.row_maps import CONTEXT
from volition.bazaar.storage.sql_repository import SqlRepository
from volition.bazaar.storage.tables import C

__all__ = ["SqlContexts"]

_ID: BindParameter[str] = bindparam("id")
_CONTEXT = select(C).where(C.c.id == _ID)
_CONTEXT_LOCKED = _CONTEXT.with_for_update(key_share=True)
_INSERT = insert(C)  # values as parameters: the statement is built and hashed once


class SqlContexts(SqlRepository):
    def add(self, context: DecisionContext) -> None:
        # a row this transaction inserts is its own until it ends (nobody else sees it before
        # the commit): held as if locked, it is not read again in this unit of work
        self._locked[context.id] = context
        self.conn.execute(_INSERT, CONTEXT.values(context))

    def get(self, context_id: str, *, lock: bool = False) -> DecisionContext | None:
        return self._held(context_id, CONTEXT, _CONTEXT, _CONTEXT_LOCKED, lock)

    def update(self, context: DecisionContext) -> None:
        # Only the status changes after posting; the rest is immutable.
        self._keep(context.id, context)
        self.conn.execute(update(C).where(C.c.id == context.id).values(status=context.status.value))

    def find(
        self, where: ContextFilter = ANY_CONTEXT, *, limit: int = 100
    ) -> list[DecisionContext]:
        stmt = _find_contexts(where)
        return self._records(CONTEXT, stmt, {"buyer_id": where.buyer_id, "limit": limit})

    def get_many(
        self, context_ids: Sequence[str], *, exclusive: bool = False
    ) -> list[DecisionContext]:
        if exclusive:  # every row read, held or not: a held row may be locked more weakly
            stmt = select(C).where(C.c.id.in_(list(dict.fromkeys(context_ids))))
            found = self._records(CONTEXT, stmt.with_for_update())
            return [self.hold(c.id, c) for c in found]
        held = [self._locked[i] for i in dict.fromkeys(context_ids) if i in self._locked]
        rest = [i for i in dict.fromkeys(context_ids) if i not in self._locked]
        if not rest:
            return held
        return held + self._records(CONTEXT, select(C).where(C.c.id.in_(rest)))

    def children(self, context_id: str) -> list[DecisionContext]:
        stmt = select(C).where(C.c.parent_context_id == context_id).order_by(C.c.id)
        return self._records(CONTEXT, stmt)

    def descendants(self, context_id: str) -> list[DecisionContext]:
        return self._records(CONTEXT, _DESCENDANTS, {"id": context_id})

    def family(self, context_id: str, parent_id: str | None) -> list[DecisionContext]:
        kin = C.c.parent_context_id == context_id
        if parent_id is not None:
            kin = or_(kin, C.c.id == parent_id)
        return self._records(CONTEXT, select(C).where(kin).order_by(C.c.id))

    def due(self, now: datetime) -> list[DecisionContext]:
        return self._records(CONTEXT, _DUE, {"now": now})


_FIND_CONTEXTS: dict[tuple[tuple[ContextStatus, ...], bool, bool], Any] = {}


def _find_contexts(where: ContextFilter) -> Any:
    """The listing statement for one combination of filters, built once per process.

    The statuses are rendered inline: they are the enum's own constants (never user text), and
    an expanding ``IN`` parameter would be re-rendered on every call.
    """
    statuses = tuple(ContextStatus(s) for s in where.statuses)
    key = (statuses, where.top_level_only, where.buyer_id is not None)
    stmt = _FIND_CONTEXTS.get(key)
    if stmt is None:
        stmt = select(C)
        if statuses:
            stmt = stmt.where(C.c.status.in_([literal_column(f"'{s.value}'") for s in statuses]))
        if where.top_level_only:
            stmt = stmt.where(C.c.parent_context_id.is_(None))
        if where.buyer_id is not None:
            stmt = stmt.where(C.c.buyer_id == bindparam("buyer_id"))
        stmt = stmt.order_by(C.c.created_at.desc(), C.c.id.desc()).limit(bindparam("limit"))
        _FIND_CONTEXTS[key] = stmt
    return stmt


def _descendants() -> Any:
    """``descendants``'s read: a recursive query down the ``parent_context_id`` links."""
    tree = select(C.c.id).where(C.c.parent_context_id == _ID).cte("tree", recursive=True)
    tree = tree.union_all(select(C.c.id).join(tree, C.c.parent_context_id == tree.c.id))
    return select(C).where(C.c.id.in_(select(tree.c.id))).order_by(C.c.id)


_DESCENDANTS = _descendants()

_DUE = (
    select(C)
    .where(
        C.c.status.in_([literal_column(f"'{s.value}'") for s in sorted(ACTIVE)]),
        C.c.expires_at <= bindparam("now"),
    )
    .order_by(C.c.depth, C.c.id)
)
