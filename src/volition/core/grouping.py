"""The one pass over the states that every VOI quantity rests on.

``grouped_sums(cells, weights, features, n_cells)[c, :] = sum over states s in cell c of
weights[s] * features[s, :]``: the unnormalised posterior statistics of every cell of a
partition. It is the only place that touches all of U, and it reads U once, in order.

Small worlds use numpy (one ``np.bincount`` per feature column). Large ones use the numba
kernels of ``volition.core._kernels``: the states are split across threads, each adding into
its own small (n_cells x d) table, so the cost is one streaming read of U (see
``benchmarks/RESULTS.md``). Small problems never pay for numba, and a large one does not wait
for it either: the first large call starts loading the kernels in the background
(``volition.core.compiled``) and, until they are loaded, large worlds go through numpy in
blocks of states (one ``np.bincount`` over every (cell, feature) pair of a block), a few
times slower than the kernel but with nothing to compile.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from volition.core import compiled
from volition.errors import ShapeError

__all__ = ["BLOCK_STATES", "COMPILED_THRESHOLD", "cell_statistics", "grouped_sums"]

COMPILED_THRESHOLD = 1 << 16
"""From this many states on, the compiled (numba) kernel is used (once it is loaded)."""

BLOCK_STATES = 1 << 15
"""States per block of the numpy path for large worlds while the kernels load."""


def grouped_sums(
    cells: NDArray[np.intp],
    weights: NDArray[np.float64],
    features: NDArray[np.float64],
    n_cells: int,
) -> NDArray[np.float64]:
    """Per-cell weighted sums of the feature rows: the statistics of every cell."""
    return cell_statistics(cells, weights, features, n_cells)[0]


def cell_statistics(
    cells: NDArray[np.intp],
    weights: NDArray[np.float64],
    features: NDArray[np.float64],
    n_cells: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The per-cell weighted feature sums and the cells' masses, from one pass."""
    n = features.shape[0]
    if cells.shape != (n,) or weights.shape != (n,):
        raise ShapeError(
            f"cells ({cells.shape[0]}) and weights ({weights.shape[0]}) need one entry "
            f"per feature row ({n})"
        )
    feats = np.ascontiguousarray(features, dtype=np.float64)
    w = np.ascontiguousarray(weights, dtype=np.float64)
    c = np.ascontiguousarray(cells, dtype=np.intp)
    if n < COMPILED_THRESHOLD:
        return _column_statistics(c, w, feats, n_cells)
    kernels = compiled.kernels()
    if kernels is None:  # not loaded yet: numpy this time, and load them for the next calls
        if n_cells > BLOCK_STATES:
            stats = _column_statistics(c, w, feats, n_cells)
        else:
            stats = _blocked_statistics(c, w, feats, n_cells)
        compiled.start()
        return stats
    result: tuple[NDArray[np.float64], NDArray[np.float64]]
    result = kernels.cell_statistics_compiled(c, w, feats, n_cells)
    return result


def _column_statistics(
    cells: NDArray[np.intp], weights: NDArray[np.float64], feats: NDArray[np.float64], m: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The sums in numpy, one ``np.bincount`` per feature column (small worlds)."""
    masses = np.bincount(cells, weights=weights, minlength=m).astype(np.float64)
    stats = np.zeros((m, feats.shape[1]))
    for a in range(feats.shape[1]):
        stats[:, a] = np.bincount(cells, weights=weights * feats[:, a], minlength=m)
    return stats, masses


def _blocked_statistics(
    cells: NDArray[np.intp], weights: NDArray[np.float64], feats: NDArray[np.float64], m: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The sums in numpy for many states and few cells: per block of states, one bincount
    over its (cell, feature) pairs (a table of ``m * d`` sums, no bigger than a block)."""
    n, d = feats.shape
    out = np.zeros(m * d)
    columns = np.arange(d, dtype=np.intp)
    for lo in range(0, n, BLOCK_STATES):
        hi = min(n, lo + BLOCK_STATES)
        pair = (cells[lo:hi, None] * d + columns).ravel()
        out += np.bincount(
            pair, weights=(weights[lo:hi, None] * feats[lo:hi]).ravel(), minlength=m * d
        )
    masses = np.bincount(cells, weights=weights, minlength=m).astype(np.float64)
    return out.reshape(m, d), masses
