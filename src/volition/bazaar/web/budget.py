"""Where a context's budget went, for its buyer: purchases, the inspector, follow-ups, and what
came back to their cash (docs/theory.md §5, Money: a budget is reserved when a context is
posted, purchases and the inspector's tokens are paid from it, and what is left is released).

Read from the buyer's own ledger (``Bazaar.ledger``), so amnesia holds as it does there: the
moves between a forgotten follow-up's reservation and its parent's are not in it, and what
such follow-ups used is shown only as the rest of the sum, never as the budget its inspector
chose.
"""

from __future__ import annotations

from dataclasses import dataclass

from volition.bazaar.domain import AccountKind, Bazaar, DecisionContext, EntryKind, User
from volition.bazaar.domain.ledger import hold

__all__ = ["BudgetUse", "budget_use"]

_ENTRIES_READ = 10_000  # the buyer's newest entries looked through for one context's


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """A context's budget, split by where it went; the parts add up to ``budget``."""

    budget: int
    purchases: int  # paid to sellers for offers bought on this context
    inspection: int  # paid for the operator's inspector's tokens
    follow_ups: int  # used by follow-up questions asked below this one
    released: int  # given back when the context closed
    remaining: int  # still reserved
    to_parent: bool  # released into the parent context's budget, not to the buyer's cash

    @property
    def moved(self) -> bool:
        """Whether anything but the reservation happened yet."""
        return self.remaining != self.budget


def budget_use(
    bazaar: Bazaar, buyer: User, context: DecisionContext, remaining: int
) -> BudgetUse | None:
    """The use of ``context``'s budget, or None if its reservation is not in the buyer's
    ledger (no budget, or older than the entries read)."""
    account = hold(context.id)
    budget = purchases = inspection = released = 0
    to_parent = False
    for entry in bazaar.ledger(buyer.id, _ENTRIES_READ):
        moved = entry.amount_for([account])
        if moved == 0:
            continue
        if entry.kind is EntryKind.RESERVE and moved > 0:
            budget += moved
        elif entry.kind is EntryKind.PURCHASE:
            purchases -= moved
        elif entry.kind is EntryKind.INSPECTION_COST:
            inspection -= moved
        elif entry.kind is EntryKind.RELEASE and moved < 0:
            released -= moved
            to_parent = any(
                p.amount > 0 and p.account.kind is AccountKind.HOLD for p in entry.postings
            )
    if budget == 0:
        return None
    # reservations for follow-ups and what they gave back (or, forgotten, not shown at all)
    follow_ups = budget - purchases - inspection - released - remaining
    return BudgetUse(budget, purchases, inspection, follow_ups, released, remaining, to_parent)
