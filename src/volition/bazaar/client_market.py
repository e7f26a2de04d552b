"""The client's market calls: accounts, money, contexts, forecast questions, offers,
matchers and the operator's books (one method per API endpoint)."""

from __future__ import annotations

from typing import Any

from volition.bazaar.api.schemas import (
    AuditPublic,
    ContextPublic,
    EntryPublic,
    MatcherPublic,
    MePublic,
    OfferPublic,
    PurchasePublic,
    TokenPublic,
    UserPublic,
)
from volition.bazaar.api.schemas_forecasts import ForecastPublic, TrackRecordPublic
from volition.bazaar.client_transport import Transport

__all__ = ["MarketCalls"]


class MarketCalls(Transport):
    """The market's endpoints: what buyers, sellers and operators do with money and info."""

    # ------------------------------------------------------------------ users

    def sign_up(self, name: str, password: str, roles: tuple[str, ...] = ("buyer",)) -> UserPublic:
        """Create an account (buyer and/or seller)."""
        body = {"name": name, "password": password, "roles": list(roles)}
        return self._one(UserPublic, self._call("POST", "/users", json=body))

    def sign_in(self, name: str, password: str) -> TokenPublic:
        """Get a token and use it for the following calls."""
        body = {"name": name, "password": password}
        token = self._one(TokenPublic, self._call("POST", "/tokens", json=body))
        self.token = token.access_token
        return token

    def sign_out(self) -> None:
        """Revoke the current token."""
        self._call("DELETE", "/tokens/current")
        self.token = None

    def me(self) -> MePublic:
        """Your account and balances."""
        return self._one(MePublic, self._call("GET", "/me"))

    def ledger(self, limit: int = 200) -> list[EntryPublic]:
        """Journal entries touching your accounts, newest first."""
        return self._many(EntryPublic, self._call("GET", "/me/ledger", params={"limit": limit}))

    def cash_out(self, cents: int, *, idempotency_key: str | None = None) -> EntryPublic:
        """Move earnings to your available cash."""
        data = self._call(
            "POST", "/me/cash-outs", json={"cents": cents}, idempotency_key=idempotency_key
        )
        return self._one(EntryPublic, data)

    def purchases(self) -> list[PurchasePublic]:
        """Your purchases with their private info."""
        return self._many(PurchasePublic, self._call("GET", "/me/purchases"))

    # --------------------------------------------------------------- contexts

    def post_context(
        self,
        query: str,
        budget: int,
        *,
        priority: float = 0.5,
        pages: list[str] | None = None,
        named_sellers: list[str] | None = None,
        expires_in_seconds: int | None = None,
        parent_offer_ids: list[str] | None = None,
        reveal: str = "with_parent",
        attention: int | None = None,
        reading_cost: int = 0,
        record_minimum: dict[str, Any] | None = None,
        forecast: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> ContextPublic:
        """Post a decision context, reserving ``budget`` cents.

        With ``parent_offer_ids`` it is a follow-up about those offers (on one of your
        contexts, funded from its budget); ``reveal`` is its amnesia policy: ``with_parent``
        (what it buys reaches you only with a parent offer you may read) or ``all``.
        ``attention``: how many offers your inspector reads, the highest bids first (None:
        all); ``reading_cost``: the least bid an offer must carry (the attention auction).
        ``record_minimum``: read only sellers whose track record meets it, e.g.
        ``{"min_offers_bought": 3, "min_value_per_dollar": 0.1, "max_calibration_gap": 0.2,
        "admit_newcomers": False}`` (any field may be left out). ``forecast`` makes it a
        forecast question: ``{"outcomes": [...], "closes_in_seconds": N}`` (or
        ``closes_at``), optionally ``resolver``, ``rule`` and ``prior``."""
        body: dict[str, Any] = {
            "query": query,
            "budget": budget,
            "priority": priority,
            "pages": pages or [],
            "named_sellers": named_sellers or [],
            "expires_in_seconds": expires_in_seconds,
            "parent_offer_ids": parent_offer_ids or [],
            "reveal": reveal,
        }
        if attention is not None:
            body["attention"] = attention
        if reading_cost:
            body["reading_cost"] = reading_cost
        if record_minimum is not None:
            body["record_minimum"] = record_minimum
        if forecast is not None:
            body["forecast"] = forecast
        data = self._call("POST", "/contexts", json=body, idempotency_key=idempotency_key)
        return self._one(ContextPublic, data)

    def contexts(
        self, *, mine: bool = False, status: list[str] | None = None, limit: int = 100
    ) -> list[ContextPublic]:
        """Public contexts, or all of yours with ``mine=True``."""
        params: dict[str, Any] = {"mine": mine, "limit": limit}
        if status:
            params["status"] = status
        return self._many(ContextPublic, self._call("GET", "/contexts", params=params))

    def context(self, context_id: str) -> ContextPublic:
        """One context."""
        return self._one(ContextPublic, self._call("GET", f"/contexts/{context_id}"))

    def cancel(self, context_id: str) -> ContextPublic:
        """Cancel your context, releasing its unspent budget."""
        return self._one(ContextPublic, self._call("POST", f"/contexts/{context_id}/cancel"))

    def decide(self, context_id: str) -> ContextPublic:
        """Close your context as decided, releasing its unspent budget."""
        return self._one(ContextPublic, self._call("POST", f"/contexts/{context_id}/decide"))

    # ----------------------------------------------------------------- offers

    def forecast(self, context_id: str) -> ForecastPublic:
        """A forecast question; yours with its forecast's path and the offers' scores."""
        return self._one(ForecastPublic, self._call("GET", f"/contexts/{context_id}/forecast"))

    def resolve(
        self, context_id: str, outcome: str | None = None, *, annulled: bool = False
    ) -> ForecastPublic:
        """Resolve a forecast question you are the resolver of, to ``outcome`` or annulled."""
        body: dict[str, Any] = {"annulled": True} if annulled else {"outcome": outcome}
        data = self._call("POST", f"/contexts/{context_id}/resolve", json=body)
        return self._one(ForecastPublic, data)

    def record(self, seller: str) -> TrackRecordPublic:
        """A seller's (or bot's) track record over resolved forecast questions."""
        return self._one(TrackRecordPublic, self._call("GET", f"/sellers/{seller}/record"))

    def bot_record(self, bot_id: str) -> TrackRecordPublic:
        """A stored bot's track record over resolved forecast questions."""
        return self._one(TrackRecordPublic, self._call("GET", f"/bots/{bot_id}/record"))

    def post_offer(
        self,
        context_id: str,
        *,
        preview: str,
        private_info: str,
        price: int,
        quotable: bool = True,
        bid: int = 0,
        idempotency_key: str | None = None,
    ) -> OfferPublic:
        """Offer information on a context. ``quotable=False``: an inspector in doubt may not
        quote it to fact-checkers (the sellers asked in a follow-up about it). ``bid``: cents
        paid to the buyer if its inspector reads the offer, held from your cash meanwhile."""
        body: dict[str, object] = {
            "preview": preview,
            "private_info": private_info,
            "price": price,
            "quotable": quotable,
        }
        if bid:
            body["bid"] = bid
        data = self._call(
            "POST", f"/contexts/{context_id}/offers", json=body, idempotency_key=idempotency_key
        )
        return self._one(OfferPublic, data)

    def offers(self, context_id: str) -> list[OfferPublic]:
        """The offers on a context."""
        return self._many(OfferPublic, self._call("GET", f"/contexts/{context_id}/offers"))

    def offer(self, offer_id: str) -> OfferPublic:
        """One offer."""
        return self._one(OfferPublic, self._call("GET", f"/offers/{offer_id}"))

    def withdraw(self, offer_id: str) -> OfferPublic:
        """Withdraw your offer."""
        return self._one(OfferPublic, self._call("DELETE", f"/offers/{offer_id}"))

    def buy(self, offer_id: str, *, idempotency_key: str | None = None) -> PurchasePublic:
        """Buy an offer blind (the naive market)."""
        data = self._call("POST", f"/offers/{offer_id}/purchase", idempotency_key=idempotency_key)
        return self._one(PurchasePublic, data)

    # --------------------------------------------------------- matchers, inbox

    def add_matcher(
        self,
        keywords: list[str] | None = None,
        *,
        min_budget: int = 0,
        min_priority: float = 0.0,
        max_age_seconds: int | None = None,
        min_inspection_rate: float = 0.0,
        min_purchase_rate: float = 0.0,
    ) -> MatcherPublic:
        """Add a matcher to your inbox."""
        body = {
            "keywords": keywords or [],
            "min_budget": min_budget,
            "min_priority": min_priority,
            "max_age_seconds": max_age_seconds,
            "min_inspection_rate": min_inspection_rate,
            "min_purchase_rate": min_purchase_rate,
        }
        return self._one(MatcherPublic, self._call("POST", "/me/matchers", json=body))

    def matchers(self) -> list[MatcherPublic]:
        """Your matchers."""
        return self._many(MatcherPublic, self._call("GET", "/me/matchers"))

    def remove_matcher(self, matcher_id: str) -> None:
        """Delete one of your matchers."""
        self._call("DELETE", f"/me/matchers/{matcher_id}")

    def inbox(self) -> list[ContextPublic]:
        """Contexts for you as a seller."""
        return self._many(ContextPublic, self._call("GET", "/me/inbox"))

    # ---------------------------------------------------------------- operator

    def credit(self, user: str, cents: int, *, idempotency_key: str | None = None) -> EntryPublic:
        """Credit a user's cash (operators only)."""
        body = {"user": user, "cents": cents}
        data = self._call("POST", "/operator/credits", json=body, idempotency_key=idempotency_key)
        return self._one(EntryPublic, data)

    def grant_operator(self, user: str) -> UserPublic:
        """Make a user an operator (operators only)."""
        return self._one(UserPublic, self._call("POST", "/operator/operators", json={"user": user}))

    def audit(self) -> AuditPublic:
        """Check the books (operators only)."""
        return self._one(AuditPublic, self._call("GET", "/operator/audit"))
