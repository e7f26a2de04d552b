"""SQLAlchemy models of the inspection tables: to be filled in (registered by models.py)."""

from __future__ import annotations

__all__: list[str] = []
