"""The inspection commands: ``volition inspect`` starts one on a running bazaar and prints its
tree; ``volition inspection`` shows one. Both talk to the server through ``BazaarClient``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.tree import Tree

from volition.cli.connection import connected
from volition.cli.output import AsJson, console, print_json

if TYPE_CHECKING:
    from volition.bazaar.api.schemas_inspections import InspectionPublic
    from volition.bazaar.client import BazaarClient

__all__ = ["inspect", "inspection", "render_tree"]


def render_tree(found: InspectionPublic) -> Tree:
    """The recursion tree of an inspection as a rich tree, root first."""
    head = f"inspection {found.id} of {found.context_id}: {found.status}"
    head += (
        f" (agent {found.agent}, inspector {found.inspector}, policy {found.limits.policy}, "
        f"spent {found.spent} cents, inspector's tokens {found.inspection_cost} cents)"
    )
    tree = Tree(escape(head))
    branches: dict[str | None, Tree] = {None: tree}
    for node in found.nodes:
        query = node.query if node.query is not None else "(a follow-up you cannot see)"
        state = node.state + (f", {node.outcome}" if node.outcome else "")
        offers = "?" if node.offers is None else str(node.offers)
        bought = ", ".join(node.bought) or "nothing"
        label = f"[depth {node.depth}] {query} | {state} | {offers} offers | bought {bought}"
        parent = branches.get(node.parent_id, tree)
        branches[node.id] = parent.add(escape(label))
    return tree


def _print(client: BazaarClient, found: InspectionPublic, as_json: bool, mine: bool) -> None:
    bought = {b.offer_id for b in found.bought}
    purchases = [p for p in client.purchases() if p.offer_id in bought] if mine else []
    if as_json:
        payload: dict[str, Any] = {"inspection": found.model_dump(mode="json")}
        if mine:
            payload["purchases"] = [p.model_dump(mode="json") for p in purchases]
        print_json(payload)
        return
    console.print(render_tree(found))
    u = found.usage
    console.print(
        f"agent calls {u.calls}, tokens {u.prompt_tokens} + {u.completion_tokens}, "
        f"cost ${u.cost:.4f}"
    )
    for p in purchases:
        offer = p.offer
        info = offer.private_info if offer and offer.private_info is not None else None
        shown = info if info is not None else "(not yours to read: a follow-up you did not keep)"
        preview = offer.preview if offer else ""
        console.print(escape(f"bought {p.offer_id} for {p.price} cents: {preview}\n  {shown}"))


@connected
def inspect(
    client: BazaarClient,
    context_id: Annotated[str, typer.Argument(help="your open top-level context")],
    agent: Annotated[
        str | None,
        typer.Option(help="offline (default) or llm (on the --inspector named)"),
    ] = None,
    inspector: Annotated[
        str | None,
        typer.Option(help="the operator's inspector to run on (GET /api/inspectors)"),
    ] = None,
    depth: Annotated[int | None, typer.Option(help="how deep follow-ups may nest")] = None,
    policy: Annotated[
        str | None, typer.Option(help="with_parent (default) or all: which follow-ups you keep")
    ] = None,
    min_offers: Annotated[int | None, typer.Option(help="decide at this many offers")] = None,
    gather_seconds: Annotated[
        float | None, typer.Option(help="or after waiting this long for offers")
    ] = None,
    wait: Annotated[bool, typer.Option(help="wait until it is done")] = True,
    timeout: Annotated[float, typer.Option(help="seconds to wait at most")] = 120.0,
    as_json: AsJson = False,
) -> None:
    """Have an operator's inspector inspect your context, then print its tree and purchases."""
    found = client.start_inspection(
        context_id,
        agent=agent,
        inspector=inspector,
        max_depth=depth,
        policy=policy,
        min_offers=min_offers,
        gather_seconds=gather_seconds,
    )
    if wait:
        found = client.wait_for_inspection(found.id, timeout=timeout)
    _print(client, found, as_json, mine=True)


@connected
def inspection(
    client: BazaarClient,
    inspection_id: Annotated[str, typer.Argument(help="an inspection id")],
    as_json: AsJson = False,
) -> None:
    """Show an inspection (yours, or any as an operator): its tree, what it bought, its cost."""
    found = client.inspection(inspection_id)
    _print(client, found, as_json, mine=client.me().id == found.buyer_id)
