"""A buyer's record minimum: which sellers' offers its inspector reads (docs/theory.md §5,
Track records and record minimums).

A context may carry a ``RecordMinimum``: its inspector reads an offer only if the seller's
``TrackRecord`` over resolved questions is admitted. A seller with a record (at least one
offer bought on a resolved question) is admitted when it has at least ``min_offers_bought``
such offers, a mean realised value per dollar of price of at least ``min_value_per_dollar``,
and a calibration gap within ``max_calibration_gap`` either way. A **newcomer** (no offer
bought on a resolved question yet) has nothing to judge: it is admitted when
``admit_newcomers`` says so. *(choice)* The gap is compared by its size, since over- and
underconfidence are both miscalibration; a record without a value per dollar (only free
offers scored) does not meet a value minimum.

This module is pure: the rule and its validation; ``record_filter`` applies it where an
inspection picks the offers it reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from volition.bazaar.domain.forecasts import TrackRecord
from volition.errors import InputError

__all__ = ["MAX_OFFERS_BOUGHT", "MAX_VALUE_PER_DOLLAR", "RecordMinimum"]

MAX_OFFERS_BOUGHT = 1_000_000
"""The largest minimum number of offers bought a context may ask for."""
MAX_VALUE_PER_DOLLAR = 1_000_000.0
"""The largest size of a minimum value per dollar (a log score moves by far less)."""


@dataclass(frozen=True, slots=True)
class RecordMinimum:
    """The least track record a seller needs for a context's inspector to read its offers.

    ``min_offers_bought``: offers bought on resolved questions (0: no minimum);
    ``min_value_per_dollar``: mean realised value per dollar of price (None: no minimum);
    ``max_calibration_gap``: the largest size of the calibration gap, in [0, 1] (None: any);
    ``admit_newcomers``: whether sellers with no record yet are read. The defaults admit
    every seller. Build one from untrusted values with ``checked``.
    """

    min_offers_bought: int = 0
    min_value_per_dollar: float | None = None
    max_calibration_gap: float | None = None
    admit_newcomers: bool = True

    def checked(self) -> RecordMinimum:
        """This minimum if every value is well formed; else an ``InputError`` naming it."""
        offers = self.min_offers_bought
        if isinstance(offers, bool) or not isinstance(offers, int):
            raise InputError(f"the minimum offers bought must be a whole number, not {offers!r}")
        if not 0 <= offers <= MAX_OFFERS_BOUGHT:
            raise InputError(
                f"the minimum offers bought must be between 0 and {MAX_OFFERS_BOUGHT}, not {offers}"
            )
        value = _number(self.min_value_per_dollar, "the minimum value per dollar")
        if value is not None and abs(value) > MAX_VALUE_PER_DOLLAR:
            raise InputError(
                f"the minimum value per dollar must be between {-MAX_VALUE_PER_DOLLAR:g} and "
                f"{MAX_VALUE_PER_DOLLAR:g}, not {value}; leave it out for no minimum"
            )
        gap = _number(self.max_calibration_gap, "the maximum calibration gap")
        if gap is not None and not 0.0 <= gap <= 1.0:
            raise InputError(
                f"the maximum calibration gap must be between 0 and 1, not {gap}; "
                "leave it out to admit any calibration"
            )
        if not isinstance(self.admit_newcomers, bool):
            raise InputError(f"admit_newcomers must be true or false, not {self.admit_newcomers!r}")
        return RecordMinimum(offers, value, gap, self.admit_newcomers)

    def admits(self, record: TrackRecord) -> bool:
        """Whether a seller with track record ``record`` passes this minimum."""
        if record.offers == 0:
            return self.admit_newcomers
        if record.offers < self.min_offers_bought:
            return False
        if self.min_value_per_dollar is not None and (
            record.value_per_dollar is None or record.value_per_dollar < self.min_value_per_dollar
        ):
            return False
        gap = record.calibration_gap
        return self.max_calibration_gap is None or (
            gap is not None and abs(gap) <= self.max_calibration_gap
        )


def _number(value: object, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{what} must be a finite number, not {value!r}")
    return float(value)
