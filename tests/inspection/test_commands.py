"""Starting inspections, reading them, the limits, and the package's public names."""

from __future__ import annotations

from datetime import timedelta

import pytest

import volition.bazaar.inspection as inspection_pkg
from tests.support.inspection import World
from volition.agents import OfflineBuyer
from volition.bazaar.domain import ContextSpec, ContextStatus, RevealPolicy
from volition.bazaar.errors import Conflict, Forbidden, NotFound
from volition.bazaar.inspection import InspectionLimits, Policy
from volition.errors import InputError


def test_only_the_buyer_starts_an_inspection_of_an_open_top_level_context(mworld: World) -> None:
    engine = mworld.engine(OfflineBuyer())
    context = mworld.post("Will it rain?", 500)
    stranger = mworld.bazaar.register("mallory", "correct horse battery", buyer=True)
    with pytest.raises(Forbidden, match="only the buyer"):
        engine.start(stranger.id, context.id)
    with pytest.raises(NotFound):
        engine.start(mworld.buyer.id, "ctx_missing")
    inspection = engine.start(mworld.buyer.id, context.id)
    with pytest.raises(Conflict, match="already being inspected"):
        engine.start(mworld.buyer.id, context.id)
    assert engine.inspection(inspection.id).agent == "offline"
    assert engine.inspection(inspection.id).limits.policy is Policy.WITH_PARENT

    seller = mworld.seller()
    offer = mworld.bazaar.post_offer(seller.id, context.id, preview="p", private_info="s", price=1)
    child = mworld.bazaar.post_context(
        mworld.buyer.id, ContextSpec("Is it true?", 10, parent_offer_ids=(offer.id,))
    )
    with pytest.raises(InputError, match="is a follow-up"):
        engine.start(mworld.buyer.id, child.id)

    closed = mworld.post("Another question", 10)
    mworld.bazaar.cancel_context(mworld.buyer.id, closed.id)
    with pytest.raises(Conflict, match="not open"):
        engine.start(mworld.buyer.id, closed.id)
    assert mworld.bazaar.context(mworld.buyer.id, closed.id).status is ContextStatus.CANCELLED


def test_the_tree_is_the_buyers_and_the_audit_trail_the_operators(mworld: World) -> None:
    engine = mworld.engine(OfflineBuyer())
    inspection = engine.start(mworld.buyer.id, mworld.post("Will it rain?", 500).id)
    stranger = mworld.bazaar.register("mallory", "correct horse battery", buyer=True)
    assert len(engine.nodes(mworld.buyer.id, inspection.id)) == 1
    assert len(engine.nodes(mworld.operator.id, inspection.id)) == 1
    with pytest.raises(NotFound):
        engine.nodes(stranger.id, inspection.id)
    with pytest.raises(Forbidden, match="only an operator"):
        engine.audit_trail(mworld.buyer.id, inspection.id)
    assert engine.audit_trail(mworld.operator.id, inspection.id) == []
    with pytest.raises(NotFound, match="no inspection"):
        engine.inspection("ins_missing")


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"max_depth": -1}, "max_depth must be a whole number from 0 to 10"),
        ({"max_follow_ups": 11}, "max_follow_ups must be"),
        ({"min_offers": 1.5}, "min_offers must be a whole number"),
        ({"max_retries": True}, "max_retries must be a whole number"),
        ({"gather_timeout": timedelta(seconds=-1)}, "gather_timeout must be a duration"),
        ({"policy": "everything"}, "policy must be 'with_parent' or 'all'"),
    ],
)
def test_limits_are_checked_with_messages_that_say_how(
    limits: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        InspectionLimits(**limits)  # type: ignore[arg-type]


def test_safe_defaults() -> None:
    limits = InspectionLimits()
    assert (limits.max_depth, limits.max_follow_ups, limits.max_retries) == (1, 1, 2)
    assert limits.min_offers >= 1 and limits.gather_timeout > timedelta(0)
    assert limits.policy is Policy.WITH_PARENT


def test_the_package_exports_exactly_its_public_names() -> None:
    exported = {name for name in dir(inspection_pkg) if not name.startswith("_")}
    modules = {"bots", "engine", "judging", "limits", "pricing", "records", "repository", "runner"}
    modules |= {"views", "core", "gathering", "deciding", "acting", "ending"}  # engine's phases
    assert exported - modules == set(inspection_pkg.__all__)
    for name in inspection_pkg.__all__:
        if name == "Policy":  # the domain's amnesia policy, which the domain enforces
            assert inspection_pkg.Policy is RevealPolicy
            continue
        assert getattr(inspection_pkg, name).__module__.startswith("volition.bazaar.inspection.")
