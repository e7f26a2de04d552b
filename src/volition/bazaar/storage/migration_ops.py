"""What the Alembic migrations (``storage/alembic/versions``) share: the id and time types, the
columns they declare again and again, and the batch steps that add, drop and replace columns and
checks on SQLite (which rebuilds the table) and PostgreSQL alike.

Only the migrations import this module. A migration's effect must never change once released:
change a helper here only in ways that leave every existing migration's schema as it was (the
schema tests run every migration up and down on both backends).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from volition.bazaar.storage.models import UtcDateTime

__all__ = [
    "ID",
    "add_columns",
    "col",
    "constraints",
    "create_notify_triggers",
    "drop_columns",
    "drop_notify_triggers",
    "journal_kinds",
    "key",
    "matching_checks",
    "matching_rule",
    "rate_checks",
    "ref",
    "replace_check",
    "when",
]

ID = sa.String(40)


def key(name: str = "id", type_: Any = ID, **options: Any) -> sa.Column[Any]:
    """The table's primary key (by default a record's own id)."""
    return sa.Column(name, type_, primary_key=True, **options)


def col(name: str, type_: Any, *, nullable: bool = False, **options: Any) -> sa.Column[Any]:
    """A column, NOT NULL unless ``nullable``."""
    return sa.Column(name, type_, nullable=nullable, **options)


def ref(name: str, target: str, *, nullable: bool = False, **options: Any) -> sa.Column[Any]:
    """The id of a row of ``target`` (``"users.id"``): a foreign key, NOT NULL unless
    ``nullable``."""
    return sa.Column(name, ID, sa.ForeignKey(target), nullable=nullable, **options)


def when(name: str, *, nullable: bool = False, **options: Any) -> sa.Column[Any]:
    """A UTC timestamp, NOT NULL unless ``nullable``."""
    return sa.Column(name, UtcDateTime, nullable=nullable, **options)


def constraints(conditions: Mapping[str, str]) -> list[sa.CheckConstraint]:
    """A table's checks, ``conditions`` being name: condition."""
    return [sa.CheckConstraint(condition, name=name) for name, condition in conditions.items()]


def matching_rule() -> list[sa.Column[Any]]:
    """The columns of a matching rule, which contexts a seller answers (matchers' and bots')."""
    return [
        col("keywords", sa.JSON),
        col("min_budget", sa.BigInteger),
        col("min_priority", sa.Float),
        col("max_age_seconds", sa.Float, nullable=True),
    ]


def matching_checks(table: str) -> dict[str, str]:
    """The checks on the ``matching_rule`` columns of ``table``, name: condition."""
    return {
        f"ck_{table}_min_budget": "min_budget >= 0",
        f"ck_{table}_priority": "min_priority >= 0 AND min_priority <= 1",
    }


def rate_checks(table: str) -> dict[str, str]:
    """The checks on the minimum buyer rates a matching rule of ``table`` may ask for."""
    return {
        f"ck_{table}_inspection_rate": "min_inspection_rate >= 0 AND min_inspection_rate <= 1",
        f"ck_{table}_purchase_rate": "min_purchase_rate >= 0 AND min_purchase_rate <= 1",
    }


def add_columns(
    table: str,
    *columns: sa.Column[Any],
    checks: Mapping[str, str] | None = None,
    replace: Mapping[str, str] | None = None,
) -> None:
    """In one batch on ``table``: add ``columns``, replace the checks named in ``replace`` by
    their new conditions, then create ``checks`` (name: condition), each in the order given."""
    with op.batch_alter_table(table) as batch:
        for column in columns:
            batch.add_column(column)
        _replace_checks(batch, replace)
        for name, condition in (checks or {}).items():
            batch.create_check_constraint(name, condition)


def drop_columns(
    table: str,
    *columns: sa.Column[Any] | str,
    checks: Iterable[str] = (),
    replace: Mapping[str, str] | None = None,
) -> None:
    """Undo ``add_columns`` given the same ``columns`` and ``checks`` (the checks' names): in one
    batch on ``table``, drop ``checks`` last one first, put back the checks in ``replace`` as
    they were (name: old condition), then drop ``columns`` last one first."""
    with op.batch_alter_table(table) as batch:
        for name in reversed(list(checks)):
            batch.drop_constraint(name, type_="check")
        _replace_checks(batch, replace)
        for column in reversed(columns):
            batch.drop_column(column if isinstance(column, str) else column.name)


def replace_check(table: str, name: str, condition: str) -> None:
    """Replace the check ``name`` on ``table`` by one with ``condition``, in one batch."""
    add_columns(table, replace={name: condition})


def journal_kinds(kinds: str) -> None:
    """Let journal entries be of ``kinds`` (``"'grant', 'credit'"``) alone."""
    replace_check("journal_entries", "ck_journal_entries_kind", f"kind IN ({kinds})")


def _replace_checks(batch: BatchOperations, conditions: Mapping[str, str] | None) -> None:
    for name, condition in (conditions or {}).items():
        batch.drop_constraint(name, type_="check")
        batch.create_check_constraint(name, condition)


def create_notify_triggers(
    function: str, channel: str, payload: str, triggers: Mapping[str, str]
) -> None:
    """PostgreSQL only (nothing on SQLite): a trigger function ``function()`` that sends
    ``NOTIFY channel, 'payload'`` and the ``triggers`` that run it (name: ``AFTER ... ON table
    FOR EACH ...``), their notices delivered when their transaction commits."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n    PERFORM pg_notify('{channel}', '{payload}');\n    RETURN NULL;\nEND\n$$"
    )
    for name, when in triggers.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")


def drop_notify_triggers(function: str, triggers: Mapping[str, str]) -> None:
    """Undo :func:`create_notify_triggers` (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, when in triggers.items():
        table = when.split(" ON ", 1)[1].split()[0]
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute(f"DROP FUNCTION {function}()")
