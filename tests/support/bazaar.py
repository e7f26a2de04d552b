"""The people of the bazaar's worked examples, in the domain and over HTTP, and their bots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from tests.support.api import Api
    from volition.bazaar.domain import Bazaar, BotService, DecisionContext, User

FACT = {"preview": "Checked against the registry", "private_info": "It is accurate.", "price": 40}


@dataclass
class Cast:
    """The people of the worked examples."""

    operator: User
    buyer: User
    other_buyer: User
    seller: User
    other_seller: User


@dataclass
class ApiWorld:
    """A running API with an operator, two buyers and two sellers signed in."""

    api: Api
    bazaar: Bazaar
    operator: httpx.Client
    buyer: httpx.Client
    other_buyer: httpx.Client
    seller: httpx.Client
    other_seller: httpx.Client


def fixed_bot(service: BotService, owner: str, **fields: object) -> str:
    values: dict[str, object] = {"name": "facts", "kind": "fixed", **FACT, **fields}
    return service.create_bot(owner, **values).id  # type: ignore[arg-type]


def rain(bazaar: Bazaar, cast: Cast, budget: int = 500, **spec: object) -> DecisionContext:
    from volition.bazaar.domain import ContextSpec

    return bazaar.post_context(cast.buyer.id, ContextSpec("Will it rain in Oslo?", budget, **spec))  # type: ignore[arg-type]
