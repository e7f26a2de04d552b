"""An inspection as one viewer may read it: the tree, what was bought, what the agent cost.

Shared by the JSON API and the web pages. Access follows the engine (the buyer and operators;
anyone else gets ``NotFound``), and each node's query and offer count follow the bazaar's
visibility rules for its context (an operator does not see follow-up contexts). Nothing here
reads private info: purchases are listed by offer id and price.
"""

from __future__ import annotations

from volition.bazaar.api.schemas_inspections import (
    BoughtPublic,
    InspectionPublic,
    LimitsPublic,
    NodePublic,
    UsagePublic,
)
from volition.bazaar.domain.record_filter import skipped_by_record
from volition.bazaar.errors import NotFound
from volition.bazaar.inspection import (
    Inspection,
    InspectionEngine,
    InspectionStatus,
    Node,
    NodeState,
)

__all__ = ["inspection_for_context", "inspection_report"]


def inspection_report(
    engine: InspectionEngine, viewer_id: str, inspection_id: str
) -> InspectionPublic:
    """The inspection ``inspection_id`` for ``viewer_id``; ``NotFound`` unless they may read it."""
    nodes = engine.nodes(viewer_id, inspection_id)  # checks: the buyer or an operator
    inspection = engine.inspection(inspection_id)
    # The engine marks the inspection done just before its root node (so that a repeated step
    # finds the root undone): done is shown once both are, as these separate reads saw them.
    root_done = any(n.parent_node_id is None and n.state is NodeState.DONE for n in nodes)
    done = inspection.status is InspectionStatus.DONE and root_done
    usage = engine.usage(viewer_id, inspection_id)
    charged = sum(c.charged for c in engine.repository.calls(inspection_id))
    public_nodes = [_node(engine, viewer_id, n) for n in _tree_order(nodes)]
    bought = _bought(engine, nodes)
    return InspectionPublic(
        id=inspection.id,
        context_id=inspection.context_id,
        buyer_id=inspection.buyer_id,
        agent=inspection.agent,
        inspector=inspection.inspector,
        status=(InspectionStatus.DONE if done else InspectionStatus.RUNNING).value,
        created_at=inspection.created_at,
        finished_at=inspection.finished_at if done else None,
        limits=LimitsPublic.of(inspection.limits),
        nodes=public_nodes,
        bought=bought,
        skipped_by_record=sum(n.skipped_by_record or 0 for n in public_nodes),
        spent=sum(b.price for b in bought),
        inspection_cost=charged,
        usage=UsagePublic(
            calls=usage.calls,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost=usage.cost,
        ),
    )


def inspection_for_context(
    engine: InspectionEngine, viewer_id: str | None, context_id: str
) -> Inspection:
    """The inspection of a top-level context, for its buyer or an operator; else ``NotFound``."""
    engine.bazaar.context(viewer_id, context_id)  # NotFound for contexts the viewer cannot see
    inspection = engine.repository.inspection_for_context(context_id)
    if viewer_id is not None and inspection is not None:
        viewer = engine.bazaar.user(viewer_id)
        if viewer.is_operator or viewer.id == inspection.buyer_id:
            return inspection
    raise NotFound(f"context {context_id} has no inspection you can read")


def _tree_order(nodes: list[Node]) -> list[Node]:
    """Depth first from the root, children in the order they were opened."""
    children: dict[str | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_node_id, []).append(node)
    ordered: list[Node] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.id, [])))
    return ordered


def _node(engine: InspectionEngine, viewer_id: str, node: Node) -> NodePublic:
    query: str | None = None
    offers: int | None = None
    skipped: int | None = None
    try:
        query = engine.bazaar.context(viewer_id, node.context_id).query
        offers = len(engine.bazaar.offers(viewer_id, node.context_id))
        skipped = _skipped(engine, node.context_id)
    except NotFound:  # a follow-up context this viewer (an operator) may not see
        pass
    return NodePublic(
        id=node.id,
        parent_id=node.parent_node_id,
        depth=node.depth,
        context_id=node.context_id,
        query=query,
        state=node.state.value,
        outcome=node.outcome.value if node.outcome is not None else None,
        offers=offers,
        skipped_by_record=skipped,
        follow_ups=node.follow_ups,
        bought=list(node.bought),
        deadline=node.deadline,
    )


def _skipped(engine: InspectionEngine, context_id: str) -> int:
    """The offers of a context its inspector skips by their sellers' records (a count: no
    offer or seller is named)."""
    records = engine.bazaar.store.forecast_repository()
    with engine.bazaar.store.begin(write=False) as uow:
        context = uow.contexts.get(context_id)
        if context is None:
            return 0
        return skipped_by_record(uow, records, context, uow.offers.for_context(context_id))


def _bought(engine: InspectionEngine, nodes: list[Node]) -> list[BoughtPublic]:
    """Every purchase made in the tree's contexts so far (ids and prices only)."""
    out: list[BoughtPublic] = []
    with engine.bazaar.store.begin(write=False) as uow:
        for node in nodes:
            for p in uow.purchases.for_context(node.context_id):
                out.append(
                    BoughtPublic(
                        offer_id=p.offer_id, node_id=node.id, context_id=p.context_id, price=p.price
                    )
                )
    return out
