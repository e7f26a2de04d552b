"""Seeding a bazaar for a demo: people, money, bots, a few contexts and offers.

Runs through the domain like any other caller (the operator is created by the trusted
bootstrap). Seeding twice changes nothing: it stops if the demo operator already exists.

The demo sellers own fixed bots (``DEMO_BOTS``). Some answer the demo's contexts; the fact
checkers answer the follow-up questions an inspector asks about an offer ("Is this accurate:
<preview>", as the offline buyer asks), confirming the radar forecast and refuting the
neighbour's knee, so an inspection of the rain context visibly recurses. One context is a
forecast question (``DEMO_QUESTION``) that closes after ten minutes and that the operator
resolves. Run the bots with
``volition.bazaar.bot_dispatch.BotDispatcher`` (its ``run_due`` pass, and as the inspection
engine's seller pool, so that follow-ups name the bots' owners).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import Bazaar, BotService, ContextSpec
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastSpec

__all__ = [
    "DEMO_BOTS",
    "DEMO_LOGINS",
    "DEMO_QUESTION",
    "DEMO_QUESTION_CLOSES",
    "DemoBot",
    "DemoLogin",
    "seed_demo",
]

DEMO_QUESTION = "Forecast: will the 8:15 on the Bergen rail line leave on time on Monday?"
DEMO_QUESTION_CLOSES = timedelta(minutes=10)
"""The demo's forecast question (outcomes "on time" and "late", resolved by the operator):
the rail punctuality bot answers it; after ten minutes the operator may resolve it
(``volition resolve CONTEXT_ID "on time" --user operator``)."""


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


@dataclass(frozen=True, slots=True)
class DemoBot:
    """A fixed bot of a demo seller: its matcher's keywords and its one offer."""

    owner: str
    name: str
    keywords: tuple[str, ...]
    preview: str
    private_info: str
    price: int


DEMO_BOTS = (
    DemoBot(
        "dave",
        "radar checker",
        ("radar",),
        "A second look at the radar, from MET Norway's own data.",
        "Confirmed: MET Norway's radar shows the same band of rain over Oslo from about 14:00. "
        "The forecast is accurate.",
        30,
    ),
    DemoBot(
        "carol",
        "folk-wisdom checker",
        ("locals", "knee", "neighbour"),
        "Are the locals right about rain? What the research says about knees and weather.",
        "Inaccurate: studies found no link between knee pain and rain, so a neighbour's knee "
        "does not forecast rain in Oslo tomorrow afternoon. The locals' claim is misleading.",
        10,
    ),
    DemoBot(
        "carol",
        "keyboard tester",
        ("keyboard", "laptop"),
        "A week of typing tests on both keyboards.",
        "The ThinkPad's keyboard: 1.8 mm travel and fewer typos after six hours; the other "
        "tires the fingers by mid-afternoon.",
        80,
    ),
    DemoBot(
        "carol",
        "rail punctuality",
        ("train", "rail"),
        "Last year's punctuality of the Bergen line, by departure.",
        "The 8:15 left on time on 87% of weekdays; most delays were under five minutes.",
        60,
    ),
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
    bots = BotService(bazaar)
    for bot in DEMO_BOTS:
        owner = carol if bot.owner == "carol" else dave
        bots.create_bot(
            owner.id,
            name=bot.name,
            kind="fixed",
            price=bot.price,
            keywords=bot.keywords,
            preview=bot.preview,
            private_info=bot.private_info,
        )
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
        private_info="Rain in Oslo from 14:00 tomorrow afternoon, about 4 mm; dry again after "
        "17:30. Move the picnic.",
        price=90,
    )
    bazaar.post_offer(
        dave.id,
        rain.id,
        preview="What the locals say about rain in Oslo tomorrow afternoon.",
        private_info="My neighbour's knee hurts, so it will rain in Oslo tomorrow afternoon: "
        "move the picnic.",
        price=1_50,
    )
    Forecasts(bazaar).post(  # a forecast question the operator resolves once it closes
        alice.id,
        ContextSpec(DEMO_QUESTION, 5_00, priority=0.5),
        ForecastSpec(("on time", "late"), bazaar.clock() + DEMO_QUESTION_CLOSES),
    )
    BotDispatcher(bazaar, bots).run_due()  # the bots answer the contexts seeded above
    return DEMO_LOGINS
