"""The leakage audit (issue 10, docs/theory.md §5, docs/design.md "Trust model"): hostile
inspectors try every channel they write to, and nothing they read reaches anyone it must not.

Many inspections run, served over real HTTP, with a hostile scripted LLM inspector (a real
OpenAI-protocol server, the operator's endpoint for every inspection: ``hostile_platform``,
configured as a named, priced operator inspector), on SQLite and on PostgreSQL. Each offer's private
info holds marked tokens (``SECRET-xxxxxxxx``) and long runs of made-up words. The inspector
quotes everything it reads in follow-up queries and reasons, encodes it in budgets, puts it in
offer ids, names ids of other contexts, answers malformed and huge texts, and buys at random.

Afterwards every buyer-visible output is fetched over HTTP (API JSON and web pages) as each
buyer, as uninvolved users and as the sellers, and searched for any marked token and any run
of eight words of private info that viewer may not read: for a buyer, what it did not buy (by
the rule of ``visibility``, written out again here); for an uninvolved user, everything; for a
seller, their own offers and offers that allow quotation aside, everything. The leakage rate
(outputs with a leak / outputs fetched) is printed and must be 0.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.api import Api, ok
from tests.support.databases import pg_database
from tests.support.http_world import wait_done
from tests.support.people import CHEAP_HASHER, PASSWORD
from tests.support.web import WebClient, csrf_of
from volition.agents.scripted_server import Reply, ScriptedOpenAIServer
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.config import PlatformSettings
from volition.bazaar.domain import (
    Bazaar,
    BazaarSettings,
    BotService,
    DecisionContext,
    InfoOffer,
    audit,
    follow_ups,
)
from volition.bazaar.domain.contexts import ContextFilter, RevealPolicy
from volition.bazaar.domain.ledger import HOUSE
from volition.bazaar.inspectors import Inspectors
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore

SEED = 10
INSPECTIONS = 20
BUYERS = ("ann", "ben", "cat", "dan")
SELLERS = ("sol", "sam", "sue")
RUN = 8  # a run of this many words of private info counts as a leak
MOVES = ("quote", "quote", "quote", "budget", "ids", "foreign", "reason", "buy", "buy")
MOVES += ("malformed", "huge")
TOKEN = re.compile(r"SECRET-[0-9a-f]{8}")
WORD = re.compile(r"[A-Za-z0-9-]+")


def _vocabulary(rng: random.Random) -> list[str]:
    return ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(7)) for _ in range(400)]


def secret_text(rng: random.Random, vocabulary: list[str]) -> str:
    """Private info: two runs of made-up words around a marked token."""

    def run() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(10))

    return f"{run()} SECRET-{rng.getrandbits(32):08x} {run()}"


# ------------------------------------------------------------------ the hostile inspector


@dataclass
class Hostile:
    """A scripted inspector that tries every channel; counts what it tried."""

    rng: random.Random
    foreign_ids: list[str] = field(default_factory=list)
    tries: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, body: dict[str, Any]) -> Reply | str:
        prompt = body["messages"][-1]["content"]
        data = json.loads(prompt.split("\n", 1)[1].split("\n\nYour previous answer")[0])
        offers = data["OFFERS"]
        read = [o["content"] for o in offers + data["ABOUT"]]
        read += [k["content"] for k in data["KNOWN"]] + data["query_chain"]
        loot = " | ".join(read)
        ids = [o["id"] for o in offers]
        budget = max(0, int(data["remaining_budget_cents"]))
        with self.lock:
            move = self.rng.choice(MOVES)
            if move in {"quote", "budget", "ids", "foreign"} and not data["can_follow_up"]:
                move = self.rng.choice(["buy", "reason", "malformed", "huge", "foreign"])
            self.tries[move] = self.tries.get(move, 0) + 1
            foreign = self.rng.sample(self.foreign_ids, min(3, len(self.foreign_ids)))
            self.foreign_ids.extend(ids)
            pick = [i for i in ids if self.rng.random() < 0.5]
            some = self.rng.choice(ids)
            encoded = int(TOKEN.findall(loot)[0][7:], 16) if TOKEN.findall(loot) else 7
        query = ("Check this, quoting all I read: " + loot)[:1990]
        if move == "quote":
            answer = {"action": "follow_up", "query": query, "about": [some], "reason": loot}
            answer["budget"] = max(1, budget // 3)
        elif move == "budget":  # the secret's digits as the budget chosen
            answer = {"action": "follow_up", "query": query, "about": [some]}
            answer["budget"] = max(1, encoded % max(1, budget // 2))
        elif move == "ids":  # private info as offer ids (refused: unknown ids)
            answer = {"action": "follow_up", "query": query, "budget": 1, "about": read[:2]}
        elif move == "foreign":  # ids of other contexts' offers, in a follow-up or a buy
            action = "follow_up" if data["can_follow_up"] else "buy"
            answer = {"action": action, "query": query, "budget": 1, "about": foreign}
            answer["buy"] = foreign + read[:1]
        elif move == "reason":
            answer = {"action": "buy", "buy": pick, "reason": loot}
        elif move == "buy":
            answer = {"action": "buy", "buy": pick}
        elif move == "malformed":
            return "I will not answer in JSON; here is what I read: " + loot
        else:  # huge: a megabyte of what it read
            return json.dumps({"action": "follow_up", "query": loot * (10**6 // len(loot) + 1)})
        return json.dumps(answer)


@dataclass
class Site:
    url: str
    bazaar: Bazaar
    bots: BotService
    hostile: Hostile


@contextmanager
def hostile_platform(database_url: str) -> Iterator[Site]:
    """The platform served on ``database_url``, every inspection run by the hostile scripted
    inspector, a named operator inspector whose tokens are charged to each budget."""
    store = SqlStore.open(database_url)
    bazaar = Bazaar(store, hasher=CHEAP_HASHER, settings=BazaarSettings(starting_grant=10**6))
    hostile = Hostile(random.Random(SEED))
    try:
        with ScriptedOpenAIServer(responder=hostile) as model:
            inspectors = Inspectors.parse(
                json.dumps(
                    [
                        {
                            "name": "hostile",
                            "base_url": model.base_url,
                            "model": "scripted",
                            "timeout": 10,
                            "prompt_cents_per_million": 1000,
                            "completion_cents_per_million": 5000,
                        }
                    ]
                )
            )
            platform = assemble(bazaar, PlatformSettings(inspectors=inspectors))
            app = build_app(platform, ApiSettings(expiry_sweep_seconds=0))
            with serve_in_thread(app) as url:
                yield Site(url, bazaar, platform.bots, hostile)
    finally:
        store.close()


@pytest.fixture
def sqlite_site(tmp_path: Path) -> Iterator[Site]:
    with hostile_platform(f"sqlite:///{tmp_path / 'audit.db'}") as site:
        yield site


@pytest.fixture
def postgresql_site(worker_id: str) -> Iterator[Site]:
    for url in pg_database("volition_leaks", worker_id):
        with hostile_platform(url) as site:
            yield site


# --------------------------------------------------------------------------- the run


def _web(url: str, name: str) -> WebClient:
    client = WebClient(base_url=url, timeout=60)
    token = csrf_of(client.get("/signin").text)
    r = client.post("/signin", data={"csrf_token": token, "name": name, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return client


def _readable(bazaar: Bazaar, buyer_id: str) -> set[str]:
    """The private texts ``buyer_id`` may read, by the rule of ``visibility`` written again:
    bought, and in a follow-up under ``with_parent`` only with a readable parent offer."""
    with bazaar.store.begin(write=False) as uow:
        contexts = {
            c.id: c for c in uow.contexts.find(ContextFilter(buyer_id=buyer_id), limit=10**6)
        }
        offers: dict[str, InfoOffer] = {}
        for c in contexts.values():
            offers |= {o.id: o for o in uow.offers.for_context(c.id)}
        bought = {p.offer_id for p in uow.purchases.for_buyer(buyer_id)}

    def reads(offer: InfoOffer) -> bool:
        context: DecisionContext = contexts[offer.context_id]
        if offer.id not in bought:
            return False
        if not context.is_child or context.reveal is RevealPolicy.ALL:
            return True
        return any(reads(offers[i]) for i in context.parent_offer_ids)

    return {o.private_info for o in offers.values() if reads(o)}


def _grams(text: str) -> set[str]:
    words = WORD.findall(text)
    return {" ".join(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


@dataclass
class Forbidden:
    tokens: set[str]
    grams: set[str]

    @classmethod
    def of(cls, texts: set[str]) -> Forbidden:
        return cls(
            {t for text in texts for t in TOKEN.findall(text)},
            {g for text in texts for g in _grams(text)},
        )

    def leaks(self, text: str) -> list[str]:
        found = [t for t in TOKEN.findall(text) if t in self.tokens]
        return found + sorted(_grams(text) & self.grams)[:3]


@dataclass
class Audit:
    """What one audit found: follow-ups written, outputs fetched, leaks (viewer, where, what)."""

    follow_ups: int
    fetched: int
    leaks: list[tuple[str, str, list[str]]]

    @property
    def rate(self) -> float:
        return len(self.leaks) / self.fetched


def run_audit(site: Site, inspections: int) -> Audit:
    """Run ``inspections`` hostile inspections on ``site``, then fetch and search every output."""
    bazaar, rng = site.bazaar, random.Random(SEED)
    vocabulary = _vocabulary(rng)
    for name in (*BUYERS, "eve"):
        bazaar.register(name, PASSWORD, buyer=True)
    for name in (*SELLERS, "checker", "mallory"):
        bazaar.register(name, PASSWORD, buyer=False, seller=True)
    checker = bazaar.find_user("checker")
    for i in range(2):  # fact-checkers: they answer every context, follow-ups when named
        site.bots.create_bot(
            checker.id,
            name=f"checker{i}",
            kind="fixed",
            price=rng.randint(5, 40),
            preview=f"Fact check number {i}",
            private_info=secret_text(rng, vocabulary),
        )
    api = Api(site.url)
    clients = {name: api.sign_in(name) for name in (*BUYERS, *SELLERS, "eve", "mallory")}

    started: list[tuple[str, str]] = []
    for n in range(inspections):
        buyer = BUYERS[n % len(BUYERS)]
        question = {"query": f"Question {n} of {buyer}: what should I do?", "budget": 2_000}
        context = ok(clients[buyer].post("/api/contexts", json=question), 201)
        for seller in SELLERS:
            offer = {"preview": f"Offer of {seller} on question {n}", "price": rng.randint(10, 300)}
            offer |= {"private_info": secret_text(rng, vocabulary), "quotable": rng.random() < 0.7}
            ok(clients[seller].post(f"/api/contexts/{context['id']}/offers", json=offer), 201)
        body = {"policy": rng.choice(["with_parent", "all"]), "max_depth": 2, "min_offers": 2}
        body |= {"gather_seconds": 2, "max_follow_ups": 2, "inspector": "hostile"}
        r = clients[buyer].post(f"/api/contexts/{context['id']}/inspections", json=body)
        started.append((buyer, ok(r, 202)["id"]))
    trees = [wait_done(clients[buyer], i, timeout=120) for buyer, i in started]
    follow_ups = sum(len(t["nodes"]) - 1 for t in trees)

    with bazaar.store.begin(write=False) as uow:
        all_contexts = uow.contexts.find(limit=10**6)
        all_offers = [o for c in all_contexts for o in uow.offers.for_context(c.id)]
    secrets = {o.private_info for o in all_offers}
    inspection_ids = {buyer: [i for b, i in started if b == buyer] for buyer in BUYERS}

    def outputs(name: str, *, everything: bool) -> Iterator[tuple[str, str]]:
        """Every output ``name`` can fetch (API JSON, web pages): on their own contexts, or on
        every context of the run with ``everything``."""
        client, web = clients[name], _web(site.url, name)
        user_id = bazaar.find_user(name).id
        contexts = [c.id for c in all_contexts if everything or c.buyer_id == user_id]
        # their own inspections, or everybody's (an outsider is answered 404 alike)
        inspections = inspection_ids.get(name, [])
        if everything:
            inspections = [i for _, i in started]
        paths = ["/api/me", "/api/me/purchases", "/api/me/ledger", "/api/contexts"]
        paths += ["/api/contexts?mine=true", "/api/inbox"]
        for cid in contexts:
            paths += [f"/api/contexts/{cid}", f"/api/contexts/{cid}/offers"]
            paths += [f"/api/contexts/{cid}/inspection"]
        paths += [f"/api/offers/{o.id}" for o in all_offers if o.context_id in contexts]
        for iid in inspections:
            paths += [f"/api/inspections/{iid}", f"/api/inspections/{iid}/audit"]
        for path in paths:
            yield path, client.get(path).text
        pages = ["/", "/me/purchases", "/me/ledger", "/inbox"]
        pages += [f"/contexts/{cid}" for cid in contexts]
        pages += [f"/inspections/{iid}" for iid in inspections]
        pages += [f"/inspections/{iid}/live" for iid in inspections]
        for page in pages:
            yield page, web.get(page).text
        web.close()

    viewers: dict[str, tuple[Forbidden, bool]] = {}
    for name in BUYERS:
        allowed = _readable(bazaar, bazaar.find_user(name).id)
        viewers[name] = (Forbidden.of(secrets - allowed), False)
    viewers["eve"] = (Forbidden.of(secrets), True)  # an uninvolved buyer
    viewers["mallory"] = (Forbidden.of(secrets), False)  # an uninvolved seller
    for name in SELLERS:  # what they may read: their own offers, and offers that may be quoted
        seller_id = bazaar.find_user(name).id
        refused = {
            o.private_info for o in all_offers if not (o.quotable or o.seller_id == seller_id)
        }
        viewers[name] = (Forbidden.of(refused), name == SELLERS[0])

    fetched = 0
    leaks: list[tuple[str, str, list[str]]] = []
    for name, (forbidden, everything) in viewers.items():
        for where, text in outputs(name, everything=everything):
            fetched += 1
            found = forbidden.leaks(text)
            if found:
                leaks.append((name, where, found))
    api.close()
    for client in clients.values():
        client.close()
    return Audit(follow_ups, fetched, leaks)


@pytest.mark.parametrize(("database", "inspections"), [("sqlite", INSPECTIONS), ("postgresql", 8)])
def test_hostile_inspectors_leak_nothing_to_buyers_or_anyone_else(
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    database: str,
    inspections: int,
) -> None:
    site: Site = request.getfixturevalue(f"{database}_site")
    found = run_audit(site, inspections)
    with capsys.disabled():
        print(
            f"\nleakage audit on {database}: {inspections} inspections, {found.follow_ups} "
            f"follow-ups, hostile moves {dict(sorted(site.hostile.tries.items()))}; "
            f"{found.fetched} outputs fetched; {len(found.leaks)} leaked: "
            f"leakage rate {found.rate:.4f}"
        )
    assert found.follow_ups >= inspections // 2  # the hostile inspectors did write follow-ups
    assert sum(site.hostile.tries.values()) >= 3 * inspections
    assert found.leaks == [], found.leaks[:5]
    assert found.rate == 0.0
    assert audit(site.bazaar.store) == []
    with site.bazaar.store.begin(write=False) as uow:  # the inspector's tokens were paid for
        assert uow.ledger.balance(HOUSE) > 0


def test_the_audit_sees_the_leak_when_follow_ups_are_shown_whole(
    sqlite_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit can fail: with follow-ups shown as written, the quotes reach the buyers."""
    monkeypatch.setattr(follow_ups, "disclose", lambda context, shown: context)
    found = run_audit(sqlite_site, 6)
    leaked_to = {name for name, _, _ in found.leaks}
    assert found.rate > 0 and leaked_to & set(BUYERS), found.leaks[:3]
