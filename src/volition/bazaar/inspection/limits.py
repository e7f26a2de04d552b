"""The limits of one inspection and its amnesia policy, with safe defaults (docs/theory.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from volition.bazaar.domain.contexts import RevealPolicy
from volition.errors import InputError

__all__ = ["InspectionLimits", "Policy"]


# Which purchases of child contexts reach the buyer (docs/theory.md §5, Amnesia): the domain's
# ``RevealPolicy``, under the engine's name. ``WITH_PARENT`` (the default): a child's purchase
# only when the parent offer it concerns was bought. ``ALL``: every purchase, as in the formal
# RIP of docs/theory.md §4. The engine posts every follow-up context with its inspection's policy,
# and the domain enforces it.
Policy = RevealPolicy


@dataclass(frozen=True, slots=True)
class InspectionLimits:
    """How far an inspection may go.

    ``max_depth``: how deep follow-up contexts nest below the root (0: no follow-ups).
    ``max_follow_ups``: follow-ups per node (breadth). ``min_offers``: a node decides as soon
    as it has this many offers, or else at ``gather_timeout`` after it was posted.
    ``max_retries``: how many more times the buyer agent is asked after a malformed or illegal
    answer, with the reasons; then the node ends buying nothing.
    """

    max_depth: int = 1
    max_follow_ups: int = 1
    min_offers: int = 3
    gather_timeout: timedelta = timedelta(minutes=5)
    max_retries: int = 2
    policy: Policy = Policy.WITH_PARENT

    def __post_init__(self) -> None:
        for name, low, high in (
            ("max_depth", 0, 10),
            ("max_follow_ups", 0, 10),
            ("min_offers", 0, 1_000),
            ("max_retries", 0, 10),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InputError(
                    f"{name} must be a whole number from {low} to {high}, not {value!r}"
                )
        if not isinstance(self.gather_timeout, timedelta) or not (
            timedelta(0) <= self.gather_timeout <= timedelta(days=30)
        ):
            raise InputError(
                f"gather_timeout must be a duration from 0 to 30 days, not {self.gather_timeout!r}"
            )
        if not isinstance(self.policy, Policy):
            raise InputError(f"policy must be 'with_parent' or 'all', not {self.policy!r}")
