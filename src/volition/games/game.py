"""Finite n-player normal-form games as one payoff tensor (docs/theory.md §1).

Agents 1..n with finite strategy sets X_1..X_n and utilities U_i(x) of the joint action x.
The game is stored as a single array ``payoffs`` of shape ``(n, m_1, ..., m_n)`` with
``payoffs[i][a_1, ..., a_n] = U_i(a_1, ..., a_n)``: every computation below is a numpy
operation over that tensor, never a Python loop over profiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from volition.errors import ProbabilityError, ShapeError, UnknownNameError

__all__ = ["MixedProfile", "NormalFormGame"]

MixedProfile = Sequence[ArrayLike]
"""One probability vector per player over that player's strategies."""

_PROBABILITY_ATOL = 1e-9


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """A finite game in normal form: labels and the payoff tensor ``(n, m_1, ..., m_n)``.

    Build it with :meth:`from_tables` (one payoff array per player) or :meth:`from_cells`
    (an array of payoff vectors, one per profile); both validate shapes and finiteness.
    """

    payoffs: NDArray[np.float64]
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    title: str = ""

    def __post_init__(self) -> None:
        u = np.array(self.payoffs, dtype=np.float64)
        n = len(self.players)
        if n < 1:
            raise ShapeError("a game needs at least one player")
        if len(set(self.players)) != n:
            raise ShapeError(f"player names repeat in {list(self.players)}; make them unique")
        if u.ndim != n + 1 or u.shape[0] != n:
            raise ShapeError(
                f"the payoff tensor has shape {u.shape} but a {n}-player game needs "
                f"(n, m_1, ..., m_n) with n = {n}"
            )
        if len(self.strategies) != n:
            raise ShapeError(f"{len(self.strategies)} strategy lists for {n} players")
        for i, (player, labels) in enumerate(zip(self.players, self.strategies, strict=True)):
            if len(labels) != u.shape[i + 1]:
                raise ShapeError(
                    f"player {player!r} has {len(labels)} strategy names but the payoffs "
                    f"give {u.shape[i + 1]} strategies"
                )
            if len(labels) == 0:
                raise ShapeError(f"player {player!r} has no strategies; give at least one")
            if len(set(labels)) != len(labels):
                raise ShapeError(f"player {player!r} repeats a strategy name in {list(labels)}")
        if not np.all(np.isfinite(u)):
            raise ShapeError("payoffs must be finite numbers (found nan or infinity)")
        u.setflags(write=False)
        object.__setattr__(self, "payoffs", u)
        object.__setattr__(self, "players", tuple(str(p) for p in self.players))
        object.__setattr__(
            self, "strategies", tuple(tuple(str(s) for s in labels) for labels in self.strategies)
        )

    @classmethod
    def from_tables(
        cls,
        tables: Sequence[ArrayLike],
        players: Sequence[str] | None = None,
        strategies: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ) -> NormalFormGame:
        """One payoff array per player, all of shape ``(m_1, ..., m_n)``."""
        arrays = [np.asarray(t, dtype=np.float64) for t in tables]
        if not arrays:
            raise ShapeError("give one payoff table per player (got none)")
        n = len(arrays)
        for i, a in enumerate(arrays):
            if a.ndim != n:
                raise ShapeError(
                    f"payoff table {i + 1} has {a.ndim} dimensions but there are {n} players; "
                    "each table needs one axis per player"
                )
            if a.shape != arrays[0].shape:
                raise ShapeError(
                    f"payoff table {i + 1} has shape {a.shape}, table 1 has {arrays[0].shape}"
                )
        u = np.stack(arrays)
        return cls(u, *_labels(u.shape[1:], players, strategies), title=title)

    @classmethod
    def from_cells(
        cls,
        cells: ArrayLike,
        players: Sequence[str] | None = None,
        strategies: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ) -> NormalFormGame:
        """An array of shape ``(m_1, ..., m_n, n)``: the payoff vector of every profile."""
        c = np.asarray(cells, dtype=np.float64)
        if c.ndim < 2 or c.shape[-1] != c.ndim - 1:
            raise ShapeError(
                f"payoff cells have shape {c.shape}; an n-player game needs "
                "(m_1, ..., m_n, n): one payoff per player in every cell"
            )
        u = np.moveaxis(c, -1, 0)
        return cls(u, *_labels(u.shape[1:], players, strategies), title=title)

    @property
    def n_players(self) -> int:
        """The number of players n."""
        return len(self.players)

    @property
    def shape(self) -> tuple[int, ...]:
        """The numbers of strategies (m_1, ..., m_n)."""
        return tuple(int(m) for m in self.payoffs.shape[1:])

    @property
    def n_profiles(self) -> int:
        """The number of pure profiles m_1 * ... * m_n."""
        return int(np.prod(self.shape))

    def payoff_vectors(self) -> NDArray[np.float64]:
        """All payoff vectors u(x) as rows, shape ``(n_profiles, n)``, profiles in C order."""
        return self.payoffs.reshape(self.n_players, -1).T

    def profile(self, flat_index: int) -> tuple[int, ...]:
        """The pure profile (strategy indices) at a C-order position."""
        return tuple(int(a) for a in np.unravel_index(flat_index, self.shape))

    def profile_labels(self, profile: Sequence[int]) -> tuple[str, ...]:
        """The strategy names of a pure profile."""
        return tuple(self.strategies[i][a] for i, a in enumerate(profile))

    def player_index(self, player: str) -> int:
        """The position of a player's name."""
        try:
            return self.players.index(player)
        except ValueError:
            raise UnknownNameError(
                f"unknown player {player!r}; the players are {list(self.players)}"
            ) from None

    def check_mixed(self, profile: MixedProfile) -> list[NDArray[np.float64]]:
        """Validate a mixed profile: one distribution per player over its strategies."""
        if len(profile) != self.n_players:
            raise ShapeError(f"a mixed profile needs {self.n_players} distributions")
        out = []
        for i, sigma in enumerate(profile):
            s = np.asarray(sigma, dtype=np.float64)
            if s.shape != (self.shape[i],):
                raise ShapeError(
                    f"player {self.players[i]!r} has {self.shape[i]} strategies but the "
                    f"distribution has shape {s.shape}"
                )
            if not np.all(np.isfinite(s)) or np.any(s < -_PROBABILITY_ATOL):
                raise ProbabilityError(
                    f"the distribution of player {self.players[i]!r} has a negative or "
                    "non-finite probability"
                )
            if abs(float(s.sum()) - 1.0) > 1e-6:
                raise ProbabilityError(
                    f"the distribution of player {self.players[i]!r} sums to {s.sum():.9g}, not 1"
                )
            out.append(np.clip(s, 0.0, None))
        return out

    def deviation_payoffs(self, profile: MixedProfile, player: int) -> NDArray[np.float64]:
        """Player i's expected payoff for each pure strategy, the others playing ``profile``."""
        sigmas = self.check_mixed(profile)
        t = self.payoffs[player]
        # contract the last axes first so the remaining axis numbers stay valid
        for j in reversed(range(self.n_players)):
            if j != player:
                t = np.tensordot(t, sigmas[j], axes=([j], [0]))
        return np.asarray(t, dtype=np.float64)

    def expected_payoffs(self, profile: MixedProfile) -> NDArray[np.float64]:
        """The expected payoff vector of a mixed profile (independent randomisation)."""
        sigmas = self.check_mixed(profile)
        return np.array(
            [float(self.deviation_payoffs(sigmas, i) @ sigmas[i]) for i in range(self.n_players)]
        )

    def regrets(self, profile: MixedProfile) -> NDArray[np.float64]:
        """Each player's gain from its best pure deviation; all <= tol at a Nash equilibrium."""
        sigmas = self.check_mixed(profile)
        out = np.empty(self.n_players)
        for i in range(self.n_players):
            dev = self.deviation_payoffs(sigmas, i)
            out[i] = float(dev.max() - dev @ sigmas[i])
        return out

    def scale(self) -> float:
        """The range of payoffs (max - min), at least 1; tolerances are relative to it."""
        return max(1.0, float(self.payoffs.max() - self.payoffs.min()))


def _labels(
    shape: tuple[int, ...],
    players: Sequence[str] | None,
    strategies: Sequence[Sequence[str]] | None,
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    n = len(shape)
    names = tuple(players) if players is not None else tuple(str(i + 1) for i in range(n))
    if len(names) != n:
        raise ShapeError(f"{len(names)} player names for a game with {n} players")
    if strategies is None:
        strategies = [[str(a + 1) for a in range(m)] for m in shape]
    return names, tuple(tuple(s) for s in strategies)
