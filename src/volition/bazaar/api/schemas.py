"""The JSON shapes of the API: ``XCreate`` for input, ``XPublic`` for output.

Inputs forbid unknown fields, so a request cannot smuggle in ``is_operator`` or a balance,
and refuse text no store can keep (``api.text``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from volition.bazaar.api.records import AccountKey, RecordPublic, Seconds, read_from
from volition.bazaar.api.schemas_forecasts import ForecastCreate, ForecastPublic
from volition.bazaar.api.text import TextChecked
from volition.bazaar.domain.attention import MAX_ATTENTION
from volition.bazaar.domain.record_minimum import (
    MAX_OFFERS_BOUGHT,
    MAX_VALUE_PER_DOLLAR,
    RecordMinimum,
)

__all__ = [
    "AuditPublic",
    "BalancesPublic",
    "CashOutCreate",
    "ContextCreate",
    "ContextPublic",
    "CreditCreate",
    "EntryPublic",
    "MatcherCreate",
    "MatcherPublic",
    "MePublic",
    "OfferCreate",
    "OfferPublic",
    "OperatorGrant",
    "PurchasePublic",
    "RecordMinimumBody",
    "RecordMinimumPublic",
    "TokenCreate",
    "TokenPublic",
    "UserCreate",
    "UserPublic",
]

Cents = Annotated[int, Field(ge=0, le=10**12, description="an amount in integer cents")]


class _Input(TextChecked, BaseModel):  # BaseModel named: linters see a model
    model_config = ConfigDict(extra="forbid", strict=True)


class UserCreate(_Input):
    name: Annotated[str, Field(min_length=2, max_length=39)]
    password: Annotated[str, Field(min_length=8, max_length=256)]
    roles: list[Literal["buyer", "seller"]] = Field(default=["buyer"], min_length=1)


class UserPublic(RecordPublic):
    id: str
    name: str
    is_buyer: bool
    is_seller: bool
    is_operator: bool
    created_at: datetime


class BalancesPublic(RecordPublic):
    cash: int
    reserved: int
    earnings: int


class MePublic(UserPublic):
    balances: BalancesPublic


class TokenCreate(_Input):
    name: Annotated[str, Field(max_length=39)]
    password: Annotated[str, Field(max_length=256)]


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class PostingPublic(RecordPublic):
    account: AccountKey
    amount: int


class EntryPublic(RecordPublic):
    id: str
    kind: str
    memo: str
    created_at: datetime
    postings: list[PostingPublic]


class RecordMinimumBody(_Input):
    """The least track record a seller needs for your inspector to read its offers
    (docs/theory.md §5, Track records and record minimums); every field may be left out."""

    min_offers_bought: Annotated[int, Field(ge=0, le=MAX_OFFERS_BOUGHT)] = Field(
        0, description="offers bought on resolved questions (0: no minimum)"
    )
    min_value_per_dollar: Annotated[
        float | None,
        Field(ge=-MAX_VALUE_PER_DOLLAR, le=MAX_VALUE_PER_DOLLAR, allow_inf_nan=False),
    ] = Field(None, description="mean realised value per dollar of price (null: no minimum)")
    max_calibration_gap: Annotated[float | None, Field(ge=0.0, le=1.0, allow_inf_nan=False)] = (
        Field(None, description="largest size of the calibration gap (null: any)")
    )
    admit_newcomers: bool = Field(True, description="read sellers with no record yet")

    def domain(self) -> RecordMinimum:
        """The domain's ``RecordMinimum``."""
        return RecordMinimum(**self.model_dump())


class RecordMinimumPublic(RecordPublic):
    min_offers_bought: int
    min_value_per_dollar: float | None
    max_calibration_gap: float | None
    admit_newcomers: bool


class ContextCreate(_Input):
    query: Annotated[str, Field(min_length=1, max_length=2_000)]
    budget: Cents
    priority: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] = 0.5
    pages: Annotated[list[Annotated[str, Field(max_length=2_000)]], Field(max_length=20)] = []
    named_sellers: Annotated[list[str], Field(max_length=50)] = []
    expires_in_seconds: Annotated[int | None, Field(gt=0, le=10**8)] = None
    parent_offer_ids: Annotated[list[str], Field(max_length=50)] = []
    reveal: Literal["with_parent", "all"] = Field(
        "with_parent",
        description=(
            "a follow-up context's amnesia policy: 'with_parent' (its purchases reach you only "
            "if you bought a parent offer they concern) or 'all' (every purchase, as in RIP); "
            "no effect on a top-level context"
        ),
    )
    attention: Annotated[int | None, Field(ge=1, le=MAX_ATTENTION)] = Field(
        None,
        description=(
            "how many offers your inspector reads, the highest bids first (omit or null: "
            "every offer); the attention auction"
        ),
    )
    reading_cost: Cents = Field(
        0, description="the least bid an offer must carry to be read (offers below are refused)"
    )
    record_minimum: RecordMinimumBody | None = Field(
        None,
        description=(
            "read only offers from sellers whose track record meets it (omit: every seller; "
            "a follow-up without one takes its parent's)"
        ),
    )
    forecast: ForecastCreate | None = Field(
        None, description="makes the context a forecast question (outcomes, close, resolver)"
    )


