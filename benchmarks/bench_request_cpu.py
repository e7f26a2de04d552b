"""Server CPU per request, endpoint by endpoint (issue 15, "Request path").

Starts the real server (``volition serve``, as ``bench_bazaar.py`` does) and sends one typical
request at a time, ``--requests`` times per endpoint, from one client: the server's CPU time
(user + system, from /proc, its worker processes included) over the requests of an endpoint,
divided by their number, is that endpoint's CPU per request. One client at a time keeps the
figure about the server's own work (no queueing, no contention between its threads), and the
load of the rest of the machine moves it less than it moves throughput.

``--inspections both`` serves default ``serve`` and ``serve --no-inspections`` alternating in
each repeat (what the inspection runner costs a request), ``--baseline SRC`` another source
tree alternating with this one (a before/after in one run). Each figure is the median of
``--repeat`` runs with its range.

    .venv/bin/python benchmarks/bench_request_cpu.py --database sqlite --requests 300
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench_bazaar import cpu_seconds, database_url, server, setup
from honest import Session, spread

Request = Callable[[httpx.Client], httpx.Response]


def requests_for(http: httpx.Client, buyer: str, seller: str) -> dict[str, Request]:
    """The endpoints measured, each a request to repeat; made on a context with one offer."""
    as_buyer = {"Authorization": f"Bearer {buyer}"}
    as_seller = {"Authorization": f"Bearer {seller}"}
    body = {"query": "Will it rain in city 1?", "budget": 1_000}
    context = http.post("/contexts", json=body, headers=as_buyer).raise_for_status().json()["id"]
    offer_body = {"preview": "radar data", "private_info": "rain at 3:00", "price": 100}
    made = http.post(f"/contexts/{context}/offers", json=offer_body, headers=as_seller)
    offer = made.raise_for_status().json()["id"]
    return {
        "GET /health": lambda h: h.get("/health"),
        "GET /me": lambda h: h.get("/me", headers=as_buyer),
        "GET /contexts": lambda h: h.get(
            "/contexts", params={"status": "open", "limit": 20}, headers=as_seller
        ),
        "GET /offers/{id}": lambda h: h.get(f"/offers/{offer}", headers=as_buyer),
        "POST /contexts": lambda h: h.post("/contexts", json=body, headers=as_buyer),
        "POST /contexts/{id}/offers": lambda h: h.post(
            f"/contexts/{context}/offers", json=offer_body, headers=as_seller
        ),
    }


def measure(kind: str, requests: int, inspections: bool, source: str) -> dict[str, float]:
    """CPU ms per request of each endpoint on a fresh server and database."""
    figures: dict[str, float] = {}
    with database_url(kind) as url, server(url, 1, 0, inspections, source) as running:
        _, accounts, _ = setup(running.base, 1, 1)
        with httpx.Client(base_url=f"{running.base}/api", timeout=60.0) as http:
            endpoints = requests_for(http, accounts[0].token, accounts[1].token)
            for label, request in endpoints.items():
                for _ in range(20):  # warm: statements compiled, psycopg's prepared
                    request(http).raise_for_status()
                time.sleep(0.2)  # what the warm-up set off in the background is done
                start = cpu_seconds(running.pid)
                for _ in range(requests):
                    request(http).raise_for_status()
                figures[label] = (cpu_seconds(running.pid) - start) * 1000 / requests
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=300, help="per endpoint and run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--inspections", choices=["on", "off", "both"], default="on")
    parser.add_argument("--baseline", default="", metavar="SRC", help="another src/ to compare")
    parser.add_argument("--json", default="", help="also write every run's figures here")
    args = parser.parse_args()
    session = Session()
    print(session.header(), flush=True)
    modes = {"on": [True], "off": [False], "both": [True, False]}[args.inspections]
    sources = [args.baseline, ""] if args.baseline else [""]
    runs: dict[str, list[dict[str, float]]] = {}
    for run in range(args.repeat):
        pairs = [(source, on) for source in sources for on in modes]
        if run % 2:  # ABBA: a load that rises or falls favours neither side
            pairs.reverse()
        for source, on in pairs:
            label = ("baseline" if source else "this tree") + ("" if on else ", --no-inspections")
            figures = measure(args.database, args.requests, on, source)
            runs.setdefault(label, []).append(figures)
            print(f"{label}: " + ", ".join(f"{k} {v:.2f}" for k, v in figures.items()), flush=True)
    endpoints = list(next(iter(runs.values()))[0])
    print(f"\nserver CPU ms per request, {args.database}, median (min-max, runs):\n")
    print("| request | " + " | ".join(runs) + " |")
    print("|---" * (len(runs) + 1) + "|")
    for endpoint in endpoints:
        cells = [spread([r[endpoint] for r in rs], 2) for rs in runs.values()]
        print(f"| `{endpoint}` | " + " | ".join(cells) + " |")
    print(session.footer())
    if args.json:
        Path(args.json).write_text(json.dumps({"command": session.command, "runs": runs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
