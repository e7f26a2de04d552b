"""The inbox's matchers from the command line: ``matcher-add`` and ``matchers`` sign in to a
server as ``bots`` does and add or list a seller's matchers, with the buyers' smoothed
inspection and purchase rates they ask for (docs/theory.md §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from volition.cli.bots_commands import (
    DEFAULT_URL,
    Keywords,
    MinBudget,
    MinInspectionRate,
    MinPriority,
    MinPurchaseRate,
    PasswordOption,
    Url,
    UserOption,
    _signed_in,
    matching,
)
from volition.cli.output import AsJson, console, print_json, print_record, print_table

if TYPE_CHECKING:
    from volition.bazaar.api.schemas import MatcherPublic

__all__ = ["matcher_add", "matchers"]


def matcher_add(
    user: UserOption,
    keyword: Keywords = None,
    min_budget: MinBudget = 0,
    min_priority: MinPriority = 0.0,
    max_age: Annotated[int | None, typer.Option(help="at most this many seconds old")] = None,
    min_inspection_rate: MinInspectionRate = 0.0,
    min_purchase_rate: MinPurchaseRate = 0.0,
    password: PasswordOption = None,
    url: Url = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """Add a matcher to your inbox: the contexts it lets through are those with any of the
    keywords, at least the budget and priority, young enough, from buyers with at least the
    given smoothed inspection and purchase rates (a newcomer counts as 0.5)."""
    with _signed_in(url, user, password) as client:
        matcher = client.add_matcher(
            **matching(keyword, min_budget, min_priority, min_inspection_rate, min_purchase_rate),
            max_age_seconds=max_age,
        )
    print_record(as_json, "matcher", matcher, _say_matcher)


def _say_matcher(matcher: MatcherPublic) -> None:
    console.print(
        f"matcher {matcher.id} added: buyers' inspection rate at least "
        f"{matcher.min_inspection_rate}, purchase rate at least {matcher.min_purchase_rate}"
    )


def matchers(
    user: UserOption,
    password: PasswordOption = None,
    url: Url = DEFAULT_URL,
    as_json: AsJson = False,
) -> None:
    """List your inbox's matchers."""
    with _signed_in(url, user, password) as client:
        found = client.matchers()
    if as_json:
        print_json({"matchers": [m.model_dump(mode="json") for m in found]})
        return
    columns = ["id", "keywords", "min budget", "min inspection rate", "min purchase rate"]
    rows = [
        (m.id, ", ".join(m.keywords), m.min_budget, m.min_inspection_rate, m.min_purchase_rate)
        for m in found
    ]
    print_table("matchers", columns, rows)
