"""The rate-limit counters table, shared by every server process on one database.

Registered on ``Base`` by ``models.py``; created by migration 0008. One row per key of the
``limits`` library (``SqlLimitsStorage``): a count that starts again once ``expires_at``
(seconds since the epoch) has passed.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from volition.bazaar.storage.columns import Base

__all__ = ["KEY_LENGTH", "RateLimitRow"]

KEY_LENGTH = 255


class RateLimitRow(Base):
    __tablename__ = "rate_limit_counters"
    __table_args__ = (Index("ix_rate_limit_counters_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False)
