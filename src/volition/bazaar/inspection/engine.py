"""The recursive inspection engine: a state machine over a tree of nodes (docs/theory.md §4-5).

One node per context. A node asks the bot sellers, gathers offers until it has enough or its
deadline passes, asks the buyer agent (retrying a bounded number of times with the reasons of
each refusal), then either buys (``Mechanism.INSPECTION``, paid from its context's reservation)
and closes its context, or opens a follow-up child context funded from its reservation and
decides again once the child is done, knowing what the child bought. Depth, breadth, waiting
and retries are bounded by ``InspectionLimits``. An inspector's tokens are paid for at its
price (``Pricing``), call by call, from the node's reservation and never beyond it: the
answer is judged against what is left, and a priced inspector is not asked with nothing left
(issue 10).

Nothing waits: ``start``, ``offer_arrived``, ``context_closed``, ``tick`` and ``poll`` only
move nodes; ``step`` claims one ready node (a lease, so that several worker processes share
the work), does its work and releases it; ``run_until_idle`` steps until every node waits for
offers, time or nothing. A deciding step reads in one unit of work, asks the agent with no
transaction open, and writes everything its decision does (payments, purchases or the
follow-up, the close, its records, the node and its lease) in one unit of work
(``Bazaar.unit``, issue 15): a worker that dies mid-step leaves nothing behind, and the step
is repeated whole. A change made by a worker whose lease was taken over while another moved
the node is refused by the repository (node versions and leases); the bazaar's operations
also go through idempotency keys, so nothing is ever paid twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from volition.agents import Buy, BuyerAgent, BuyerReply, FollowUp, NodeView, OfflineBuyer, Usage
from volition.bazaar.domain import (
    Bazaar,
    ContextSpec,
    ContextStatus,
    DecisionContext,
    OfferStatus,
    UnitOfWork,
)
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastQuestion
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import hold
from volition.bazaar.errors import Conflict, Forbidden, NotFound
from volition.bazaar.inspection.bots import Bot, BotPool, SellerPool
from volition.bazaar.inspection.judging import Judgement, judge
from volition.bazaar.inspection.limits import InspectionLimits
from volition.bazaar.inspection.pricing import FREE, Pricing
from volition.bazaar.inspection.records import (
    AgentCall,
    Inspection,
    InspectionStatus,
    Node,
    NodeState,
    Outcome,
    PendingDecision,
    Verdict,
)
from volition.bazaar.inspection.repository import (
    InspectionRepository,
    MemoryInspectionRepository,
    StaleNode,
)
from volition.bazaar.inspection.views import build_view
from volition.errors import InputError, VolitionError

__all__ = ["AgentResolver", "InspectionEngine", "worker_name"]

log = logging.getLogger(__name__)

AgentResolver = Callable[[Inspection], BuyerAgent]
"""Chooses the buyer agent of an inspection (by its ``agent`` name, its buyer, ...)."""


def worker_name() -> str:
    """A name for this worker that no other process shares: host, process id, random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class InspectionEngine:
    """Runs inspections of buyers' contexts with buyer agents and a set of bot sellers.

    ``buyer``: one :class:`BuyerAgent` for every inspection, or a function choosing the agent
    of each inspection (from its ``agent`` name, say; new inspections are then named
    ``default_agent`` unless ``start`` names one); by default the offline buyer.
    ``bots``: a tuple of :class:`Bot`, or any :class:`SellerPool` (the bazaar's stored bots).
    ``worker_id`` names this engine's leases; ``lease`` is how long a claimed node stays
    this worker's (longer than the slowest step: agent timeout times attempts); after a step
    fails, the node waits ``retry_delay`` before anyone tries it again.
    """

    def __init__(
        self,
        bazaar: Bazaar,
        buyer: BuyerAgent | AgentResolver | None = None,
        *,
        bots: tuple[Bot, ...] | SellerPool = (),
        repository: InspectionRepository | None = None,
        limits: InspectionLimits | None = None,
        default_agent: str = "offline",
        worker_id: str | None = None,
        lease: timedelta = timedelta(minutes=5),
        retry_delay: timedelta = timedelta(seconds=5),
    ) -> None:
        self.bazaar = bazaar
        offline = cast(BuyerAgent, OfflineBuyer())  # frozen: its name is read-only
        self.buyer: BuyerAgent | AgentResolver = buyer if buyer is not None else offline
        self.default_agent = (
            self.buyer.name if isinstance(self.buyer, BuyerAgent) else default_agent
        )
        self.sellers: SellerPool = bots if isinstance(bots, SellerPool) else BotPool(bazaar, bots)
        self.repository: InspectionRepository = repository or MemoryInspectionRepository()
        self.limits = limits or InspectionLimits()
        self.worker_id = worker_id or worker_name()
        if len(self.worker_id) > 120:
            raise InputError("a worker id has at most 120 characters")
        if lease <= timedelta(0) or retry_delay < timedelta(0):
            raise InputError("the lease must be positive and the retry delay not negative")
        self.lease = lease
        self.retry_delay = retry_delay
        self._inspections: dict[str, Inspection] = {}  # their fixed parts (see ``_fixed``)
        self.forecasts = Forecasts(bazaar)  # a forecast question's path (domain.forecasts)

    # ------------------------------------------------------------------- commands

    @property
    def agent_names(self) -> tuple[str, ...] | None:
        """The names of the buyer agents an inspection may be started with (None: any name,
        left to a resolver that says no list of its own)."""
        if isinstance(self.buyer, BuyerAgent):
            return (self.buyer.name,)
        names = getattr(self.buyer, "names", None)
        return tuple(names) if names is not None else None

    def start(
        self,
        actor_id: str,
        context_id: str,
        *,
        limits: InspectionLimits | None = None,
        agent: str | None = None,
        inspector: str | None = None,
    ) -> Inspection:
        """Start inspecting a top-level open context of ``actor_id``; its work runs in steps.

        ``agent`` names the buyer agent the engine's resolver will choose (default: the
        engine's one agent, or ``default_agent``); ``inspector`` names the operator's
        inspector it runs on, for a resolver (its ``choose``, if any, settles the pair)."""
        limits = limits or self.limits
        choose = getattr(self.buyer, "choose", None)
        if callable(choose):  # e.g. "llm" needs one of the operator's inspectors
            agent, inspector = choose(agent, inspector)
        elif (  # the catalogue of an engine with one agent lists only the offline inspector
            inspector is not None
            and isinstance(self.buyer, BuyerAgent)
            and not (inspector == "offline" and isinstance(self.buyer, OfflineBuyer))
        ):
            raise InputError("this server has no inspectors to choose from but 'offline'")
        agent = agent or self.default_agent
        if not agent or len(agent) > 40:
            raise InputError(f"an agent name has 1 to 40 characters, not {agent!r}")
        known = self.agent_names
        if known is not None and agent not in known:
            raise InputError(
                f"this server inspects with {' or '.join(map(repr, known))}, not {agent!r}"
            )
        context = self.bazaar.context(actor_id, context_id)
        if context.buyer_id != actor_id:
            raise Forbidden("only the buyer who posted a context can have it inspected")
        if context.is_child:
            raise InputError(
                f"context {context_id} is a follow-up; inspect its top-level context instead"
            )
        if self.repository.node_for_context(context_id) is not None:
            raise Conflict(f"context {context_id} is already being inspected")
        self.bazaar.start_inspecting(actor_id, context_id)  # refuses a context that is not open
        now = self.bazaar.clock()
        node = Node(new_id("nod"), new_id("ins"), context_id, None, 0, NodeState.SOLICITING)
        inspection = Inspection(
            node.inspection_id,
            context_id,
            actor_id,
            agent,
            limits,
            node.id,
            InspectionStatus.RUNNING,
            now,
            inspector=inspector,
        )
        self.repository.add_inspection(inspection)
        self.repository.add_node(node)
        return inspection

    def offer_arrived(self, context_id: str) -> None:
        """An offer was posted on ``context_id``: a gathering node may now have enough."""
        node = self.repository.node_for_context(context_id)
        if node is not None and node.state is NodeState.GATHERING:
            self._check_gathered(node, moving=True)

    def context_closed(self, context_id: str) -> None:
        """A context was cancelled or expired from outside: its gathering nodes (its own and,
        as closing cascades to children, those below it) stop waiting and end as closed."""
        node = self.repository.node_for_context(context_id)
        stack = [node] if node is not None else []
        while stack:
            node = stack.pop()
            if node.state is NodeState.GATHERING:
                self._move(node, state=NodeState.DECIDING)
            stack.extend(self.repository.children(node.id))

    def tick(self, now: datetime | None = None) -> int:
        """Move every gathering node whose deadline has passed to deciding; return how many."""
        due = self.repository.gathering_due(now or self.bazaar.clock())
        return sum(self._move(node, state=NodeState.DECIDING) is not None for node in due)

    def poll(self, limit: int = 200) -> int:
        """Notice, without events, what other processes did; return how many nodes moved.

        A gathering node decides once it has enough offers or its context is no longer
        active (decided, expired or cancelled elsewhere); a waiting node whose child is done
        decides again (its worker died between the two changes)."""
        moved = 0
        gathering = self.repository.in_state(NodeState.GATHERING, limit)
        if gathering:
            with self.bazaar.store.begin(write=False) as uow:  # one read for every node
                due = [node for node in gathering if self._gathered(uow, node)]
            for node in due:
                moved += self._move(node, state=NodeState.DECIDING) is not None
        for node in self.repository.stranded(limit):
            moved += self._resume(node) is not None
        return moved

    def step(self, worker_id: str | None = None) -> bool:
        """Claim one ready node, do its work and release it; False when no node is ready.

        A step is a few transactions (issue 15; the budget is checked by
        ``tests/inspection/test_step_budget.py``): the claim; for a deciding node one writing
        unit that marks its offers inspected and reads all it shows the agent
        (``_read_for_decision``); the agent call, outside any transaction; then one unit of
        work (``_write_decision``) that pays for the agent's tokens, records its calls, buys
        or follows up, closes the context, moves the node and ends the lease, all committed
        together. That last write is a compare-and-set on the node's version and lease: a
        worker whose lease was taken over meanwhile changes nothing (``StaleNode``).

        A step that fails keeps its node from everybody for ``retry_delay`` and raises; a
        worker killed mid-step leaves its lease to run out, and then any worker repeats it
        (a killed write left nothing behind: the decision is asked for again)."""
        worker = worker_id or self.worker_id
        node = self.repository.claim(worker, self.bazaar.clock(), self.lease)
        if node is None:
            return False
        log.debug("step %s (%s) by %s", node.id, node.state.value, worker)
        try:
            if node.state is NodeState.SOLICITING:
                self._solicit(node, worker)
            elif node.state is NodeState.DECIDING:
                self._decide(node, worker)
            else:
                self._act(node, worker)
        except StaleNode as exc:  # another worker moved it (our lease had run out)
            log.info("step of %s by %s overtaken: %s", node.id, worker, exc)
            self.repository.release(node.id, worker)
        except Exception:
            self.repository.release(node.id, worker, until=self.bazaar.clock() + self.retry_delay)
            raise
        log.debug("stepped %s by %s", node.id, worker)
        return True

    def run_until_idle(self, max_steps: int = 10_000, worker_id: str | None = None) -> int:
        """Step until every node waits (for offers, a deadline, or nothing); return the steps."""
        for steps in range(max_steps):
            if not self.step(worker_id):
                return steps
        raise RuntimeError(f"the inspection engine did not settle within {max_steps} steps")

    # ---------------------------------------------------------------------- reads

    def inspection(self, inspection_id: str) -> Inspection:
        """The inspection with this id."""
        inspection = self.repository.get_inspection(inspection_id)
        if inspection is None:
            raise NotFound(f"there is no inspection {inspection_id}")
        return inspection

    def nodes(self, actor_id: str, inspection_id: str) -> list[Node]:
        """The tree of an inspection (root first), for its buyer or an operator."""
        inspection = self.inspection(inspection_id)
        user = self.bazaar.user(actor_id)
        if actor_id != inspection.buyer_id and not user.is_operator:
            raise NotFound(f"there is no inspection {inspection_id}")
        return self.repository.nodes(inspection_id)

    def usage(self, actor_id: str, inspection_id: str) -> Usage:
        """The buyer agent's calls in all (tokens, dollars), for the buyer or an operator."""
        self.nodes(actor_id, inspection_id)
        total = Usage(calls=0)
        for call in self.repository.calls(inspection_id):
            total += Usage(call.prompt_tokens, call.completion_tokens, call.cost)
        return total

    def audit_trail(self, actor_id: str, inspection_id: str) -> list[AgentCall]:
        """Operator only: per agent call, the offer ids seen, the decision, tokens and cost."""
        if not self.bazaar.user(actor_id).is_operator:
            raise Forbidden("only an operator can read the audit trail of inspections")
        self.inspection(inspection_id)
        return self.repository.calls(inspection_id)

    # ---------------------------------------------------------------------- steps

    def _context(self, node: Node) -> DecisionContext:
        with self.bazaar.store.begin(write=False) as uow:
            context = uow.contexts.get(node.context_id)
        assert context is not None, f"node {node.id} lost its context"
        return context

    def _fixed(self, inspection_id: str) -> Inspection:
        """The inspection, for what never changes (buyer, agent, limits): read once, cached."""
        found = self._inspections.get(inspection_id)
        if found is None:
            found = self.inspection(inspection_id)
            if len(self._inspections) >= 4096:
                self._inspections.pop(next(iter(self._inspections)))
            self._inspections[inspection_id] = found
        return found

    def _limits(self, node: Node) -> InspectionLimits:
        return self._fixed(node.inspection_id).limits

    def _solicit(self, node: Node, worker: str) -> None:
        """Ask the bots (each offer is its seller's own operation), then gather.

        The node is stored as gathering (ending the lease) before its offers are counted, so
        that an offer posted meanwhile is either counted here or wakes the gathering node: on
        PostgreSQL as a commit before the count, elsewhere in one unit that writers queue on."""
        context = self._context(node)
        if not context.is_active:
            with self.bazaar.unit() as uow:
                self._end(uow, node, worker, Outcome.CLOSED)
            return
        self.sellers.solicit(context)
        deadline = self.bazaar.clock() + self._limits(node).gather_timeout
        gathering = replace(node, state=NodeState.GATHERING, deadline=deadline)
        if getattr(self.bazaar.store, "dialect", None) == "postgresql":
            node = self.repository.update_node(gathering, release=worker)
            self._check_gathered(node, moving=True)
            return
        # SQLite and the memory store serialise writing units: an offer is posted wholly
        # before this unit (counted here) or after it (its event finds the node gathering)
        with self.bazaar.unit() as uow:
            repository = self.repository.within(uow)
            node = repository.update_node(gathering, release=worker)
            if self._gathered(uow, node):
                repository.update_node(replace(node, state=NodeState.DECIDING))

    def _check_gathered(self, node: Node, *, moving: bool = False) -> Node:
        """Move a gathering node with enough offers to deciding; return it as it now is.

        ``moving``: the caller is not stepping the node (an event, a poll), so another
        process may have moved it first, which is fine."""
        with self.bazaar.store.begin(write=False) as uow:
            offers = [
                o for o in uow.offers.for_context(node.context_id) if o.status is OfferStatus.ACTIVE
            ]
        if len(offers) < self._limits(node).min_offers:
            return node
        if moving:
            return self._move(node, state=NodeState.DECIDING) or node
        return self.repository.update_node(replace(node, state=NodeState.DECIDING))

    def _gathered(self, uow: UnitOfWork, node: Node) -> bool:
        """Whether a gathering node should decide now: its context closed, or enough offers."""
        context = uow.contexts.get(node.context_id)
        if context is None or not context.is_active:
            return True
        offers = uow.offers.for_context(node.context_id)
        active = sum(1 for o in offers if o.status is OfferStatus.ACTIVE)
        return active >= self._limits(node).min_offers

    def _move(self, node: Node, **changes: Any) -> Node | None:
        """Change a node that this worker is not stepping; None if another moved it first."""
        try:
            return self.repository.update_node(replace(node, **changes))
        except StaleNode:
            return None

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
        """One writing unit: mark the node's offers inspected and read everything the agent
        is shown (``views.build_view``, batched); a node with nothing to decide on ends in
        it. A hook choosing which offers a node reads belongs here, before the marking."""
        limits = inspection.limits
        max_depth = min(limits.max_depth, self.bazaar.settings.max_depth)
        with self.bazaar.unit() as uow:
            repository = self.repository.within(uow)
            nodes = repository.nodes(node.inspection_id)
            context = _locked_context(uow, inspection.buyer_id, node.context_id)
            outcome: Outcome | None = None
            if not context.is_active:
                outcome = Outcome.CLOSED
            elif not has_agent:
                outcome = Outcome.NO_AGENT
            elif not pricing.free and uow.ledger.balance(hold(context.id)) <= 0:
                outcome = Outcome.NO_BUDGET  # the inspector could not be paid
            else:
                self.bazaar.mark_context_inspected(inspection.buyer_id, context.id)
                view = build_view(uow, repository, node, limits, max_depth, nodes=nodes)
                if view.offers:
                    question = self.forecasts.repository.within(uow).get(inspection.context_id)
                    if question is not None:  # the decision carries a forecast (its outcomes)
                        steps = self.forecasts.repository.within(uow).steps(question.context_id)
                        so_far = steps[-1].distribution if steps else question.prior
                        view = replace(view, outcomes=question.outcomes, forecast=so_far)
                    return _Read(view, context, tuple(nodes), question)
                outcome = Outcome.NO_OFFERS
            self._end(uow, node, worker, outcome, nodes=nodes)
        return None

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
        went through. A hook recording forecasts after purchases belongs after ``_buy_all``.
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
                self._end(uow, node, worker, outcome, nodes=read.nodes, calls=calls)
                return ()
            pending = _pending(judgement)
            if pending.follow_up:
                self._follow_up(uow, node, worker, pending, read.context, calls)
                return ()
            own = {o.id for o in read.view.offers}
            outcome, bought = self._buy_all(node, pending, own)
            self._end(uow, node, worker, outcome, nodes=read.nodes, calls=calls)
        return bought

    def pricing(self, inspection: Inspection) -> Pricing:
        """What ``inspection``'s inspector charges per token (the resolver's ``pricing``)."""
        price = getattr(self.buyer, "pricing", None)
        return price(inspection) if callable(price) else FREE

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

    def agent(self, inspection: Inspection) -> BuyerAgent:
        """The buyer agent of ``inspection``: the engine's one agent, or its resolver's choice."""
        if isinstance(self.buyer, BuyerAgent):
            return self.buyer
        return self.buyer(inspection)

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

    def _act(self, node: Node, worker: str) -> None:
        """Carry out a decision recorded by an earlier version of this engine (state acting),
        in one unit of work."""
        pending = node.pending
        assert pending is not None, f"node {node.id} is acting without a decision"
        with self.bazaar.unit() as uow:
            if pending.follow_up:
                self._follow_up(uow, node, worker, pending, None, [])
                return
            own = {o.id for o in uow.offers.for_context(node.context_id)}
            outcome, bought = self._buy_all(node, pending, own)
            self._end(uow, node, worker, outcome)
        if self.forecasts.question(self._fixed(node.inspection_id).context_id) is not None:
            self.forecasts.confirm(node.id, bought)  # (a decision of an earlier version's)

    def _buy_all(
        self, node: Node, pending: PendingDecision, own: set[str]
    ) -> tuple[Outcome, tuple[str, ...]]:
        """Buy the decided offers (among ``own``, the node's), inside the open unit; CLOSED
        if the bazaar refused one (the context closed or an offer was withdrawn meanwhile:
        what was bought stays). Also returns the offers bought."""
        buyer_id = self._fixed(node.inspection_id).buyer_id
        bought: list[str] = []
        for offer_id in pending.offer_ids:
            if offer_id not in own:  # judged already; the domain alone would allow any context
                log.error("node %s refused to buy %s of another context", node.id, offer_id)
                continue
            try:
                self.bazaar.buy_inspected(
                    buyer_id, offer_id, idempotency_key=f"{node.id}:buy:{offer_id}"
                )
            except VolitionError as exc:  # a refusal wrote nothing: the unit goes on
                log.info("node %s could not buy %s: %s", node.id, offer_id, exc)
                return Outcome.CLOSED, tuple(bought)
            bought.append(offer_id)
        return Outcome.BOUGHT, tuple(bought)

    def _follow_up(
        self,
        uow: UnitOfWork,
        node: Node,
        worker: str,
        pending: PendingDecision,
        parent_context: DecisionContext | None,
        calls: list[AgentCall],
    ) -> None:
        """Post the child context and start it, add its node and let this one wait, inside
        the open unit (a refusal: decide again, one follow-up less)."""
        inspection = self._fixed(node.inspection_id)
        buyer_id = inspection.buyer_id
        repository = self.repository.within(uow)
        if parent_context is None:
            parent_context = uow.contexts.get(node.context_id)
            assert parent_context is not None, f"node {node.id} lost its context"
        spec = ContextSpec(
            query=pending.query,
            budget=pending.budget,
            priority=parent_context.priority,
            named_sellers=self._invited(uow, pending.offer_ids),
            parent_offer_ids=pending.offer_ids,
            reveal=inspection.limits.policy,  # the domain enforces it on the child
            by_inspector=True,  # what the inspector wrote is inside the amnesia boundary
        )
        key = f"{node.id}:follow-up:{node.follow_ups}"
        try:
            child_context = self.bazaar.post_context(buyer_id, spec, idempotency_key=key)
            if child_context.status is ContextStatus.OPEN:
                self.bazaar.start_inspecting(buyer_id, child_context.id)
        except VolitionError as exc:  # e.g. the parent closed meanwhile: decide again, once less
            log.info("node %s could not follow up: %s", node.id, exc)
            again = replace(
                node, state=NodeState.DECIDING, pending=None, follow_ups=node.follow_ups + 1
            )
            repository.update_node(again, release=worker)
            self._add_calls(repository, calls)
            return
        child = None
        if node.state is NodeState.ACTING:  # an earlier engine's step may have added it
            child = repository.node_for_context(child_context.id)
        if child is None:
            child = Node(
                new_id("nod"),
                node.inspection_id,
                child_context.id,
                node.id,
                node.depth + 1,
                NodeState.SOLICITING,
            )
            new_child = True
        else:
            new_child = False
        waiting = replace(
            node,
            state=NodeState.WAITING,
            pending=None,
            child_node_id=child.id,
            follow_ups=node.follow_ups + 1,
        )
        repository.update_node(waiting, release=worker)  # first: refuses an overtaken worker
        if new_child:
            repository.add_node(child)
        self._add_calls(repository, calls)

    @staticmethod
    def _add_calls(repository: InspectionRepository, calls: list[AgentCall]) -> None:
        for call in calls:
            repository.add_call(call)

    def _invited(self, uow: UnitOfWork, parent_offer_ids: tuple[str, ...]) -> tuple[str, ...]:
        """The sellers a child context names: the bots, and the sellers of its parent offers.

        With no bots the child names nobody and stays open to its parent offers' sellers.
        """
        bot_ids = self.sellers.seller_ids()
        if not bot_ids:
            return ()
        ids = list(bot_ids)
        ids += [o.seller_id for i in parent_offer_ids if (o := uow.offers.get(i)) is not None]
        users = {u.id: u for u in uow.users.get_many(ids)}
        return tuple(u.name for i in dict.fromkeys(ids) if (u := users.get(i)) and u.is_seller)

    def _end(
        self,
        uow: UnitOfWork,
        node: Node,
        worker: str,
        outcome: Outcome,
        *,
        nodes: Sequence[Node] | None = None,
        calls: Sequence[AgentCall] = (),
    ) -> None:
        """End a node inside the open unit: close its context (releasing the rest), record
        it done with its purchases (ending the lease), finish the inspection or resume the
        parent. ``nodes``: the inspection's nodes as read earlier in the step (for the
        parent; a parent moved since is simply not resumed twice)."""
        inspection = self._fixed(node.inspection_id)
        try:
            self.bazaar.decide_context(inspection.buyer_id, node.context_id)
        except Conflict:  # closed from outside in the meantime: already released
            outcome = Outcome.CLOSED if outcome is Outcome.BOUGHT else outcome
        bought = tuple(p.offer_id for p in uow.purchases.for_context(node.context_id))
        repository = self.repository.within(uow)
        done = replace(node, state=NodeState.DONE, pending=None, bought=bought, outcome=outcome)
        repository.update_node(done, release=worker)  # first: refuses an overtaken worker
        self._add_calls(repository, list(calls))
        if node.parent_node_id is None:
            finished = replace(
                inspection, status=InspectionStatus.DONE, finished_at=self.bazaar.clock()
            )
            repository.update_inspection(finished)
            return
        parent = next((n for n in nodes or () if n.id == node.parent_node_id), None)
        if parent is None:
            parent = repository.get_node(node.parent_node_id)
        if parent is not None and parent.state is NodeState.WAITING:
            with suppress(StaleNode):  # resumed by another (a poll of stranded parents)
                repository.update_node(
                    replace(parent, state=NodeState.DECIDING, child_node_id=None)
                )

    def _resume(self, parent: Node) -> Node | None:
        """A waiting node's child is done: it decides again (None if another moved it)."""
        return self._move(parent, state=NodeState.DECIDING, child_node_id=None)


