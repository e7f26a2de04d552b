"""Skylines: the points of a finite set that no other point Pareto-dominates.

THEORY.md §1: u* is *strongly* Pareto-optimal when no feasible u has u >= u* componentwise
with one strict; *weakly* when no feasible u is strictly better in every component. Over a
finite set of payoff vectors these are the skyline (maximal vectors) problem.

Algorithm: sort-filter-skyline (Chomicki et al. 2003) in vectorised blocks. Duplicates are
merged first. Points are sorted by decreasing coordinate sum, so a point can only be
dominated by points before it; each block of candidates is filtered against the skyline so
far (one broadcast comparison) and then against the earlier points of its own block. The
work is O(N log N + N * |skyline|) instead of the all-pairs O(N^2). Two dimensions use a
sweep in O(N log N).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.errors import ShapeError

__all__ = ["dominates", "skyline_mask"]

_BLOCK = 512


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
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2:
        raise ShapeError(f"points must be a 2-d array (N x n), got shape {pts.shape}")
    if len(pts) == 0:
        return np.zeros(0, dtype=bool)
    unique, inverse = np.unique(pts, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    if unique.shape[1] == 1:
        best = unique[:, 0] == unique[:, 0].max()
    elif unique.shape[1] == 2 and not weak:
        best = _sweep_2d(unique)
    else:
        best = _sort_filter(unique, weak)
    return np.asarray(best[inverse], dtype=bool)


def _sweep_2d(pts: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Strong skyline of distinct 2-d points: by x descending, keep rising y records."""
    order = np.lexsort((-pts[:, 1], -pts[:, 0]))
    y = pts[order, 1]
    # a point survives when its y beats every y of points with larger x (distinct points:
    # equal x with larger y comes earlier in the order and dominates it)
    prev_max = np.concatenate([[-np.inf], np.maximum.accumulate(y)[:-1]])
    keep = np.zeros(len(pts), dtype=bool)
    keep[order] = y > prev_max
    return keep


def _sort_filter(pts: NDArray[np.float64], weak: bool) -> NDArray[np.bool_]:
    # by decreasing sum, ties broken lexicographically: a dominator always comes first
    # (floating-point summation is monotone, so this holds for the computed sums too)
    order = np.lexsort((*(-pts[:, k] for k in reversed(range(pts.shape[1]))), -pts.sum(1)))
    sorted_pts = pts[order]
    sky = np.zeros((0, pts.shape[1]))
    keep_sorted = np.zeros(len(pts), dtype=bool)
    for start in range(0, len(pts), _BLOCK):
        block = sorted_pts[start : start + _BLOCK]
        alive = ~_dominated_by_any(block, sky, weak) if len(sky) else np.ones(len(block), bool)
        cand = block[alive]
        # dominance inside the block (a dominated point's dominator is itself dominated
        # by a skyline point, so dropping against any candidate is safe)
        inner = _pairwise(cand, cand, weak).any(1)
        idx = np.flatnonzero(alive)[~inner]
        keep_sorted[start + idx] = True
        sky = np.vstack([sky, block[idx]])
    keep = np.zeros(len(pts), dtype=bool)
    keep[order] = keep_sorted
    return keep


def _pairwise(a: NDArray[np.float64], b: NDArray[np.float64], weak: bool) -> NDArray[np.bool_]:
    """out[i, j]: b[j] dominates a[i]."""
    gt = b[None, :, :] > a[:, None, :]
    if weak:
        return np.asarray(gt.all(2))
    return np.asarray((b[None, :, :] >= a[:, None, :]).all(2) & gt.any(2))


def _dominated_by_any(
    a: NDArray[np.float64], sky: NDArray[np.float64], weak: bool
) -> NDArray[np.bool_]:
    out = np.zeros(len(a), dtype=bool)
    step = max(1, 2_000_000 // max(1, len(a) * a.shape[1]))
    for s in range(0, len(sky), step):
        out |= _pairwise(a, sky[s : s + step], weak).any(1)
    return out
