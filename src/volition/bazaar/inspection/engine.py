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

The phases live in their own modules: ``core`` (configuration, shared helpers),
``gathering`` (soliciting and counting offers), ``deciding`` (read, ask, write), ``acting``
(purchases and follow-ups) and ``ending`` (a node's close, its parent resumed); this module
holds the commands and reads an engine offers.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import cast

from volition.agents import BuyerAgent, OfflineBuyer, Usage
from volition.bazaar.domain import Bazaar
from volition.bazaar.domain.forecast_service import Forecasts
from volition.bazaar.domain.forecasts import ForecastQuestion
from volition.bazaar.domain.ids import new_id
from volition.bazaar.errors import Conflict, Forbidden, NotFound
from volition.bazaar.inspection.bots import Bot, BotPool, SellerPool
from volition.bazaar.inspection.core import AgentResolver, worker_name
from volition.bazaar.inspection.deciding import Deciding
from volition.bazaar.inspection.gathering import Gathering
from volition.bazaar.inspection.limits import InspectionLimits
from volition.bazaar.inspection.records import (
    AgentCall,
    Inspection,
    InspectionStatus,
    Node,
    NodeState,
)
from volition.bazaar.inspection.repository import (
    InspectionRepository,
    MemoryInspectionRepository,
    StaleNode,
)
from volition.bazaar.inspection.views import Contexts, SellerNames
from volition.errors import InputError

__all__ = ["AgentResolver", "InspectionEngine", "worker_name"]

log = logging.getLogger(__name__)


class InspectionEngine(Gathering, Deciding):
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
        self._questions: dict[str, ForecastQuestion | None] = {}  # (see ``_question``)
        self._seller_names = SellerNames()
        self._contexts_seen = Contexts()  # the fixed fields of contexts views show
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
        self._inspections[inspection.id] = inspection  # what its steps read of it
        self._contexts_seen.remember([context])
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
            progress = self.bazaar.progress([n.context_id for n in gathering])  # one read
            due = [n for n in gathering if self._gathered(n, progress.get(n.context_id))]
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
