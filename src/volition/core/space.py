"""Finite probability spaces with labelled states (docs/theory.md §3: the common prior (Ω, P))."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.errors import ProbabilityError, ShapeError, UnknownNameError

__all__ = ["PRIOR_ATOL", "ProbabilitySpace"]

PRIOR_ATOL = 1e-9
"""How far from 1 a prior's total may be (absolute) before it is refused."""


@dataclass(frozen=True, eq=False)
class ProbabilitySpace:
    """A finite probability space (Omega, P) with labelled states.

    The prior is validated: finite, non-negative, summing to 1 within ``PRIOR_ATOL``. Use
    :meth:`from_weights` to normalise arbitrary non-negative weights instead.
    """

    states: tuple[str, ...]
    prior: NDArray[np.float64]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __init__(self, states: Sequence[str] | int, prior: ArrayLike) -> None:
        labels = _state_labels(states)
        p = np.ascontiguousarray(prior, dtype=np.float64)
        if p.ndim != 1 or p.shape[0] != len(labels):
            raise ShapeError(
                f"prior has {p.size} entries but there are {len(labels)} states; "
                "give one probability per state"
            )
        _check_distribution(p, what="prior")
        total = float(p.sum())
        if abs(total - 1.0) > PRIOR_ATOL:
            raise ProbabilityError(
                f"prior sums to {total:.12g}, not 1 (tolerance {PRIOR_ATOL:g}); fix the "
                "probabilities, or give them as weights to be normalised"
            )
        p = p.view()  # read-only for us, without freezing the caller's array
        p.setflags(write=False)
        object.__setattr__(self, "states", labels)
        object.__setattr__(self, "prior", p)
        object.__setattr__(self, "_index", {s: i for i, s in enumerate(labels)})

    @classmethod
    def from_weights(cls, states: Sequence[str] | int, weights: ArrayLike) -> ProbabilitySpace:
        """Build a space whose prior is ``weights`` normalised to sum to 1."""
        w = np.asarray(weights, dtype=np.float64)
        _check_distribution(w, what="weights")
        total = float(w.sum())
        if total <= 0:
            raise ProbabilityError("weights sum to 0; at least one state needs positive weight")
        return cls(states, w / total)

    @property
    def size(self) -> int:
        """The number of states |Omega|."""
        return len(self.states)

    def index(self, state: str) -> int:
        """The position of a state label; raises ``UnknownNameError`` for an unknown one."""
        try:
            return self._index[state]
        except KeyError:
            raise UnknownNameError(
                f"unknown state {state!r}; the states are {_preview(self.states)}"
            ) from None

    def indices(self, states: Iterable[str]) -> NDArray[np.intp]:
        """Positions of several state labels."""
        return np.array([self.index(s) for s in states], dtype=np.intp)

    def event(self, mask: ArrayLike) -> NDArray[np.bool_]:
        """Validate an event given as a boolean (0/1) vector over the states."""
        m = np.asarray(mask)
        if m.shape != (self.size,):
            raise ShapeError(f"an event needs {self.size} entries (one per state), got {m.size}")
        if m.dtype != np.bool_:
            if not np.isin(m, (0, 1)).all():
                raise ShapeError("an event must be 0/1 (or true/false) in every state")
            m = m.astype(bool)
        return m

    def probability(self, event: ArrayLike) -> float:
        """P(event) for an event given as a boolean vector over the states."""
        return float(self.prior[self.event(event)].sum())

    def condition(self, event: ArrayLike) -> NDArray[np.float64]:
        """The posterior P(. | event) as a vector over the states.

        Raises ``ProbabilityError`` when the event has probability zero.
        """
        e = self.event(event)
        mass = float(self.prior[e].sum())
        if mass <= 0:
            raise ProbabilityError("cannot condition on an event of probability zero")
        return np.where(e, self.prior, 0.0) / mass


def _state_labels(states: Sequence[str] | int) -> tuple[str, ...]:
    if isinstance(states, int | np.integer):
        if states < 1:
            raise ShapeError(f"a space needs at least one state, got {states}")
        return tuple(f"s{i}" for i in range(int(states)))
    labels = tuple(str(s) for s in states)
    if not labels:
        raise ShapeError("a space needs at least one state")
    if len(set(labels)) != len(labels):
        seen: set[str] = set()
        dup = next(s for s in labels if s in seen or seen.add(s))  # type: ignore[func-returns-value]
        raise ShapeError(f"state label {dup!r} appears twice; state labels must be unique")
    return labels


def _check_distribution(p: NDArray[np.float64], *, what: str) -> None:
    if p.ndim != 1 or p.size == 0:
        raise ShapeError(f"{what} must be a non-empty list of numbers")
    if not np.isfinite(p).all():
        bad = int(np.flatnonzero(~np.isfinite(p))[0])
        raise ProbabilityError(f"{what}[{bad}] is not a finite number")
    if (p < 0).any():
        bad = int(np.flatnonzero(p < 0)[0])
        raise ProbabilityError(f"{what}[{bad}] = {p[bad]:g} is negative; probabilities are >= 0")


def _preview(items: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")
