"""The SQL repositories: each maps one table to the domain's frozen records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    String,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.sql.elements import BindParameter

from volition.bazaar.domain.contexts import ACTIVE, ContextStatus, DecisionContext, RevealPolicy
from volition.bazaar.domain.ledger import (
    Account,
    AccountKind,
    EntryKind,
    JournalEntry,
    Posting,
    cash,
    earnings,
)
from volition.bazaar.domain.matchers import BuyerRecord, Matcher
from volition.bazaar.domain.offers import InfoOffer, OfferStatus
from volition.bazaar.domain.purchases import Mechanism, Purchase
from volition.bazaar.domain.store import IdempotencyRecord
from volition.bazaar.domain.users import Token, User
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

__all__ = [
    "SqlContexts",
    "SqlIdempotency",
    "SqlLedger",
    "SqlMatchers",
    "SqlOffers",
    "SqlPurchases",
    "SqlTokens",
    "SqlUsers",
]

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


# The hot statements, built once: SQLAlchemy then reuses their cache keys and compiled forms
# instead of rebuilding and re-hashing a statement on every call.
_ID: BindParameter[str] = bindparam("id")
_USER = select(U).where(U.c.id == _ID)
_USER_LOCKED = _USER.with_for_update(key_share=True)
_USER_BY_NAME = select(U).where(U.c.name == bindparam("name"))
_TOKEN_USER = (
    select(U)
    .join(T, T.c.user_id == U.c.id)
    .where(T.c.token_hash == bindparam("token_hash"), T.c.expires_at > bindparam("now"))
)
_CONTEXT = select(C).where(C.c.id == _ID)
_CONTEXT_LOCKED = _CONTEXT.with_for_update(key_share=True)
_OFFER = select(O).where(O.c.id == _ID)
_OFFER_LOCKED = _OFFER.with_for_update(key_share=True)
_OFFERS_OF_CONTEXT = select(O).where(O.c.context_id == _ID).order_by(O.c.created_at, O.c.id)
_OFFERS_OF_CONTEXT_LOCKED = _OFFERS_OF_CONTEXT.with_for_update(key_share=True)
_PURCHASE_OF_OFFER = select(PU).where(PU.c.offer_id == _ID)
_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_CHILDREN = select(C).where(C.c.parent_context_id == _ID).order_by(C.c.id)
_CONTEXTS = select(C).where(C.c.id.in_(_IDS))
_SET_CONTEXT_STATUS = update(C).where(C.c.id == bindparam("w_id")).values(status=bindparam("v"))
_USERS = select(U).where(U.c.id.in_(_IDS))
_OFFERS_OF_CONTEXTS = select(O).where(O.c.context_id.in_(_IDS)).order_by(O.c.created_at, O.c.id)
_SET_OFFER = (
    update(O)
    .where(O.c.id == bindparam("w_id"))
    .values(status=bindparam("v_status"), inspected=bindparam("v_inspected"))
)
_SET_INSPECTED = update(O).where(O.c.id.in_(_IDS)).values(inspected=True)
_PURCHASES_OF_CONTEXT = select(PU).where(PU.c.context_id == _ID).order_by(PU.c.id)
_PURCHASES_OF_CONTEXTS = select(PU).where(PU.c.context_id.in_(_IDS)).order_by(PU.c.id)
_KEY = select(I).where(I.c.user_id == bindparam("user"), I.c.key == bindparam("key"))
_KEYS = select(I).where(I.c.user_id == bindparam("user"), I.c.key.in_(_IDS))
_INSERT_CONTEXT = insert(C)
_INSERT_OFFER = insert(O)
_INSERT_ENTRY = insert(E)
_INSERT_POSTING = insert(P)
_INSERT_PURCHASE = insert(PU)
_INSERT_KEY = insert(I)
_BALANCE = select(func.coalesce(func.sum(P.c.amount), 0)).where(P.c.account == bindparam("key"))


class _Repo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Rows this transaction holds locked (read with ``lock=True``), as last read or
        # written here: nobody else can change them before it ends, so reading them again
        # in the same unit of work (several operations joined in one: issue 15) needs no
        # statement.
        self._locked: dict[str, Any] = {}

    def _one(self, stmt: Any) -> Row[Any] | None:
        return self.conn.execute(stmt).first()


def _user(r: Row[Any]) -> User:
    return User(r.id, r.name, r.password_hash, r.is_buyer, r.is_seller, r.is_operator, r.created_at)


class SqlUsers(_Repo):
    def add(self, user: User) -> None:
        self.conn.execute(
            insert(U).values(
                id=user.id,
                name=user.name,
                password_hash=user.password_hash,
                is_buyer=user.is_buyer,
                is_seller=user.is_seller,
                is_operator=user.is_operator,
                created_at=user.created_at,
            )
        )

    def get(self, user_id: str, *, lock: bool = False) -> User | None:
        if (held := self._locked.get(user_id)) is not None:
            return held  # type: ignore[no-any-return]
        row = self.conn.execute(_USER_LOCKED if lock else _USER, {"id": user_id}).first()
        user = _user(row) if row else None
        if lock and user is not None:
            self._locked[user_id] = user
        return user

    def get_many(self, user_ids: Sequence[str]) -> list[User]:
        if not user_ids:
            return []
        ids = list(dict.fromkeys(user_ids))
        return [_user(r) for r in self.conn.execute(_USERS, {"ids": ids})]

    def get_by_name(self, name: str) -> User | None:
        row = self.conn.execute(_USER_BY_NAME, {"name": name}).first()
        return _user(row) if row else None

    def get_by_names(self, names: Sequence[str]) -> list[User]:
        if not names:
            return []
        stmt = select(U).where(U.c.name.in_(list(dict.fromkeys(names))))
        return [_user(r) for r in self.conn.execute(stmt)]

    def update(self, user: User) -> None:
        if user.id in self._locked:
            self._locked[user.id] = user
        self.conn.execute(
            update(U)
            .where(U.c.id == user.id)
            .values(
                is_buyer=user.is_buyer,
                is_seller=user.is_seller,
                is_operator=user.is_operator,
                password_hash=user.password_hash,
            )
        )

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(U)).scalar_one())


class SqlTokens(_Repo):
    def add(self, token: Token) -> None:
        self.conn.execute(
            insert(T).values(
                token_hash=token.token_hash,
                user_id=token.user_id,
                created_at=token.created_at,
                expires_at=token.expires_at,
            )
        )

    def get(self, token_hash: str) -> Token | None:
        r = self._one(select(T).where(T.c.token_hash == token_hash))
        return Token(r.token_hash, r.user_id, r.created_at, r.expires_at) if r else None

    def delete(self, token_hash: str) -> None:
        self.conn.execute(delete(T).where(T.c.token_hash == token_hash))

    def user_for(self, token_hash: str, now: datetime) -> User | None:
        row = self.conn.execute(_TOKEN_USER, {"token_hash": token_hash, "now": now}).first()
        return _user(row) if row else None

    def delete_expired(self, now: datetime, user_id: str | None = None) -> int:
        stmt = delete(T).where(T.c.expires_at <= now)
        if user_id is not None:
            stmt = stmt.where(T.c.user_id == user_id)
        return int(self.conn.execute(stmt).rowcount)


def _context(r: Row[Any]) -> DecisionContext:
    return DecisionContext(
        id=r.id,
        buyer_id=r.buyer_id,
        query=r.query,
        pages=tuple(r.pages),
        budget=r.budget,
        priority=r.priority,
        named_seller_ids=tuple(r.named_seller_ids),
        created_at=r.created_at,
        expires_at=r.expires_at,
        status=ContextStatus(r.status),
        parent_offer_ids=tuple(r.parent_offer_ids),
        parent_context_id=r.parent_context_id,
        depth=r.depth,
        reveal=RevealPolicy(r.reveal),
        by_inspector=r.by_inspector,
        attention=r.attention,
        reading_cost=r.reading_cost,
    )


class SqlContexts(_Repo):
    def add(self, context: DecisionContext) -> None:
        # a row this transaction inserts is its own until it ends (nobody else sees it before
        # the commit): held as if locked, it is not read again in this unit of work
        self._locked[context.id] = context
        self.conn.execute(
            _INSERT_CONTEXT,
            {
                "id": context.id,
                "buyer_id": context.buyer_id,
                "query": context.query,
                "pages": list(context.pages),
                "budget": context.budget,
                "priority": context.priority,
                "named_seller_ids": list(context.named_seller_ids),
                "created_at": context.created_at,
                "expires_at": context.expires_at,
                "status": context.status.value,
                "parent_offer_ids": list(context.parent_offer_ids),
                "parent_context_id": context.parent_context_id,
                "depth": context.depth,
                "reveal": context.reveal.value,
                "by_inspector": context.by_inspector,
                "attention": context.attention,
                "reading_cost": context.reading_cost,
            },
        )

    def get(self, context_id: str, *, lock: bool = False) -> DecisionContext | None:
        if (held := self._locked.get(context_id)) is not None:
            return held  # type: ignore[no-any-return]
        stmt = _CONTEXT_LOCKED if lock else _CONTEXT
        row = self.conn.execute(stmt, {"id": context_id}).first()
        context = _context(row) if row else None
        if lock and context is not None:
            self._locked[context_id] = context
        return context

    def update(self, context: DecisionContext) -> None:
        # Only the status changes after posting; the rest is immutable.
        if context.id in self._locked:
            self._locked[context.id] = context
        self.conn.execute(_SET_CONTEXT_STATUS, {"w_id": context.id, "v": context.status.value})

    def find(
        self,
        *,
        statuses: Sequence[ContextStatus] = (),
        top_level_only: bool = False,
        buyer_id: str | None = None,
        limit: int = 100,
    ) -> list[DecisionContext]:
        stmt = _find_contexts(tuple(ContextStatus(s) for s in statuses), top_level_only, buyer_id)
        rows = self.conn.execute(stmt, {"buyer_id": buyer_id, "limit": limit})
        return [_context(r) for r in rows]

    def get_many(self, context_ids: Sequence[str]) -> list[DecisionContext]:
        held = [self._locked[i] for i in dict.fromkeys(context_ids) if i in self._locked]
        rest = [i for i in dict.fromkeys(context_ids) if i not in self._locked]
        if not rest:
            return held
        return held + [_context(r) for r in self.conn.execute(_CONTEXTS, {"ids": rest})]

    def children(self, context_id: str) -> list[DecisionContext]:
        return [_context(r) for r in self.conn.execute(_CHILDREN, {"id": context_id})]

    def due(self, now: datetime) -> list[DecisionContext]:
        return [_context(r) for r in self.conn.execute(_DUE, {"now": now})]


_FIND_CONTEXTS: dict[tuple[tuple[ContextStatus, ...], bool, bool], Any] = {}


def _find_contexts(
    statuses: tuple[ContextStatus, ...], top_level_only: bool, buyer_id: str | None
) -> Any:
    """The listing statement for one combination of filters, built once per process.

    The statuses are rendered inline: they are the enum's own constants (never user text), and
    an expanding ``IN`` parameter would be re-rendered on every call.
    """
    key = (statuses, top_level_only, buyer_id is not None)
    stmt = _FIND_CONTEXTS.get(key)
    if stmt is None:
        stmt = select(C)
        if statuses:
            stmt = stmt.where(C.c.status.in_([literal_column(f"'{s.value}'") for s in statuses]))
        if top_level_only:
            stmt = stmt.where(C.c.parent_context_id.is_(None))
        if buyer_id is not None:
            stmt = stmt.where(C.c.buyer_id == bindparam("buyer_id"))
        stmt = stmt.order_by(C.c.created_at.desc(), C.c.id.desc()).limit(bindparam("limit"))
        _FIND_CONTEXTS[key] = stmt
    return stmt


_DUE = (
    select(C)
    .where(
        C.c.status.in_([literal_column(f"'{s.value}'") for s in sorted(ACTIVE)]),
        C.c.expires_at <= bindparam("now"),
    )
    .order_by(C.c.depth, C.c.id)
)


def _sum_of(account: str) -> Any:
    total = func.coalesce(func.sum(P.c.amount), 0)
    return select(total).where(P.c.account == bindparam(account)).scalar_subquery()


# A user's cash, reserved (the holds of their active contexts) and earnings in one statement:
# one snapshot without a transaction of its own.
_HOLD_OF_CONTEXT = literal_column(f"'{AccountKind.HOLD.value}:'", String) + C.c.id
_USER_BALANCES = select(
    _sum_of("cash"),
    select(func.coalesce(func.sum(P.c.amount), 0))
    .select_from(C.join(P, P.c.account == _HOLD_OF_CONTEXT))
    .where(
        C.c.buyer_id == bindparam("user"),
        C.c.status.in_([literal_column(f"'{s.value}'") for s in sorted(ACTIVE)]),
    )
    .scalar_subquery(),
    _sum_of("earnings"),
)


def _offer(r: Row[Any]) -> InfoOffer:
    return InfoOffer(
        r.id,
        r.context_id,
        r.seller_id,
        r.preview,
        r.private_info,
        r.price,
        r.created_at,
        OfferStatus(r.status),
        r.inspected,
        r.quotable,
        r.bid,
    )


class SqlOffers(_Repo):
    def add(self, offer: InfoOffer) -> None:
        self.conn.execute(
            _INSERT_OFFER,
            {
                "id": offer.id,
                "context_id": offer.context_id,
                "seller_id": offer.seller_id,
                "preview": offer.preview,
                "private_info": offer.private_info,
                "price": offer.price,
                "created_at": offer.created_at,
                "status": offer.status.value,
                "inspected": offer.inspected,
                "quotable": offer.quotable,
                "bid": offer.bid,
            },
        )

    def get(self, offer_id: str, *, lock: bool = False) -> InfoOffer | None:
        row = self.conn.execute(_OFFER_LOCKED if lock else _OFFER, {"id": offer_id}).first()
        return _offer(row) if row else None

    def update(self, offer: InfoOffer) -> None:
        # The content is immutable: only the status and the inspected flag change.
        params = {"w_id": offer.id, "v_status": offer.status.value, "v_inspected": offer.inspected}
        self.conn.execute(_SET_OFFER, params)

    def for_context(self, context_id: str, *, lock: bool = False) -> list[InfoOffer]:
        stmt = _OFFERS_OF_CONTEXT_LOCKED if lock else _OFFERS_OF_CONTEXT
        return [_offer(r) for r in self.conn.execute(stmt, {"id": context_id})]

    def set_inspected(self, offer_ids: Sequence[str]) -> None:
        if offer_ids:
            self.conn.execute(_SET_INSPECTED, {"ids": list(offer_ids)})

    def for_contexts(self, context_ids: Sequence[str]) -> list[InfoOffer]:
        if not context_ids:
            return []
        ids = list(dict.fromkeys(context_ids))
        return [_offer(r) for r in self.conn.execute(_OFFERS_OF_CONTEXTS, {"ids": ids})]

    def by_seller(self, seller_id: str) -> list[InfoOffer]:
        stmt = select(O).where(O.c.seller_id == seller_id).order_by(O.c.created_at, O.c.id)
        return [_offer(r) for r in self.conn.execute(stmt)]

    def buyer_record(self, buyer_id: str) -> BuyerRecord:
        stmt = (
            select(
                func.count(O.c.id),
                func.coalesce(func.sum(case((O.c.inspected, 1), else_=0)), 0),
                func.count(PU.c.id),
            )
            .select_from(O.join(C, O.c.context_id == C.c.id).outerjoin(PU, PU.c.offer_id == O.c.id))
            .where(C.c.buyer_id == buyer_id)
        )
        offers, inspected, purchased = self.conn.execute(stmt).one()
        return BuyerRecord(int(offers), int(inspected), int(purchased))


def _purchase(r: Row[Any]) -> Purchase:
    return Purchase(
        r.id,
        r.offer_id,
        r.context_id,
        r.buyer_id,
        r.seller_id,
        r.price,
        Mechanism(r.mechanism),
        r.entry_id,
        r.created_at,
    )


def _purchase_row(purchase: Purchase) -> dict[str, Any]:
    return {
        "id": purchase.id,
        "offer_id": purchase.offer_id,
        "context_id": purchase.context_id,
        "buyer_id": purchase.buyer_id,
        "seller_id": purchase.seller_id,
        "price": purchase.price,
        "mechanism": purchase.mechanism.value,
        "entry_id": purchase.entry_id,
        "created_at": purchase.created_at,
    }


class SqlPurchases(_Repo):
    def add(self, purchase: Purchase) -> None:
        self.add_many([purchase])

    def add_many(self, purchases: Sequence[Purchase]) -> None:
        if purchases:
            self.conn.execute(_INSERT_PURCHASE, [_purchase_row(p) for p in purchases])

    def get(self, purchase_id: str) -> Purchase | None:
        row = self._one(select(PU).where(PU.c.id == purchase_id))
        return _purchase(row) if row else None

    def for_offer(self, offer_id: str) -> Purchase | None:
        row = self.conn.execute(_PURCHASE_OF_OFFER, {"id": offer_id}).first()
        return _purchase(row) if row else None

    def for_buyer(self, buyer_id: str) -> list[Purchase]:
        stmt = (
            select(PU)
            .where(PU.c.buyer_id == buyer_id)
            .order_by(PU.c.created_at.desc(), PU.c.id.desc())
        )
        return [_purchase(r) for r in self.conn.execute(stmt)]

    def for_context(self, context_id: str) -> list[Purchase]:
        return [_purchase(r) for r in self.conn.execute(_PURCHASES_OF_CONTEXT, {"id": context_id})]

    def for_contexts(self, context_ids: Sequence[str]) -> list[Purchase]:
        if not context_ids:
            return []
        ids = list(dict.fromkeys(context_ids))
        return [_purchase(r) for r in self.conn.execute(_PURCHASES_OF_CONTEXTS, {"ids": ids})]

    def all(self) -> list[Purchase]:
        return [_purchase(r) for r in self.conn.execute(select(PU).order_by(PU.c.id))]


def _matcher(r: Row[Any]) -> Matcher:
    age = None if r.max_age_seconds is None else timedelta(seconds=r.max_age_seconds)
    return Matcher(
        r.id,
        r.seller_id,
        tuple(r.keywords),
        r.min_budget,
        r.min_priority,
        age,
        r.created_at,
        r.min_inspection_rate,
        r.min_purchase_rate,
    )


class SqlMatchers(_Repo):
    def add(self, matcher: Matcher) -> None:
        age = matcher.max_age
        self.conn.execute(
            insert(M).values(
                id=matcher.id,
                seller_id=matcher.seller_id,
                keywords=list(matcher.keywords),
                min_budget=matcher.min_budget,
                min_priority=matcher.min_priority,
                max_age_seconds=None if age is None else age.total_seconds(),
                created_at=matcher.created_at,
                min_inspection_rate=matcher.min_inspection_rate,
                min_purchase_rate=matcher.min_purchase_rate,
            )
        )

    def get(self, matcher_id: str) -> Matcher | None:
        row = self._one(select(M).where(M.c.id == matcher_id))
        return _matcher(row) if row else None

    def delete(self, matcher_id: str) -> None:
        self.conn.execute(delete(M).where(M.c.id == matcher_id))

    def for_seller(self, seller_id: str) -> list[Matcher]:
        stmt = select(M).where(M.c.seller_id == seller_id).order_by(M.c.created_at, M.c.id)
        return [_matcher(r) for r in self.conn.execute(stmt)]


class SqlLedger(_Repo):
    def record(self, entry: JournalEntry) -> None:
        self.record_many([entry])

    def record_many(self, entries: Sequence[JournalEntry]) -> None:
        if not entries:
            return
        rows = [
            {"id": e.id, "kind": e.kind.value, "memo": e.memo[:200], "created_at": e.created_at}
            for e in entries
        ]
        self.conn.execute(_INSERT_ENTRY, rows)
        self.conn.execute(
            _INSERT_POSTING,
            [
                {"entry_id": e.id, "account": p.account.key, "amount": p.amount}
                for e in entries
                for p in e.postings
            ],
        )

    def _entries(self, rows: Sequence[Row[Any]]) -> list[JournalEntry]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        postings: dict[str, list[Posting]] = {i: [] for i in ids}
        stmt = select(P).where(P.c.entry_id.in_(ids)).order_by(P.c.id)
        for p in self.conn.execute(stmt):
            postings[p.entry_id].append(Posting(Account.parse(p.account), p.amount))
        return [
            JournalEntry(r.id, EntryKind(r.kind), tuple(postings[r.id]), r.created_at, r.memo)
            for r in rows
        ]

    def entry(self, entry_id: str) -> JournalEntry | None:
        rows = self.conn.execute(select(E).where(E.c.id == entry_id)).all()
        found = self._entries(rows)
        return found[0] if found else None

    def balance(self, account: Account) -> int:
        return int(self.conn.execute(_BALANCE, {"key": account.key}).scalar_one())

    def balances_of(self, accounts: Sequence[Account]) -> dict[Account, int]:
        found = dict.fromkeys(accounts, 0)
        keys = [a.key for a in found]
        for start in range(0, len(keys), 500):  # bounded IN lists
            stmt = (
                select(P.c.account, func.sum(P.c.amount))
                .where(P.c.account.in_(keys[start : start + 500]))
                .group_by(P.c.account)
            )
            for key, total in self.conn.execute(stmt):
                found[Account.parse(key)] = int(total)
        return found

    def user_balances(self, user_id: str) -> tuple[int, int, int]:
        params = {"cash": cash(user_id).key, "earnings": earnings(user_id).key, "user": user_id}
        found, reserved, earned = self.conn.execute(_USER_BALANCES, params).one()
        return int(found), int(reserved), int(earned)

    def balances(self) -> dict[Account, int]:
        stmt = select(P.c.account, func.sum(P.c.amount)).group_by(P.c.account)
        return {Account.parse(a): int(s) for a, s in self.conn.execute(stmt)}

    def entries_for(self, accounts: Sequence[Account], limit: int = 200) -> list[JournalEntry]:
        keys = [a.key for a in accounts]
        ids = select(P.c.entry_id).where(P.c.account.in_(keys)).distinct()
        stmt = (
            select(E)
            .where(E.c.id.in_(ids))
            .order_by(E.c.created_at.desc(), E.c.id.desc())
            .limit(limit)
        )
        return self._entries(self.conn.execute(stmt).all())

    def entries(self) -> Iterator[JournalEntry]:
        rows = self.conn.execute(select(E).order_by(E.c.created_at, E.c.id)).all()
        return iter(self._entries(rows))


class SqlIdempotency(_Repo):
    def get(self, user_id: str, key: str) -> IdempotencyRecord | None:
        r = self.conn.execute(_KEY, {"user": user_id, "key": key}).first()
        return None if r is None else _record(r)

    def get_many(self, user_id: str, keys: Sequence[str]) -> dict[str, IdempotencyRecord]:
        if not keys:
            return {}
        params = {"user": user_id, "ids": list(dict.fromkeys(keys))}
        return {r.key: _record(r) for r in self.conn.execute(_KEYS, params)}

    def add(self, record: IdempotencyRecord) -> None:
        self.add_many([record])

    def add_many(self, records: Sequence[IdempotencyRecord]) -> None:
        rows = [
            {
                "user_id": r.user_id,
                "key": r.key,
                "operation": r.operation,
                "request_hash": r.request_hash,
                "result_id": r.result_id,
                "created_at": r.created_at,
            }
            for r in records
        ]
        if rows:
            self.conn.execute(_INSERT_KEY, rows)


def _record(r: Row[Any]) -> IdempotencyRecord:
    return IdempotencyRecord(
        r.user_id, r.key, r.operation, r.request_hash, r.result_id, r.created_at
    )
