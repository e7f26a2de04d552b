"""The knobs of a bazaar, with limits that keep requests small."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["BazaarSettings"]


@dataclass(frozen=True, slots=True)
class BazaarSettings:
    """Platform settings. ``starting_grant`` (cents) is credited to every new user (demos)."""

    starting_grant: int = 0
    token_lifetime: timedelta = timedelta(days=7)
    max_depth: int = 3  # how deep follow-up contexts may nest
    max_query_chars: int = 2_000
    max_preview_chars: int = 2_000
    max_private_chars: int = 20_000
    max_pages: int = 20
    max_url_chars: int = 2_000
    max_keywords: int = 20
    max_budget: int = 10**12  # cents; keeps sums far from 64-bit overflow
