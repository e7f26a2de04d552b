"""Market failures: the ways a market stops being the choice of one aligned super-agent."""

from volition.games.failures.lemons import LemonsMarket, LemonsOutcome, lemons_equilibrium

__all__ = ["LemonsMarket", "LemonsOutcome", "lemons_equilibrium"]
