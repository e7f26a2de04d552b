"""Running the Alembic migrations programmatically (``upgrade head`` on start)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from volition.bazaar.errors import StorageError

__all__ = ["ALEMBIC_DIR", "alembic_config", "downgrade", "migrate", "upgrade"]

ALEMBIC_DIR = Path(__file__).with_name("alembic")


def alembic_config() -> Config:
    """An Alembic configuration pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` (default: the newest)."""
    migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database schema back to ``revision`` (``base``: nothing)."""
    migrate(engine, lambda config: command.downgrade(config, revision))


def migrate(engine: Engine, step: Callable[[Config], None]) -> None:
    """Run one Alembic command in one transaction.

    On SQLite, altering a table means rebuilding it, which foreign keys would refuse while
    other tables point at it: they are switched off around the migration (outside the
    transaction, where SQLite honours the switch) and checked before the commit.
    """
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        driver: Any = connection.connection.driver_connection if sqlite else None
        if sqlite:
            driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise StorageError("the migration broke a foreign key; nothing was changed")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys = ON")
