"""Money: operators' credits, the audit, cash-outs, balances, the ledger and contexts'
remaining budgets (``ledger``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from volition.bazaar.domain.audit import audit
from volition.bazaar.domain.checks import check_cents
from volition.bazaar.domain.contexts import ContextFilter, Disclosure
from volition.bazaar.domain.idempotency import KeyedCall
from volition.bazaar.domain.ids import new_id
from volition.bazaar.domain.ledger import (
    FUNDING,
    EntryKind,
    JournalEntry,
    cash,
    earnings,
    hold,
    transfer,
)
from volition.bazaar.domain.service_base import Balances, ServiceBase
from volition.bazaar.domain.users import User
from volition.bazaar.errors import Forbidden, InsufficientFunds
from volition.errors import InputError

__all__ = ["Money"]


class Money(ServiceBase):
    """Cash, earnings and the books."""

    def credit(
        self, actor_id: str, user_id: str, cents: int, *, idempotency_key: str | None = None
    ) -> JournalEntry:
        """Operator credit: move ``cents`` from the funding source to a user's cash."""
        check_cents(cents, "a credit")
        if not 0 < cents <= self.settings.max_budget:
            raise InputError(
                f"a credit must be between 1 and {self.settings.max_budget} cents, not {cents}"
            )
        with self.store.begin() as uow:
            actor = self._user(uow, actor_id, lock=True)
            if not actor.is_operator:
                raise Forbidden("only an operator can credit money")
            request = f"{user_id}:{cents}"
            call = KeyedCall(actor_id, idempotency_key, "credit", request)
            first = call.replay(uow, uow.ledger.entry)
            if first is not None:
                return first
            self._user(uow, user_id)
            entry = transfer(
                new_id("ent"),
                EntryKind.CREDIT,
                FUNDING,
                cash(user_id),
                cents,
                self.clock(),
                f"credit by {actor.name}",
            )
            uow.ledger.record(entry)
            call.remember(uow, entry.id, self.clock())
            return entry

    def audit(self, actor_id: str) -> list[str]:
        """Check the books (``volition.bazaar.domain.audit``); operators only."""
        if not self.user(actor_id).is_operator:
            raise Forbidden("only an operator can audit the ledger")
        return audit(self.store)

    def cash_out(
        self, actor_id: str, cents: int, *, idempotency_key: str | None = None
    ) -> JournalEntry:
        """Move ``cents`` of your earnings to your available cash (to spend them as a buyer)."""
        check_cents(cents, "the amount")
        if cents <= 0:
            raise InputError(f"the amount must be at least 1 cent, not {cents}")
        with self.store.begin() as uow:
            user = self._user(uow, actor_id, lock=True)
            request = str(cents)
            call = KeyedCall(actor_id, idempotency_key, "cash_out", request)
            first = call.replay(uow, uow.ledger.entry)
            if first is not None:
                return first
            have = uow.ledger.balance(earnings(user.id))
            if cents > have:
                raise InsufficientFunds(
                    f"you have {have} cents of earnings; you cannot move {cents} to cash"
                )
            entry = transfer(
                new_id("ent"),
                EntryKind.CASH_OUT,
                earnings(user.id),
                cash(user.id),
                cents,
                self.clock(),
                "earnings to cash",
            )
            uow.ledger.record(entry)
            call.remember(uow, entry.id, self.clock())
            return entry

    def balances(self, user: User | str) -> Balances:
        """A user's cash, reservations and earnings, derived from the postings (a user id, or
        the User just authenticated)."""
        known = isinstance(user, User)  # then one statement: no transaction of its own
        with self.store.begin(write=False, snapshot=not known) as uow:
            found = self._viewer(uow, user)
            assert found is not None
            return self._balances(uow, found.id)

    def ledger(self, user_id: str, limit: int = 200) -> list[JournalEntry]:
        """Journal entries touching the user's accounts (their contexts' holds included).

        Amnesia (``follow_ups``): a follow-up whose writings its buyer may not see leaves no
        budget in the buyer's ledger. The moves between its reservation and its parent's
        (which are the budget its inspector chose) are left out; its other entries (its
        purchases, at their offers' prices) keep their amounts with a memo that names nothing.
        """
        with self.store.begin(write=False) as uow:
            user = self._user(uow, user_id)
            own = uow.contexts.find(ContextFilter(buyer_id=user_id), limit=10**9)
            entries = uow.ledger.entries_for(
                [cash(user_id), earnings(user_id), *(hold(c.id) for c in own)], limit
            )
            forgotten = {
                hold(c.id).key
                for c in own
                if self._shown(uow, user, c).disclosure is Disclosure.FORGOTTEN
            }
            if not forgotten:
                return entries
            holds = {hold(c.id).key for c in own}
            out = []
            for entry in entries:
                keys = {p.account.key for p in entry.postings}
                if not keys & forgotten:
                    out.append(entry)
                elif not keys <= holds:  # money left the buyer's holds: keep it, memo hidden
                    out.append(replace(entry, memo="in a forgotten follow-up"))
            return out

    def remaining(self, context_id: str) -> int:
        """What is left of a context's reservation, in cents."""
        with self._units.begin(write=False) as uow:
            return uow.ledger.balance(hold(context_id))

    def remainders(self, context_ids: Sequence[str]) -> dict[str, int]:
        """What is left of each context's reservation, in cents, read in one transaction."""
        with self.store.begin(write=False) as uow:
            found = uow.ledger.balances_of([hold(i) for i in context_ids])
            return {a.owner: amount for a, amount in found.items()}
