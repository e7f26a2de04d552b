"""Request and response bodies of pay-on-resolution offers (``domain.escrow``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from volition.bazaar.api.records import RecordPublic
from volition.bazaar.domain.escrow import RATE_PLACES, check_terms
from volition.bazaar.domain.escrow_records import Escrow, EscrowTerms

__all__ = ["EscrowCreate", "EscrowPublic", "EscrowTermsPublic", "Terms"]


class EscrowCreate(BaseModel):
    """A share of the realised marginal value, paid at resolution up to a cap."""

    model_config = ConfigDict(extra="forbid", strict=True)

    rate: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        description=(
            f"the share (0 < rate <= 1, at most {RATE_PLACES} decimals) of the realised "
            "marginal value, in cents at the question's stake (its max_escrow per unit of "
            "score), paid to you when the question resolves"
        )
    )
    cap: Annotated[int, Field(ge=1, le=10**12)] = Field(
        description=(
            "the most you can be paid at resolution (cents, at most the question's "
            "max_escrow): held in escrow from the buyer's budget when it buys, the rest "
            "refunded to the buyer; all of it if the question is annulled"
        )
    )

    def terms(self) -> EscrowTerms:
        """The domain's terms (validated again there: the rate's decimals)."""
        return check_terms(repr(self.rate), self.cap, 10**12)


class EscrowTermsPublic(BaseModel):
    rate: float
    cap: int


def _terms(value: object) -> object:
    if isinstance(value, EscrowTerms):
        return {"rate": float(value.rate), "cap": value.cap}
    return value


Terms = Annotated[EscrowTermsPublic | None, BeforeValidator(_terms)]
"""An offer's pay-on-resolution terms, read from its ``EscrowTerms``."""


class EscrowPublic(RecordPublic):
    """One pay-on-resolution purchase of a question: held, or settled."""

    purchase_id: str
    offer_id: str
    seller_id: str
    rate: float
    cap: int
    held_at: datetime
    settled: bool
    payment: int | None = Field(description="cents paid to the seller; null while held")
    refund: int | None = Field(description="cents returned to the buyer; null while held")
    realised_value: float | None = Field(
        description="the value it was paid on; null if annulled or never a step of the path"
    )

    @classmethod
    def of(cls, record: object, **given: Any) -> Self:
        """An escrow's public form: its terms and settlement read out (null while held)."""
        assert isinstance(record, Escrow)
        s = record.settlement
        return super().of(
            record,
            rate=float(record.terms.rate),
            cap=record.terms.cap,
            settled=s is not None,
            payment=None if s is None else s.payment,
            refund=None if s is None else s.refund,
            realised_value=None if s is None else s.value,
            **given,
        )
