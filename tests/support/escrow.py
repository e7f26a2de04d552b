"""A forecast question with pay-on-resolution offers, on any store (``domain.escrow``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from tests.support.people import CHEAP_HASHER, PASSWORD, FakeClock
from volition.bazaar.domain import Bazaar, ContextSpec, InfoOffer, Store, User
from volition.bazaar.domain.escrow_records import EscrowTerms
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec

FUNDS = 10_000
HOUR = 3600


@dataclass
class EscrowWorld:
    """An operator, a funded buyer ``alice`` and a seller ``carol`` on one store."""

    bazaar: Bazaar
    forecasts: Forecasts
    clock: FakeClock
    root: User
    alice: User
    carol: User

    def question(self, budget: int, max_escrow: int) -> str:
        """alice's binary question (rain, dry), closing in an hour; its context id."""
        closes = self.clock() + timedelta(seconds=HOUR)
        spec = ForecastSpec(("rain", "dry"), closes, max_escrow=max_escrow)
        context, _ = self.forecasts.post(self.alice.id, ContextSpec("rain?", budget), spec)
        return context.id

    def offer(self, context_id: str, price: int, rate: Fraction, cap: int) -> InfoOffer:
        """carol's pay-on-resolution offer on ``context_id``."""
        return self.bazaar.post_offer(
            self.carol.id,
            context_id,
            preview="p",
            private_info="s",
            price=price,
            pay_on_resolution=EscrowTerms(rate, cap),
        )

    def step(self, context_id: str, node: str, forecast: tuple[float, ...], *ids: str) -> None:
        """The inspection engine's side: a purchase step of the forecast's path."""
        self.forecasts.propose(context_id, node, forecast)
        self.forecasts.confirm(node, ids)


def escrow_world(store: Store) -> EscrowWorld:
    clock = FakeClock()
    bazaar = Bazaar(store, hasher=CHEAP_HASHER, clock=clock)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    alice = bazaar.register("alice", PASSWORD, buyer=True)
    carol = bazaar.register("carol", PASSWORD, seller=True)
    bazaar.credit(root.id, alice.id, FUNDS)
    return EscrowWorld(bazaar, Forecasts(bazaar), clock, root, alice, carol)
