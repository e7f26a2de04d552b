"""numba kernels behind ``grouped_sums`` for large worlds (imported on first need)."""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["cell_statistics_compiled"]

Tables = tuple[NDArray[np.float64], NDArray[np.float64]]


def cell_statistics_compiled(
    cells: NDArray[np.intp], weights: NDArray[np.float64], feats: NDArray[np.float64], m: int
) -> Tables:
    """Per-cell weighted sums and masses, on every numba thread (a partial table each)."""
    threads = numba.get_num_threads()
    if threads > 1:
        result: Tables = grouped_parallel(cells, weights, feats, m, threads)
    else:
        result = grouped_serial(cells, weights, feats, m)
    return result


@numba.njit(cache=True, nogil=True)
def grouped_serial(
    cells: NDArray[np.intp], weights: NDArray[np.float64], feats: NDArray[np.float64], m: int
) -> Tables:
    out = np.zeros((m, feats.shape[1]))
    mass = np.zeros(m)
    for s in range(feats.shape[0]):
        c = cells[s]
        w = weights[s]
        mass[c] += w
        for a in range(feats.shape[1]):
            out[c, a] += w * feats[s, a]
    return out, mass


@numba.njit(cache=True, parallel=True)
def grouped_parallel(
    cells: NDArray[np.intp],
    weights: NDArray[np.float64],
    feats: NDArray[np.float64],
    m: int,
    n_threads: int,
) -> Tables:
    n, d = feats.shape
    parts = np.zeros((n_threads, m, d))
    masses = np.zeros((n_threads, m))
    chunk = (n + n_threads - 1) // n_threads
    for t in numba.prange(n_threads):
        lo = t * chunk
        hi = min(n, lo + chunk)
        for s in range(lo, hi):
            c = cells[s]
            w = weights[s]
            masses[t, c] += w
            for a in range(d):
                parts[t, c, a] += w * feats[s, a]
    return parts.sum(axis=0), masses.sum(axis=0)
