"""Large worlds never wait for numba: numpy serves them while the kernels load."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from volition.core import compiled, grouping
from volition.core.grouping import COMPILED_THRESHOLD, cell_statistics


def reference(cells: np.ndarray, weights: np.ndarray, feats: np.ndarray, m: int) -> np.ndarray:
    expected = np.zeros((m, feats.shape[1]))
    np.add.at(expected, cells, weights[:, None] * feats)
    return expected


@given(
    st.integers(1, 60),
    st.integers(1, 5),
    st.integers(1, 7),
    st.integers(1, 9),
    st.integers(0, 2**32 - 1),
)
def test_the_blocked_numpy_path_gives_the_sums(
    n: int, d: int, m: int, block: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, m, n).astype(np.intp)
    weights = rng.random(n)
    feats = rng.standard_normal((n, d))
    old = grouping.BLOCK_STATES
    grouping.BLOCK_STATES = block  # several blocks, and a last one cut short
    try:
        stats, masses = grouping._blocked_statistics(cells, weights, feats, m)
    finally:
        grouping.BLOCK_STATES = old
    np.testing.assert_allclose(stats, reference(cells, weights, feats, m), atol=1e-12)
    np.testing.assert_allclose(masses, np.bincount(cells, weights=weights, minlength=m))


def test_once_loaded_the_compiled_kernels_serve_large_worlds() -> None:
    module = compiled.load()
    assert module is not None and compiled.kernels() is module
    seconds = compiled.load_seconds()
    assert seconds is not None and seconds >= 0
    rng = np.random.default_rng(3)
    n, d, m = COMPILED_THRESHOLD + 5, 3, 11
    cells = rng.integers(0, m, n).astype(np.intp)
    weights = rng.random(n)
    feats = rng.standard_normal((n, d))
    calls: list[int] = []
    real = module.cell_statistics_compiled

    def counted(*args: object) -> object:
        calls.append(1)
        return real(*args)

    mp = pytest.MonkeyPatch()
    mp.setattr(module, "cell_statistics_compiled", counted)
    try:
        stats, _ = cell_statistics(cells, weights, feats, m)
    finally:
        mp.undo()
    assert calls == [1]
    np.testing.assert_allclose(stats, reference(cells, weights, feats, m), atol=1e-9)


def test_a_large_call_does_not_wait_for_the_kernels_to_load() -> None:
    # In a fresh process whose loading never finishes, large worlds still get their sums.
    script = textwrap.dedent(
        """
        import threading
        import numpy as np
        from volition.core import compiled
        from volition.core.grouping import COMPILED_THRESHOLD, cell_statistics

        never = threading.Event()
        compiled._load = lambda: never.wait()
        rng = np.random.default_rng(1)
        for n, m in ((COMPILED_THRESHOLD * 2 + 3, 50), (COMPILED_THRESHOLD, 40000)):
            cells = rng.integers(0, m, n).astype(np.intp)
            weights = rng.random(n)
            feats = rng.standard_normal((n, 4))
            stats, masses = cell_statistics(cells, weights, feats, m)
            expected = np.zeros((m, 4))
            np.add.at(expected, cells, weights[:, None] * feats)
            assert np.allclose(stats, expected, atol=1e-9), n
            assert np.allclose(masses, np.bincount(cells, weights=weights, minlength=m))
        assert compiled.kernels() is None and compiled._thread is not None
        print("served")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "served"
