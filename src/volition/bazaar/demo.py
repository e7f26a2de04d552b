"""Seeding a bazaar for a demo: people, money, a few contexts and offers.

Runs through the domain like any other caller (the operator is created by the trusted
bootstrap). Seeding twice changes nothing: it stops if the demo operator already exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from volition.bazaar.domain import Bazaar, ContextSpec

__all__ = ["DEMO_LOGINS", "DemoLogin", "seed_demo"]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo account to sign in with."""

    name: str
    password: str
    role: str


DEMO_LOGINS = (
    DemoLogin("operator", "operator-demo-password", "operator"),
    DemoLogin("alice", "alice-demo-password", "buyer"),
    DemoLogin("carol", "carol-demo-password", "seller"),
    DemoLogin("dave", "dave-demo-password", "buyer and seller"),
)


def seed_demo(bazaar: Bazaar) -> tuple[DemoLogin, ...]:
    """Create the demo accounts, fund them, and post a few contexts and offers."""
    op_login, alice_login, carol_login, dave_login = DEMO_LOGINS
    with bazaar.store.begin(write=False) as uow:
        if uow.users.get_by_name(op_login.name) is not None:
            return DEMO_LOGINS
    operator = bazaar.bootstrap_operator(op_login.name, op_login.password)
    alice = bazaar.register(alice_login.name, alice_login.password, buyer=True)
    carol = bazaar.register(carol_login.name, carol_login.password, buyer=False, seller=True)
    dave = bazaar.register(dave_login.name, dave_login.password, buyer=True, seller=True)
    for user in (alice, dave):
        bazaar.credit(operator.id, user.id, 50_00)
    bazaar.add_matcher(carol.id, keywords=["rain", "weather"])
    bazaar.add_matcher(dave.id, min_budget=1_00)
    rain = bazaar.post_context(
        alice.id,
        ContextSpec(
            "Will it rain in Oslo tomorrow afternoon? I must decide whether to move the picnic.",
            budget=5_00,
            priority=0.8,
            pages=("https://www.yr.no/en",),
            expires_at=bazaar.clock() + timedelta(days=2),
        ),
    )
    bazaar.post_context(
        alice.id,
        ContextSpec("Which of two laptops has the better keyboard for long writing days?", 3_00),
    )
    bazaar.post_context(
        dave.id, ContextSpec("Is the 8:15 train to Bergen usually on time?", 2_00, priority=0.3)
    )
    bazaar.post_offer(
        carol.id,
        rain.id,
        preview="Hourly radar-based forecast for central Oslo, 12:00-18:00.",
        private_info="Rain from 14:00, about 4 mm; dry again after 17:30. Move the picnic.",
        price=1_50,
    )
    bazaar.post_offer(
        dave.id,
        rain.id,
        preview="What the locals on the ground say.",
        private_info="My neighbour's knee hurts, so it will rain.",
        price=20,
    )
    return DEMO_LOGINS
