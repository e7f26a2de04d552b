"""Information goods, offer menus per level and a prior over which offers exist (docs/theory.md §4).

An *information good* <I, i, p> is an offer: it reveals the values of some variables of the
world (the partition they generate, I; its cell i = I(omega)) at a price p >= 0, and carries an
id and the seller who is paid if it is bought. Offers come in levels: level-0 offers inform the
buyer's decision X^0, and level-n offers inform the purchase decision X^n = subsets of the
level-(n-1) offers, so that x^{n+1} is a subset of the level-n menu I^n.

Which offers exist is uncertain: a :class:`Scenario` removes some offers and has a probability.
*(choice)* Scenarios are independent of the state omega: which offers are on sale says
nothing about the world, only which contents can be bought.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from volition.core import Partition, Problem
from volition.core.space import PRIOR_ATOL
from volition.errors import InputError, PriceError, ProbabilityError, UnknownNameError

__all__ = ["Market", "Offer", "Scenario"]


@dataclass(frozen=True)
class Offer:
    """An information good <I, i, p>: ``reveals`` the named variables at ``price``."""

    id: str
    seller: str
    reveals: tuple[str, ...]
    price: float
    level: int = 0

    def __post_init__(self) -> None:
        if not self.id:
            raise InputError("an offer needs a non-empty id")
        if not math.isfinite(self.price) or self.price < 0:
            raise PriceError(
                f"offer {self.id!r} has price {self.price!r}; a price must be a finite number >= 0"
            )


@dataclass(frozen=True)
class Scenario:
    """One possible set of offers on sale: every offer except ``absent``, with a probability."""

    probability: float
    absent: frozenset[str] = frozenset()
    name: str = ""


@dataclass(frozen=True, eq=False)
class Market:
    """A decision problem, offer menus per level, and a prior (scenarios) over which exist.

    Build with :meth:`build`, which validates everything at the boundary: unique ids, known
    variables, prices >= 0, scenario probabilities >= 0 summing to 1, known ``absent`` ids.
    """

    problem: Problem
    levels: tuple[tuple[Offer, ...], ...]
    scenarios: tuple[Scenario, ...]
    _by_id: dict[str, Offer] = field(repr=False, compare=False)

    @classmethod
    def build(
        cls,
        problem: Problem,
        levels: Sequence[Sequence[Offer]],
        scenarios: Sequence[Scenario] | None = None,
    ) -> Market:
        """A validated market; without ``scenarios`` every offer exists with probability 1."""
        placed: list[tuple[Offer, ...]] = []
        by_id: dict[str, Offer] = {}
        for n, menu in enumerate(levels):
            row = []
            for offer in menu:
                if offer.id in by_id:
                    raise InputError(
                        f"offer id {offer.id!r} is used twice; give every offer its own id"
                    )
                _check_reveals(problem, offer)
                placed_offer = Offer(offer.id, offer.seller, offer.reveals, offer.price, n)
                by_id[offer.id] = placed_offer
                row.append(placed_offer)
            placed.append(tuple(row))
        chosen = tuple(scenarios) if scenarios else (Scenario(1.0),)
        _check_scenarios(chosen, by_id)
        named = tuple(
            Scenario(s.probability, s.absent, s.name or f"scenario{k}")
            for k, s in enumerate(chosen)
        )
        return cls(problem, tuple(placed), named, by_id)

    @property
    def n_levels(self) -> int:
        """The number of offer levels (the deepest useful protocol depth)."""
        return len(self.levels)

    @property
    def offers(self) -> Mapping[str, Offer]:
        """Every offer by id."""
        return self._by_id

    @property
    def sellers(self) -> tuple[str, ...]:
        """The sellers, in the order their first offer appears."""
        return tuple(dict.fromkeys(o.seller for menu in self.levels for o in menu))

    def offer(self, offer_id: str) -> Offer:
        """An offer by id; ``UnknownNameError`` lists the known ones."""
        try:
            return self._by_id[offer_id]
        except KeyError:
            raise UnknownNameError(
                f"unknown offer id {offer_id!r}; the offers are {', '.join(self._by_id)}"
            ) from None

    def menu(self, scenario: Scenario, level: int) -> tuple[Offer, ...]:
        """The level-``level`` offers on sale in a scenario (empty beyond the last level)."""
        if level >= self.n_levels:
            return ()
        return tuple(o for o in self.levels[level] if o.id not in scenario.absent)

    def partition(self, offers: Iterable[Offer]) -> Partition:
        """What a set of offers reveals together: the join of their variables' partitions."""
        names = sorted({name for offer in offers for name in offer.reveals})
        return self.problem.world.partition(names)


def _check_reveals(problem: Problem, offer: Offer) -> None:
    if not offer.reveals:
        raise InputError(f"offer {offer.id!r} reveals nothing; list at least one variable")
    for name in offer.reveals:
        try:
            problem.world.partition([name])
        except UnknownNameError as exc:
            raise UnknownNameError(f"offer {offer.id!r} reveals {exc}") from None


def _check_scenarios(scenarios: Sequence[Scenario], by_id: Mapping[str, Offer]) -> None:
    for k, s in enumerate(scenarios):
        if not math.isfinite(s.probability) or s.probability < 0:
            raise ProbabilityError(
                f"scenario {k} has probability {s.probability!r}; give a number >= 0"
            )
        for offer_id in sorted(s.absent):
            if offer_id not in by_id:
                raise UnknownNameError(
                    f"scenario {k} lists unknown offer id {offer_id!r} as absent; "
                    f"the offers are {', '.join(by_id) or 'none'}"
                )
    total = math.fsum(s.probability for s in scenarios)
    if abs(total - 1.0) > PRIOR_ATOL:
        raise ProbabilityError(
            f"scenario probabilities sum to {total:.12g}, not 1; fix them so they sum to 1"
        )