class ContextPublic(RecordPublic):
    id: str
    buyer_id: str
    query: str
    pages: list[str]
    budget: int
    remaining: int | None = Field(None, description="unspent budget; shown to the buyer only")
    priority: float
    named_seller_ids: list[str]
    created_at: datetime
    expires_at: datetime | None
    status: str
    parent_offer_ids: list[str]
    parent_context_id: str | None
    depth: int
    reveal: str = Field(description="which of a follow-up context's purchases reach its buyer")
    disclosure: str = Field(
        "full",
        description=(
            "'full'; 'forgotten' for a follow-up its buyer's inspector made about an offer the "
            "buyer did not buy (amnesia: its query, budget and parent offers are forgotten, and "
            "a notice stands for the query); 'withheld' for a seller asked in a follow-up about "
            "an offer that may not be quoted (a notice stands for the query)"
        ),
    )
    attention: int | None = Field(None, description="offers one inspection reads; null: all")
    reading_cost: int = Field(0, description="the least bid an offer must carry to be read")
    record_minimum: RecordMinimumPublic | None = Field(
        None, description="the least track record a seller needs to be read (null: none)"
    )
    forecast: ForecastPublic | None = Field(None, description="a forecast question's part")

    @classmethod
    def of(cls, record: object, remaining: int | None = None, **given: Any) -> Self:
        """The context ``record``; ``remaining`` is given to its buyer only."""
        return super().of(record, remaining=remaining, **given)


class OfferCreate(_Input):
    preview: Annotated[str, Field(min_length=1, max_length=2_000)]
    private_info: Annotated[str, Field(min_length=1, max_length=20_000)]
    price: Cents
    quotable: bool = Field(
        True,
        description=(
            "an offer in doubt may be quoted to fact-checkers: the buyer's inspector may show "
            "its text (private info included) to the sellers it asks in a follow-up about it. "
            "False refuses: the inspector may still follow up about it, but those sellers are "
            "shown a notice instead of the follow-up's question"
        ),
    )
    bid: Cents = Field(
        0,
        description=(
            "cents paid to the buyer if the buyer's inspector reads this offer (the attention "
            "auction: the highest bids are read first); held from your cash when posted, "
            "returned if the offer is never read"
        ),
    )


class OfferPublic(RecordPublic):
    id: str
    context_id: str
    seller_id: str
    preview: str
    price: int
    created_at: datetime
    status: str
    purchased: bool
    private_info: str | None = Field(
        description="present only for the seller and, once bought, the buyer"
    )
    quotable: bool = Field(
        True, description="whether an inspector may quote it to fact-checkers (see OfferCreate)"
    )
    bid: int = Field(0, description="cents it pays to be read (see OfferCreate)")


class PurchasePublic(RecordPublic):
    id: str
    offer_id: str
    context_id: str
    seller_id: str
    price: int
    mechanism: str = Field(description="'naive' for a blind purchase: the naive market")
    created_at: datetime
    offer: OfferPublic | None = None

    @classmethod
    def of(cls, record: object, offer: object | None = None, **given: Any) -> Self:
        """The purchase ``record``, with its offer as the buyer sees it when given."""
        return super().of(record, offer=offer, **given)


class MatcherCreate(_Input):
    keywords: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=20)
    ] = []
    min_budget: Cents = 0
    min_priority: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] = 0.0
    max_age_seconds: Annotated[int | None, Field(gt=0, le=10**8)] = None
    min_inspection_rate: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] = 0.0
    min_purchase_rate: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)] = 0.0


class MatcherPublic(RecordPublic):
    id: str
    keywords: list[str]
    min_budget: int
    min_priority: float
    max_age_seconds: Seconds | None = read_from("max_age", "max_age_seconds")
    min_inspection_rate: float
    min_purchase_rate: float
    created_at: datetime


class CreditCreate(_Input):
    user: Annotated[str, Field(min_length=1, max_length=40, description="user name or id")]
    cents: Annotated[int, Field(gt=0, le=10**12)]


class AuditPublic(BaseModel):
    sound: bool
    problems: list[str]


class CashOutCreate(_Input):
    cents: Annotated[int, Field(gt=0, le=10**12)]


class OperatorGrant(_Input):
    user: Annotated[str, Field(min_length=1, max_length=40, description="user name or id")]