@dataclass(frozen=True, slots=True)
class _Read:
    """What a deciding step read in its first unit: the view, the context, the nodes, and the
    forecast question (read in the same unit)."""

    view: NodeView
    context: DecisionContext
    nodes: tuple[Node, ...]
    question: ForecastQuestion | None = None  # the inspected context's, if a forecast question


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One agent call of a step: what it was shown, its reply, the judgement, its price."""

    attempt: int
    asked: NodeView
    reply: BuyerReply
    judgement: Judgement
    cents: int


def _locked_context(uow: UnitOfWork, buyer_id: str, context_id: str) -> DecisionContext:
    """Lock the buyer's row, then the node's context, in the bazaar's lock order, at the
    start of a step's unit: the service's operations joined to it find both held (no
    statement of their own to read them again)."""
    uow.users.get(buyer_id, lock=True)
    context = uow.contexts.get(context_id, lock=True)
    assert context is not None, f"context {context_id} is gone"
    return context


def _pending(judgement: Judgement) -> PendingDecision:
    decision = judgement.decision
    if isinstance(decision, FollowUp):
        return PendingDecision(True, tuple(decision.about), decision.budget, decision.query)
    assert isinstance(decision, Buy)
    return PendingDecision(False, tuple(dict.fromkeys(decision.offer_ids)))
