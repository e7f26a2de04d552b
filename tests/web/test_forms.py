"""Form fields become the domain's values, or a message that says what to fix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volition.bazaar.web.forms import (
    parse_keywords,
    parse_lines,
    parse_minutes,
    parse_money,
    parse_priority,
)
from volition.bazaar.web.rendering import money
from volition.errors import InputError


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("$1,234.05", 123405),
        (" 0 ", 0),
        ("-3", -300),
    ],
)
def test_money_is_read_as_cents(text: str, cents: int) -> None:
    assert parse_money(text, "the price") == cents


@pytest.mark.parametrize("text", ["", "abc", "1.234", "1e3", "12.", "nan", "--1"])
def test_malformed_money_names_the_field(text: str) -> None:
    with pytest.raises(InputError, match=r"the price must be an amount such as 12\.50"):
        parse_money(text, "the price")


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_property_money_printed_reads_back(cents: int) -> None:
    assert parse_money(money(cents), "an amount") == cents


def test_priority_minutes_lines_and_keywords() -> None:
    assert parse_priority("") == 0.5 and parse_priority(" 0.25 ") == 0.25
    for bad in ("high", "inf", "nan"):
        with pytest.raises(InputError, match="priority"):
            parse_priority(bad)
    assert parse_minutes("  ", "the expiry") is None
    assert parse_minutes("90", "the expiry") == timedelta(minutes=90)
    for bad in ("0", "-5", "1.5", "99999999"):
        with pytest.raises(InputError, match="the expiry must be a whole number of minutes"):
            parse_minutes(bad, "the expiry")
    assert parse_lines(" https://a.org \n\n https://b.org") == ("https://a.org", "https://b.org")
    assert parse_keywords("rain, harvest\nwheat,, ") == ("rain", "harvest", "wheat")
