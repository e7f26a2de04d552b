"""volition bazaar: the recursive information-market platform (docs/theory.md §5).

Buyers post decision contexts with a reserved budget; sellers answer with offers whose private
info stays hidden until bought; a double-entry ledger moves every cent.

Layout (each layer imports only the ones before it; a checked contract, docs/design.md):

- ``domain``: the rules, pure Python over an abstract store (``Bazaar`` is every operation,
  one room per aggregate: ``account_service``, ``money_service``, ``context_service``,
  ``trade_service``, ``inbox_service``; ``idempotency`` the replay of retried calls;
  ``BotService`` the stored bots, ``BotJobs`` their jobs; ``MemoryStore`` the in-memory
  store; ``audit`` the ledger invariants);
- ``inspection``: the recursive inspection engine and its runner;
- ``storage``: the SQL store (SQLAlchemy 2, Alembic migrations run on start; SQLite file by
  default, PostgreSQL through ``$VOLITION_DATABASE_URL``);
- ``platform``: the one assembly: ``open_platform`` builds a typed ``Platform`` (bazaar, bots'
  service and dispatcher, inspection engine, buyer agents) from the operator's
  ``PlatformSettings`` (``config``: every ``VOLITION_*`` variable); ``volition serve``,
  ``volition worker``, the tests and the benchmarks all use it;
- ``api``: the HTTP API under ``/api`` on a platform (FastAPI; OpenAPI at
  ``/api/openapi.json``); routes get its services as typed dependencies (``api.deps``);
- ``web``: the HTML pages, over the same dependencies;
- ``server``: the whole app: the API with the pages plugged in (``build_app``), and the
  factory of ``serve --workers N``'s processes;
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
