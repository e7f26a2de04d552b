"""Bot jobs follow the same lease rule as inspection nodes (``domain.leases``), on every store.

For any jobs (status, attempts, lease end before, at or after now, or none), the jobs a store
offers to claim (``claimable``: the SQL statement on SQLite and PostgreSQL, the rule itself in
memory) are exactly those ``BotJob.claimable`` allows: a pending job whose retry wait is over
(or never started), a running job whose lease has run out (never one still held).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.bazaar import Cast, rain
from tests.support.people import FakeClock
from volition.bazaar.domain import Bazaar, leases
from volition.bazaar.domain.bots import BotJob, BotKind, BotSeller, JobStatus

MAX_ATTEMPTS = 3
JOB = st.tuples(
    st.sampled_from(list(JobStatus)),
    st.integers(0, MAX_ATTEMPTS + 1),
    st.one_of(st.none(), st.integers(-90, 90)),  # the lease's end, seconds from now
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(JOB, min_size=6, max_size=6))
def test_property_stores_offer_exactly_the_jobs_the_lease_rule_frees(
    bazaar: Bazaar, cast: Cast, clock: FakeClock, jobs: list[tuple[JobStatus, int, int | None]]
) -> None:
    now = clock()
    with bazaar.store.begin() as uow:
        bots = uow.bots.for_owner(cast.seller.id)
    if not bots:  # the first example: two bots, three contexts, one job per pair
        with bazaar.store.begin() as uow:
            for name in ("a", "b"):
                bot = BotSeller(f"bot_{name}", cast.seller.id, name, BotKind.FIXED, True, 10, now)
                uow.bots.add(bot)
        contexts = [rain(bazaar, cast, budget=10).id for _ in range(3)]
        with bazaar.store.begin() as uow:
            for bot_id in ("bot_a", "bot_b"):
                for context_id in contexts:
                    uow.bot_jobs.add(BotJob(bot_id, context_id, JobStatus.PENDING, 0, now, now))
    with bazaar.store.begin() as uow:
        stored = sorted(
            (j for b in ("bot_a", "bot_b") for j in uow.bot_jobs.for_bot(b)),
            key=lambda j: (j.bot_id, j.context_id),
        )
        assert len(stored) == len(jobs)
        wanted = []
        for job, (status, attempts, ends) in zip(stored, jobs, strict=True):
            until = None if ends is None else now + timedelta(seconds=ends)
            changed = replace(job, status=status, attempts=attempts, lease_until=until)
            uow.bot_jobs.update(changed)
            wanted.append(changed)
    with bazaar.store.begin(write=False) as uow:
        offered = uow.bot_jobs.claimable(now, MAX_ATTEMPTS, 100)
    expected = [j for j in wanted if j.claimable(now, MAX_ATTEMPTS)]
    assert sorted(offered, key=lambda j: (j.bot_id, j.context_id)) == expected
    for job in offered:  # never one whose lease somebody still holds
        if job.status is JobStatus.RUNNING:
            assert leases.run_out(job.lease_until, now)
        else:
            assert job.status is JobStatus.PENDING and leases.is_free(job.lease_until, now)
