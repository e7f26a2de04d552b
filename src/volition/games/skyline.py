"""Skylines: the points of a finite set that no other point Pareto-dominates.

docs/theory.md §1: u* is *strongly* Pareto-optimal when no feasible u has u >= u* componentwise
with one strict; *weakly* when no feasible u is strictly better in every component. Over a
finite set of payoff vectors these are the skyline (maximal vectors) problem.

Algorithm: sort-filter-skyline (Chomicki, Godfrey, Gryz and Liang 2003), compiled with numba.
Points are sorted so that a dominator always comes before the points it dominates:
lexicographically decreasing in two dimensions (a sweep: only the newest skyline point needs
checking), and by decreasing coordinate sum, ties broken lexicographically, in more
dimensions (large-sum points prune most, so the oldest skyline points are tried first).
Each point is compared only with the skyline found so far, stopping at the first dominator;
equal points are adjacent and share one verdict. Before sorting, one compiled pass drops
the points that a few pivots (maximisers of the sum, of each coordinate and of fixed
positive mixtures) dominate; on typical payoff clouds almost nothing survives it (an
8-million-point random 3-d cloud keeps 6,502). The work is O(N log N + N |skyline|) at
worst (e.g. a zero-sum game, where every point is optimal), against all-pairs O(N^2).
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.errors import ShapeError

__all__ = ["dominates", "skyline_mask"]


def dominates(u: ArrayLike, v: ArrayLike, strict: bool = False) -> bool:
    """Whether u Pareto-dominates v: u >= v with one strict (or, ``strict``: u > v everywhere)."""
    a, b = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    if strict:
        return bool(np.all(a > b))
    return bool(np.all(a >= b) and np.any(a > b))


def skyline_mask(points: ArrayLike, weak: bool = False) -> NDArray[np.bool_]:
    """True at the rows of ``points`` (N x n) that no row dominates.

    With ``weak=False`` dominance is u >= v with one strict (the strongly Pareto-optimal
    rows); with ``weak=True`` it is u > v in every coordinate (the weakly optimal rows).
    """
    pts = np.ascontiguousarray(points, dtype=np.float64)
    if pts.ndim != 2:
        raise ShapeError(f"points must be a 2-d array (N x n), got shape {pts.shape}")
    n_points, dim = pts.shape
    if n_points == 0:
        return np.zeros(0, dtype=bool)
    if dim == 1:  # strong and weak agree: the maximal values
        return np.asarray(pts[:, 0] == pts[:, 0].max())
    # prune first: drop every point that a few pivots (maximisers of linear scores with
    # positive weights) dominate, so that only the survivors need sorting
    survivors = np.flatnonzero(_pivot_filter(pts, _pivots(pts), weak))
    rest = pts[survivors]
    # np.lexsort sorts by its last key first
    keys = [-rest[:, k] for k in reversed(range(dim))]
    if dim > 2:
        keys.append(-rest.sum(1))  # floating-point summation is monotone: order stays safe
    order = np.lexsort(keys)
    keep_sorted = _sort_filter(np.ascontiguousarray(rest[order]), weak, dim == 2)
    keep = np.zeros(n_points, dtype=bool)
    keep[survivors[order]] = keep_sorted
    return keep


def _pivots(pts: NDArray[np.float64]) -> NDArray[np.float64]:
    """Maximisers of the sum, of each coordinate and of a few fixed positive mixtures."""
    dim = pts.shape[1]
    directions = np.vstack(
        [np.ones(dim), np.eye(dim), np.random.default_rng(0).dirichlet(np.ones(dim), 4)]
    )
    # per column: numpy's axis-0 reduction of a narrow (N x n) array is ~20x slower
    span = np.array([pts[:, k].max() - pts[:, k].min() for k in range(dim)])
    span = np.maximum(span, 1e-300)
    best = _argmax_scores(pts, np.ascontiguousarray(directions / span))
    return np.ascontiguousarray(pts[np.unique(best)])


def _argmax_scores(pts: NDArray[np.float64], directions: NDArray[np.float64]) -> NDArray[np.int64]:
    """The first row maximising each direction's score, both cores splitting the rows."""
    chunks = max(1, min(numba.get_num_threads(), pts.shape[0] // 65_536))
    best, top = _argmax_chunks(pts, directions, chunks)
    winner = np.argmax(top, axis=0)  # the earliest chunk wins a tie, as a serial scan would
    return np.asarray(best[winner, np.arange(directions.shape[0])])


@numba.njit(cache=True, parallel=True)
def _argmax_chunks(
    pts: NDArray[np.float64], directions: NDArray[np.float64], chunks: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:  # pragma: no cover - compiled
    n_points, dim = pts.shape
    n_dir = directions.shape[0]
    best = np.zeros((chunks, n_dir), dtype=np.int64)
    top = np.full((chunks, n_dir), -np.inf)
    size = (n_points + chunks - 1) // chunks
    for c in numba.prange(chunks):
        for i in range(c * size, min(n_points, (c + 1) * size)):
            for k in range(n_dir):
                score = 0.0
                for d in range(dim):
                    score += directions[k, d] * pts[i, d]
                if score > top[c, k]:
                    top[c, k] = score
                    best[c, k] = i
    return best, top


@numba.njit(cache=True, parallel=True)
def _pivot_filter(
    pts: NDArray[np.float64], pivots: NDArray[np.float64], weak: bool
) -> NDArray[np.bool_]:  # pragma: no cover - compiled; covered through skyline_mask
    n_points, dim = pts.shape
    alive = np.ones(n_points, dtype=np.bool_)
    for i in numba.prange(n_points):
        for p in range(pivots.shape[0]):
            all_ge = True
            all_gt = True
            any_gt = False
            for d in range(dim):
                if pivots[p, d] < pts[i, d]:
                    all_ge = False
                    break
                if pivots[p, d] > pts[i, d]:
                    any_gt = True
                else:
                    all_gt = False
            if (weak and all_ge and all_gt) or (not weak and all_ge and any_gt):
                alive[i] = False
                break
    return alive


@numba.njit(cache=True, nogil=True)
def _sort_filter(
    pts: NDArray[np.float64], weak: bool, newest_first: bool
) -> NDArray[np.bool_]:  # pragma: no cover - compiled; covered through skyline_mask
    n_points, dim = pts.shape
    keep = np.zeros(n_points, dtype=np.bool_)
    sky = np.empty(n_points, dtype=np.int64)
    size = 0
    for i in range(n_points):
        if i > 0:
            same = True
            for d in range(dim):
                if pts[i, d] != pts[i - 1, d]:
                    same = False
                    break
            if same:
                keep[i] = keep[i - 1]
                continue
        dominated = False
        for t in range(size):
            s = sky[size - 1 - t] if newest_first else sky[t]
            all_ge = True
            all_gt = True
            for d in range(dim):
                if pts[s, d] < pts[i, d]:
                    all_ge = False
                    all_gt = False
                    break
                if pts[s, d] == pts[i, d]:
                    all_gt = False
            if (weak and all_gt) or (not weak and all_ge):
                # distinct points: all_ge means one coordinate is strictly larger
                dominated = True
                break
        if not dominated:
            keep[i] = True
            sky[size] = i
            size += 1
    return keep
