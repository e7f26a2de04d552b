"""volition bazaar: the recursive information-market platform (docs/theory.md §5).

Buyers post decision contexts with a reserved budget; sellers answer with offers whose private
info stays hidden until bought; a double-entry ledger moves every cent.

Layout (each layer imports only the ones before it):

- ``domain``: the rules, pure Python over an abstract store (``Bazaar`` is every operation;
  ``MemoryStore`` the in-memory store; ``audit`` the ledger invariants);
- ``storage``: the SQL store (SQLAlchemy 2, Alembic migrations run on start; SQLite file by
  default, PostgreSQL through ``$VOLITION_DATABASE_URL``);
- ``api``: the HTTP API under ``/api`` (FastAPI; OpenAPI at ``/api/openapi.json``);
- ``client``: a Python client of that API (httpx); ``demo``: demo data.

Run it with ``volition serve --demo`` (then ``/api/docs`` in a browser), or in Python::

    from volition.bazaar.domain import Bazaar, ContextSpec, MemoryStore
    from volition.bazaar.security import Argon2Hasher

    bazaar = Bazaar(MemoryStore(), hasher=Argon2Hasher())
    root = bazaar.bootstrap_operator("root", "a long password")
    alice = bazaar.register("alice", "a long password")
    carol = bazaar.register("carol", "a long password", buyer=False, seller=True)
    bazaar.credit(root.id, alice.id, 1_000)
    ctx = bazaar.post_context(alice.id, ContextSpec("Will it rain?", budget=500))
    offer = bazaar.post_offer(carol.id, ctx.id, preview="radar", private_info="yes", price=200)
    bazaar.buy_blind(alice.id, offer.id)  # the naive market: carol earns 200, once
"""
