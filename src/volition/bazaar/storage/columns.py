"""What every table module shares: the declarative ``Base``, UTC datetimes, the id type, and the
columns and checks that several tables repeat (matching rules, leases).

The table modules (``models``, ``models_bots``, ``models_inspection``, ``models_forecasts``,
``models_ratelimit``) import from here, never from each other, so that ``models`` may import
them to register their tables on ``Base.metadata`` without an import cycle.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column

__all__ = [
    "ID",
    "Base",
    "MatchingColumns",
    "UtcDateTime",
    "id_column",
    "list_column",
    "matching_checks",
    "money_column",
    "not_negative",
    "one_of",
    "ref_column",
    "when_column",
]

ID = String(40)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


def id_column() -> MappedColumn[Any]:
    """A record's own id: the table's primary key."""
    return mapped_column(ID, primary_key=True)


def ref_column(target: str, **options: Any) -> MappedColumn[Any]:
    """The id of a row of ``target`` (``"users.id"``): a foreign key."""
    return mapped_column(ID, ForeignKey(target), **options)


def money_column(**options: Any) -> MappedColumn[Any]:
    """An amount of cents (BIGINT)."""
    return mapped_column(BigInteger, **options)


def when_column(**options: Any) -> MappedColumn[Any]:
    """A UTC moment."""
    return mapped_column(UtcDateTime, **options)


def list_column() -> MappedColumn[Any]:
    """A list (of ids, words or numbers) kept as JSON."""
    return mapped_column(JSON)


def one_of(
    table: str, column: str, *values: str, nullable: bool = False, name: str | None = None
) -> CheckConstraint:
    """A check that ``column`` holds one of ``values`` (or NULL, if ``nullable``), named
    ``ck_<table>_<column>`` unless ``name`` is given."""
    quoted = ", ".join(f"'{v}'" for v in values)
    allowed = f"{column} IN ({quoted})"
    text = f"{column} IS NULL OR {allowed}" if nullable else allowed
    return CheckConstraint(text, name=name or f"ck_{table}_{column}")


def not_negative(table: str, column: str, *, name: str | None = None) -> CheckConstraint:
    """A check that ``column`` is never below zero, named ``ck_<table>_<column>``."""
    return CheckConstraint(f"{column} >= 0", name=name or f"ck_{table}_{column}")


def matching_checks(table: str) -> tuple[CheckConstraint, ...]:
    """The checks on a matcher's rules (``MatchingColumns``), named for ``table``."""
    return (
        not_negative(table, "min_budget"),
        CheckConstraint("min_priority >= 0 AND min_priority <= 1", name=f"ck_{table}_priority"),
        CheckConstraint(
            "min_inspection_rate >= 0 AND min_inspection_rate <= 1",
            name=f"ck_{table}_inspection_rate",
        ),
        CheckConstraint(
            "min_purchase_rate >= 0 AND min_purchase_rate <= 1", name=f"ck_{table}_purchase_rate"
        ),
    )


class MatchingColumns:
    """The rules of a ``Matcher`` (a seller's, or a bot's): which contexts it answers."""

    keywords: Mapped[list[str]] = list_column()
    min_budget: Mapped[int] = money_column()
    min_priority: Mapped[float] = mapped_column(Float)
    max_age_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
