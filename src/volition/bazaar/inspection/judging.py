"""Judging one answer of the buyer agent: well formed, then legal (the rules of the node).

Whatever the agent is, its answer is only a proposal. ``judge`` reads it with suspicion
(wrong types count as malformed), checks it with ``volition.agents.violations`` and the
bazaar's own limits, and says why it is refused; the engine retries with those reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from volition.agents import Buy, BuyerReply, Decision, FollowUp, NodeView, violations
from volition.bazaar.inspection.records import Verdict

__all__ = ["Judgement", "judge"]


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on one answer, the decision when accepted, and the reasons when not."""

    verdict: Verdict
    decision: Decision | None
    reasons: tuple[str, ...] = ()


def judge(view: NodeView, reply: BuyerReply, max_query_chars: int) -> Judgement:
    """Accept ``reply`` only if it is a well-formed decision that breaks no rule of ``view``."""
    decision = reply.decision
    if decision is None:
        return Judgement(Verdict.MALFORMED, None, (reply.error or "the answer held no decision",))
    malformed = _malformed(decision)
    if malformed:
        return Judgement(Verdict.MALFORMED, None, (malformed,))
    problems = violations(view, decision)
    if isinstance(decision, FollowUp) and len(decision.query) > max_query_chars:
        problems.append(f"a follow-up query is at most {max_query_chars} characters long")
    if problems:
        return Judgement(Verdict.ILLEGAL, decision, tuple(problems))
    return Judgement(Verdict.ACCEPTED, decision)


def _malformed(decision: object) -> str | None:
    if isinstance(decision, Buy):
        if not _ids(decision.offer_ids):
            return "a purchase must list offer ids as text"
        return None
    if isinstance(decision, FollowUp):
        if not isinstance(decision.query, str):
            return "a follow-up query must be text"
        if isinstance(decision.budget, bool) or not isinstance(decision.budget, int):
            return "a follow-up budget must be a whole number of cents"
        if not _ids(decision.about):
            return "a follow-up must list the offer ids it is about as text"
        return None
    return "the answer was neither a purchase nor a follow-up"


def _ids(ids: object) -> bool:
    return isinstance(ids, tuple | list) and all(isinstance(i, str) for i in ids)
