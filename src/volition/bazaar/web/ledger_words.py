"""Ledger rows in words: what each journal entry did, for the person reading their ledger.

A journal entry names accounts and ids (``purchase of off_9264...``); the ledger page says
instead what happened ("Bought 'Radar shows rain from 14:00' from carol for 'Will it
rain...'"), with a link to the context where the reader may open it. Every ``EntryKind`` has
a wording (``LABELS``, tested); amnesia (docs/theory.md §5) is kept: a context the reader is
shown forgotten is named only as "a forgotten follow-up", and its offers are not named.
"""

from __future__ import annotations

from dataclasses import dataclass

from volition.bazaar.domain import (
    AccountKind,
    Bazaar,
    DecisionContext,
    Disclosure,
    EntryKind,
    JournalEntry,
    OfferView,
    Purchase,
    User,
)
from volition.bazaar.domain.page_reads import sales_by_entry
from volition.bazaar.errors import Forbidden, NotFound

__all__ = ["LABELS", "Segment", "Wording", "Words"]

LABELS: dict[EntryKind, str] = {
    EntryKind.GRANT: "starting grant",
    EntryKind.CREDIT: "credit",
    EntryKind.RESERVE: "reserve",
    EntryKind.PURCHASE: "purchase",
    EntryKind.RELEASE: "release",
    EntryKind.CASH_OUT: "cash out",
    EntryKind.INSPECTION_COST: "inspection cost",
    EntryKind.BID_RESERVE: "bid held",
    EntryKind.BID_PAYMENT: "bid paid",
    EntryKind.BID_RELEASE: "bid returned",
    EntryKind.ESCROW_HOLD: "escrow held",
    EntryKind.ESCROW_PAYMENT: "escrow paid",
    EntryKind.ESCROW_REFUND: "escrow refunded",
}
"""A short name for each kind of entry, shown beside the sentence."""

