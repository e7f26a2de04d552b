"""Accounts and tokens: sign-up, the first operator, operators, sign-in tokens (``users``)."""

from __future__ import annotations

import secrets
from dataclasses import replace

from volition.bazaar.domain.checks import check_storable
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import FUNDING, EntryKind, cash, transfer
from volition.bazaar.domain.service_base import ServiceBase
from volition.bazaar.domain.users import Token, User, hash_token, validate_name
from volition.bazaar.errors import Conflict, Forbidden, NotFound, Unauthorized
from volition.errors import InputError

__all__ = ["Accounts"]


class Accounts(ServiceBase):
    """Users and their sign-in tokens."""

    def register(
        self, name: str, password: str, *, buyer: bool = True, seller: bool = False
    ) -> User:
        """Sign up a user (never an operator); credit the starting grant if one is set."""
        return self._create_user(name, password, buyer=buyer, seller=seller, operator=False)

    def bootstrap_operator(self, name: str, password: str) -> User:
        """Create an operator. Trusted set-up only (CLI, server start), never reachable by HTTP."""
        return self._create_user(name, password, buyer=True, seller=True, operator=True)

    def _create_user(
        self, name: str, password: str, *, buyer: bool, seller: bool, operator: bool
    ) -> User:
        validate_name(name)
        if not isinstance(password, str) or not 8 <= len(password) <= 256:
            raise InputError("a password must be 8 to 256 characters long")
        check_storable(password, "the password")
        if not (buyer or seller):
            raise InputError("a user must be a buyer, a seller or both")
        password_hash = self.hasher.hash(password)  # slow: outside the transaction
        now = self.clock()
        user = User(new_id("usr"), name, password_hash, buyer, seller, operator, now)
        with self.store.begin() as uow:
            if uow.users.get_by_name(name) is not None:
                raise Conflict(f"the user name {name!r} is taken; choose another")
            uow.users.add(user)
            grant = self.settings.starting_grant
            if grant > 0:
                uow.ledger.record(
                    transfer(
                        new_id("ent"),
                        EntryKind.GRANT,
                        FUNDING,
                        cash(user.id),
                        grant,
                        now,
                        "starting grant",
                    )
                )
        return user

    def grant_operator(self, actor_id: str, user_id: str) -> User:
        """Make ``user_id`` an operator; only an operator may do this."""
        with self.store.begin() as uow:
            actor = self._user(uow, actor_id)
            if not actor.is_operator:
                raise Forbidden("only an operator can grant the operator role")
            user = self._user(uow, user_id, lock=True)
            user = replace(user, is_operator=True)
            uow.users.update(user)
        self._forget_tokens()  # its notice comes back later: forget its roles here now
        return user

    def issue_token(self, name: str, password: str) -> tuple[str, Token]:
        """Check a password and return a new bearer token (shown once) with its record."""
        check_storable(name, "the user name")
        check_storable(password, "the password")
        with self.store.begin(write=False) as uow:
            user = uow.users.get_by_name(name)
        if user is None:
            # as slow as a real check, so the answer's timing does not tell who has an account
            self.hasher.verify(self._decoy_hash(), password)
            raise Unauthorized("wrong user name or password")
        if not self.hasher.verify(user.password_hash, password):
            raise Unauthorized("wrong user name or password")
        token = secrets.token_urlsafe(32)
        now = self.clock()
        record = Token(hash_token(token), user.id, now, now + self.settings.token_lifetime)
        with self.store.begin() as uow:
            uow.tokens.delete_expired(now, user.id)  # a user's dead tokens go as they sign in
            uow.tokens.add(record)
        return token, record

    def purge_expired_tokens(self) -> int:
        """Forget every expired token (they already fail to authenticate); how many went."""
        with self.store.begin() as uow:
            return uow.tokens.delete_expired(self.clock())

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._decoy

    def authenticate(self, token: str) -> User:
        """The user a bearer token stands for; ``Unauthorized`` if unknown or expired.

        On every request, so it is one indexed read: the token's SHA-256 (never a password
        hash) joined to its user; or none, where this process keeps the tokens it checked
        while it hears of their changes (``token_cache``).
        """
        token_hash, now, cache = hash_token(token), self.clock(), self.token_cache
        ticket = None
        if cache is not None:
            kept = cache.user(token_hash, now)
            if kept is not None:
                return kept
            ticket = cache.ticket()
        with self.store.begin(write=False, snapshot=False) as uow:
            found = uow.tokens.user_for(token_hash, now)
        if found is None:
            raise Unauthorized("the token is unknown or expired; sign in again")
        user, expires_at = found
        if cache is not None:
            cache.keep(ticket, token_hash, user, expires_at)
        return user

    def revoke_token(self, token: str) -> None:
        """Forget a bearer token (sign out)."""
        with self.store.begin() as uow:
            uow.tokens.delete(hash_token(token))
        self._forget_tokens()

    def _forget_tokens(self) -> None:
        """This process changed a token or a user: no request here may use what it kept."""
        if self.token_cache is not None:
            self.token_cache.forget_all()

    def find_user(self, name_or_id: str) -> User:
        """The user with this name, or else this id."""
        with self.store.begin(write=False) as uow:
            user = uow.users.get_by_name(name_or_id) or uow.users.get(name_or_id)
            if user is None:
                raise NotFound(f"there is no user {name_or_id!r}")
            return user
