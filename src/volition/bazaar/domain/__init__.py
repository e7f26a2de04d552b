"""The bazaar's domain: pure Python rules over an abstract store (no HTTP, no SQL)."""

from volition.bazaar.domain.audit import audit
from volition.bazaar.domain.bot_service import BotService
from volition.bazaar.domain.bots import BotJob, BotKind, BotSeller, JobStatus
from volition.bazaar.domain.contexts import (
    ContextStatus,
    DecisionContext,
    Disclosure,
    RevealPolicy,
)
from volition.bazaar.domain.credentials import LLMCredential
from volition.bazaar.domain.events import Event, EventKind, Listener
from volition.bazaar.domain.ledger import Account, AccountKind, EntryKind, JournalEntry, Posting
from volition.bazaar.domain.matchers import BuyerRecord, Matcher
from volition.bazaar.domain.memory import MemoryStore
from volition.bazaar.domain.offers import InfoOffer, OfferStatus, OfferView
from volition.bazaar.domain.purchases import Mechanism, Purchase
from volition.bazaar.domain.service import Balances, Bazaar, ContextSpec
from volition.bazaar.domain.settings import BazaarSettings
from volition.bazaar.domain.store import Store, UnitOfWork
from volition.bazaar.domain.users import Token, User

__all__ = [
    "Account",
    "AccountKind",
    "Balances",
    "Bazaar",
    "BazaarSettings",
    "BotJob",
    "BotKind",
    "BotSeller",
    "BotService",
    "BuyerRecord",
    "ContextSpec",
    "ContextStatus",
    "DecisionContext",
    "Disclosure",
    "EntryKind",
    "Event",
    "EventKind",
    "InfoOffer",
    "JobStatus",
    "JournalEntry",
    "LLMCredential",
    "Listener",
    "Matcher",
    "Mechanism",
    "MemoryStore",
    "OfferStatus",
    "OfferView",
    "Posting",
    "Purchase",
    "RevealPolicy",
    "Store",
    "Token",
    "UnitOfWork",
    "User",
    "audit",
]
