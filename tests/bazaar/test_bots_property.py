"""Properties of the bot dispatcher under any sequence of operations (memory store)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.people import CHEAP_HASHER, PASSWORD, FakeClock
from volition.bazaar.bot_dispatch import BotDispatcher
from volition.bazaar.domain import (
    Bazaar,
    BotService,
    ContextSpec,
    JobStatus,
    MemoryStore,
    audit,
)
from volition.bazaar.domain.bots import bot_may_answer

WORDS = ("rain", "train", "laptop")
post = st.tuples(st.just("post"), st.sampled_from(WORDS), st.integers(0, 300))
bot = st.tuples(st.just("bot"), st.sampled_from(WORDS), st.integers(0, 200), st.integers(0, 150))
toggle = st.tuples(st.just("toggle"), st.integers(0, 9))
run = st.tuples(st.just("run"), st.integers(1, 5))
solicit = st.tuples(st.just("solicit"), st.integers(0, 9))
cancel = st.tuples(st.just("cancel"), st.integers(0, 9))
wait = st.tuples(st.just("wait"), st.integers(1, 120))
ops = st.lists(st.one_of(post, bot, toggle, run, solicit, cancel, wait), max_size=25)


@settings(max_examples=200, deadline=None)
@given(ops)
def test_each_bot_offers_at_most_once_per_context_and_answers_every_match(
    ops: list[tuple[Any, ...]],
) -> None:
    clock = FakeClock()
    bazaar = Bazaar(MemoryStore(), hasher=CHEAP_HASHER, clock=clock)
    root = bazaar.bootstrap_operator("root", PASSWORD)
    buyer = bazaar.register("alice", PASSWORD)
    sellers = [bazaar.register(n, PASSWORD, buyer=False, seller=True) for n in ("carol", "erin")]
    bazaar.credit(root.id, buyer.id, 100_000)
    service = BotService(bazaar)
    dispatcher = BotDispatcher(bazaar, service)
    bazaar.subscribe(dispatcher.listen)
    contexts: list[str] = []
    bots: list[tuple[str, str]] = []
    for op in ops:
        kind = op[0]
        if kind == "post":
            spec = ContextSpec(f"a question about {op[1]}", op[2])
            contexts.append(bazaar.post_context(buyer.id, spec).id)
        elif kind == "bot":
            owner = sellers[len(bots) % 2].id
            made = service.create_bot(
                owner, name="b", kind="fixed", price=op[3], keywords=[op[1]],
                min_budget=op[2], preview="p", private_info="s",
            )  # fmt: skip
            bots.append((owner, made.id))
        elif kind == "toggle" and bots:
            owner, bot_id = bots[op[1] % len(bots)]
            current = service.bot(owner, bot_id)
            service.set_active(owner, bot_id, not current.active)
        elif kind == "run":
            dispatcher.run_due(op[1])
        elif kind == "solicit" and contexts:
            dispatcher.solicit(bazaar.context(buyer.id, contexts[op[1] % len(contexts)]))
        elif kind == "cancel" and contexts:
            ctx = bazaar.context(buyer.id, contexts[op[1] % len(contexts)])
            if ctx.is_active:
                bazaar.cancel_context(buyer.id, ctx.id)
        elif kind == "wait":
            clock.advance(op[1])
    dispatcher.run_due(10_000)
    offered: Counter[tuple[str, str]] = Counter()
    owner_of = {bot_id: owner for owner, bot_id in bots}
    with bazaar.store.begin(write=False) as uow:
        for owner, bot_id in bots:
            the_bot = uow.bots.get(bot_id)
            assert the_bot is not None
            for job in uow.bot_jobs.for_bot(bot_id, limit=10_000):
                assert job.status is JobStatus.DONE  # fixed bots never fail
                if job.offer_id is not None:
                    offer = uow.offers.get(job.offer_id)
                    assert offer is not None and offer.seller_id == owner
                    assert offer.context_id == job.context_id
                    offered[(bot_id, job.context_id)] += 1
            for context_id in contexts:
                context = uow.contexts.get(context_id)
                assert context is not None
                job = uow.bot_jobs.get(bot_id, context_id)
                matches = bot_may_answer(
                    the_bot, context, clock(), buyer=None, parent_seller_ids=frozenset()
                )
                if matches:  # every active match is answered by the final pass
                    assert job is not None
        for context_id in contexts:
            by_seller = Counter(o.seller_id for o in uow.offers.for_context(context_id))
            jobs = uow.bot_jobs.for_context(context_id)
            for seller in sellers:  # every offer on a context is some bot's recorded answer
                mine = [j for j in jobs if j.offer_id and owner_of[j.bot_id] == seller.id]
                assert by_seller[seller.id] == len(mine)
    assert all(n == 1 for n in offered.values())
    assert audit(bazaar.store) == []
