"""The SQL store of the bazaar: SQLAlchemy models, Alembic migrations, SQLite and PostgreSQL."""

from volition.bazaar.storage.engine import DEFAULT_URL, ENV_VAR, database_url, make_engine
from volition.bazaar.storage.inspection_repository import SqlInspectionRepository
from volition.bazaar.storage.migrate import upgrade
from volition.bazaar.storage.store import SqlStore

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "SqlInspectionRepository",
    "SqlStore",
    "database_url",
    "make_engine",
    "upgrade",
]
