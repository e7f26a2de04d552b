"""numba kernels behind ``grouped_sums`` for large worlds (imported on first need)."""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["grouped_sums_compiled"]


def grouped_sums_compiled(
    cells: NDArray[np.intp], weights: NDArray[np.float64], feats: NDArray[np.float64], m: int
) -> NDArray[np.float64]:
    """Per-cell weighted sums, on every numba thread (one partial table per thread)."""
    threads = numba.get_num_threads()
    if threads > 1:
        result: NDArray[np.float64] = grouped_parallel(cells, weights, feats, m, threads)
    else:
        result = grouped_serial(cells, weights, feats, m)
    return result


@numba.njit(cache=True, nogil=True)
def grouped_serial(
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
def grouped_parallel(
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
