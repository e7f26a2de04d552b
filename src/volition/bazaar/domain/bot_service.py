"""Managing bot sellers and LLM credentials: the operations beside ``Bazaar``.

``BotService`` works over the bazaar's store like ``Bazaar`` does: each method one unit of
work, everything checked before anything is written. Bots belong to sellers; only the owner
reads or changes a bot (an operator may list every bot, without its private info). The LLM
API key is encrypted by the service's ``Cipher`` before it reaches the store and decrypted
only by :meth:`BotService.api_key`, for one agent call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from volition.bazaar.domain.bot_markets import check_market_bot
from volition.bazaar.domain.bots import KINDS, BotJob, BotKind, BotSeller, check_bot
from volition.bazaar.domain.checks import check_text
from volition.bazaar.domain.credentials import Cipher, LLMCredential, key_hint
from volition.bazaar.domain.ids import Clock, new_id
from volition.bazaar.domain.outbound import check_base_url
from volition.bazaar.domain.service import Bazaar
from volition.bazaar.domain.store import UnitOfWork
from volition.bazaar.domain.users import User
from volition.bazaar.errors import Conflict, Forbidden, NotFound
from volition.errors import ComputationError, InputError

__all__ = ["EDITABLE", "MAX_BOTS_PER_OWNER", "BotService"]

MAX_BOTS_PER_OWNER = 50
EDITABLE = frozenset(
    {
        "name",
        "active",
        "price",
        "keywords",
        "min_budget",
        "min_priority",
        "max_age",
        "min_inspection_rate",
        "min_purchase_rate",
        "preview",
        "private_info",
        "instructions",
        "base_url",
        "model",
        "market",
        "market_offer",
        "market_state",
        "cents_per_unit",
    }
)


class BotService:
    """Bots and credentials of the users of ``bazaar``."""

    def __init__(self, bazaar: Bazaar, cipher: Cipher | None = None) -> None:
        self.bazaar = bazaar
        self.cipher = cipher

    @property
    def clock(self) -> Clock:
        return self.bazaar.clock

    # ------------------------------------------------------------------------ bots

    def create_bot(
        self,
        actor_id: str,
        *,
        name: str,
        kind: BotKind | str,
        price: int | None = None,
        **fields: Any,
    ) -> BotSeller:
        """Create a bot owned by ``actor_id`` (a seller); ``fields`` are ``EDITABLE`` ones.

        A fixed or LLM bot needs ``price``; a bayesian bot's price is its offer's (give none,
        or that one).
        """
        unknown = set(fields) - EDITABLE
        if unknown:
            raise InputError(f"a bot has no field {sorted(unknown)[0]!r}")
        try:
            bot_kind = BotKind(kind)
        except ValueError:
            raise InputError(f"a bot's kind must be one of {KINDS}, not {kind!r}") from None
        if price is None and bot_kind is not BotKind.BAYESIAN:
            raise InputError(f"a {bot_kind.value} bot needs a price (cents)")
        fields.setdefault("active", True)
        if "keywords" in fields:
            fields["keywords"] = tuple(fields["keywords"])
        bot = BotSeller(
            id=new_id("bot"),
            owner_id=actor_id,
            name=name,
            kind=bot_kind,
            price=0 if price is None else price,
            created_at=self.clock(),
            **fields,
        )
        bot = self._check(bot, price_given=price is not None)
        with self.bazaar.store.begin() as uow:
            owner = self._seller(uow, actor_id)
            if len(uow.bots.for_owner(owner.id)) >= MAX_BOTS_PER_OWNER:
                raise Conflict(f"you have {MAX_BOTS_PER_OWNER} bots, the most allowed")
            self._check_endpoint(uow, bot)
            uow.bots.add(bot)
        return bot

    def update_bot(self, actor_id: str, bot_id: str, changes: Mapping[str, Any]) -> BotSeller:
        """Change some ``EDITABLE`` fields of your bot (``active``: pause or resume it)."""
        unknown = set(changes) - EDITABLE
        if unknown:
            raise InputError(f"a bot has no editable field {sorted(unknown)[0]!r}")
        changes = dict(changes)
        if "keywords" in changes:
            changes["keywords"] = tuple(changes["keywords"])
        if "active" in changes and not isinstance(changes["active"], bool):
            raise InputError("'active' must be true or false")
        with self.bazaar.store.begin() as uow:
            bot = self._own(uow, actor_id, bot_id, lock=True)
            bot = self._check(replace(bot, **changes), price_given="price" in changes)
            self._check_endpoint(uow, bot)
            uow.bots.update(bot)
            return bot

    def set_active(self, actor_id: str, bot_id: str, active: bool) -> BotSeller:
        """Pause (``False``) or resume (``True``) your bot."""
        return self.update_bot(actor_id, bot_id, {"active": active})

    def delete_bot(self, actor_id: str, bot_id: str) -> None:
        """Delete your bot and its job records; the offers it posted stay, as yours."""
        with self.bazaar.store.begin() as uow:
            self._own(uow, actor_id, bot_id, lock=True)
            uow.bots.delete(bot_id)

    def bot(self, actor_id: str, bot_id: str) -> BotSeller:
        """Your bot with this id (``NotFound`` for anyone else's)."""
        with self.bazaar.store.begin(write=False) as uow:
            return self._own(uow, actor_id, bot_id)

    def bots(self, actor_id: str, *, everyone: bool = False) -> list[BotSeller]:
        """Your bots, oldest first; ``everyone``: every bot (operators only)."""
        with self.bazaar.store.begin(write=False) as uow:
            actor = self._user(uow, actor_id)
            if everyone:
                if not actor.is_operator:
                    raise Forbidden("only an operator can list every user's bots")
                return uow.bots.all()
            return uow.bots.for_owner(actor.id)

    def jobs(self, actor_id: str, bot_id: str, limit: int = 100) -> list[BotJob]:
        """What your bot answered, newest first."""
        with self.bazaar.store.begin(write=False) as uow:
            self._own(uow, actor_id, bot_id)
            return uow.bot_jobs.for_bot(bot_id, limit)

    # ----------------------------------------------------------------- credentials

    def set_credential(
        self, actor_id: str, *, base_url: str, model: str, api_key: str
    ) -> LLMCredential:
        """Store (or replace) your LLM endpoint; the key is encrypted before it is stored."""
        check_text(base_url, "the base URL", 2_000)
        check_base_url(base_url)
        check_text(model, "the model", 200)
        check_text(api_key, "the API key", 1_000)
        if any(c.isspace() for c in api_key):
            raise InputError("the API key contains white space; paste the key alone")
        cipher = self._cipher()
        credential = LLMCredential(
            actor_id, base_url, model, cipher.encrypt(api_key), key_hint(api_key), self.clock()
        )
        with self.bazaar.store.begin() as uow:
            self._user(uow, actor_id, lock=True)
            uow.credentials.put(credential)
        return credential

    def credential(self, actor_id: str) -> LLMCredential:
        """Your stored endpoint (the key stays encrypted); ``NotFound`` if none."""
        with self.bazaar.store.begin(write=False) as uow:
            self._user(uow, actor_id)
            found = uow.credentials.get(actor_id)
        if found is None:
            raise NotFound("you have no LLM endpoint stored; store one first")
        return found

    def delete_credential(self, actor_id: str) -> None:
        """Forget your stored endpoint and key."""
        with self.bazaar.store.begin() as uow:
            self._user(uow, actor_id, lock=True)
            if uow.credentials.get(actor_id) is None:
                raise NotFound("you have no LLM endpoint stored")
            uow.credentials.delete(actor_id)

    def api_key(self, credential: LLMCredential) -> str:
        """The clear key of ``credential``: for building one client, never to keep or log."""
        return self._cipher().decrypt(credential.secret)

    # --------------------------------------------------------------------- helpers

    def _cipher(self) -> Cipher:
        if self.cipher is None:
            raise ComputationError(
                "this server has no master key for LLM credentials: set VOLITION_SECRET_KEY "
                "(see volition.bazaar.secretbox)"
            )
        return self.cipher

    def _check(self, bot: BotSeller, *, price_given: bool) -> BotSeller:
        s = self.bazaar.settings
        bot = check_market_bot(bot, price_given=price_given)
        return check_bot(bot, max_keywords=s.max_keywords, max_budget=s.max_budget)

    def _check_endpoint(self, uow: UnitOfWork, bot: BotSeller) -> None:
        if (
            bot.kind is BotKind.LLM
            and bot.base_url is None
            and uow.credentials.get(bot.owner_id) is None
        ):
            raise Conflict(
                "an LLM bot needs an endpoint: give it a base URL, or store yours first "
                "(PUT /api/me/llm)"
            )

    def _user(self, uow: UnitOfWork, user_id: str, *, lock: bool = False) -> User:
        user = uow.users.get(user_id, lock=lock)
        if user is None:
            raise NotFound(f"there is no user {user_id}")
        return user

    def _seller(self, uow: UnitOfWork, user_id: str) -> User:
        user = self._user(uow, user_id, lock=True)
        if not user.is_seller:
            raise Forbidden("only sellers have bots; sign up with the seller role")
        return user

    def _own(self, uow: UnitOfWork, actor_id: str, bot_id: str, *, lock: bool = False) -> BotSeller:
        self._user(uow, actor_id)
        bot = uow.bots.get(bot_id, lock=lock)
        if bot is None or bot.owner_id != actor_id:
            raise NotFound(f"you have no bot {bot_id}")
        return bot
