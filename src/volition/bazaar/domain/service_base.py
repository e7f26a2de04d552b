"""The base of the bazaar's services: the store, the clock, the listeners, the unit of work,
and the reads every room shares (users, visible contexts, offer views, idempotency).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

from volition.bazaar.domain import follow_ups
from volition.bazaar.domain.contexts import DecisionContext, Disclosure, RevealPolicy
from volition.bazaar.domain.events import Listener
from volition.bazaar.domain.ids import Clock, utc_now
from volition.bazaar.domain.offers import InfoOffer, OfferView
from volition.bazaar.domain.passwords import PasswordHasher
from volition.bazaar.domain.settings import BazaarSettings
from volition.bazaar.domain.store import Store, UnitOfWork
from volition.bazaar.domain.token_cache import TokenCache
from volition.bazaar.domain.units import Units
from volition.bazaar.domain.users import User
from volition.bazaar.domain.visibility import can_read_private, can_see_context
from volition.bazaar.errors import Conflict, Forbidden, NotFound

__all__ = ["Balances", "ServiceBase", "Viewer"]


Viewer = User | str | None


@dataclass(frozen=True, slots=True)
class Balances:
    """A user's money in cents: available cash, reserved in their active contexts, earnings."""

    cash: int
    reserved: int
    earnings: int


def _offer_view(offer: InfoOffer, purchased: bool, private_info: str | None) -> OfferView:
    """``offer`` as a viewer sees it, with ``private_info`` only where the rules allow it."""
    shown = {name: getattr(offer, name) for name in _OFFER_FIELDS_SHOWN}
    return OfferView(**shown, purchased=purchased, private_info=private_info)


_OFFER_FIELDS_SHOWN = tuple(
    f.name for f in fields(OfferView) if f.name not in ("purchased", "private_info")
)


class ServiceBase:
    """What every room of the bazaar's service shares: store, clock, units, reads."""

    def __init__(
        self,
        store: Store,
        *,
        hasher: PasswordHasher,
        settings: BazaarSettings | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.hasher = hasher
        self.settings = settings or BazaarSettings()
        self.clock = clock
        self._decoy: str | None = None
        # the tokens this process checked, where it hears of their changes (PostgreSQL)
        self.token_cache: TokenCache | None = None
        self._listeners: list[Listener] = []
        self._units = Units(store)

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """Run several operations as one unit of work, committed together (``units``).

        Operations that join it: ``post_context``, ``post_offer``, ``start_inspecting``,
        ``decide_context``, ``buy_and_close``, ``cancel_context``, ``mark_inspected``,
        ``mark_context_inspected``, ``buy_inspected``, ``buy_blind``, ``charge_inspection``
        and ``remaining`` (any other opens its own transaction: never call a writing one
        inside a unit on SQLite, where it would wait for this unit's lock). The block may
        also read and write through the unit it is given (the inspection engine's own
        records)."""
        with self._units.unit(self._listeners) as uow:
            yield uow

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` after each committed context post, offer post and closing."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    def user(self, user_id: str) -> User:
        """The user with this id."""
        with self.store.begin(write=False) as uow:
            return self._user(uow, user_id)

    def _user(self, uow: UnitOfWork, user_id: str, *, lock: bool = False) -> User:
        user = uow.users.get(user_id, lock=lock)
        if user is None:
            raise NotFound(f"there is no user {user_id}")
        return user

    def _viewer(self, uow: UnitOfWork, viewer: Viewer) -> User | None:
        if viewer is None or isinstance(viewer, User):
            return viewer  # a User the caller has just authenticated: no second read
        return self._user(uow, viewer)

    def _owned(self, uow: UnitOfWork, actor_id: str, context_id: str) -> DecisionContext:
        """Lock the actor's row, then their context ``context_id`` (the bazaar's lock order),
        in one read where the store can; the errors of ``_user`` and ``_own_context`` when
        either is missing or the context is not theirs."""
        held = uow.lock_owned(actor_id, context_id)
        if held is not None:
            return held[1]
        self._user(uow, actor_id, lock=True)
        return self._own_context(uow, actor_id, context_id)

    def _own_context(self, uow: UnitOfWork, actor_id: str, context_id: str) -> DecisionContext:
        actor = self._user(uow, actor_id)
        context = self._visible_context(uow, actor, context_id)
        if context.buyer_id != actor_id:
            raise Forbidden("only the buyer who posted a context can do this")
        locked = uow.contexts.get(context_id, lock=True)
        assert locked is not None
        return locked

    def _visible_context(
        self, uow: UnitOfWork, viewer: User | None, context_id: str
    ) -> DecisionContext:
        context = uow.contexts.get(context_id)
        if context is None:
            raise NotFound(f"there is no context {context_id}")
        if viewer is not None and viewer.id == context.buyer_id:
            return context  # a buyer sees its own contexts: no parent offers to read
        if not can_see_context(viewer, context, self._parent_sellers(uow, context)):
            raise NotFound(f"there is no context {context_id}")
        return context

    def _parent_sellers(self, uow: UnitOfWork, context: DecisionContext) -> frozenset[str]:
        offers = (uow.offers.get(i) for i in context.parent_offer_ids)
        return frozenset(o.seller_id for o in offers if o is not None)

    def _ensure_active(self, context: DecisionContext) -> None:
        if not context.is_active:
            raise Conflict(f"context {context.id} is {context.status.value}; it takes no more")
        if context.is_due(self.clock()):
            raise Conflict(f"context {context.id} expired at {context.expires_at}")

    def _shown(
        self, uow: UnitOfWork, viewer: User | None, context: DecisionContext
    ) -> DecisionContext:
        """``context`` as ``viewer`` (who may see it) is shown it: amnesia for what an
        inspector wrote in a follow-up (``follow_ups``)."""
        if not context.is_child or viewer is None:
            return context
        is_buyer = viewer.id == context.buyer_id
        revealed = is_buyer and context.by_inspector and follow_ups.writings_revealed(uow, context)
        quoted = not is_buyer and follow_ups.quotable(uow, context)
        shown = follow_ups.disclosure(viewer.id, context, revealed=revealed, quotable=quoted)
        return follow_ups.disclose(context, shown)

    def _view(
        self, uow: UnitOfWork, viewer: User | None, offer: InfoOffer, context: DecisionContext
    ) -> OfferView:
        purchased = uow.purchases.for_offer(offer.id) is not None
        readable = False
        if (
            context.is_child
            and context.reveal is RevealPolicy.WITH_PARENT
            and viewer is not None
            and viewer.id == context.buyer_id
        ):
            readable = follow_ups.parent_readable(uow, context)
        allowed = can_read_private(viewer, offer, context, purchased, readable)
        view = _offer_view(offer, purchased, offer.private_info if allowed else None)
        if (
            viewer is not None
            and viewer.id == context.buyer_id
            and not allowed  # what the buyer may read of it, it reads whole
            and context.by_inspector
            and self._shown(uow, viewer, context).disclosure is Disclosure.FORGOTTEN
        ):  # sellers answering a follow-up's query may repeat it in their previews
            view = replace(view, preview=follow_ups.FORGOTTEN_PREVIEW)
        return view

    def _balances(self, uow: UnitOfWork, user_id: str) -> Balances:
        available, reserved, earned = uow.ledger.user_balances(user_id)
        return Balances(cash=available, reserved=reserved, earnings=earned)
