"""Bounded analyses over real HTTP (issue 10): sign-in, size limits, a time limit, a full
queue, a per-user cap, and the rest of the API answering while the workers are busy."""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.api import Api
from tests.support.people import CHEAP_HASHER
from tests.support.servers import wait_for
from volition.bazaar.analysis_limits import AnalysisLimits, AnalysisTooLarge, check_game
from volition.bazaar.api import ApiSettings
from volition.bazaar.api.analysis_pool import AnalysisPool
from volition.bazaar.api.deps import services_of
from volition.bazaar.api.server import serve_in_thread
from volition.bazaar.config import PlatformSettings
from volition.bazaar.domain import Bazaar
from volition.bazaar.platform import assemble
from volition.bazaar.server import build_app
from volition.bazaar.storage import SqlStore

LIMITS = AnalysisLimits(workers=2, queue=6, per_user=2, seconds=4.0, retry_after=7)


def _served(tmp_path: Path, limits: AnalysisLimits) -> Iterator[tuple[Api, AnalysisPool]]:
    """The API served with ``limits``, and its pool of analyses (to watch its load)."""
    store = SqlStore.open(f"sqlite:///{tmp_path / 'bazaar.db'}")
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    app = build_app(assemble(bazaar), ApiSettings(expiry_sweep_seconds=0, analysis=limits))
    with serve_in_thread(app) as url:
        api = Api(url)
        yield api, services_of(app).analysis_pool
        api.close()
    store.close()


def _serve(tmp_path: Path, limits: AnalysisLimits) -> Iterator[Api]:
    for api, _ in _served(tmp_path, limits):
        yield api


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from _serve(tmp_path, LIMITS)


def _game(m: int, n_players: int = 2, seed: int = 0) -> dict:
    """A random game with ``m`` strategies each: hard for support enumeration."""
    shape = (m,) * n_players
    cells = np.random.default_rng(seed).integers(0, 100, size=(*shape, n_players))
    return {
        "players": [f"p{i}" for i in range(n_players)],
        "strategies": list(shape),
        "payoffs": cells.tolist(),
    }


PD = {
    "players": ["Row", "Column"],
    "strategies": [["C", "D"], ["C", "D"]],
    "payoffs": [[[3, 3], [0, 5]], [[5, 0], [1, 1]]],
}


def test_anonymous_callers_are_refused_before_anything_is_computed(api: Api) -> None:
    anonymous = api.anonymous
    for path, body in [
        ("/api/analysis/align", {"game": PD}),
        ("/api/analysis/economy", {"economy": {}}),
        ("/api/analysis/market", {"market": {}}),
        ("/api/analysis/oversight", {"market": {}}),
    ]:
        r = anonymous.post(path, json=body)
        assert r.status_code == 401, (path, r.text)
        assert "sign in" in r.json()["message"]
    assert anonymous.get("/api/analysis/failures").status_code == 401
    assert anonymous.get("/api/analysis/failures/lemons").status_code == 401
    signed_in = api.sign_up("ann")
    r = signed_in.post("/api/analysis/align", json={"game": PD})
    assert r.status_code == 200, r.text
    assert r.json()["players"] == ["Row", "Column"]


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/api/analysis/align", {"game": _game(33, seed=1)}, "strategies of one player: 33"),
        ("/api/analysis/align", {"game": {"players": list("abcdefg"), "strategies": [2] * 7}},
         "players: 7"),
        # a billion strategies by count: refused before a single label is made
        ("/api/analysis/align", {"game": {"players": ["a", "b"], "strategies": [10**9, 2]}},
         "strategies of one player: 1000000000"),
        ("/api/analysis/align", {"game": {"players": ["a", "b", "c"], "strategies": [11] * 3}},
         "payoff cells (strategy profiles): 1331"),
        ("/api/analysis/economy", {"economy": {"goods": [f"g{i}" for i in range(11)],
                                               "agents": []}}, "goods: 11"),
        ("/api/analysis/market", {"market": {"world": {}, "levels": [
            {"offers": [{"id": f"o{i}", "seller": "s", "reveals": ["I"]} for i in range(17)]}]}},
         "offers (all levels): 17"),
        ("/api/analysis/oversight", {"market": {"world": {"states": list(range(1025))},
                                                "levels": []}}, "states of the world: 1025"),
    ],
)  # fmt: skip
def test_oversized_inputs_are_413_naming_the_limit(api: Api, path, body, words) -> None:
    client = api.sign_up("big")
    r = client.post(path, json=body)
    assert r.status_code == 413, r.text
    message = r.json()["message"]
    assert r.json()["error"] == "too_large"
    assert words in message and "over this server's limit of" in message
    assert "fewer" in message  # how to stay under it


def test_a_body_over_the_analysis_limit_is_413_with_the_bytes(api: Api) -> None:
    client = api.sign_up("bulky")
    body = {"game": PD, "disagreement": [0.0] * 20_000}  # > 64 KiB, < the API's 256 KiB
    r = client.post("/api/analysis/align", json=body)
    assert r.status_code == 413, r.text
    assert f"over {LIMITS.max_body_bytes} bytes" in r.json()["message"]
    # the other routes keep the API's own limit
    r = client.post("/api/contexts", json={"query": "x" * 100_000})
    assert r.status_code != 413


def test_an_analysis_out_of_time_is_503_and_its_worker_is_replaced(tmp_path: Path) -> None:
    for api in _serve(tmp_path, replace(LIMITS, workers=1, seconds=0.3)):
        client = api.sign_up("slow")
        started = time.monotonic()
        r = client.post("/api/analysis/align", json={"game": _game(32)})
        assert r.status_code == 503, r.text
        assert r.json()["error"] == "unavailable"
        message = r.json()["message"]
        assert "ran out of time" in message and "0.3 s" in message and "smaller" in message
        assert time.monotonic() - started < 60  # not the minutes the game would take
        # the killed worker's slot serves the next analysis with a fresh process
        r = client.post("/api/analysis/align", json={"game": PD, "pure_only": True})
        assert r.status_code == 200, r.text


