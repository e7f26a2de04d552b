"""The rules of a node, checked against any agent's decision (the engine enforces them).

Whatever an agent answers, only offers of the node may be bought, never beyond the
remaining budget, with a forecast over the outcomes on a forecast question; and a follow-up
must be an allowed move (depth and breadth limits) with a positive budget it can afford,
about offers of the node.
"""

from __future__ import annotations

from volition.agents.views import Buy, Decision, FollowUp, NodeView
from volition.core.scoring import distribution_problems

__all__ = ["violations"]


def violations(view: NodeView, decision: Decision) -> list[str]:
    """Every rule the decision breaks at this node, as sentences; empty when it is legal."""
    if isinstance(decision, Buy):
        return _buy_violations(view, decision)
    return _follow_up_violations(view, decision)


def _buy_violations(view: NodeView, decision: Buy) -> list[str]:
    problems = []
    ids = list(decision.offer_ids)
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"offer ids listed twice: {', '.join(duplicates)}")
    unknown = [i for i in dict.fromkeys(ids) if view.offer(i) is None]
    if unknown:
        known = ", ".join(o.id for o in view.offers) or "none"
        problems.append(f"not offers of this node: {', '.join(unknown)} (the offers: {known})")
    if view.outcomes:
        if decision.forecast is None:
            problems.append(
                f"a purchase on a forecast question needs a forecast: one probability for "
                f"each of {', '.join(view.outcomes)}"
            )
        else:
            problems.extend(distribution_problems(decision.forecast, len(view.outcomes)))
    total = sum(o.cost for i in dict.fromkeys(ids) if (o := view.offer(i)) is not None)
    if total > view.remaining_budget:
        problems.append(
            f"the offers cost {total} cents in all but only {view.remaining_budget} remain"
        )
    return problems


def _follow_up_violations(view: NodeView, decision: FollowUp) -> list[str]:
    problems = []
    if view.depth >= view.max_depth:
        problems.append(
            f"no follow-up beyond depth {view.max_depth} (this node is at {view.depth})"
        )
    if view.follow_ups_left <= 0:
        problems.append("no follow-ups left at this node (breadth limit reached)")
    if not decision.query.strip():
        problems.append("a follow-up needs a non-empty query")
    if decision.budget <= 0:
        problems.append("a follow-up needs a budget of at least 1 cent")
    if decision.budget > view.remaining_budget:
        problems.append(
            f"a follow-up budget of {decision.budget} cents exceeds the "
            f"{view.remaining_budget} that remain"
        )
    if not decision.about:
        problems.append("a follow-up must name the offers of this node it is about")
    unknown = [i for i in decision.about if view.offer(i) is None]
    if unknown:
        problems.append(f"a follow-up can only be about offers of this node: {', '.join(unknown)}")
    return problems
