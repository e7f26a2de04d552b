"""The core tables as SQLAlchemy Core ``Table``s, for the repositories' statements.

Short names, as in the statements that use them: users ``U``, tokens ``T``, contexts ``C``,
offers ``O``, journal entries ``E``, postings ``P``, purchases ``PU``, matchers ``M``,
idempotency keys ``I``.
"""

from __future__ import annotations

from volition.bazaar.storage.models import (
    Base,
    ContextRow,
    EntryRow,
    IdempotencyRow,
    MatcherRow,
    OfferRow,
    PostingRow,
    PurchaseRow,
    TokenRow,
    UserRow,
)

__all__ = ["PU", "C", "E", "I", "M", "O", "P", "T", "U"]

_tables = Base.metadata.tables
U = _tables[UserRow.__tablename__]
T = _tables[TokenRow.__tablename__]
C = _tables[ContextRow.__tablename__]
O = _tables[OfferRow.__tablename__]  # noqa: E741
E = _tables[EntryRow.__tablename__]
P = _tables[PostingRow.__tablename__]
PU = _tables[PurchaseRow.__tablename__]
M = _tables[MatcherRow.__tablename__]
I = _tables[IdempotencyRow.__tablename__]  # noqa: E741