def _median_get(client: httpx.Client, path: str, count: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        r = client.get(path)
        times.append(time.perf_counter() - started)
        assert r.status_code == 200, r.text
        time.sleep(0.2)
    return statistics.median(times), times


def test_the_api_answers_while_eight_maximal_analyses_run(tmp_path: Path) -> None:
    """Without the worker processes, eight analyses held all eight request threads and a
    listing waited for them (over a minute); now it is answered at once."""
    for api, pool in _served(tmp_path, LIMITS):
        _eight_maximal_analyses(api, pool)


def _eight_maximal_analyses(api: Api, pool: AnalysisPool) -> None:
    users = [api.sign_up(f"user{i}") for i in range(4)]
    reader = api.sign_up("reader")
    game = _game(LIMITS.max_strategies)  # 32 x 32 = 1024 profiles: at the limits
    assert len(game["payoffs"]) ** 2 == LIMITS.max_profiles
    statuses: list[int] = []
    lock = threading.Lock()

    def analyse(client: httpx.Client) -> None:
        r = client.post("/api/analysis/align", json={"game": game})
        with lock:
            statuses.append(r.status_code)
        assert r.status_code in (200, 503), r.text
        if r.status_code == 503:
            assert "ran out of time" in r.json()["message"]

    with ThreadPoolExecutor(8) as threads:
        futures = [threads.submit(analyse, c) for c in users for _ in range(2)]
        # all eight are in: two hold the workers, six wait (the queue is full)
        wait_for(lambda: pool.waiting == LIMITS.queue, "six analyses waiting", timeout=60)
        assert not any(f.done() for f in futures)
        # a user's third analysis: 429; a ninth one: the queue is full, 503
        r = users[0].post("/api/analysis/align", json={"game": PD})
        assert r.status_code == 429, r.text
        assert r.headers["Retry-After"] == "7" and "per user" in r.json()["message"]
        r = reader.post("/api/analysis/align", json={"game": PD})
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "7" and "busy" in r.json()["message"]
        median, times = _median_get(reader, "/api/contexts", 5)
        assert median < 1.0, times
        assert max(times) < 2.0, times
        assert not all(f.done() for f in futures)  # measured while they still ran
        for f in futures:
            f.result()
    assert len(statuses) == 8
    # the pool is free again afterwards
    assert reader.post("/api/analysis/align", json={"game": PD}).status_code == 200


def test_the_pool_is_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from volition.errors import InputError

    monkeypatch.setenv("VOLITION_ANALYSIS_WORKERS", "3")
    monkeypatch.setenv("VOLITION_ANALYSIS_SECONDS", "2.5")
    settings = PlatformSettings.from_env()
    limits = settings.analysis
    assert (limits.workers, limits.seconds) == (3, 2.5)
    assert ApiSettings.of(settings).analysis == limits
    seconds = "VOLITION_ANALYSIS_SECONDS"
    for name, bad in [("VOLITION_ANALYSIS_WORKERS", "0"), (seconds, "inf"), (seconds, "x")]:
        monkeypatch.setenv(name, bad)
        with pytest.raises(InputError, match=name):
            PlatformSettings.from_env()
        monkeypatch.setenv(name, "1")
        monkeypatch.delenv(name)


@given(st.lists(st.integers(1, 10**9), min_size=1, max_size=9), st.booleans())
def test_a_game_is_refused_exactly_when_a_count_is_over_its_limit(
    counts: list[int], as_names: bool
) -> None:
    """Counted from the raw input (counts or names per player), before anything is built."""
    limits = AnalysisLimits(max_values=10**12)
    strategies: list = [[f"s{j}" for j in range(c)] if as_names and c < 50 else c for c in counts]
    game = {"players": [f"p{i}" for i in range(len(counts))], "strategies": strategies}
    over = (
        len(counts) > limits.max_players
        or max(counts) > limits.max_strategies
        or math.prod(counts) > limits.max_profiles
    )
    if over:
        with pytest.raises(AnalysisTooLarge, match="over this server's limit"):
            check_game(game, limits)
    else:
        check_game(game, limits)


@pytest.mark.parametrize(
    "content",
    [
        b"[1, 2, 3]",  # not an object
        b'"align"',
        b"{",  # not JSON
        b"\xff\xfe",  # not UTF-8
        b"[" * 20_000 + b"]" * 20_000,  # nested far beyond any parser's comfort, under 64 KiB
        b'{"game": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_000 + b"}",
        b'{"game": {"players": 2, "payoffs": [[[NaN, Infinity], [1, 2]]]}}',
        b'{"game": {"strategies": [[-1], [-5]], "payoffs": []}}',
    ],
)
def test_malformed_analysis_bodies_are_4xx_and_the_pool_stays_usable(
    api: Api, content: bytes
) -> None:
    """Hostile bodies get a clear 4xx (never a 500 or a dead worker), and a good analysis
    still runs afterwards."""
    client = api.sign_up("fuzzer")
    for path in ("/api/analysis/align", "/api/analysis/economy", "/api/analysis/market"):
        r = client.post(path, content=content, headers={"Content-Type": "application/json"})
        assert 400 <= r.status_code < 500, (path, content[:40], r.status_code, r.text[:200])
        assert r.json()["message"]
    good = client.post("/api/analysis/align", json={"game": PD})
    assert good.status_code == 200, good.text
