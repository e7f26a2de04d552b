"""The one pass over the states that every VOI quantity rests on.

``grouped_sums(cells, weights, features, n_cells)[c, :] = sum over states s in cell c of
weights[s] * features[s, :]``: the unnormalised posterior statistics of every cell of a
partition. It is the only place that touches all of U, and it reads U once, in order.

numba compiles the loop; on large worlds the states are split across threads, each adding
into its own small (n_cells x d) table, so the cost is one streaming read of U (see
``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from volition.errors import ShapeError

__all__ = ["PARALLEL_THRESHOLD", "grouped_sums"]

PARALLEL_THRESHOLD = 1 << 16
"""Below this many states one thread is faster than starting several."""


def grouped_sums(
    cells: NDArray[np.intp],
    weights: NDArray[np.float64],
    features: NDArray[np.float64],
    n_cells: int,
) -> NDArray[np.float64]:
    """Per-cell weighted sums of the feature rows: the statistics of every cell."""
    n = features.shape[0]
    if cells.shape != (n,) or weights.shape != (n,):
        raise ShapeError(
            f"cells ({cells.shape[0]}) and weights ({weights.shape[0]}) need one entry "
            f"per feature row ({n})"
        )
    feats = np.ascontiguousarray(features, dtype=np.float64)
    w = np.ascontiguousarray(weights, dtype=np.float64)
    c = np.ascontiguousarray(cells, dtype=np.intp)
    if n >= PARALLEL_THRESHOLD and numba.get_num_threads() > 1:
        result: NDArray[np.float64] = _grouped_parallel(
            c, w, feats, n_cells, numba.get_num_threads()
        )
    else:
        result = _grouped_serial(c, w, feats, n_cells)
    return result


@numba.njit(cache=True, nogil=True)
def _grouped_serial(
    cells: NDArray[np.intp], weights: NDArray[np.float64], feats: NDArray[np.float64], m: int
) -> NDArray[np.float64]:
    out = np.zeros((m, feats.shape[1]))
    for s in range(feats.shape[0]):
        c = cells[s]
        w = weights[s]
        for a in range(feats.shape[1]):
            out[c, a] += w * feats[s, a]
    return out


@numba.njit(cache=True, parallel=True)
def _grouped_parallel(
    cells: NDArray[np.intp],
    weights: NDArray[np.float64],
    feats: NDArray[np.float64],
    m: int,
    n_threads: int,
) -> NDArray[np.float64]:
    n, d = feats.shape
    parts = np.zeros((n_threads, m, d))
    chunk = (n + n_threads - 1) // n_threads
    for t in numba.prange(n_threads):
        lo = t * chunk
        hi = min(n, lo + chunk)
        for s in range(lo, hi):
            c = cells[s]
            w = weights[s]
            for a in range(d):
                parts[t, c, a] += w * feats[s, a]
    return parts.sum(axis=0)  # type: ignore[no-any-return]
