"""Reading HTML form fields into the domain's values, with messages that say what to fix.

Forms send text; amounts are typed as currency (``12.50``) and become integer cents here.
Range checks stay in the domain, so a page shows the same words as the API.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Any

from volition.bazaar.domain.contexts import RevealPolicy
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.errors import InputError

__all__ = [
    "parse_attention",
    "parse_keywords",
    "parse_lines",
    "parse_matcher",
    "parse_minutes",
    "parse_money",
    "parse_priority",
    "parse_rate",
    "parse_record_minimum",
    "parse_reveal",
]

_MONEY = re.compile(r"^(-?)(\d{1,13})(?:\.(\d{1,2}))?$")


def parse_money(text: str, what: str) -> int:
    """``"12.5"`` -> ``1250`` cents; at most two decimals, an optional ``$`` and commas."""
    cleaned = text.strip().replace(",", "").replace("$", "")
    match = _MONEY.match(cleaned)
    if match is None:
        raise InputError(f"{what} must be an amount such as 12.50, not {text.strip()!r}")
    sign, whole, part = match.groups()
    cents = int(whole) * 100 + int((part or "0").ljust(2, "0"))
    return -cents if sign else cents


def parse_priority(text: str) -> float:
    """A priority in [0, 1] from its text; the domain checks the range."""
    try:
        value = float(text.strip() or "0.5")
    except ValueError:
        raise InputError(f"the priority must be a number in [0, 1], not {text.strip()!r}") from None
    if not math.isfinite(value):
        raise InputError(f"the priority must be a number in [0, 1], not {text.strip()!r}")
    return value


def parse_lines(text: str) -> tuple[str, ...]:
    """One item per non-blank line (context page URLs)."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def parse_keywords(text: str) -> tuple[str, ...]:
    """Names or keywords separated by commas or new lines."""
    return tuple(w.strip() for w in re.split(r"[,\n]", text) if w.strip())


def parse_reveal(text: str) -> RevealPolicy:
    """A follow-up context's amnesia policy (``with_parent`` when blank)."""
    cleaned = text.strip() or RevealPolicy.WITH_PARENT.value
    try:
        return RevealPolicy(cleaned)
    except ValueError:
        choices = " or ".join(repr(p.value) for p in RevealPolicy)
        raise InputError(f"the reveal policy must be {choices}, not {cleaned!r}") from None


def parse_attention(text: str) -> int | None:
    """How many offers an inspection reads: a whole number, or None (all) when blank."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if not (cleaned.isdigit() and len(cleaned) <= 7):
        raise InputError(
            f"the attention must be a whole number of offers (blank: all), not {cleaned!r}"
        )
    return int(cleaned)


def parse_minutes(text: str, what: str) -> timedelta | None:
    """A positive whole number of minutes, or None when the field is blank."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if not (cleaned.isdigit() and len(cleaned) <= 7) or int(cleaned) <= 0:
        raise InputError(
            f"{what} must be a whole number of minutes from 1 to 9999999, not {cleaned!r}"
        )
    return timedelta(minutes=int(cleaned))


def parse_matcher(
    keywords: str,
    min_budget: str,
    min_priority: str,
    max_age: str,
    min_inspection_rate: str,
    min_purchase_rate: str,
) -> dict[str, Any]:
    """A matcher form's fields as the domain's matcher arguments (blank: no condition)."""
    return {
        "keywords": parse_keywords(keywords),
        "min_budget": parse_money(min_budget or "0", "the minimum budget"),
        "min_priority": parse_priority(min_priority or "0"),
        "max_age": parse_minutes(max_age, "the age limit"),
        "min_inspection_rate": parse_rate(min_inspection_rate, "buyer inspection rate"),
        "min_purchase_rate": parse_rate(min_purchase_rate, "buyer purchase rate"),
    }


def parse_rate(text: str, what: str) -> float:
    """A minimum rate in [0, 1] from its text (blank: 0, no minimum); the domain checks the
    range."""
    value = _number(text, f"the minimum {what}", "a number in [0, 1]")
    return 0.0 if value is None else value


def parse_record_minimum(
    offers: str, value: str, gap: str, refuse_newcomers: str
) -> RecordMinimum | None:
    """A context form's record minimum fields (None when all are blank and newcomers are
    admitted); the domain checks the ranges (``RecordMinimum.checked``)."""
    if not (offers.strip() or value.strip() or gap.strip() or refuse_newcomers):
        return None
    least = offers.strip()
    if least and not (least.isdigit() and len(least) <= 7):
        raise InputError(
            f"the minimum offers bought must be a whole number (blank: 0), not {least!r}"
        )
    return RecordMinimum(
        int(least or "0"),
        _number(value, "the minimum value per dollar", "a number such as 0.1"),
        _number(gap, "the maximum calibration gap", "a number in [0, 1]"),
        admit_newcomers=not refuse_newcomers,
    )


def _number(text: str, what: str, example: str) -> float | None:
    """A finite number from its text, or None when blank."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        number = float(cleaned)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InputError(f"{what} must be {example} (blank: none), not {cleaned[:40]!r}")
    return number
