"""The ledger audit: the invariants money must satisfy, checked from the stored records.

Used by the tests (after every random operation), by the benchmark afterwards, and available to
operators. Each violation is one line of text; an empty list means the books are sound.
"""

from __future__ import annotations

from collections import Counter

from volition.bazaar.domain.attention import audit_bids
from volition.bazaar.domain.escrow import audit_escrows
from volition.bazaar.domain.ledger import FUNDING, HOUSE, AccountKind, EntryKind, earnings, hold
from volition.bazaar.domain.store import Store

__all__ = ["audit"]


def audit(store: Store) -> list[str]:
    """Check that money is conserved, nothing is overspent and every purchase is paid once.

    A context spends on purchases and on its inspector's tokens (``inspection_cost`` entries,
    each from one reservation to the house account, issue 10); both count against its budget.
    Offers' bids (``attention.audit_bids``) are held, paid and returned exactly once each;
    escrows (``escrow.audit_escrows``) are held from a context's budget, which they count
    against, and settled exactly once, when their question resolves.
    """
    with store.begin(write=False) as uow:
        entries = list(uow.ledger.entries())
        balances = uow.ledger.balances()
        purchases = uow.purchases.all()
        all_contexts = uow.contexts.find(limit=10**9)
        problems: list[str] = audit_bids(uow, entries)  # the attention auction's bids
        escrows = uow.escrows.all()
        repository = store.forecast_repository().within(uow)
        asked = {e.context_id for e in escrows}
        questions = {i: q for i in asked if (q := repository.get(i)) is not None}
    problems += audit_escrows(entries, escrows, {p.id: p for p in purchases}, questions)

    for e in entries:
        if sum(p.amount for p in e.postings) != 0:
            problems.append(f"entry {e.id} is not balanced")
    if sum(balances.values()) != 0:
        problems.append(f"all balances sum to {sum(balances.values())}, not 0")
    for account, amount in balances.items():
        if account.may_go_negative and amount > 0:
            problems.append(f"{account.key} is positive ({amount})")
        if not account.may_go_negative and amount < 0:
            problems.append(f"{account.key} is negative ({amount})")
    funded = sum(
        e.amount_for([FUNDING]) for e in entries if e.kind in (EntryKind.GRANT, EntryKind.CREDIT)
    )
    if balances.get(FUNDING, 0) != funded:
        problems.append(f"funding balance {balances.get(FUNDING, 0)} != credits {funded}")

    paid = Counter(p.offer_id for p in purchases)
    problems += [f"offer {o} bought {n} times" for o, n in paid.items() if n > 1]
    by_entry = {e.id: e for e in entries}
    purchase_entries = {e.id for e in entries if e.kind is EntryKind.PURCHASE}
    for p in purchases:
        if p.price == 0:
            continue
        entry = by_entry.get(p.entry_id or "")
        if entry is None or entry.kind is not EntryKind.PURCHASE:
            problems.append(f"purchase {p.id} has no payment")
            continue
        purchase_entries.discard(entry.id)
        if entry.amount_for([earnings(p.seller_id)]) != p.price:
            problems.append(f"purchase {p.id} did not pay its seller {p.price}")
        if entry.amount_for([hold(p.context_id)]) != -p.price:
            problems.append(f"purchase {p.id} was not paid from its context's reservation")
    problems += [f"payment {e} has no purchase" for e in sorted(purchase_entries)]

    spent: Counter[str] = Counter()
    for p in purchases:
        spent[p.context_id] += p.price
    for held in escrows:  # an escrow's cap leaves the budget at purchase (``escrow``)
        spent[held.context_id] += held.terms.cap
    costs = [e for e in entries if e.kind is EntryKind.INSPECTION_COST]
    for e in costs:
        from_holds = [q for q in e.postings if q.account.kind is AccountKind.HOLD]
        if len(e.postings) != 2 or len(from_holds) != 1 or e.amount_for([HOUSE]) <= 0:
            problems.append(f"inspection cost {e.id} does not pay the house from one reservation")
            continue
        spent[from_holds[0].account.owner] -= from_holds[0].amount
    if balances.get(HOUSE, 0) != sum(e.amount_for([HOUSE]) for e in costs):
        problems.append(f"the house holds {balances.get(HOUSE, 0)}, not what inspections paid")
    for c in all_contexts:
        if spent[c.id] > c.budget:
            problems.append(f"context {c.id} spent {spent[c.id]} of a budget of {c.budget}")
        left = balances.get(hold(c.id), 0)
        if not c.is_active and left != 0:
            problems.append(f"closed context {c.id} still holds {left}")
    # Reservations equal open budgets: an active top-level context's budget is all still held
    # somewhere in its tree of follow-ups, or paid for purchases in that tree.
    children: dict[str, list[str]] = {}
    for c in all_contexts:
        if c.parent_context_id is not None:
            children.setdefault(c.parent_context_id, []).append(c.id)
    for c in all_contexts:
        if c.is_child or not c.is_active:
            continue
        tree, todo = [], [c.id]
        while todo:
            tree.append(todo.pop())
            todo.extend(children.get(tree[-1], []))
        accounted = sum(balances.get(hold(i), 0) + spent[i] for i in tree)
        if accounted != c.budget:
            problems.append(
                f"context {c.id} has a budget of {c.budget} but {accounted} is held or spent"
            )
    holds = [a for a in balances if a.kind is AccountKind.HOLD]
    known = {c.id for c in all_contexts}
    problems += [f"{a.key} belongs to no context" for a in holds if a.owner not in known]
    return problems
