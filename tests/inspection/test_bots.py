"""Bot sellers are asked once per context; a failing or refused bot cannot stop anything."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.agents import Script
from tests.support.inspection import PASSWORD, World
from volition.agents import (
    Buy,
    ContextView,
    Decision,
    FixedSeller,
    FollowUp,
    NodeView,
    OfferDraft,
    SellerReply,
    Usage,
)
from volition.bazaar.inspection import Bot, solicit


@dataclass
class Counting:
    """A seller that records the views it was shown and answers ``draft`` (or raises)."""

    draft: OfferDraft | None
    fail: bool = False
    views: list[ContextView] = field(default_factory=list)
    name: str = "counting"

    def respond(self, view: ContextView) -> SellerReply:
        self.views.append(view)
        if self.fail:
            raise RuntimeError("seller crashed")
        return SellerReply(self.draft, Usage())


def test_each_bot_is_asked_once_and_bad_bots_are_skipped(mworld: World) -> None:
    good = Counting(OfferDraft("forecast", "80% rain", 100))
    mworld.bot(good)
    mworld.bot(Counting(None, fail=True))
    mworld.bot(Counting(OfferDraft("free money", "x", -5)))  # the bazaar refuses the price
    mworld.bot(Counting(OfferDraft("", "x", 5)))  # and an empty preview
    buyer_only = mworld.bazaar.register("notaseller", PASSWORD, buyer=True)
    bots = (*mworld.bots, Bot(buyer_only.id, FixedSeller("p", "s", 1)), Bot(mworld.buyer.id, good))
    context = mworld.post("Will it rain?", 500)

    assert solicit(mworld.bazaar, bots, context) == 1
    assert solicit(mworld.bazaar, bots, context) == 0  # already offered: not asked again
    assert len(good.views) == 1  # once per context, and never as the context's own buyer
    offers = mworld.bazaar.offers(mworld.buyer.id, context.id)
    assert [o.preview for o in offers] == ["forecast"]
    assert good.views[0].max_budget == 500 and good.views[0].about_previews == ()


def test_a_follow_up_shows_bots_the_previews_it_is_about(mworld: World) -> None:
    checker = Counting(None)
    mworld.bot(FixedSeller("forecast", "80% rain", 100))
    mworld.bot(checker)
    context = mworld.post("Will it rain?", 500)

    def follow(view: NodeView) -> Decision:
        if view.follow_ups_left:
            return FollowUp("Is it right?", 50, (view.offers[0].id,))
        return Buy(())

    engine = mworld.engine(Script(iter([follow, follow])), max_depth=1, min_offers=1)
    engine.start(mworld.buyer.id, context.id)
    engine.run_until_idle()
    assert [v.about_previews for v in checker.views] == [(), ("forecast",)]
    assert checker.views[1].max_budget == 50
