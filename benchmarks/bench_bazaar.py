"""Load test of ``volition serve``: concurrent clients over real HTTP (issue 4, "Performance").

Starts the real server as a subprocess (``volition serve --no-access-log``) on a free port of
127.0.0.1, on a SQLite file in a temporary directory or on a fresh PostgreSQL database, makes an
operator (``volition operator``), signs up buyers and sellers, credits the buyers, and then runs
C clients, each a user session on its own keep-alive connection, for a fixed time on a mixed
workload:

* buyers post contexts (reserving budget), list the offers on their own contexts and buy one
  blind, and read (``GET /me``, ``GET /contexts``, ``GET /offers/{id}``);
* sellers list open contexts, post offers on them, and read.

Two client threads share each account, so the same buyer can race itself for the same offer
(a 409 the workload provokes on purpose), and offers priced over a context's remaining budget
get 402. Such 4xx are counted apart from 5xx and transport errors. Sign-up and sign-in (argon2)
happen before the timed phase. Afterwards the operator audit must be sound and the sum of every
account's balances (cash + reserved + earnings) must equal what the operator credited.

The load generator (``--client``) shares the machine with the server: ``raw`` (the default
since stop 21) runs every session as a coroutine on one event loop, writing requests and
parsing responses with httptools, about 0.15 ms of CPU a request; ``httpx`` (the one used
before) runs a thread and an ``httpx.Client`` per session, about 0.7 ms a request, and its 32
threads queue for one GIL, which the latencies count as the server's. Both drive the same
workload steps (``UserSession``): the same requests, accounts and checks.

    .venv/bin/python benchmarks/bench_bazaar.py --database both --clients 32 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httptools
import httpx

from honest import Session, load_average, spread

LAUNCHER = "from volition.cli import main; main()"
PG_SERVER = os.environ.get("VOLITION_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PASSWORD = "benchmark password"
CREDIT = 10_000_000  # cents per buyer: far more than 20 s of contexts can reserve
BUDGET = 1_000  # cents per context
TARGET_RPS, TARGET_P99_MS = 400.0, 100.0  # issue 15 (issue 4 asked for 200 req/s)


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _volition(*args: str) -> list[str]:
    return [sys.executable, "-c", LAUNCHER, *args]


@contextlib.contextmanager
def database_url(kind: str) -> Iterator[str]:
    """A fresh SQLite file or PostgreSQL database, removed afterwards."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="volition_bench_"))
        try:
            yield f"sqlite:///{folder / 'bench.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from sqlalchemy import create_engine, text

    name = f"volition_bench_{os.getpid()}"
    admin = create_engine(
        f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its direct children (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(stat.parent.name) == pid or int(fields[1]) == pid:
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


@dataclass
class Server:
    base: str
    pid: int
    output: list[str] = field(default_factory=list)


@contextlib.contextmanager
def server(
    url: str, workers: int, threads: int = 0, inspections: bool = True, source: str = ""
) -> Iterator[Server]:
    """``volition operator root`` then ``volition serve``; yields the running server."""
    env = {k: v for k, v in os.environ.items() if k != "VOLITION_DATABASE_URL"}
    env["VOLITION_OPERATOR_PASSWORD"] = PASSWORD
    if source:  # another version's source tree, ahead of the installed one
        env["PYTHONPATH"] = source
    subprocess.run(
        _volition("operator", "root", "--database", url), env=env, check=True, capture_output=True
    )
    port = _free_port()
    command = _volition(
        "serve",
        "--database",
        url,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        *(["--threads", str(threads)] if threads else []),
        *([] if inspections else ["--no-inspections"]),
    )
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/api/health").is_success:
                    break
            if proc.poll() is not None:
                raise RuntimeError(f"volition serve exited: {proc.communicate()[0]!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("volition serve did not start within 90 s")
            time.sleep(0.2)
        if workers > 1:  # let every worker finish its imports before timing
            time.sleep(3)
        running = Server(base, proc.pid)
        yield running
    finally:
        proc.terminate()
        try:
            out = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0]
        with contextlib.suppress(NameError):
            running.output = out.decode(errors="replace").splitlines()


def _py_spy(pid: int, seconds: float, path: str) -> subprocess.Popen[bytes]:
    """``py-spy record`` of the server (and its workers) for the timed phase, in raw
    (collapsed stacks) format: one line per stack, its sample count last."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "--pid", str(pid), "--subprocesses", "--gil", "--rate", "100"]
    command += ["--duration", str(max(1, int(seconds))), "--format", "raw", "-o", path]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --------------------------------------------------------------------------- workload


@dataclass
class Account:
    name: str
    role: str
    token: str = ""
    # a buyer's recent contexts, shared by the clients signed in as that buyer (so they race)
    contexts: list[str] = field(default_factory=list)


@dataclass
class Log:
    """Per request: the label, the status (0 for a transport error) and the latency."""

    rows: list[tuple[str, int, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the first 5xx bodies


@dataclass(frozen=True, slots=True)
class Call:
    """One request of the workload, as either load generator sends it."""

    label: str
    method: str
    path: str  # under /api, with its query string
    body: object = None  # sent as JSON when not None


class Reply:
    """What the workload reads of a response: the status and the JSON body."""

    __slots__ = ("body", "status_code")

    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code, self.body = status_code, body

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self) -> Any:
        return json.loads(self.body)


# A step of the workload: yields its requests one at a time and is sent back each reply (None
# for a transport error). Both load generators drive the same steps, so they send the same
# requests in the same proportions on the same accounts.
Step = Generator[Call, "Reply | None", None]


class UserSession:
    """One simulated user session: its account, its random choices, what it has seen."""

    def __init__(self, account: Account, seed: int, log: Log) -> None:
        self.account = account
        self.auth = f"Bearer {account.token}"
        self.rng = random.Random(seed)
        self.log = log
        # the account's own contexts (buyer) or the open contexts last listed (seller)
        self.contexts: list[str] = account.contexts if account.role == "buyer" else []
        self.offers: list[str] = []  # offers seen

    def record(self, label: str, reply: Reply | None, seconds: float) -> None:
        self.log.rows.append((label, 0 if reply is None else reply.status_code, seconds))
        if reply is not None and reply.status_code >= 500 and len(self.log.errors) < 5:
            text = reply.body[:300].decode(errors="replace")
            self.log.errors.append(f"{label}: {reply.status_code} {text}")

    def step(self) -> Step:
        return self.buyer_step() if self.account.role == "buyer" else self.seller_step()

    def calls(self, stop_at: float) -> Generator[Call, tuple[Reply | None, float], None]:
        """Every call this session makes until ``stop_at``, step after step: a load
        generator sends back each call's reply (None: a transport error) and its seconds,
        which are recorded here and decide the next call."""
        while time.perf_counter() < stop_at:
            steps = self.step()
            with contextlib.suppress(StopIteration):
                call = next(steps)
                while True:
                    reply, seconds = yield call
                    self.record(call.label, reply, seconds)
                    call = steps.send(reply)

    def read(self) -> Step:
        pick = self.rng.random()
        if pick < 0.35:
            yield Call("GET /me", "GET", "/me")
        elif pick < 0.7 or not self.offers:
            r = yield Call("GET /contexts", "GET", "/contexts?status=open&limit=20")
            if r is not None and r.is_success and self.account.role == "seller":
                self.contexts = [c["id"] for c in r.json()]
        else:
            yield Call("GET /offers/{id}", "GET", f"/offers/{self.rng.choice(self.offers)}")

    def buyer_step(self) -> Step:
        pick = self.rng.random()
        if pick < 0.2 or not self.contexts:
            body = {"query": f"Will it rain in city {self.rng.randrange(1000)}?", "budget": BUDGET}
            r = yield Call("POST /contexts", "POST", "/contexts", body)
            if r is not None and r.status_code == 201:
                self.contexts.append(r.json()["id"])
                if len(self.contexts) > 10:  # buy on the recent ones
                    self.contexts.pop(0)
        elif pick < 0.45:
            ctx = self.rng.choice(self.contexts)
            r = yield Call("GET /contexts/{id}/offers", "GET", f"/contexts/{ctx}/offers")
            if r is None or not r.is_success:
                return
            listed = r.json()
            offers = [o["id"] for o in listed if not o["purchased"] and o["status"] == "active"]
            self.offers = [*self.offers, *(o["id"] for o in listed)][-50:]
            if offers:
                offer = self.rng.choice(offers)
                yield Call("POST /offers/{id}/purchase", "POST", f"/offers/{offer}/purchase")
        else:
            yield from self.read()

    def seller_step(self) -> Step:
        pick = self.rng.random()
        if pick < 0.35 and self.contexts:
            ctx = self.rng.choice(self.contexts)
            body = {
                "preview": "radar data for the area",
                "private_info": f"rain at {self.rng.randrange(24)}:00",
                "price": self.rng.randrange(50, 400),
            }
            r = yield Call("POST /contexts/{id}/offers", "POST", f"/contexts/{ctx}/offers", body)
            if r is not None and r.status_code == 201:
                self.offers = [*self.offers, r.json()["id"]][-50:]
        else:
            yield from self.read()


# --------------------------------------------------------------------------- load generators


def run_httpx(base: str, sessions: list[UserSession], stop_at: float) -> None:
    """The first load generator: one thread per session, each with its own ``httpx.Client``.
    In one Python process the threads share one GIL: httpx's CPU (about 0.5 ms a request)
    and the threads' turns at the GIL are measured as if they were the server's latency."""

    def drive(session: UserSession) -> None:
        headers = {"Authorization": session.auth}
        calls = session.calls(stop_at)
        with httpx.Client(base_url=base, timeout=30.0) as http, contextlib.suppress(StopIteration):
            call = next(calls)
            while True:
                start = time.perf_counter()
                reply: Reply | None = None
                with contextlib.suppress(httpx.HTTPError):
                    r = http.request(
                        call.method, f"/api{call.path}", headers=headers, json=call.body
                    )
                    reply = Reply(r.status_code, r.content)
                call = calls.send((reply, time.perf_counter() - start))

    runners = [threading.Thread(target=drive, args=(s,)) for s in sessions]
    for t in runners:
        t.start()
    for t in runners:
        t.join()


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time, parsed by httptools (the
    C parser uvicorn uses)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[Reply] | None = None
        self.parser: Any = None
        self.chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio and uvloop both set TCP_NODELAY on their TCP transports
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except Exception as exc:  # a malformed response: a transport error
            self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._fail(exc or ConnectionError("connection closed"))

    def _fail(self, exc: BaseException) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(Reply(self.parser.get_status_code(), b"".join(self.chunks)))

    def send(self, head: bytes, body: bytes) -> asyncio.Future[Reply]:
        assert self.transport is not None
        self.parser = httptools.HttpResponseParser(self)
        self.chunks = []
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(head + body)
        return self.waiter


async def _drive_raw(host: str, port: int, session: UserSession, stop_at: float) -> None:
    loop = asyncio.get_running_loop()
    conn: _Connection | None = None
    common = f"Host: {host}:{port}\r\nAuthorization: {session.auth}\r\n"
    calls = session.calls(stop_at)
    with contextlib.suppress(StopIteration):
        call = next(calls)
        while True:
            body = b"" if call.body is None else json.dumps(call.body).encode()
            head = f"{call.method} /api{call.path} HTTP/1.1\r\n{common}"
            if call.body is not None:
                head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            start = time.perf_counter()
            reply: Reply | None = None
            try:
                if conn is None or conn.transport is None or conn.transport.is_closing():
                    _, conn = await loop.create_connection(_Connection, host, port)
                reply = await asyncio.wait_for(conn.send(f"{head}\r\n".encode(), body), 30)
                if not conn.parser.should_keep_alive():
                    conn.transport.close()  # type: ignore[union-attr]
            except (OSError, TimeoutError, ValueError, httptools.HttpParserError):
                if conn is not None and conn.transport is not None:
                    conn.transport.close()
                conn = None
            call = calls.send((reply, time.perf_counter() - start))
    if conn is not None and conn.transport is not None:
        conn.transport.close()


def run_raw(base: str, sessions: list[UserSession], stop_at: float) -> None:
    """The light load generator: every session a coroutine on one event loop (uvloop's when
    installed, as the server's), each with its own keep-alive connection, requests written
    and responses parsed by httptools: a few tens of microseconds of client CPU a request, and
    no threads queueing for a GIL."""
    host, port = base.removeprefix("http://").rsplit(":", 1)

    async def all_sessions() -> None:
        await asyncio.gather(*(_drive_raw(host, int(port), s, stop_at) for s in sessions))

    try:
        import uvloop
    except ImportError:
        asyncio.run(all_sessions())
    else:
        uvloop.run(all_sessions())


GENERATORS = {"raw": run_raw, "httpx": run_httpx}


def setup(base: str, buyers: int, sellers: int) -> tuple[Account, list[Account], int]:
    """Sign up and sign in everyone (argon2: outside the timed phase); credit the buyers."""
    tag = uuid.uuid4().hex[:6]
    accounts = [Account(f"b{i}_{tag}", "buyer") for i in range(buyers)]
    accounts += [Account(f"s{i}_{tag}", "seller") for i in range(sellers)]
    with httpx.Client(base_url=f"{base}/api", timeout=60.0) as http:
        for a in accounts:
            body = {"name": a.name, "password": PASSWORD, "roles": [a.role]}
            http.post("/users", json=body).raise_for_status()
        root = Account("root", "operator")
        for a in [root, *accounts]:
            r = http.post("/tokens", json={"name": a.name, "password": PASSWORD})
            r.raise_for_status()
            a.token = r.json()["access_token"]
        auth = {"Authorization": f"Bearer {root.token}"}
        credited = 0
        for a in accounts[:buyers]:
            r = http.post("/operator/credits", json={"user": a.name, "cents": CREDIT}, headers=auth)
            r.raise_for_status()
            credited += CREDIT
    return root, accounts, credited


def check_books(base: str, root: Account, accounts: list[Account], credited: int) -> list[str]:
    """The operator audit and the conservation of money; the problems found."""
    problems: list[str] = []
    with httpx.Client(base_url=f"{base}/api", timeout=120.0) as http:
        r = http.get("/operator/audit", headers={"Authorization": f"Bearer {root.token}"})
        r.raise_for_status()
        audit = r.json()
        if not audit["sound"]:
            problems += [f"audit: {p}" for p in audit["problems"]]
        total = 0
        for a in [root, *accounts]:
            r = http.get("/me", headers={"Authorization": f"Bearer {a.token}"})
            r.raise_for_status()
            b = r.json()["balances"]
            total += b["cash"] + b["reserved"] + b["earnings"]
        if total != credited:
            problems.append(f"balances sum to {total} cents, but {credited} were credited")
    return problems


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))
    return sorted_values[index]


@dataclass
class Result:
    label: str
    clients: int
    seconds: float
    rows: list[tuple[str, int, float]]
    problems: list[str]
    errors: list[str]
    client_cpu: float
    server_cpu: float
    run: int = 0
    load_end: str = field(default_factory=load_average)

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 0.5) * 1e3

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 0.99) * 1e3

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu / max(len(self.rows), 1) * 1e3

    @property
    def latencies(self) -> list[float]:
        return sorted(t for _, _, t in self.rows)

    @property
    def rps(self) -> float:
        return len(self.rows) / self.seconds


def bench(
    kind: str,
    clients: int,
    seconds: float,
    workers: int,
    buyers: int,
    sellers: int,
    threads: int = 0,
    inspections: bool = True,
    profile: str = "",
    source: str = "",
    client: str = "raw",
) -> Result:
    with database_url(kind) as url, server(url, workers, threads, inspections, source) as srv:
        base = srv.base
        root, accounts, credited = setup(base, buyers, sellers)
        log = Log()
        # clients alternate buyer / seller; two or more clients share each account
        by_role = {"buyer": accounts[:buyers], "seller": accounts[buyers:]}
        sessions = []
        for i in range(clients):
            pool = by_role["buyer" if i % 2 == 0 else "seller"]
            sessions.append(UserSession(pool[(i // 2) % len(pool)], seed=i, log=log))
        # the load generator's own full garbage collections would count as server latency
        gc.collect()
        gc.freeze()
        spy = _py_spy(srv.pid, seconds, profile) if profile else None
        cpu0, server0 = time.process_time(), cpu_seconds(srv.pid)
        start = time.perf_counter()
        GENERATORS[client](base, sessions, start + seconds)
        elapsed = time.perf_counter() - start
        client_cpu = time.process_time() - cpu0
        server_cpu = cpu_seconds(srv.pid) - server0
        if spy is not None:
            spy.wait(timeout=60)
        problems = check_books(base, root, accounts, credited)
    gc.unfreeze()
    if log.errors:
        log.errors += [line for line in srv.output if "Error" in line or "error" in line][-10:]
    label = f"{kind}, {workers} worker{'s' if workers > 1 else ''}"
    if source:
        label += ", baseline"
    if threads:
        label += f", {threads} threads"
    if not inspections:
        label += ", --no-inspections"
    if client != "raw":
        label += f", {client} client"
    return Result(label, clients, elapsed, log.rows, problems, log.errors, client_cpu, server_cpu)


# --------------------------------------------------------------------------- report


def summary_table(results: list[Result]) -> str:
    lines = [
        "| run | configuration | clients | requests | req/s | p50 ms | p99 ms | 2xx "
        "| 4xx (provoked) | 5xx | transport errors | invariant violations "
        "| server CPU ms per request | load after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lat = r.latencies
        codes = Counter(s for _, s, _ in r.rows)
        ok = sum(n for s, n in codes.items() if 200 <= s < 300)
        four = ", ".join(f"{s}: {n}" for s, n in sorted(codes.items()) if 400 <= s < 500) or "0"
        five = sum(n for s, n in codes.items() if s >= 500)
        lines.append(
            f"| {r.run} | {r.label} | {r.clients} | {len(r.rows)} | {r.rps:.0f} | "
            f"{percentile(lat, 0.5) * 1e3:.1f} | {percentile(lat, 0.99) * 1e3:.1f} | {ok} | "
            f"{four} | {five} | {codes.get(0, 0)} | {len(r.problems)} | "
            f"{r.cpu_ms_per_request:.2f} | {r.load_end.split(',')[0]} |"
        )
    return "\n".join(lines)


def ab_summary(results: list[Result], kinds: list[str]) -> str:
    """Default ``serve`` against ``--no-inspections``: each run's req/s, medians and ratio."""
    lines = []
    groups = [(k, b) for k in kinds for b in (False, True)]  # this tree, then a --baseline
    for kind, baseline in groups:
        runs = [
            r for r in results if r.label.startswith(kind) and ("baseline" in r.label) == baseline
        ]
        on = [r.rps for r in runs if not r.label.endswith("--no-inspections")]
        off = [r.rps for r in runs if r.label.endswith("--no-inspections")]
        on_cpu = [r.cpu_ms_per_request for r in runs if not r.label.endswith("--no-inspections")]
        off_cpu = [r.cpu_ms_per_request for r in runs if r.label.endswith("--no-inspections")]
        if on and off:
            ratio = statistics.median(on) / statistics.median(off)
            name = f"{kind} (baseline)" if baseline else kind
            lines.append(
                f"- {name}: default serve {', '.join(f'{x:.0f}' for x in on)} req/s "
                f"(median {statistics.median(on):.0f}), --no-inspections "
                f"{', '.join(f'{x:.0f}' for x in off)} (median {statistics.median(off):.0f}): "
                f"ratio {ratio:.2f}, target 0.9: {'met' if ratio >= 0.9 else 'not met'}; server "
                f"CPU ms per request {spread(on_cpu, 2)} against {spread(off_cpu, 2)}"
            )
    return "\n".join(lines)


def endpoint_table(results: list[Result]) -> str:
    labels = sorted({label for r in results for label, _, _ in r.rows})
    head = " | ".join(f"{r.label}: n, p50 / p99 ms" for r in results)
    lines = [f"| request | {head} |", "|---" * (len(results) + 1) + "|"]
    for label in labels:
        cells = []
        for r in results:
            lat = sorted(t for lab, _, t in r.rows if lab == label)
            cells.append(
                f"{len(lat)}, {percentile(lat, 0.5) * 1e3:.1f} / {percentile(lat, 0.99) * 1e3:.1f}"
            )
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return "\n".join(lines)


def report(r: Result) -> None:
    """One line on standard error as each configuration finishes."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    per_request = r.server_cpu / max(len(r.rows), 1) * 1e3
    print(
        f"done: {r.label}: {r.rps:.0f} req/s in {r.seconds:.1f} s; CPU s: load generator "
        f"{r.client_cpu:.1f}, server {r.server_cpu:.1f} ({per_request:.2f} ms per request); "
        f"load average {load}",
        file=sys.stderr,
    )
    for e in r.errors:
        print(f"  5xx: {e}", file=sys.stderr)
    for p in r.problems[:20]:
        print(f"  PROBLEM: {p}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1], help="server processes; several to compare"
    )
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[0],
        help="request threads per server process (default: the server's); several to compare",
    )
    parser.add_argument(
        "--inspections",
        choices=["on", "off", "both"],
        default="on",
        help="serve with inspections (the default), --no-inspections, or both, alternating",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each configuration, alternating (ABBA: every second run in the reverse "
        "order); the figures are their medians",
    )
    parser.add_argument("--buyers", type=int, default=0, help="buyer accounts (default C/4)")
    parser.add_argument("--sellers", type=int, default=0, help="seller accounts (default C/4)")
    parser.add_argument(
        "--py-spy",
        default="",
        metavar="PREFIX",
        help="record the server with py-spy during each timed phase, to PREFIX-<run>.txt",
    )
    parser.add_argument(
        "--client",
        choices=list(GENERATORS),
        nargs="+",
        default=["raw"],
        help="the load generator: raw (the default: one event loop, keep-alive connections, "
        "httptools) or httpx (a thread and an httpx.Client per client, the one used until "
        "stop 21); several to compare, alternating",
    )
    parser.add_argument("--json", default="", help="also write the medians to this JSON file")
    parser.add_argument(
        "--baseline",
        default="",
        metavar="SRC",
        help="also serve from this source tree (another version's src/, e.g. from `git "
        "archive`), alternating with this one in each repeat: a before/after in one run",
    )
    args = parser.parse_args()
    session = Session()
    print(session.header(), flush=True)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    buyers = args.buyers or max(1, args.clients // 4)
    sellers = args.sellers or max(1, args.clients // 4)
    results: list[Result] = []
    modes = {"on": [True], "off": [False], "both": [True, False]}[args.inspections]
    sources = [args.baseline, ""] if args.baseline else [""]
    for run in range(args.repeat):
        for kind in kinds:
            for workers in args.workers:
                for threads in args.threads:
                    pairs = [(m, b, c) for c in args.client for b in sources for m in modes]
                    if run % 2:  # ABBA: a load that rises or falls favours neither side
                        pairs.reverse()
                    for on, source, client in pairs:
                        profile = f"{args.py_spy}-{len(results)}.txt" if args.py_spy else ""
                        r = bench(
                            kind,
                            args.clients,
                            args.seconds,
                            workers,
                            buyers,
                            sellers,
                            threads,
                            on,
                            profile,
                            source,
                            client,
                        )
                        r.run = run + 1
                        results.append(r)
                        report(r)
    print(summary_table(results))
    print()
    print(endpoint_table(results))
    print()
    medians = median_table(results)
    print(medians)
    print()
    if args.inspections == "both":
        print(ab_summary(results, kinds))
        print()
    verdicts = target_verdicts(results)
    print(verdicts)
    print(session.footer())
    if args.json:
        write_json(args.json, session, results)
    return 1 if any(r.problems for r in results) else 0


def by_label(results: list[Result]) -> dict[str, list[Result]]:
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.label, []).append(r)
    return groups


def median_table(results: list[Result]) -> str:
    """Per configuration: the median of its runs and their range (min-max)."""
    lines = [
        "| configuration | clients | runs | req/s | p50 ms | p99 ms | server CPU ms per request "
        "| 5xx + transport errors | invariant violations |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, runs in by_label(results).items():
        bad = sum(1 for r in runs for _, s, _ in r.rows if s >= 500 or s == 0)
        lines.append(
            f"| {label} | {runs[0].clients} | {len(runs)} | {spread([r.rps for r in runs], 0)} | "
            f"{spread([r.p50_ms for r in runs])} | {spread([r.p99_ms for r in runs])} | "
            f"{spread([r.cpu_ms_per_request for r in runs], 2)} | {bad} | "
            f"{sum(len(r.problems) for r in runs)} |"
        )
    return "\n".join(lines)


def target_verdicts(results: list[Result]) -> str:
    """PostgreSQL at 32 clients: the medians of the runs against >= 400 req/s, p99 < 100 ms."""
    lines = []
    for label, runs in by_label(results).items():
        if not label.startswith("postgresql") or runs[0].clients < 32:
            continue
        rps = statistics.median(r.rps for r in runs)
        p99 = statistics.median(r.p99_ms for r in runs)
        clean = not any(r.problems for r in runs) and not any(
            s >= 500 or s == 0 for r in runs for _, s, _ in r.rows
        )
        met = rps >= TARGET_RPS and p99 < TARGET_P99_MS and clean and len(runs) >= 3
        lines.append(
            f"- {label}: median of {len(runs)} runs {rps:.0f} req/s, p99 {p99:.1f} ms; target "
            f"(>= {TARGET_RPS:.0f} req/s, p99 < {TARGET_P99_MS:.0f} ms, no 5xx, 0 violations, "
            f">= 3 runs): {'met' if met else 'not met'}"
        )
    return "\n".join(lines)


def write_json(path: str, session: Session, results: list[Result]) -> None:
    import json

    groups = by_label(results)
    data = {
        "command": session.command,
        "load_start": session.load_start,
        "load_end": load_average(),
        "configurations": {
            label: {
                "runs": len(runs),
                "rps": [r.rps for r in runs],
                "p50_ms": [r.p50_ms for r in runs],
                "p99_ms": [r.p99_ms for r in runs],
                "cpu_ms_per_request": [r.cpu_ms_per_request for r in runs],
                "load_end": [r.load_end for r in runs],
                "bad": sum(1 for r in runs for _, s, _ in r.rows if s >= 500 or s == 0),
                "violations": sum(len(r.problems) for r in runs),
            }
            for label, runs in groups.items()
        },
    }
    Path(path).write_text(json.dumps(data, indent=1))


if __name__ == "__main__":
    raise SystemExit(main())