_QUOTED = 70  # characters of a query or preview quoted in a sentence


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a sentence, a link when ``href`` is set."""

    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Wording:
    """An entry in words: its short label, its sentence, and the amount it moved."""

    label: str
    sentence: tuple[Segment, ...]
    amount: int

    @property
    def text(self) -> str:
        """The sentence as plain text."""
        return "".join(s.text for s in self.sentence)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"'{text[: _QUOTED - 1]}…'" if len(text) > _QUOTED else f"'{text}'"


class Words:
    """Says the entries of one reader's ledger in words, reading each context and name once."""

    def __init__(self, bazaar: Bazaar, reader: User) -> None:
        self._bazaar = bazaar
        self._reader = reader
        self._contexts: dict[str, DecisionContext | None] = {}
        self._names: dict[str, str] = {}
        self._bought: dict[str, tuple[Purchase, str]] | None = None
        self._sold: dict[str, tuple[Purchase, str]] | None = None

    # ---------------------------------------------------------------- lookups

    def _context(self, context_id: str) -> DecisionContext | None:
        if context_id not in self._contexts:
            try:
                self._contexts[context_id] = self._bazaar.context(self._reader.id, context_id)
            except NotFound:
                self._contexts[context_id] = None
        return self._contexts[context_id]

    def _name(self, user_id: str) -> str:
        if user_id not in self._names:
            self._names[user_id] = self._bazaar.user(user_id).name
        return self._names[user_id]

    def _about(self, context_id: str) -> Segment:
        """The context as the reader may see it: its query, linked; or what is left of it."""
        context = self._context(context_id)
        if context is None:
            return Segment("a question you cannot see")
        if context.disclosure is Disclosure.FORGOTTEN:
            return Segment("a forgotten follow-up", f"/contexts/{context_id}")
        if context.disclosure is Disclosure.WITHHELD:  # a seller asked, the words withheld
            return Segment("a follow-up question (its words withheld)", f"/contexts/{context_id}")
        return Segment(_quote(context.query), f"/contexts/{context_id}")

    def _forgotten(self, context_id: str) -> bool:
        context = self._context(context_id)
        return context is not None and context.disclosure is Disclosure.FORGOTTEN

    def _purchase(self, entry_id: str) -> tuple[Purchase, str] | None:
        if self._bought is None:
            self._bought = {
                p.entry_id: (p, view.preview)
                for p, view in self._bazaar.purchases(self._reader.id)
                if p.entry_id is not None
            }
        return self._bought.get(entry_id)

    def _sale(self, entry_id: str) -> tuple[Purchase, str] | None:
        if self._sold is None:
            seller = self._reader.is_seller
            self._sold = sales_by_entry(self._bazaar, self._reader.id) if seller else {}
        return self._sold.get(entry_id)

    # ---------------------------------------------------------------- wording

    def __call__(self, entry: JournalEntry) -> Wording:
        """``entry`` in words, as its reader may read it."""
        amount = sum(p.amount for p in entry.postings if p.amount > 0)
        return Wording(LABELS.get(entry.kind, entry.kind.value), self._sentence(entry), amount)

    def _sentence(self, entry: JournalEntry) -> tuple[Segment, ...]:
        S = Segment
        into = {p.account.kind: p.account.owner for p in entry.postings if p.amount > 0}
        out_of = {p.account.kind: p.account.owner for p in entry.postings if p.amount < 0}
        kind = entry.kind
        if kind is EntryKind.GRANT:
            return (S("Starting grant: money the bazaar gives every new account."),)
        if kind is EntryKind.CREDIT:
            return (S("Added to your cash by the operator."),)
        if kind is EntryKind.CASH_OUT:
            return (S("Moved from your earnings to your cash, to spend as a buyer."),)
        if kind is EntryKind.RESERVE and AccountKind.HOLD in into:
            target = into[AccountKind.HOLD]
            if AccountKind.HOLD in out_of:  # a follow-up's budget, taken from its parent's
                return (
                    S("Part of the budget of "),
                    self._about(out_of[AccountKind.HOLD]),
                    S(" set aside for the follow-up question "),
                    self._about(target),
                    S("."),
                )
            return (S("Set aside as the budget of "), self._about(target), S("."))
        if kind is EntryKind.RELEASE and AccountKind.HOLD in out_of:
            source = out_of[AccountKind.HOLD]
            if AccountKind.HOLD in into:
                return (
                    S("What the follow-up "),
                    self._about(source),
                    S(" did not spend, back to the budget of "),
                    self._about(into[AccountKind.HOLD]),
                    S("."),
                )
            return (S("The unspent budget of "), self._about(source), S(" back to your cash."))
        if kind is EntryKind.INSPECTION_COST and AccountKind.HOLD in out_of:
            return (
                S("Paid the operator's inspector (its model's tokens) for reading the offers on "),
                self._about(out_of[AccountKind.HOLD]),
                S(", from that question's budget."),
            )
        if kind is EntryKind.PURCHASE:
            return self._purchase_sentence(entry, into, out_of)
        if kind in (EntryKind.BID_RESERVE, EntryKind.BID_PAYMENT, EntryKind.BID_RELEASE):
            return self._bid_sentence(kind, into, out_of)
        if kind is EntryKind.ESCROW_HOLD and AccountKind.HOLD in out_of:
            return (  # pay-on-resolution offers (docs/theory.md §5)
                S("Held in escrow from the budget of "),
                self._about(out_of[AccountKind.HOLD]),
                S(
                    ": the cap of a pay-on-resolution offer you bought, until the question "
                    "resolves."
                ),
            )
        if kind is EntryKind.ESCROW_PAYMENT:
            return (
                S(
                    "Your share of the realised value of an offer, paid from escrow when its "
                    "question resolved."
                ),
            )
        if kind is EntryKind.ESCROW_REFUND:
            return (
                S(
                    "Back from escrow when the question resolved: what the seller's share of "
                    "the realised value did not take."
                ),
            )
        return (S(f"{LABELS.get(kind, kind.value).capitalize()}."),)

    def _bid_sentence(
        self, kind: EntryKind, into: dict[AccountKind, str], out_of: dict[AccountKind, str]
    ) -> tuple[Segment, ...]:
        """The attention auction (docs/theory.md §5): a seller's bid to be read, held at
        posting, paid to the buyer if read, returned if not."""
        S = Segment
        offer_id = into.get(AccountKind.BID) or out_of.get(AccountKind.BID)
        offer = self._offer(offer_id) if offer_id is not None else None
        if offer is None:
            return (S("A bid to be read, on an offer you cannot see."),)
        about = self._about(offer.context_id)
        if kind is EntryKind.BID_PAYMENT and self._forgotten(offer.context_id):
            # amnesia: neither the offer nor its seller is named (as for a purchase there)
            return (
                S("Paid to you for reading an offer in "),
                about,
                S(": who it was is forgotten."),
            )
        if kind is EntryKind.BID_PAYMENT:  # only the buyer's ledger holds it (cash to cash)
            seller = self._name(offer.seller_id)
            read = f"Paid to you by {seller}, whose offer your inspector read on "
            return (S(read), about, S("."))
        yours = f"your offer {_quote(offer.preview)} on "
        if kind is EntryKind.BID_RESERVE:
            return (S(f"Held from your cash: the bid to have {yours}"), about, S(" read."))
        return (S(f"Your bid back to your cash: nobody read {yours}"), about, S("."))

    def _offer(self, offer_id: str) -> OfferView | None:
        try:
            return self._bazaar.offer(self._reader.id, offer_id)
        except (NotFound, Forbidden):
            return None

    def _purchase_sentence(
        self, entry: JournalEntry, into: dict[AccountKind, str], out_of: dict[AccountKind, str]
    ) -> tuple[Segment, ...]:
        S = Segment
        bought = self._purchase(entry.id)
        if AccountKind.HOLD in out_of and into.get(AccountKind.EARNINGS) != self._reader.id:
            context_id = out_of[AccountKind.HOLD]
            if bought is None or self._forgotten(context_id):
                return (
                    S("Bought an offer in "),
                    self._about(context_id),
                    S(": what it was is forgotten with it."),
                )
            purchase, preview = bought
            return (
                S(f"Bought {_quote(preview)} from {self._name(purchase.seller_id)} for "),
                self._about(context_id),
                S("."),
            )
        sold = self._sale(entry.id)
        if sold is None:
            return (S("A purchase."),)
        purchase, preview = sold
        return (
            S(f"Sold {_quote(preview)} to {self._name(purchase.buyer_id)}, for "),
            self._about(purchase.context_id),
            S("."),
        )
