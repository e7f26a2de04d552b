"""Trading: offers, their inspection, purchases blind or inspected, and the inspection
charge (``offers``, ``purchases``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from volition.bazaar.domain import attention, escrow, record_filter
from volition.bazaar.domain.checks import check_cents, check_text
from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.escrow_records import EscrowTerms
from volition.bazaar.domain.events import Event, EventKind
from volition.bazaar.domain.idempotency import KeyedCall
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import HOUSE, EntryKind, hold, transfer
from volition.bazaar.domain.offers import InfoOffer, OfferStatus, OfferView
from volition.bazaar.domain.purchases import Mechanism, Purchase
from volition.bazaar.domain.service_base import ServiceBase, Viewer, _offer_view
from volition.bazaar.domain.step_purchases import purchase_entries, purchase_needs
from volition.bazaar.domain.store import UnitOfWork
from volition.bazaar.domain.users import User
from volition.bazaar.errors import Conflict, Forbidden, InsufficientFunds, NotFound
from volition.errors import PriceError

__all__ = ["Trading"]


class Trading(ServiceBase):
    """Offers and their purchases."""

    def post_offer(
        self,
        actor_id: str,
        context_id: str,
        *,
        preview: str,
        private_info: str,
        price: int,
        quotable: bool = True,
        bid: int = 0,
        pay_on_resolution: EscrowTerms | None = None,
        idempotency_key: str | None = None,
    ) -> InfoOffer:
        """Offer information on a context: a public preview, private info and a price.

        ``quotable``: an inspector in doubt about the offer may quote it to fact-checkers (the
        sellers it asks in a follow-up); False keeps the follow-up's query from them
        (``follow_ups``). ``bid``: cents paid to the buyer if its inspector reads the offer,
        held from the seller's cash now (``attention``, docs/theory.md §5); refused below
        the context's reading cost or beyond the seller's cash. ``pay_on_resolution``: a share
        of the realised marginal value, held in escrow up to a cap (``escrow``); only on a
        forecast question whose ``max_escrow`` covers the cap."""
        s = self.settings
        terms = pay_on_resolution
        if terms is not None:
            terms = escrow.check_terms(terms.rate, terms.cap, s.max_budget)
        check_text(preview, "the preview", s.max_preview_chars)
        check_text(private_info, "the private info", s.max_private_chars)
        if isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise PriceError(f"a price must be a whole number of cents >= 0, not {price!r}")
        if price > s.max_budget:
            raise PriceError(f"a price cannot exceed {s.max_budget} cents")
        with self._units.begin() as uow:
            seller = self._user(uow, actor_id, lock=True)
            context = self._visible_context(uow, seller, context_id)
            if not seller.is_seller:
                raise Forbidden("only sellers can post offers; sign up with the seller role")
            request = repr((context_id, preview, private_info, price, bool(quotable)))
            if bid != 0:  # without a bid, the request (and its idempotency key) is as before
                request = repr((context_id, preview, private_info, price, bool(quotable), bid))
            if terms is not None:
                request = repr((request, terms.rate, terms.cap))
            call = KeyedCall(actor_id, idempotency_key, "offer", request)
            first = call.replay(uow, uow.offers.get)
            if first is not None:
                return first
            if context.buyer_id == seller.id:
                raise Forbidden("you cannot offer information on your own context")
            if context.named_seller_ids and seller.id not in context.named_seller_ids:
                raise Forbidden("this context is open only to the sellers it names")
            if bid != 0:  # locked: a closing context releases every bid it holds
                context = uow.contexts.get(context.id, lock=True) or context
            attention.check_bid(bid, s.max_budget, context)
            if terms is not None:
                question = self.store.forecast_repository().within(uow).get(context.id)
                escrow.check_accepted(terms, context.id, question)
            self._ensure_active(context)
            offer = InfoOffer(
                new_id("off"),
                context.id,
                seller.id,
                preview,
                private_info,
                price,
                self.clock(),
                quotable=bool(quotable),
                bid=bid,
                escrow=terms,
            )
            uow.offers.add(offer)
            attention.reserve(uow, offer, offer.created_at)
            call.remember(uow, offer.id, self.clock())
        self._units.publish(
            self._listeners, Event(EventKind.OFFER_POSTED, offer.context_id, offer.id)
        )
        return offer

    @staticmethod
    def seller_view(offer: InfoOffer, *, purchased: bool = False) -> OfferView:
        """An offer as its own seller sees it: the private info included (``visibility``)."""
        return _offer_view(offer, purchased, offer.private_info)

    def withdraw_offer(self, actor_id: str, offer_id: str) -> InfoOffer:
        """Withdraw your offer; only before anyone has inspected or bought it."""
        with self.store.begin() as uow:
            actor = self._user(uow, actor_id, lock=True)
            _, offer = self._locked_offer(uow, actor, offer_id)
            if offer.seller_id != actor.id:
                raise Forbidden("only the seller of an offer can withdraw it")
            if offer.status is OfferStatus.WITHDRAWN:
                raise Conflict(f"offer {offer_id} is already withdrawn")
            if uow.purchases.for_offer(offer_id) is not None:
                raise Conflict(f"offer {offer_id} has been bought; it cannot be withdrawn")
            if offer.inspected:
                raise Conflict(f"offer {offer_id} has been inspected; it cannot be withdrawn")
            offer = replace(offer, status=OfferStatus.WITHDRAWN)
            uow.offers.update(offer)
            attention.release(uow, offer, self.clock(), "withdrawn")
            return offer

    def mark_inspected(self, actor_id: str, offer_id: str) -> InfoOffer:
        """Record that the buyer's inspector read an offer (it can no longer be withdrawn) and
        pay its bid to the buyer, once (``attention``: only offers the context's attention
        reads, highest bids first, may be read)."""
        with self._units.begin() as uow:
            actor = self._user(uow, actor_id, lock=True)
            context, offer = self._locked_offer(
                uow, actor, offer_id, buyer_only="only the buyer of a context inspects its offers"
            )
            if offer.status is OfferStatus.WITHDRAWN:
                raise Conflict(f"offer {offer_id} was withdrawn")
            if offer.inspected:
                return offer
            if offer.bid > 0 and not context.is_active:  # its bid went back when it closed
                raise Conflict(f"context {context.id} is {context.status.value}; its bids are void")
            if offer.id not in {o.id for o in self._to_read(uow, context)}:
                raise Conflict(
                    f"offer {offer_id} is not among the offers context {context.id}'s attention "
                    "reads (its bid is below the reading cost, higher bids fill the attention, "
                    "or its seller's track record is below the context's record minimum)"
                )
            offer = replace(offer, inspected=True)
            uow.offers.update(offer)
            attention.pay(uow, offer, context, self.clock())
            return offer

    def mark_context_inspected(
        self, actor_id: str, context_id: str, *, offers: Sequence[InfoOffer] | None = None
    ) -> list[InfoOffer]:
        """``mark_inspected`` for every offer of your context that its attention reads and
        that is not read yet, at once (the context locked first, as ``withdraw_offer`` does):
        the highest bids first, each bid paid to the buyer (``attention.to_read``,
        docs/theory.md §5); return the offers marked. ``offers``: the context's offers, if
        the caller read them in the unit this joins after locking the context (not again)."""
        with self._units.begin() as uow:
            context = self._owned(uow, actor_id, context_id)  # both locked
            if not context.is_active:  # its bids went back when it closed
                raise Conflict(f"context {context_id} is {context.status.value}; nothing to read")
            now = self.clock()
            unread = [replace(o, inspected=True) for o in self._to_read(uow, context, offers)]
            uow.offers.set_inspected([o.id for o in unread])
            for offer in unread:
                attention.pay(uow, offer, context, now)
            return unread

    def _to_read(
        self,
        uow: UnitOfWork,
        context: DecisionContext,
        offers: Sequence[InfoOffer] | None = None,
    ) -> list[InfoOffer]:
        """The one selection of the offers an inspection of ``context`` reads now: those its
        record minimum admits (``record_filter``), then the attention auction's
        (``attention.to_read``), of ``offers`` (None: read in ``uow``)."""
        if offers is None:
            offers = uow.offers.for_context(context.id)
        records = self.store.forecast_repository()
        return attention.to_read(record_filter.admitted(uow, records, context, offers), context)

    def offer(self, viewer_id: Viewer, offer_id: str) -> OfferView:
        """An offer as the viewer may see it (private info only where the rules allow)."""
        with self.store.begin(write=False) as uow:
            viewer = self._viewer(uow, viewer_id)
            offer = uow.offers.get(offer_id)
            if offer is None:
                raise NotFound(f"there is no offer {offer_id}")
            context = self._visible_context(uow, viewer, offer.context_id)
            return self._view(uow, viewer, offer, context)

    def offers(self, viewer_id: Viewer, context_id: str) -> list[OfferView]:
        """The offers on a context, oldest first, as the viewer may see them."""
        with self.store.begin(write=False) as uow:
            viewer = self._viewer(uow, viewer_id)
            context = self._visible_context(uow, viewer, context_id)
            return [self._view(uow, viewer, o, context) for o in uow.offers.for_context(context_id)]

    def buy_blind(
        self, actor_id: str, offer_id: str, *, idempotency_key: str | None = None
    ) -> Purchase:
        """Buy an offer on its preview alone: the naive market (docs/theory.md §5).

        The price moves from the context's reservation to the seller's earnings, exactly once.
        """
        return self._buy(actor_id, offer_id, Mechanism.NAIVE, idempotency_key)[0]

    def buy_blind_viewed(
        self, actor_id: str, offer_id: str, *, idempotency_key: str | None = None
    ) -> tuple[Purchase, OfferView]:
        """``buy_blind``, with the offer as the buyer sees it once bought, read in the same
        transaction (what the API answers, without a second round of reads)."""
        purchase, view = self._buy(
            actor_id, offer_id, Mechanism.NAIVE, idempotency_key, with_view=True
        )
        assert view is not None
        return purchase, view

    def buy_inspected(
        self, actor_id: str, offer_id: str, *, idempotency_key: str | None = None
    ) -> Purchase:
        """Buy an offer the buyer's inspector has read: the inspection mechanism
        (docs/theory.md §4-5).

        As ``buy_blind``, paid from the context's reservation exactly once, but only for an offer
        marked inspected (``mark_inspected``), and recorded with ``Mechanism.INSPECTION``.
        """
        return self._buy(actor_id, offer_id, Mechanism.INSPECTION, idempotency_key)[0]

    def charge_inspection(
        self, actor_id: str, context_id: str, cents: int, *, idempotency_key: str, memo: str = ""
    ) -> int:
        """Pay the operator ``cents`` for an inspector's tokens from a context's reservation
        (issue 10); return the cents paid: capped at what the reservation holds, never more.

        Used by the inspection engine for its buyer ``actor_id``. The key makes a repeated
        step pay the first amount again, not a second time (a repeated call's tokens may
        differ, so only the context is part of the request)."""
        check_cents(cents, "an inspection cost")
        if cents <= 0:
            return 0
        with self._units.begin() as uow:
            context = self._owned(uow, actor_id, context_id)  # both locked
            call = KeyedCall(actor_id, idempotency_key, "inspection_cost", context_id)
            first = call.replay(uow, uow.ledger.entry)
            if first is not None:
                return first.amount_for([HOUSE])
            paid = min(cents, uow.ledger.balance(hold(context.id)))
            if paid <= 0:
                return 0
            entry = transfer(
                new_id("ent"),
                EntryKind.INSPECTION_COST,
                hold(context.id),
                HOUSE,
                paid,
                self.clock(),
                (memo or f"inspection of {context.id}")[:200],
            )
            uow.ledger.record(entry)
            call.remember(uow, entry.id, self.clock())
            return paid

    def _locked_offer(
        self, uow: UnitOfWork, actor: User, offer_id: str, *, buyer_only: str | None = None
    ) -> tuple[DecisionContext, InfoOffer]:
        """An offer the actor may see and its context, both locked, the context first (the
        lock order every operation follows). ``buyer_only``: the refusal when the actor did
        not post the context."""
        offer = uow.offers.get(offer_id)
        if offer is None:
            raise NotFound(f"there is no offer {offer_id}")
        context = self._visible_context(uow, actor, offer.context_id)
        if buyer_only is not None and context.buyer_id != actor.id:
            raise Forbidden(buyer_only)
        locked = uow.contexts.get(context.id, lock=True)
        offer = uow.offers.get(offer_id, lock=True)
        assert locked is not None and offer is not None
        return locked, offer

    def _buy(
        self,
        actor_id: str,
        offer_id: str,
        mechanism: Mechanism,
        idempotency_key: str | None,
        *,
        with_view: bool = False,
    ) -> tuple[Purchase, OfferView | None]:
        operation = "purchase" if mechanism is Mechanism.NAIVE else "inspected"
        with self._units.begin() as uow:
            buyer = self._user(uow, actor_id, lock=True)
            call = KeyedCall(actor_id, idempotency_key, operation, offer_id)
            first = call.replay(uow, uow.purchases.get)
            if first is not None:
                if not with_view:
                    return first, None
                bought = uow.offers.get(first.offer_id)
                where = uow.contexts.get(first.context_id)
                assert bought is not None and where is not None
                return first, self._view(uow, buyer, bought, where)
            context, offer = self._locked_offer(
                uow,
                buyer,
                offer_id,
                buyer_only="only the buyer who posted the context can buy its offers",
            )
            if uow.purchases.for_offer(offer.id) is not None:
                raise Conflict(f"offer {offer.id} is already bought; it is paid only once")
            if offer.status is OfferStatus.WITHDRAWN:
                raise Conflict(f"offer {offer.id} was withdrawn by its seller")
            if mechanism is Mechanism.INSPECTION and not offer.inspected:
                raise Conflict(
                    f"offer {offer.id} has not been inspected; mark it inspected before buying "
                    "it by inspection, or buy it blind"
                )
            self._ensure_active(context)
            left = uow.ledger.balance(hold(context.id))
            if purchase_needs(offer) > left:
                held = f" and holds {escrow.cap_of(offer)} in escrow" if offer.escrow else ""
                raise InsufficientFunds(
                    f"offer {offer.id} costs {offer.price} cents{held} but context "
                    f"{context.id} has only {left} cents of its budget left"
                )
            now = self.clock()
            moves = purchase_entries(offer, context, now)  # the one place a purchase pays
            uow.ledger.record_many(moves)
            entry_id = moves[0].id if moves else None
            purchase = Purchase(
                new_id("pur"),
                offer.id,
                context.id,
                buyer.id,
                offer.seller_id,
                offer.price,
                mechanism,
                entry_id,
                now,
            )
            uow.purchases.add(purchase)
            escrow.hold_escrow(uow, offer, purchase, context, now)  # pay-on-resolution terms
            call.remember(uow, purchase.id, self.clock())
            return purchase, self._view(uow, buyer, offer, context) if with_view else None

    def purchases(self, buyer_id: str) -> list[tuple[Purchase, OfferView]]:
        """A buyer's purchases, newest first, each with the offer as the buyer may see it."""
        with self.store.begin(write=False) as uow:
            buyer = self._user(uow, buyer_id)
            out = []
            for p in uow.purchases.for_buyer(buyer_id):
                offer = uow.offers.get(p.offer_id)
                context = uow.contexts.get(p.context_id)
                assert offer is not None and context is not None
                out.append((p, self._view(uow, buyer, offer, context)))
            return out
