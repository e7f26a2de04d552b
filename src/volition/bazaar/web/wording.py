"""Numbers said in words on the pages, where a bare figure would mislead (``0 tokens · $0``)."""

from __future__ import annotations

__all__ = ["count", "inspector_usage", "money"]


def money(cents: int) -> str:
    """Cents as a readable amount: ``123456`` -> ``$1,234.56``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"


def count(n: int, thing: str) -> str:
    """``0 -> "no agent calls"``, ``1 -> "1 agent call"``, ``3 -> "3 agent calls"``."""
    if n == 0:
        return f"no {thing}s"
    return f"{n:,} {thing}" if n == 1 else f"{n:,} {thing}s"


def inspector_usage(calls: int, tokens: int, cost_cents: int, *, offline: bool) -> str:
    """What an inspection's inspector used and cost the buyer (theory §5: the inspector's
    tokens are paid from the context's budget), in words: no tokens, no cost, when none."""
    used = f"inspector's tokens: {tokens:,}" if tokens else "no tokens"
    paid = f"cost {money(cost_cents)} (paid from the budget)" if cost_cents else "no cost"
    who = "offline inspector: " if offline else ""
    return f"{count(calls, 'agent call')} · {who}{used}, {paid}"
