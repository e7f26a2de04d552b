"""The one pass over the states that every VOI quantity rests on.

``grouped_sums(cells, weights, features, n_cells)[c, :] = sum over states s in cell c of
weights[s] * features[s, :]``: the unnormalised posterior statistics of every cell of a
partition. It is the only place that touches all of U, and it reads U once, in order.

Small worlds use numpy (``np.add.at``). Large ones use the numba kernels of
``volition.core._kernels``, imported on first need so that small problems never pay for
numba: the states are split across threads, each adding into its own small (n_cells x d)
table, so the cost is one streaming read of U (see ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from volition.errors import ShapeError

__all__ = ["COMPILED_THRESHOLD", "grouped_sums"]

COMPILED_THRESHOLD = 1 << 16
"""From this many states on, the compiled (numba) kernel is used."""


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
    if n < COMPILED_THRESHOLD:
        out = np.zeros((n_cells, feats.shape[1]))
        np.add.at(out, c, w[:, None] * feats)
        return out
    from volition.core import _kernels

    return _kernels.grouped_sums_compiled(c, w, feats, n_cells)
