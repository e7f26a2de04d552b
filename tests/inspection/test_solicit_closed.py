"""A context closed between its inspection's start and its soliciting step (issue 15: the step
does not read the context it started again; the bots' read has it as it is now): nobody is
asked, nothing is offered, and the node ends closed without asking the agent."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.inspection import FUNDS, World
from volition.agents import Buy, ContextView, FixedSeller, ScriptedBuyer, SellerReply
from volition.bazaar.domain import audit
from volition.bazaar.inspection import InspectionStatus, NodeState, Outcome


@dataclass
class Counted:
    """A fixed seller that counts the contexts it is asked about."""

    inner: FixedSeller
    asked: list[str] = field(default_factory=list)
    name: str = "counted"

    def respond(self, view: ContextView) -> SellerReply:
        self.asked.append(view.context_id)
        return self.inner.respond(view)


def test_a_context_cancelled_before_its_soliciting_step_asks_nobody(world: World) -> None:
    seller = Counted(FixedSeller("forecast", "rain", 100))
    world.bot(seller)
    engine = world.engine(ScriptedBuyer(lambda view: Buy(())), max_depth=0, min_offers=1)
    context = world.post("Will it rain?", 500)
    inspection = engine.start(world.buyer.id, context.id)
    world.bazaar.cancel_context(world.buyer.id, context.id)  # before the first step

    assert engine.run_until_idle() == 2  # solicits (nobody asked), then ends closed
    assert seller.asked == []
    assert world.bazaar.offers(world.buyer.id, context.id) == []
    finished = engine.inspection(inspection.id)
    assert finished.status is InspectionStatus.DONE
    (root,) = engine.nodes(world.buyer.id, inspection.id)
    assert root.state is NodeState.DONE and root.outcome is Outcome.CLOSED
    assert engine.repository.calls(inspection.id) == []  # the agent was never asked
    assert world.bazaar.balances(world.buyer.id).cash == FUNDS
    assert audit(world.bazaar.store) == []
