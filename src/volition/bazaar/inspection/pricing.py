"""What an inspector's tokens cost the buyer, in whole cents (docs/theory.md §5, Money; issue 10).

An operator prices each inspector in integer cents per million tokens, prompt and completion
apart. One agent call costs ``ceil((prompt * p + completion * c) / 1_000_000)`` cents: rounded
up per call, so the operator is never paid less than the tokens cost and the amount of a call
is fixed once it is known (a repeated step charges the first amount again, under its
idempotency key, never a second one). The engine pays it from the node's reservation, capped at
what is left there.
"""

from __future__ import annotations

from dataclasses import dataclass

from volition.errors import InputError

__all__ = ["FREE", "Pricing"]

PER = 1_000_000  # prices are per million tokens


@dataclass(frozen=True, slots=True)
class Pricing:
    """Cents per million prompt tokens and per million completion tokens (both >= 0)."""

    prompt_cents_per_million: int = 0
    completion_cents_per_million: int = 0

    def __post_init__(self) -> None:
        for name in ("prompt_cents_per_million", "completion_cents_per_million"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(f"{name} must be a whole number of cents >= 0, not {value!r}")

    @property
    def free(self) -> bool:
        """Whether no call ever costs anything."""
        return self.prompt_cents_per_million == 0 and self.completion_cents_per_million == 0

    def cost(self, prompt_tokens: int, completion_tokens: int) -> int:
        """The cents one call with these token counts costs, rounded up."""
        micro = (
            max(0, prompt_tokens) * self.prompt_cents_per_million
            + max(0, completion_tokens) * self.completion_cents_per_million
        )
        return -(-micro // PER)


FREE = Pricing()
