"""All extreme mixed Nash equilibria of a two-player game by vertex enumeration.

docs/theory.md §1 (mixed equilibria). The method is Algorithm 3.5 of von Stengel's "Equilibrium
computation for two-player games in strategic and extensive form" (in Nisan et al. 2007),
made safe for degenerate games as in Avis, Rosenberg, Savani and von Stengel (2010):

- shift and scale the payoffs into [1, 2] (equilibria are unchanged), so the best-response
  polytopes P = {x >= 0, B^T x <= 1} and Q = {y >= 0, A y <= 1} are bounded;
- enumerate *every* vertex of P and Q by solving each choice of tight constraints (a basis)
  and keeping the feasible solutions, merged when several bases give one point (degeneracy);
- label each vertex by *all* its tight constraints, not only its basis;
- a pair (x, y) != (0, 0) whose labels cover all m + n strategies is a Nash equilibrium
  (x / sum x, y / sum y). These pairs are exactly the extreme equilibria; in a degenerate
  game the equilibrium set is the union of the convex hulls of maximal sets of mutually
  compatible extreme pairs, so no component is missed.

Bases are solved in vectorised batches; the cost grows as C(m + n, m), so the routine
refuses games beyond ``max_bases`` and suggests Gambit's solvers instead.
"""

from __future__ import annotations

from itertools import combinations, islice
from math import comb

import numpy as np
from numpy.typing import NDArray

from volition.errors import ComputationError
from volition.games.game import NormalFormGame
from volition.games.mixed import MixedEquilibrium

__all__ = ["DEFAULT_MAX_BASES", "polytope_vertices", "vertex_enumeration"]

DEFAULT_MAX_BASES = 2_000_000
"""The most bases (choices of tight constraints) examined per polytope."""

_TOL = 1e-9
_CHUNK = 20_000


def vertex_enumeration(
    game: NormalFormGame, max_bases: int = DEFAULT_MAX_BASES
) -> list[MixedEquilibrium]:
    """Every extreme Nash equilibrium of a two-player game, pure ones included."""
    if game.n_players != 2:
        raise ComputationError(
            f"vertex enumeration is for two players; this game has {game.n_players}. "
            "Use gambit_mixed_equilibria(game, 'logit') (extra volition[gambit])"
        )
    m, n = game.shape
    bases = comb(m + n, max(m, n))
    if bases > max_bases:
        raise ComputationError(
            f"vertex enumeration of a {m} x {n} game examines {bases} bases (limit "
            f"{max_bases}); raise max_bases, or use Gambit's lcp or enummixed solvers"
        )
    a = _positive(game.payoffs[0])
    b = _positive(game.payoffs[1])
    # P: labels 0..m-1 are x_i = 0, labels m..m+n-1 are (B^T x)_j = 1
    gp = np.vstack([-np.eye(m), b.T])
    hp = np.concatenate([np.zeros(m), np.ones(n)])
    # Q: labels 0..m-1 are (A y)_i = 1, labels m..m+n-1 are y_j = 0
    gq = np.vstack([a, -np.eye(n)])
    hq = np.concatenate([np.ones(m), np.zeros(n)])
    xs, lx = polytope_vertices(gp, hp)
    ys, ly = polytope_vertices(gq, hq)
    keep_x, keep_y = xs.sum(1) > _TOL, ys.sum(1) > _TOL
    xs, lx, ys, ly = xs[keep_x], lx[keep_x], ys[keep_y], ly[keep_y]
    # completely labelled: no label missing from both vertices
    missing = (~lx).astype(np.int64) @ (~ly).astype(np.int64).T
    out = []
    for i, j in np.argwhere(missing == 0):
        x, y = xs[i] / xs[i].sum(), ys[j] / ys[j].sum()
        x[x < _TOL] = 0.0
        y[y < _TOL] = 0.0
        out.append(
            MixedEquilibrium.of(game, (x / x.sum(), y / y.sum()), "vertex-enumeration", False)
        )
    return out


def polytope_vertices(
    g: NDArray[np.float64], h: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Vertices of the bounded polytope {v : g v <= h} and, for each, its tight constraints."""
    k, d = g.shape
    found: list[NDArray[np.float64]] = []
    combos = combinations(range(k), d)
    while chunk := list(islice(combos, _CHUNK)):
        idx = np.array(chunk, dtype=np.intp)
        gs, hs = g[idx], h[idx]
        # a basis is regular when |det| is not negligible against Hadamard's bound, the
        # product of its rows' lengths (cheaper than singular values, same verdict here)
        bound = np.prod(np.linalg.norm(gs, axis=2), axis=1)
        regular = np.abs(np.linalg.det(gs)) > 1e-10 * bound
        if not regular.any():
            continue
        v = np.linalg.solve(gs[regular], hs[regular][..., None])[..., 0]
        feasible = np.all(v @ g.T <= h + _TOL, axis=1)
        found.append(v[feasible])
    if not found:
        return np.zeros((0, d)), np.zeros((0, k), dtype=bool)
    verts = np.vstack(found)
    verts = np.unique(np.round(verts, 9) + 0.0, axis=0)
    labels = np.abs(verts @ g.T - h) <= 1e-7
    return verts, labels


def _positive(u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Payoffs mapped affinely into [1, 2]: the same best responses, bounded polytopes."""
    spread = float(u.max() - u.min())
    return np.asarray(1.0 + (u - u.min()) / (spread if spread > 0 else 1.0), dtype=np.float64)
