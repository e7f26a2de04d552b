"""The pages' forms as typed models, one per form: what a route receives instead of a row of
string parameters (``Posted[OfferForm]``).

Every field is text, as the browser sends it: storable, else 422 naming the field (``Text``);
a missing field is blank. Reading a field into the domain's value (money, minutes, keywords)
is the form's own method, with the words of ``forms``; range checks stay in the domain, so a
page shows the same words as the API. ``echo`` gives the fields back as typed, for the form
shown again with an error: never the CSRF token, and never a password or an API key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, TypeVar

from fastapi import Form
from pydantic import AfterValidator, BaseModel, ConfigDict

from volition.bazaar.api.text import storable_form
from volition.bazaar.domain.service import ContextSpec
from volition.bazaar.web.forms import (
    parse_attention,
    parse_keywords,
    parse_lines,
    parse_matcher,
    parse_minutes,
    parse_money,
    parse_priority,
    parse_record_minimum,
    parse_reveal,
    parse_terms,
)

__all__ = [
    "BotForm",
    "ContextForm",
    "CreditForm",
    "EndpointForm",
    "FixedBotForm",
    "InspectForm",
    "LlmBotForm",
    "MatcherForm",
    "OfferForm",
    "Posted",
    "PostedForm",
    "ResolveForm",
    "SignInForm",
    "SignUpForm",
    "Text",
]

Text = Annotated[str, AfterValidator(storable_form)]  # storable text, else 422
F = TypeVar("F", bound="PostedForm")
Posted = Annotated[F, Form()]  # a route's form: ``form: Posted[OfferForm]``


class PostedForm(BaseModel):
    """A form posted by a page: its CSRF token, and the fields of the subclass."""

    model_config = ConfigDict(frozen=True)
    _secret: ClassVar[frozenset[str]] = frozenset()  # fields never sent back to the browser

    csrf_token: Text = ""

    def echo(self) -> dict[str, str]:
        """The fields as typed, to show the form again with an error."""
        return self.model_dump(exclude={"csrf_token", "idempotency_key", *self._secret})


class _AccountForm(PostedForm):
    """A name and a password (never sent back)."""

    _secret = frozenset({"password"})
    name: Text = ""
    password: Text = ""


class SignUpForm(_AccountForm):
    """Sign-up: a name, a password, and the roles ticked."""

    buyer: Text = ""
    seller: Text = ""


class SignInForm(_AccountForm):
    """Sign-in: a name, a password, and where to go afterwards."""

    next: Text = "/"


class ContextForm(PostedForm):
    """A decision context (a follow-up when ``parents`` names offers) with its attention
    auction's terms and its sellers' record minimum."""

    idempotency_key: Text = ""
    query: Text = ""
    budget: Text = ""
    priority: Text = ""
    pages: Text = ""
    sellers: Text = ""
    expires: Text = ""
    parents: Text = ""
    reveal: Text = ""
    attention: Text = ""
    reading_cost: Text = ""
    record_min_offers: Text = ""
    record_min_value: Text = ""
    record_max_gap: Text = ""
    refuse_newcomers: Text = ""

    def spec(self, now: datetime) -> ContextSpec:
        """The context asked for (``InputError`` names a malformed field)."""
        lifetime = parse_minutes(self.expires, "the expiry")
        return ContextSpec(
            query=self.query,
            budget=parse_money(self.budget, "the budget"),
            priority=parse_priority(self.priority),
            pages=parse_lines(self.pages),
            named_sellers=parse_keywords(self.sellers),
            expires_at=None if lifetime is None else now + lifetime,
            parent_offer_ids=parse_keywords(self.parents),
            reveal=parse_reveal(self.reveal),
            attention=parse_attention(self.attention),
            reading_cost=parse_money(self.reading_cost or "0", "the reading cost"),
            record_minimum=parse_record_minimum(
                self.record_min_offers,
                self.record_min_value,
                self.record_max_gap,
                self.refuse_newcomers,
            ),
        )


class OfferForm(PostedForm):
    """An offer: preview, private info, price, whether it may be quoted, its bid, and its
    pay-on-resolution share and cap."""

    idempotency_key: Text = ""
    preview: Text = ""
    private_info: Text = ""
    price: Text = ""
    no_quotation: Text = ""
    bid: Text = ""
    escrow_rate: Text = ""
    escrow_cap: Text = ""

    def terms(self) -> dict[str, Any]:
        """The domain's offer arguments (``InputError`` names a malformed field); on a
        forecast question, pay-on-resolution terms (``escrow_rate`` and ``escrow_cap``)."""
        return {
            "preview": self.preview,
            "private_info": self.private_info,
            "price": parse_money(self.price, "the price"),
            "quotable": not self.no_quotation,
            "bid": parse_money(self.bid or "0", "the bid"),
            "pay_on_resolution": parse_terms(self.escrow_rate, self.escrow_cap),
            "idempotency_key": self.idempotency_key or None,
        }


class MatcherForm(PostedForm):
    """A matcher: any of the keywords, a minimum budget and priority, an age limit, and the
    least inspection and purchase rates of the buyer (the inbox's matchers and every bot's
    own)."""

    keywords: Text = ""
    min_budget: Text = ""
    min_priority: Text = ""
    max_age: Text = ""
    min_inspection_rate: Text = ""
    min_purchase_rate: Text = ""

    def matcher(self) -> dict[str, Any]:
        """The domain's matcher arguments (``InputError`` names a malformed field)."""
        return parse_matcher(
            self.keywords,
            self.min_budget,
            self.min_priority,
            self.max_age,
            self.min_inspection_rate,
            self.min_purchase_rate,
        )


class BotForm(MatcherForm):
    """A new bot: its name, its price (a fixed bot's, an LLM bot's cap), and its matcher."""

    name: Text = ""
    price: Text = ""


class FixedBotForm(BotForm):
    """A fixed bot: its one offer and its matcher."""

    preview: Text = ""
    private_info: Text = ""


class LlmBotForm(BotForm):
    """An LLM bot: its instructions, a price cap, its matcher, optionally its own endpoint."""

    instructions: Text = ""
    base_url: Text = ""
    model: Text = ""


class EndpointForm(PostedForm):
    """A seller's bots' OpenAI-compatible endpoint; the key is never shown again."""

    _secret = frozenset({"api_key"})
    base_url: Text = ""
    model: Text = ""
    api_key: Text = ""


class CreditForm(PostedForm):
    """An operator's credit: whom, how much."""

    idempotency_key: Text = ""
    user: Text = ""
    amount: Text = ""


class ResolveForm(PostedForm):
    """A forecast question's resolution: an outcome, or annulled."""

    outcome: Text = ""
    annulled: Text = ""


class InspectForm(PostedForm):
    """An inspection's start: the operator's inspector, depth and follow-up policy."""

    max_depth: Text = ""
    policy: Text = ""
    inspector: Text = ""
