"""The table of escrows (``domain.escrow_records``), created by migration 0013.

One row per pay-on-resolution purchase (keyed by the purchase): its terms as they were when
bought (``rate`` an exact fraction written ``p/q``), and its settlement once the question
resolves (``settled_at`` NULL while held). The offers' own terms are columns of ``offers``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from volition.bazaar.storage.columns import ID, Base, UtcDateTime

__all__ = ["EscrowRow"]


class EscrowRow(Base):
    __tablename__ = "escrows"
    __table_args__ = (
        CheckConstraint("cap >= 1", name="ck_escrows_cap"),
        CheckConstraint(
            "(settled_at IS NULL AND payment IS NULL AND refund IS NULL) OR "
            "(settled_at IS NOT NULL AND payment >= 0 AND refund >= 0 AND payment + refund = cap)",
            name="ck_escrows_settlement",
        ),
    )

    purchase_id: Mapped[str] = mapped_column(ID, ForeignKey("purchases.id"), primary_key=True)
    offer_id: Mapped[str] = mapped_column(ID, ForeignKey("offers.id"), unique=True)
    context_id: Mapped[str] = mapped_column(ID, ForeignKey("contexts.id"), index=True)
    buyer_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"))
    seller_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    rate: Mapped[str] = mapped_column(String(24))
    cap: Mapped[int] = mapped_column(BigInteger)
    held_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payment: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    refund: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
