"""The one pass over the states that every VOI quantity rests on.

``grouped_sums(cells, weights, features, n_cells)[c, :] = sum over states s in cell c of
weights[s] * features[s, :]``: the unnormalised posterior statistics of every cell of a
partition. It is the only place that touches all of U, and it reads U once, in order.

Small worlds use numpy (one ``np.bincount`` per feature column). Large ones use the numba
kernels of
``volition.core._kernels``, imported on first need so that small problems never pay for
numba: the states are split across threads, each adding into its own small (n_cells x d)
table, so the cost is one streaming read of U (see ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from volition.errors import ShapeError

__all__ = ["COMPILED_THRESHOLD", "cell_statistics", "grouped_sums"]

COMPILED_THRESHOLD = 1 << 16
"""From this many states on, the compiled (numba) kernel is used."""


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
        masses = np.bincount(c, weights=w, minlength=n_cells).astype(np.float64)
        stats = np.zeros((n_cells, feats.shape[1]))
        for a in range(feats.shape[1]):
            stats[:, a] = np.bincount(c, weights=w * feats[:, a], minlength=n_cells)
        return stats, masses
    from volition.core import _kernels

    return _kernels.cell_statistics_compiled(c, w, feats, n_cells)
