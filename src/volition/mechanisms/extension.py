"""Extension and inextensibility in the marginal-value mechanism (docs/theory.md §4).

*(choice, strict)* y (not null) *extends* a history h when its reward after h, with nothing
following, is > 0 (a free repetition, worth exactly 0, does not count). With d informers
left, h is *inextensible* when d = 0, or when every extension y can be answered by an
extension z of h + y with h + y + z inextensible with d - 2 left (no answer is possible when
d = 1): the alternating quantifiers of irrefutable arguments in Debate. Both depend only on
what h revealed, so they are memoised on its contents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from volition.core import Problem
from volition.errors import InputError
from volition.mechanisms.market import Offer
from volition.mechanisms.oversight import History, _Game

__all__ = ["extends", "inextensible"]


def extends(
    problem: Problem, menu: Sequence[Offer], history: Sequence[int], y: int
) -> NDArray[np.bool_]:
    """Whether offer ``y`` (an index, not null) extends ``history``, at every state."""
    if y < 0:
        raise InputError("the null offer never extends a history")
    game = _Game(problem, menu, problem.world.partition("state"))
    return _extends(game, tuple(history), y)


def _extends(game: _Game, history: History, y: int) -> NDArray[np.bool_]:
    # y's reward with nothing following depends only on what h revealed, not on its order
    key = (game.names(history), y)
    hit = game.extends_memo.get(key)
    if hit is None:
        r = game.rewards((*history, y))[len(history)]
        hit = np.asarray(r > 1e-12, dtype=np.bool_)
        game.extends_memo[key] = hit
    return hit


def inextensible(
    problem: Problem, menu: Sequence[Offer], history: Sequence[int], remaining: int | None = None
) -> NDArray[np.bool_]:
    """Whether ``history`` is inextensible with ``remaining`` informers left, at every state.

    ``remaining=None``: unboundedly many. The recursion still ends, since an extension has a
    positive reward and so reveals something new each time.
    """
    game = _Game(problem, menu, problem.world.partition("state"))
    bound = 2 * len(menu) + 2 if remaining is None else remaining
    return _inextensible(game, tuple(history), bound)


def _inextensible(game: _Game, history: History, remaining: int) -> NDArray[np.bool_]:
    n = game.states.size
    if remaining <= 0:
        return np.ones(n, dtype=np.bool_)
    key = (game.names(history), remaining)
    hit = game.inextensible_memo.get(key)
    if hit is not None:
        return hit
    ok = np.ones(n, dtype=np.bool_)
    for y in range(len(game.menu)):
        ext = _extends(game, history, y)
        if not ext.any():
            continue
        answered = np.zeros(n, dtype=np.bool_)
        if remaining >= 2:
            for z in range(len(game.menu)):
                answered |= _extends(game, (*history, y), z) & _inextensible(
                    game, (*history, y, z), remaining - 2
                )
        ok &= ~ext | answered
    game.inextensible_memo[key] = ok
    return ok
