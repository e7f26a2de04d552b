"""Racing threads against one budget: no overspend, no double payment, on every store."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from tests.support.bazaar import Cast
from tests.support.people import PASSWORD
from volition.bazaar.domain import Bazaar, ContextSpec, audit
from volition.bazaar.errors import Conflict, Forbidden, InsufficientFunds

T = TypeVar("T")


def race(tasks: list[Callable[[], T]]) -> tuple[list[T], list[Exception]]:
    """Run every task in its own thread, all released at once; collect results and errors."""
    barrier = threading.Barrier(len(tasks))
    results: list[T] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def run(task: Callable[[], T]) -> None:
        barrier.wait()
        try:
            value = task()
        except Exception as exc:
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(value)

    threads = [threading.Thread(target=run, args=(t,)) for t in tasks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_racing_purchases_never_overspend_or_pay_twice(bazaar: Bazaar, cast: Cast) -> None:
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("race", budget=500))
    sellers = [bazaar.register(f"seller{i}", PASSWORD, seller=True) for i in range(8)]
    offers = [
        bazaar.post_offer(s.id, ctx.id, preview="p", private_info="s", price=100) for s in sellers
    ]
    hot = offers[0]
    tasks: list[Callable[[], object]] = [
        *(lambda o=o: bazaar.buy_blind(cast.buyer.id, o.id) for o in offers),  # type: ignore[misc]
        *(lambda: bazaar.buy_blind(cast.buyer.id, hot.id) for _ in range(6)),
        *(
            lambda: bazaar.post_context(cast.buyer.id, ContextSpec("q", budget=2_000))
            for _ in range(6)
        ),
    ]
    results, errors = race(tasks)
    assert all(isinstance(e, Conflict | InsufficientFunds) for e in errors), errors
    purchases = [r for r in results if getattr(r, "offer_id", None)]
    contexts = [r for r in results if getattr(r, "query", None) == "q"]
    assert len(purchases) == 5  # 500 cents of budget, 100 each
    assert len({p.offer_id for p in purchases}) == 5  # type: ignore[attr-defined]
    assert len(contexts) == 4  # 9_500 cents of cash left, 2_000 each
    assert bazaar.remaining(ctx.id) == 0
    assert bazaar.balances(cast.buyer.id).cash == 10_000 - 500 - 4 * 2_000
    assert sum(bazaar.balances(s.id).earnings for s in sellers) == 500
    assert audit(bazaar.store) == []


def test_racing_retries_with_one_idempotency_key_move_money_once(
    bazaar: Bazaar, cast: Cast
) -> None:
    spec = ContextSpec("once", budget=1_000)
    results, errors = race(
        [lambda: bazaar.post_context(cast.buyer.id, spec, idempotency_key="k") for _ in range(8)]
    )
    assert errors == []
    assert len({c.id for c in results}) == 1
    assert bazaar.balances(cast.buyer.id).cash == 9_000
    assert audit(bazaar.store) == []


def test_racing_closes_of_one_context_release_its_budget_once(bazaar: Bazaar, cast: Cast) -> None:
    """The owner's operations lock the buyer and the context in one read (issue 15,
    ``UnitOfWork.lock_owned``): racing cancels and decides of one context, purchases on it,
    and another buyer's attempts close it once and release what is left once."""
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("close me", budget=600))
    offers = [
        bazaar.post_offer(cast.seller.id, ctx.id, preview=f"p{i}", private_info="s", price=100)
        for i in range(3)
    ]
    buyer, other = cast.buyer.id, cast.other_buyer.id
    tasks: list[Callable[[], object]] = [
        *(lambda: bazaar.cancel_context(buyer, ctx.id) for _ in range(4)),
        *(lambda: bazaar.decide_context(buyer, ctx.id) for _ in range(4)),
        *(lambda o=o: bazaar.buy_blind(buyer, o.id) for o in offers),  # type: ignore[misc]
        *(lambda: bazaar.cancel_context(other, ctx.id) for _ in range(2)),
    ]
    results, errors = race(tasks)
    closes = [r for r in results if getattr(r, "id", None) == ctx.id]
    purchases = [r for r in results if getattr(r, "offer_id", None)]
    assert len(closes) == 1, (closes, errors)
    assert all(isinstance(e, Conflict | Forbidden) for e in errors), errors
    assert sum(isinstance(e, Forbidden) for e in errors) == 2  # the other buyer's, refused
    spent = 100 * len(purchases)
    assert bazaar.remaining(ctx.id) == 0
    assert bazaar.balances(buyer).cash == 10_000 - spent
    assert bazaar.balances(cast.seller.id).earnings == spent
    assert audit(bazaar.store) == []
