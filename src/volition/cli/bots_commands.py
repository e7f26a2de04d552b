"""The bots commands: manage your bot sellers and their LLM endpoint on a running bazaar, and
run the bots' job pass on a database.

``bots``, ``bot-add``, ``bot-add-bayesian``, ``bot-pause``, ``bot-resume``, ``bot-delete`` and
``llm-set`` sign in to a server (``--url`` or ``$VOLITION_URL``) as ``--user`` with the
password from ``--password``, ``$VOLITION_PASSWORD`` or a hidden prompt, as ``inspect`` does;
``llm-set`` reads the API key from ``$VOLITION_LLM_API_KEY`` or a hidden prompt, never from
the command line (where shell history would keep it).
``bots-run`` answers due contexts with the stored bots of a database (for a cron job or a
second process beside ``volition serve``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from volition.cli.output import AsJson, console, print_json, print_table
from volition.errors import InputError

__all__ = [
    "Keywords",
    "MinBudget",
    "MinInspectionRate",
    "MinPriority",
    "MinPurchaseRate",
    "bot_add",
    "bot_add_bayesian",
    "bot_delete",
    "bot_pause",
    "bot_resume",
    "bots",
    "bots_run",
    "llm_set",
    "matching",
]

Url = Annotated[str, typer.Option(envvar="VOLITION_URL", help="the server's address")]
UserOption = Annotated[
    str,
    typer.Option(
        "--user",
        help="your user name; its password comes from --password, $VOLITION_PASSWORD or a "
        "hidden prompt",
    ),
]
PasswordOption = Annotated[
    str | None,
    typer.Option(
        envvar="VOLITION_PASSWORD",
        help="the password for --user (prefer $VOLITION_PASSWORD: shell history keeps options)",
    ),
]
DEFAULT_URL = "http://127.0.0.1:8000"
MinInspectionRate = Annotated[
    float,
    typer.Option(help="only buyers whose inspector read at least this share of their offers"),
]
MinPurchaseRate = Annotated[
    float, typer.Option(help="only buyers who bought at least this share of their offers")
]
BotName = Annotated[str, typer.Argument(help="the bot's name")]
Price = Annotated[int, typer.Option(help="its price in cents")]
Keywords = Annotated[
    list[str] | None, typer.Option(help="a keyword its contexts contain (repeatable)")
]
MinBudget = Annotated[int, typer.Option(help="minimum context budget, cents")]
MinPriority = Annotated[float, typer.Option(help="minimum context priority")]


def matching(
    keyword: list[str] | None,
    min_budget: int,
    min_priority: float,
    min_inspection_rate: float,
    min_purchase_rate: float,
) -> dict[str, Any]:
    """The contexts a matcher (or a fixed bot) lets through, as ``BazaarClient`` takes them."""
    return dict(
        keywords=keyword or [],
        min_budget=min_budget,
        min_priority=min_priority,
        min_inspection_rate=min_inspection_rate,
        min_purchase_rate=min_purchase_rate,
    )


@contextmanager
def _signed_in(url: str, user: str, password: str | None) -> Iterator[Any]:
    from volition.bazaar.client import BazaarClient

    password = password or typer.prompt("password", hide_input=True)
    with BazaarClient(url) as client:
        client.sign_in(user, password)
        yield client


def bots(
    user: UserOption,
    password: PasswordOption = None,
    url: Url = DEFAULT_URL,
    everyone: Annotated[bool, typer.Option("--all", help="every user's bots (operators)")] = False,
    as_json: AsJson = False,
) -> None:
    """List your bot sellers (or, for an operator, every bot)."""
    with _signed_in(url, user, password) as client:
        found = client.all_bots() if everyone else client.bots()
    if as_json:
        print_json({"bots": [b.model_dump(mode="json") for b in found]})
        return
    rows = [
        (b.id, b.name, b.kind, "active" if b.active else "paused", b.price, ", ".join(b.keywords))
        for b in found
    ]
    print_table("bots", ["id", "name", "kind", "state", "price (cents)", "keywords"], rows)


def bot_add(
    name: BotName,
    user: UserOption,
    preview: Annotated[str, typer.Option(help="the public preview of its offer")],
    private_info: Annotated[str, typer.Option(help="the private info of its offer")],
    price: Price,
    keyword: Keywords = None,
    min_budget: MinBudget = 0,
    min_priority: MinPriority = 0.0,
    min_inspection_rate: MinInspectionRate = 0.0,
    min_purchase_rate: MinPurchaseRate = 0.0,
    password: PasswordOption = None,
    url: Url = DEFAULT_URL,
) -> None:
    """Create a fixed bot: it offers the same text and price on every matching context (of
    buyers with at least the given smoothed inspection and purchase rates)."""
    with _signed_in(url, user, password) as client:
        bot = client.create_bot(
            name,
            "fixed",
            price,
            **matching(keyword, min_budget, min_priority, min_inspection_rate, min_purchase_rate),
            preview=preview,
            private_info=private_info,
        )
    console.print(f"bot {bot.name} created ({bot.id})")


def bot_add_bayesian(
    name: BotName,
    user: UserOption,
    market: Annotated[Path, typer.Option(help="a market file (YAML or JSON)")],
    offer: Annotated[str, typer.Option(help="the id of the market offer it sells")],
    state: Annotated[str, typer.Option(help="the true state's label")],
    cents_per_unit: Annotated[int, typer.Option(help="cents per utility unit")] = 100,
    keyword: Keywords = None,
    password: PasswordOption = None,
    url: Url = DEFAULT_URL,
) -> None:
    """Create a bayesian bot: it sells one offer of a market truthfully in the true state, on
    the contexts of the offer's level (the market's world file is sent inline)."""
    from volition.bazaar.domain.bot_markets import market_text, sale_of
    from volition.core.files import read_structured_file

    data = read_structured_file(market)
    if isinstance(data, dict) and isinstance(data.get("world"), str):
        world = market.parent / data["world"]
        if not world.is_file():
            raise InputError(
                f"{market}: world file {data['world']!r} not found (looked for {world})"
            )
        data["world"] = read_structured_file(world)
    text = market_text(data)
    sale = sale_of(text, offer, state)  # checked here first: clear errors before signing in
    price = round(sale.offer.price * cents_per_unit)
    with _signed_in(url, user, password) as client:
        bot = client.create_bot(
            name,
            "bayesian",
            price,
            keywords=keyword or [],
            market=data,
            market_offer=offer,
            market_state=state,
            cents_per_unit=cents_per_unit,
        )
    console.print(
        f"bot {bot.name} created ({bot.id}): sells {offer} at level {sale.level} for {price} cents"
    )


def _act(action: str) -> Callable[..., None]:
    def command(
        bot_id: Annotated[str, typer.Argument(help="the bot's id")],
        user: UserOption,
        password: PasswordOption = None,
        url: Url = DEFAULT_URL,
    ) -> None:
        with _signed_in(url, user, password) as client:
            if action == "pause":
                client.pause_bot(bot_id)
            elif action == "resume":
                client.resume_bot(bot_id)
            else:
                client.delete_bot(bot_id)
        done = {"pause": "paused", "resume": "resumed", "delete": "deleted"}[action]
        console.print(f"bot {bot_id} {done}")

    command.__name__ = f"bot_{action}"
    command.__doc__ = {
        "pause": "Pause one of your bots.",
        "resume": "Resume one of your paused bots.",
        "delete": "Delete one of your bots (its offers stay).",
    }[action]
    return command


bot_pause = _act("pause")
bot_resume = _act("resume")
bot_delete = _act("delete")


def llm_set(
    user: UserOption,
    base_url: Annotated[str, typer.Option(help="an OpenAI-compatible endpoint, e.g. .../v1")],
    model: Annotated[str, typer.Option(help="the model name")],
    password: PasswordOption = None,
    url: Url = DEFAULT_URL,
) -> None:
    """Store your bots' LLM endpoint (used by your LLM bots only, never to inspect); the key
    comes from $VOLITION_LLM_API_KEY or a hidden prompt."""
    api_key = os.environ.get("VOLITION_LLM_API_KEY") or typer.prompt("API key", hide_input=True)
    with _signed_in(url, user, password) as client:
        stored = client.set_llm(base_url, model, api_key)
    console.print(f"stored {stored.model} at {stored.base_url} (key {stored.key_hint})")


def bots_run(
    database: Annotated[
        str | None,
        typer.Option("--database", help="SQLAlchemy URL; default $VOLITION_DATABASE_URL"),
    ] = None,
    every: Annotated[
        float, typer.Option(help="seconds between passes; 0: one pass and stop")
    ] = 0.0,
    limit: Annotated[int, typer.Option(help="at most this many answers per pass")] = 100,
) -> None:
    """Have the stored bots answer the open contexts they match (each at most once)."""
    from volition.bazaar.bot_dispatch import BotDispatcher, bot_service_for
    from volition.bazaar.domain import Bazaar
    from volition.bazaar.security import Argon2Hasher
    from volition.bazaar.storage import SqlStore

    if every < 0 or not 1 <= limit <= 10_000:
        raise InputError("--every cannot be negative and --limit must be from 1 to 10000")
    store = SqlStore.open(database)
    bazaar = Bazaar(store, hasher=Argon2Hasher())
    dispatcher = BotDispatcher(bazaar, bot_service_for(bazaar))
    try:
        while True:
            posted = dispatcher.run_due(limit)
            console.print(f"bots posted {posted} offer(s)")
            if every == 0:
                return
            time.sleep(every)
    finally:
        store.close()
