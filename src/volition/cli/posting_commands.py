"""Posting on a running bazaar from the command line: ``volition ask`` posts a decision
context (with the attention auction's terms), ``volition offer`` posts an offer (with a bid).
Both talk to the server through ``BazaarClient`` (docs/theory.md §5)."""

from __future__ import annotations

from typing import Annotated

import typer

from volition.cli.inspections_commands import AsJson, Password, Token, Url, User, _client
from volition.cli.output import console, print_json

__all__ = ["ask", "offer"]


def ask(
    query: Annotated[str, typer.Argument(help="what you need to know to decide")],
    budget: Annotated[int, typer.Option(help="cents reserved from your cash now")],
    url: Url = "http://127.0.0.1:8000",
    token: Token = None,
    user: User = None,
    password: Password = None,
    priority: Annotated[float, typer.Option(help="0 to 1")] = 0.5,
    attention: Annotated[
        int | None,
        typer.Option(help="read at most this many offers, the highest bids first (default: all)"),
    ] = None,
    reading_cost: Annotated[
        int, typer.Option(help="the least bid, in cents, an offer must carry to be read")
    ] = 0,
    as_json: AsJson = False,
) -> None:
    """Post a decision context on a running bazaar, reserving its budget."""
    with _client(url, token, user, password) as client:
        posted = client.post_context(
            query, budget, priority=priority, attention=attention, reading_cost=reading_cost
        )
    if as_json:
        print_json({"context": posted.model_dump(mode="json")})
        return
    reads = "every offer" if posted.attention is None else f"at most {posted.attention} offers"
    console.print(
        f"posted {posted.id}: {posted.budget} cents reserved; reads {reads}, "
        f"reading cost {posted.reading_cost} cents"
    )


def offer(
    context_id: Annotated[str, typer.Argument(help="the context to offer on")],
    preview: Annotated[str, typer.Option(help="the public preview")],
    private_info: Annotated[str, typer.Option(help="what the buyer reads once bought")],
    price: Annotated[int, typer.Option(help="the price in cents")],
    url: Url = "http://127.0.0.1:8000",
    token: Token = None,
    user: User = None,
    password: Password = None,
    bid: Annotated[
        int,
        typer.Option(help="cents paid to the buyer if read; held from your cash meanwhile"),
    ] = 0,
    as_json: AsJson = False,
) -> None:
    """Offer information on a context of a running bazaar, with a bid to be read."""
    with _client(url, token, user, password) as client:
        posted = client.post_offer(
            context_id, preview=preview, private_info=private_info, price=price, bid=bid
        )
    if as_json:
        print_json({"offer": posted.model_dump(mode="json")})
        return
    console.print(f"posted {posted.id} at {posted.price} cents, bidding {posted.bid} cents")
