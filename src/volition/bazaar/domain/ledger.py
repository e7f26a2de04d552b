"""The double-entry ledger: accounts, postings, balanced journal entries (docs/theory.md §5, Money).

Every movement of money is one ``JournalEntry`` whose postings sum to zero; balances are never
stored, only derived by summing postings. Amounts are integer cents. Sign convention: a positive
posting adds to the account. Asset-like accounts (cash, hold, earnings) never go negative; the
operator's funding account is the source of all money and so is never positive: its balance is
minus the cash ever credited. The house account collects what inspections paid for the
operator's inspectors' tokens. An offer's bid account holds its bid for the attention auction.
A purchase's escrow account holds a pay-on-resolution offer's cap until its question resolves.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from volition.errors import InputError

__all__ = [
    "FUNDING",
    "HOUSE",
    "Account",
    "AccountKind",
    "EntryKind",
    "JournalEntry",
    "Posting",
    "bid_hold",
    "cash",
    "earnings",
    "escrow",
    "hold",
    "transfer",
]


class AccountKind(enum.StrEnum):
    """What an account holds."""

    CASH = "cash"  # a user's available cash
    HOLD = "hold"  # the reservation of one decision context
    EARNINGS = "earnings"  # a seller's earnings
    FUNDING = "funding"  # the operator's funding source
    HOUSE = "house"  # the operator's income: what buyers paid for inspectors' tokens
    BID = "bid"  # an offer's bid, held from its seller's cash until read or released
    ESCROW = "escrow"  # a purchase's cap, held from its context's reservation until resolution


class EntryKind(enum.StrEnum):
    """Why money moved."""

    GRANT = "grant"  # starting grant at sign-up
    CREDIT = "credit"  # operator credit
    RESERVE = "reserve"  # budget reserved for a context
    PURCHASE = "purchase"  # a purchase pays a seller from a reservation
    RELEASE = "release"  # unspent reservation returned
    CASH_OUT = "cash_out"  # a seller moves earnings to their own cash, to spend as a buyer
    INSPECTION_COST = "inspection_cost"  # an inspector's tokens, paid from a reservation
    BID_RESERVE = "bid_reserve"  # an offer's bid held from its seller's cash (``attention``)
    BID_PAYMENT = "bid_payment"  # a read offer's bid paid to the buyer
    BID_RELEASE = "bid_release"  # an unread offer's bid returned to its seller
    ESCROW_HOLD = "escrow_hold"  # a pay-on-resolution cap held at purchase (``escrow``)
    ESCROW_PAYMENT = "escrow_payment"  # its share of the realised value, paid to the seller
    ESCROW_REFUND = "escrow_refund"  # the rest of the cap, returned to the buyer


@dataclass(frozen=True, slots=True, order=True)
class Account:
    """One ledger account, named ``kind:owner`` (owner is a user or context id)."""

    kind: AccountKind
    owner: str

    @property
    def key(self) -> str:
        """The account's stable string name, e.g. ``cash:usr_...``."""
        return f"{self.kind.value}:{self.owner}"

    @classmethod
    def parse(cls, key: str) -> Account:
        """The account named by ``key``."""
        kind, _, owner = key.partition(":")
        return cls(AccountKind(kind), owner)

    @property
    def may_go_negative(self) -> bool:
        """Only the funding source is allowed below zero."""
        return self.kind is AccountKind.FUNDING


FUNDING = Account(AccountKind.FUNDING, "operator")
HOUSE = Account(AccountKind.HOUSE, "operator")
"""Where inspections pay the operator's inspectors (issue 10): never negative, never spent."""


def cash(user_id: str) -> Account:
    """A user's available cash."""
    return Account(AccountKind.CASH, user_id)


def earnings(user_id: str) -> Account:
    """A seller's earnings."""
    return Account(AccountKind.EARNINGS, user_id)


def hold(context_id: str) -> Account:
    """A context's reservation."""
    return Account(AccountKind.HOLD, context_id)


def bid_hold(offer_id: str) -> Account:
    """An offer's bid, held until it is read (paid to the buyer) or released (docs/theory.md
    §5, The attention auction)."""
    return Account(AccountKind.BID, offer_id)


def escrow(purchase_id: str) -> Account:
    """A purchase's escrow: the cap of a pay-on-resolution offer, held until its question
    resolves (docs/theory.md §4, the marginal value mechanism; ``domain.escrow``)."""
    return Account(AccountKind.ESCROW, purchase_id)


@dataclass(frozen=True, slots=True)
class Posting:
    """A signed amount of cents added to one account."""

    account: Account
    amount: int


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One balanced movement of money: postings summing to zero, none of them zero."""

    id: str
    kind: EntryKind
    postings: tuple[Posting, ...]
    created_at: datetime
    memo: str = ""

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise InputError("a journal entry needs at least two postings")
        if any(p.amount == 0 or isinstance(p.amount, bool) for p in self.postings):
            raise InputError("a journal entry cannot hold a zero posting")
        if sum(p.amount for p in self.postings) != 0:
            raise InputError(
                f"journal entry {self.id} is not balanced: postings sum to "
                f"{sum(p.amount for p in self.postings)} cents"
            )

    def amount_for(self, accounts: Iterable[Account]) -> int:
        """The net amount this entry adds to ``accounts`` together."""
        wanted = set(accounts)
        return sum(p.amount for p in self.postings if p.account in wanted)


def transfer(
    entry_id: str,
    kind: EntryKind,
    source: Account,
    target: Account,
    cents: int,
    created_at: datetime,
    memo: str = "",
) -> JournalEntry:
    """The entry moving ``cents`` (> 0) from ``source`` to ``target``."""
    if isinstance(cents, bool) or not isinstance(cents, int) or cents <= 0:
        raise InputError(f"an amount to move must be a positive whole number of cents, not {cents}")
    if source == target:
        raise InputError(f"cannot move money from {source.key} to itself")
    return JournalEntry(
        id=entry_id,
        kind=kind,
        postings=(Posting(source, -cents), Posting(target, cents)),
        created_at=created_at,
        memo=memo,
    )
