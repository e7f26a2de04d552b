"""Decision problems behind one interface (docs/theory.md §3: the decision problem (X, U)).

Every decision problem exposes *features*: an array F[state, :] such that the expected
utility of any action under any (unnormalised) posterior weight vector w over the states is a
function of the statistics ``w @ F``. Grouping the states by the cells of a partition then
needs one pass over F, whatever the decision. For a finite matrix F is U itself; for a
forecast of an event it is (1, 1_E).

All methods work on *unnormalised* statistics (cell sums, not conditional means), so a
cell's expected utility is already weighted by its probability and sums over cells add up.

Ties in the argmax go to the lowest action index: among the actions whose expected utility
is within ``TIE_RTOL`` (relative) of the best, the first one is chosen.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.errors import InputError, ShapeError, UnknownNameError

__all__ = ["TIE_RTOL", "DecisionProblem", "MatrixDecision", "argmax_lowest"]

TIE_RTOL = 1e-12
"""Expected utilities within this relative distance of the best count as tied."""

Actions = NDArray[Any]  # action codes: integer indices (finite actions) or forecasts (floats)


def argmax_lowest(values: NDArray[np.float64], rtol: float = TIE_RTOL) -> NDArray[np.intp]:
    """Row-wise argmax of a 2-D array, ties (within ``rtol``) to the lowest index."""
    best = values.max(axis=-1, keepdims=True)
    scale = np.maximum(np.abs(values).max(axis=-1, keepdims=True), 1.0)
    chosen: NDArray[np.intp] = np.argmax(values >= best - rtol * scale, axis=-1)
    return chosen


class DecisionProblem(ABC):
    """A decision (X, U) on a finite space: what every VOI computation needs of it."""

    @property
    @abstractmethod
    def features(self) -> NDArray[np.float64]:
        """F[state, :], C-contiguous float64: expected utilities are functions of w @ F."""

    @property
    def n_states(self) -> int:
        return int(self.features.shape[0])

    @abstractmethod
    def best_actions(self, stats: NDArray[np.float64]) -> Actions:
        """The best action for every row of statistics (ties to the lowest index)."""

    @abstractmethod
    def expected_utility(self, stats: NDArray[np.float64], actions: Actions) -> NDArray[np.float64]:
        """Unnormalised expected utility sum_s w_s U(s, a) of ``actions[r]`` under row r."""

    @abstractmethod
    def utility(self, states: NDArray[np.intp], actions: Actions) -> NDArray[np.float64]:
        """U(state, action), elementwise over the two arrays."""

    @abstractmethod
    def describe(self, action: Any) -> Any:
        """An action code as people read it: its label, or the forecast."""

    def best_action(self, posterior: ArrayLike) -> Any:
        """The best action code under a posterior (or weights) over the states."""
        stats = self._stats(posterior)
        return self.best_actions(stats)[0]

    def all_actions(self) -> Actions:
        """Every action code, for a finite decision (a forecast has a continuum of them)."""
        raise InputError(
            f"{type(self).__name__} has a continuum of actions; pass the ones to evaluate"
        )

    def expected_utilities(
        self, posterior: ArrayLike, actions: Actions | None = None
    ) -> NDArray[np.float64]:
        """E[U(a)] under a posterior for each action code in ``actions`` (default: all)."""
        stats = self._stats(posterior)
        acts = np.asarray(self.all_actions() if actions is None else actions)
        return self.expected_utility(np.repeat(stats, acts.size, axis=0), acts.ravel())

    def _stats(self, posterior: ArrayLike) -> NDArray[np.float64]:
        w = np.asarray(posterior, dtype=np.float64)
        if w.shape != (self.n_states,):
            raise ShapeError(f"a posterior needs {self.n_states} entries, got {w.size}")
        return (w @ self.features)[None, :]


class MatrixDecision(DecisionProblem):
    """A finite decision: actions labelled, utility a matrix U[state, action]."""

    def __init__(self, actions: Sequence[str] | int, utility: ArrayLike) -> None:
        u = np.ascontiguousarray(utility, dtype=np.float64)
        if u.ndim != 2:
            raise ShapeError("utility must be a matrix: one row per state, one column per action")
        if isinstance(actions, int | np.integer):
            labels = tuple(f"a{i}" for i in range(int(actions)))
        else:
            labels = tuple(str(a) for a in actions)
        if not labels:
            raise ShapeError("a decision needs at least one action")
        if len(set(labels)) != len(labels):
            raise ShapeError("action labels must be unique")
        if u.shape[1] != len(labels):
            raise ShapeError(
                f"utility rows have {u.shape[1]} entries but there are {len(labels)} actions"
            )
        if not np.isfinite(u).all():
            row, col = (int(i) for i in np.argwhere(~np.isfinite(u))[0])
            raise ShapeError(f"utility[{row}][{col}] is not a finite number")
        u = u.view()  # read-only for us, without freezing the caller's array
        u.setflags(write=False)
        self.actions: tuple[str, ...] = labels
        self.matrix: NDArray[np.float64] = u

    @property
    def features(self) -> NDArray[np.float64]:
        return self.matrix

    def all_actions(self) -> Actions:
        return np.arange(len(self.actions))

    def action_index(self, label: str) -> int:
        """The column of an action label."""
        try:
            return self.actions.index(label)
        except ValueError:
            raise UnknownNameError(
                f"unknown action {label!r}; the actions are {', '.join(self.actions)}"
            ) from None

    def best_actions(self, stats: NDArray[np.float64]) -> Actions:
        return argmax_lowest(stats)

    def expected_utility(self, stats: NDArray[np.float64], actions: Actions) -> NDArray[np.float64]:
        rows = np.arange(stats.shape[0])
        return np.asarray(stats[rows, np.asarray(actions, dtype=np.intp)], dtype=np.float64)

    def utility(self, states: NDArray[np.intp], actions: Actions) -> NDArray[np.float64]:
        return np.asarray(self.matrix[states, np.asarray(actions, dtype=np.intp)])

    def describe(self, action: Any) -> str:
        return self.actions[int(action)]
