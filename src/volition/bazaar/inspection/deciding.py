"""Deciding (``engine``): read the view, ask the agent, write what the decision does.

A deciding step is two units of work around the agent call (issue 15): one writing unit that
marks the node's offers inspected and reads everything the agent is shown; the agent asked,
retried with the reasons of each refusal, with no transaction open; then one unit that pays
for the agent's tokens, records its calls, buys or follows up, closes the context, moves the
node and ends its lease, all committed together.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from volition.agents import Buy, BuyerAgent, BuyerReply, FollowUp, NodeView, Usage
from volition.bazaar.domain import DecisionContext, UnitOfWork
from volition.bazaar.domain.forecasts import ForecastQuestion
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import hold
from volition.bazaar.inspection.acting import Acting
from volition.bazaar.inspection.judging import Judgement, judge
from volition.bazaar.inspection.pricing import Pricing
from volition.bazaar.inspection.records import (
    AgentCall,
    Inspection,
    Node,
    Outcome,
    PendingDecision,
    Verdict,
)
from volition.bazaar.inspection.views import build_view, read_tree

__all__ = ["Deciding"]

log = logging.getLogger("volition.bazaar.inspection.engine")


class Deciding(Acting):
    """The phase that decides: read, ask, write."""

    def _decide(self, node: Node, worker: str) -> None:
        """Read (one unit), ask the agent (no transaction open), write (one unit)."""
        inspection = self._fixed(node.inspection_id)
        try:  # before anything is read: an inspector this server lacks reads nothing
            agent: BuyerAgent | None = self.agent(inspection)
        except Exception as exc:  # whatever the reason, it ends as no_agent
            log.warning("inspection %s has no agent: %s", inspection.id, exc)
            agent = None
        pricing = self.pricing(inspection)
        read = self._read_for_decision(node, worker, inspection, agent is not None, pricing)
        if read is None:  # ended in the read's unit (closed, no agent, no budget, no offers)
            return
        assert agent is not None
        question = read.question
        attempts, decision, outcome = self._ask_until_judged(node, worker, agent, pricing, read)
        if question is not None and decision is not None:
            accepted = decision.decision
            if isinstance(accepted, Buy) and accepted.forecast:  # its step's forecast, proposed
                self.forecasts.propose(question.context_id, node.id, accepted.forecast)
        bought = self._write_decision(node, worker, read, attempts, pricing, decision, outcome)
        if question is not None:  # the question's next step, once its purchases are committed
            self.forecasts.confirm(node.id, bought)  # (in its own transaction: not in the unit)

    def _read_for_decision(
        self, node: Node, worker: str, inspection: Inspection, has_agent: bool, pricing: Pricing
    ) -> _Read | None:
        """One writing unit: read everything the agent is shown (``views``, batched), marking
        the node's offers inspected on the way; a node with nothing to decide on ends in it.
        A hook choosing which offers a node reads belongs here, before the marking."""
        with self.bazaar.unit() as uow:
            context = _locked_context(uow, inspection.buyer_id, node.context_id)
            left: int | None = None  # the reservation's balance, if read for the check
            if not context.is_active:
                outcome = Outcome.CLOSED
            elif not has_agent:
                outcome = Outcome.NO_AGENT
            elif not pricing.free and (left := uow.ledger.balance(hold(context.id))) <= 0:
                outcome = Outcome.NO_BUDGET  # the inspector could not be paid
            else:
                view, sellers = self._view(uow, node, inspection, left)
                if view.offers:
                    view, question = self._with_forecast(uow, inspection, view)
                    return _Read(view, context, question, sellers)
                outcome = Outcome.NO_OFFERS
            self._end(uow, node, worker, outcome)
        return None

    def _view(
        self,
        uow: UnitOfWork,
        node: Node,
        inspection: Inspection,
        balance: int | None,
    ) -> tuple[NodeView, dict[str, str]]:
        """The node's view, its context's offers marked inspected (read with the others),
        and the sellers of its context's offers (by offer)."""
        limits = inspection.limits
        snapshot = read_tree(uow, self.repository.within(uow), node, seen=self._contexts_seen)
        marked = self.bazaar.mark_context_inspected(
            inspection.buyer_id, node.context_id, offers=snapshot.of(node.context_id)
        )
        max_depth = min(limits.max_depth, self.bazaar.settings.max_depth)
        view = build_view(
            uow,
            snapshot.marked(marked),
            node,
            limits,
            max_depth,
            names=self._seller_names,
            balance=balance,
        )
        return view, {o.id: o.seller_id for o in snapshot.of(node.context_id)}

    def _with_forecast(
        self, uow: UnitOfWork, inspection: Inspection, view: NodeView
    ) -> tuple[NodeView, ForecastQuestion | None]:
        """The view with the forecast so far, if the inspected context is a forecast
        question (its outcomes), and the question."""
        question = self._question(uow, inspection)
        if question is None:
            return view, None
        steps = self.forecasts.repository.within(uow).steps(question.context_id)
        so_far = steps[-1].distribution if steps else question.prior
        return replace(view, outcomes=question.outcomes, forecast=so_far), question

    def _ask_until_judged(
        self, node: Node, worker: str, agent: BuyerAgent, pricing: Pricing, read: _Read
    ) -> tuple[list[_Attempt], Judgement | None, Outcome | None]:
        """Ask the agent, retrying with the reasons of each refusal; no transaction is open.

        Each call's tokens are priced against what is left (the write pays them): the answer
        is judged against the rest. Returns the attempts, the accepted judgement (or None)
        and, without one, the outcome (gave up, or no budget left for another call)."""
        limits = self._limits(node)
        view = read.view
        feedback: list[str] = []
        attempts: list[_Attempt] = []
        for attempt in range(limits.max_retries + 1):
            if attempt:  # each retry gets a whole lease: agent calls are the slow part
                if not pricing.free and view.remaining_budget <= 0:
                    return attempts, None, Outcome.NO_BUDGET
                until = self.bazaar.clock() + self.lease
                self.repository.release(node.id, worker, until=until)
            asked = replace(view, feedback=tuple(feedback))
            reply = self._ask(agent, asked)
            usage = reply.usage if isinstance(reply.usage, Usage) else Usage()
            cents = pricing.cost(usage.prompt_tokens, usage.completion_tokens)
            charged = max(0, min(cents, view.remaining_budget))
            # the answer is judged against what is left once its own tokens are paid for
            view = replace(view, remaining_budget=view.remaining_budget - charged)
            asked = replace(asked, remaining_budget=view.remaining_budget)
            judgement = judge(asked, reply, self.bazaar.settings.max_query_chars)
            attempts.append(_Attempt(attempt, asked, reply, judgement, cents))
            if judgement.verdict is Verdict.ACCEPTED:
                assert judgement.decision is not None
                return attempts, judgement, None
            feedback.extend(judgement.reasons)
        return attempts, None, Outcome.GAVE_UP

    def _write_decision(
        self,
        node: Node,
        worker: str,
        read: _Read,
        attempts: list[_Attempt],
        pricing: Pricing,
        judgement: Judgement | None,
        outcome: Outcome | None,
    ) -> tuple[str, ...]:
        """One unit of work: pay for the calls, carry out the decision, record the calls,
        move the node and end the lease (its compare-and-set refuses an overtaken worker);
        return the offers bought.

        The bazaar's operations come first and the engine's records last, so that a
        repository that cannot join the unit (in memory) is written only once they all
        went through. The purchases and the close are one operation of the bazaar (``_end``).
        """
        inspection = self._fixed(node.inspection_id)
        with self.bazaar.unit() as uow:
            _locked_context(uow, inspection.buyer_id, node.context_id)
            calls = []
            for attempt in attempts:
                charged = self._charge(inspection, node, attempt.attempt, pricing, attempt.cents)
                calls.append(self._call(node, attempt, charged))
            if judgement is None:
                assert outcome is not None
                self._end(uow, node, worker, outcome, calls=calls)
                return ()
            pending = _pending(judgement)
            if pending.follow_up:
                self._follow_up(uow, node, worker, pending, calls, read.context, read.sellers)
                return ()
            chosen = self._chosen(node, pending, {o.id for o in read.view.offers})
            return self._end(uow, node, worker, Outcome.BOUGHT, calls=calls, buy=chosen)

    def _charge(
        self, inspection: Inspection, node: Node, attempt: int, pricing: Pricing, cents: int
    ) -> int:
        """Pay for one call's tokens from the node's reservation; return the cents paid.

        The key names the node's version and the attempt: a repeated step (a worker died,
        its lease ran out) pays the first amount again, never twice."""
        if cents <= 0:
            return 0
        return self.bazaar.charge_inspection(
            inspection.buyer_id,
            node.context_id,
            cents,
            idempotency_key=f"{node.id}:cost:{node.version}:{attempt}",
            memo=f"inspector {inspection.inspector} for {node.context_id}",
        )

    def _ask(self, agent: BuyerAgent, view: NodeView) -> BuyerReply:
        try:
            return agent.decide(view)
        except Exception as exc:  # an agent's crash is a malformed answer, retried and bounded
            log.warning("buyer agent %s failed: %s", agent.name, type(exc).__name__)
            return BuyerReply(None, Usage(), f"the agent failed ({type(exc).__name__})")

    def _call(self, node: Node, attempt: _Attempt, charged: int) -> AgentCall:
        """The audit record of one agent call: ids seen and decided, tokens, cost."""
        view, reply, judgement = attempt.asked, attempt.reply, attempt.judgement
        decision = reply.decision
        seen = tuple(o.id for o in view.offers)
        named: tuple[str, ...] = ()
        action: str | None = None
        budget = 0
        if judgement.verdict is not Verdict.MALFORMED and decision is not None:
            if isinstance(decision, Buy):
                action, named = "buy", tuple(decision.offer_ids)
            else:
                action, named, budget = "follow_up", tuple(decision.about), decision.budget
        usage = reply.usage if isinstance(reply.usage, Usage) else Usage()
        return AgentCall(
            id=new_id("cal"),
            inspection_id=node.inspection_id,
            node_id=node.id,
            attempt=attempt.attempt,
            seen_offer_ids=seen,
            ancestor_offer_ids=tuple(o.id for o in view.ancestor_offers),
            known_offer_ids=tuple(k.offer_id for k in view.known),
            verdict=judgement.verdict,
            action=action,
            decided_ids=tuple(i for i in named if i in seen),
            unknown_ids=sum(1 for i in named if i not in seen),
            budget=budget,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost=usage.cost,
            at=self.bazaar.clock(),
            charged=charged,
        )


@dataclass(frozen=True, slots=True)
class _Read:
    """What a deciding step read in its first unit: the view, the context, the forecast
    question, and the sellers of the context's offers (by offer)."""

    view: NodeView
    context: DecisionContext
    question: ForecastQuestion | None = None  # the inspected context's, if a forecast question
    sellers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One agent call of a step: what it was shown, its reply, the judgement, its price."""

    attempt: int
    asked: NodeView
    reply: BuyerReply
    judgement: Judgement
    cents: int


def _locked_context(uow: UnitOfWork, buyer_id: str, context_id: str) -> DecisionContext:
    """Lock the buyer's row, then the node's context, in the bazaar's lock order (one read),
    at the start of a step's unit: the service's operations joined to it find both held (no
    statement of their own to read them again)."""
    held = uow.lock_owned(buyer_id, context_id)
    assert held is not None, f"context {context_id} of {buyer_id} is gone"
    return held[1]


def _pending(judgement: Judgement) -> PendingDecision:
    decision = judgement.decision
    if isinstance(decision, FollowUp):
        return PendingDecision(True, tuple(decision.about), decision.budget, decision.query)
    assert isinstance(decision, Buy)
    return PendingDecision(False, tuple(dict.fromkeys(decision.offer_ids)))
