"""Forecast questions from the command line: ``volition resolve CONTEXT OUTCOME`` (the
resolver) and ``volition record SELLER`` (anyone). Both talk to a running server through
``BazaarClient``; the numbers are rounded in tables (``output.fmt``) and exact with ``--json``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from volition.cli.connection import DEFAULT_URL, Url, connected
from volition.cli.output import AsJson, print_json, print_table

if TYPE_CHECKING:
    from volition.bazaar.client import BazaarClient

__all__ = ["record", "resolve"]


@connected
def resolve(
    client: BazaarClient,
    context_id: Annotated[str, typer.Argument(help="the forecast question's context id")],
    outcome: Annotated[
        str | None, typer.Argument(help="the outcome that happened (omit with --annul)")
    ] = None,
    annul: Annotated[bool, typer.Option("--annul", help="annul it: nothing is scored")] = False,
    as_json: AsJson = False,
) -> None:
    """Resolve a forecast question you are the resolver of; print its scores."""
    found = client.resolve(context_id, outcome, annulled=annul)
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    what = "annulled" if found.annulled else f"resolved to {found.outcome!r}"
    rows = [[s.step, s.offer_id, s.price, s.realised_value] for s in found.scores or []]
    final = "-" if found.final_score is None else f"{found.final_score:.4g}"
    print_table(
        f"{context_id} {what}; final score {final} ({found.rule} rule)",
        ["step", "offer id", "price (cents)", "realised value"],
        rows,
    )


def record(
    seller: Annotated[str, typer.Argument(help="the seller's (or bot's) user name")],
    url: Url = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """A seller's track record over resolved forecast questions (public)."""
    from volition.bazaar.client import BazaarClient

    with BazaarClient(url) as client:
        found = client.record(seller)
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    print_table(
        f"track record of {seller}",
        ["offers", "questions", "mean value", "value per $", "confidence", "hit rate", "gap"],
        [
            [
                found.offers,
                found.questions,
                found.mean_value,
                found.value_per_dollar,
                found.mean_confidence,
                found.hit_rate,
                found.calibration_gap,
            ]
        ],
    )
