"""Posting on a running bazaar from the command line: ``volition ask`` posts a decision
context (with the attention auction's terms, or as a forecast question with ``--outcome``),
``volition offer`` posts an offer (with a bid, and pay-on-resolution terms ``--rate``/``--cap``).
Both talk to the server through ``BazaarClient`` (docs/theory.md §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from volition.cli.connection import connected
from volition.cli.output import AsJson, console, print_record
from volition.errors import InputError

if TYPE_CHECKING:
    from volition.bazaar.api.schemas import ContextPublic, OfferPublic
    from volition.bazaar.client import BazaarClient

__all__ = ["ask", "offer"]


Attention = Annotated[
    int | None,
    typer.Option(help="read at most this many offers, the highest bids first (default: all)"),
]
ReadingCost = Annotated[
    int, typer.Option(help="the least bid, in cents, an offer must carry to be read")
]
MinRecord = Annotated[
    int | None,
    typer.Option(help="read only sellers with at least this many offers bought and resolved"),
]
MinValuePerDollar = Annotated[
    float | None,
    typer.Option(help="read only sellers whose mean realised value per dollar is this high"),
]
MaxCalibrationGap = Annotated[
    float | None,
    typer.Option(help="read only sellers whose calibration gap is at most this (0 to 1)"),
]
AdmitNewcomers = Annotated[
    bool | None,
    typer.Option(
        "--admit-newcomers/--no-admit-newcomers",
        help="with a record minimum: read sellers with no record yet (default: yes)",
    ),
]
Outcomes = Annotated[
    list[str] | None,
    typer.Option(help="makes it a forecast question: one of its outcomes (repeat, 2 or more)"),
]
ClosesIn = Annotated[
    int | None, typer.Option(help="a forecast question closes in this many seconds")
]
Resolver = Annotated[
    str | None, typer.Option(help="who resolves the question (default: the operator)")
]
MaxEscrow = Annotated[
    int | None,
    typer.Option(
        help="the largest escrow cap, in cents, a pay-on-resolution offer may ask; also "
        "the question's stake: one unit of score is worth this many cents"
    ),
]


@connected
def ask(
    client: BazaarClient,
    query: Annotated[str, typer.Argument(help="what you need to know to decide")],
    budget: Annotated[int, typer.Option(help="cents reserved from your cash now")],
    priority: Annotated[float, typer.Option(help="0 to 1")] = 0.5,
    attention: Attention = None,
    reading_cost: ReadingCost = 0,
    outcome: Outcomes = None,
    closes_in: ClosesIn = None,
    resolver: Resolver = None,
    rule: Annotated[str, typer.Option(help="its scoring rule: log, brier or spherical")] = "log",
    max_escrow: MaxEscrow = None,
    min_record: MinRecord = None,
    min_value_per_dollar: MinValuePerDollar = None,
    max_calibration_gap: MaxCalibrationGap = None,
    admit_newcomers: AdmitNewcomers = None,
    as_json: AsJson = False,
) -> None:
    """Post a decision context on a running bazaar, reserving its budget; with ``--outcome``
    (twice or more) and ``--closes-in``, a forecast question (docs/theory.md §4)."""
    posted = client.post_context(
        query,
        budget,
        forecast=_forecast(outcome, closes_in, resolver, rule, max_escrow),
        priority=priority,
        attention=attention,
        reading_cost=reading_cost,
        record_minimum=_record_minimum(
            min_record, min_value_per_dollar, max_calibration_gap, admit_newcomers
        ),
    )
    print_record(as_json, "context", posted, _say_context)


def _say_context(posted: ContextPublic) -> None:
    reads = "every offer" if posted.attention is None else f"at most {posted.attention} offers"
    console.print(
        f"posted {posted.id}: {posted.budget} cents reserved; reads {reads}, "
        f"reading cost {posted.reading_cost} cents"
    )
    if posted.forecast is not None:
        console.print(f"a forecast question: {' / '.join(posted.forecast.outcomes)}")
    if posted.record_minimum is not None:
        m = posted.record_minimum
        console.print(
            f"reads sellers with at least {m.min_offers_bought} offers bought and resolved, "
            f"value per dollar at least {m.min_value_per_dollar}, calibration gap at most "
            f"{m.max_calibration_gap}; newcomers {'admitted' if m.admit_newcomers else 'refused'}"
        )


def _record_minimum(
    offers: int | None, value: float | None, gap: float | None, newcomers: bool | None
) -> dict[str, object] | None:
    """The record minimum of ``ask``'s options (None: none given); the server checks it."""
    given: dict[str, object] = {
        "min_offers_bought": offers,
        "min_value_per_dollar": value,
        "max_calibration_gap": gap,
        "admit_newcomers": newcomers,
    }
    chosen = {k: v for k, v in given.items() if v is not None}
    return chosen or None


def _forecast(
    outcomes: list[str] | None,
    closes_in: int | None,
    resolver: str | None,
    rule: str,
    max_escrow: int | None = None,
) -> dict[str, object] | None:
    """The forecast block of ``ask``'s options, or None; the server checks its values."""
    if not outcomes:
        if closes_in is not None or resolver is not None or max_escrow is not None:
            raise InputError(
                "--closes-in, --resolver and --max-escrow need --outcome (twice or more)"
            )
        return None
    if closes_in is None:
        raise InputError("a forecast question needs --closes-in SECONDS (when it closes)")
    block: dict[str, object] = {"outcomes": outcomes, "closes_in_seconds": closes_in, "rule": rule}
    if resolver is not None:
        block["resolver"] = resolver
    if max_escrow is not None:
        block["max_escrow"] = max_escrow
    return block


Bid = Annotated[
    int, typer.Option(help="cents paid to the buyer if read; held from your cash meanwhile")
]
Rate = Annotated[
    float | None,
    typer.Option(
        help="pay on resolution (a forecast question): this share, in (0, 1], of the "
        "realised marginal value; needs --cap"
    ),
]
Cap = Annotated[
    int | None,
    typer.Option(help="the most, in cents, paid at resolution; held from the buyer's budget"),
]


@connected
def offer(
    client: BazaarClient,
    context_id: Annotated[str, typer.Argument(help="the context to offer on")],
    preview: Annotated[str, typer.Option(help="the public preview")],
    private_info: Annotated[str, typer.Option(help="what the buyer reads once bought")],
    price: Annotated[int, typer.Option(help="the price in cents")],
    bid: Bid = 0,
    rate: Rate = None,
    cap: Cap = None,
    as_json: AsJson = False,
) -> None:
    """Offer information on a context of a running bazaar, with a bid to be read, and on a
    forecast question pay-on-resolution terms (``--rate`` and ``--cap``)."""
    posted = client.post_offer(
        context_id,
        pay_on_resolution=_terms(rate, cap),
        preview=preview,
        private_info=private_info,
        price=price,
        bid=bid,
    )
    print_record(as_json, "offer", posted, _say_offer)


def _terms(rate: float | None, cap: int | None) -> tuple[float, int] | None:
    """The pay-on-resolution terms of ``offer``'s options (None: neither given)."""
    if (rate is None) != (cap is None):
        raise InputError("pay on resolution needs both --rate (a share in (0, 1]) and --cap")
    return None if rate is None or cap is None else (rate, cap)


def _say_offer(posted: OfferPublic) -> None:
    console.print(f"posted {posted.id} at {posted.price} cents, bidding {posted.bid} cents")
    if posted.pay_on_resolution is not None:
        t = posted.pay_on_resolution
        console.print(f"pays {t.rate:g} of its realised value at resolution, up to {t.cap} cents")
