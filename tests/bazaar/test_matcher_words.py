"""Matchers match whole words, ignoring case and accents (docs/theory.md §5): a "rain" matcher
never puts "Is the 8:15 train to Bergen on time?" in a seller's inbox, on every store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.bazaar import Cast
from volition.bazaar.domain import Bazaar, ContextSpec
from volition.bazaar.domain.contexts import DecisionContext
from volition.bazaar.domain.matchers import Matcher
from volition.bazaar.domain.words import check_keyword, contains_phrase, words
from volition.errors import InputError

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _matches(keyword: str, query: str) -> bool:
    return contains_phrase(words(query), keyword)


@pytest.mark.parametrize(
    "query",
    ["Will it rain?", "Rain, then sun", "RAIN TODAY", "raín en Oslo", "Rain—or snow", "rain"],
)
def test_the_word_in_any_case_or_accent_matches(query: str) -> None:
    assert _matches("rain", query)
    assert _matches("Raín", query)


@pytest.mark.parametrize(
    "query",
    [
        "Is the 8:15 train to Bergen on time?",
        "a rainbow over Bergen",
        "drain the pool",
        "rainy days",
        "Brain teasers",
        "r a i n",
    ],
)
def test_near_misses_do_not_match(query: str) -> None:
    assert not _matches("rain", query)


def test_a_keyword_of_several_words_matches_them_in_a_row() -> None:
    assert _matches("8:15 train", "Is the 8:15 train on time?")
    assert _matches("new york", "Snow in New-York tomorrow?")
    assert not _matches("train 8:15", "Is the 8:15 train on time?")


def test_a_keyword_without_a_word_is_refused() -> None:
    assert check_keyword("  rain ") == "rain"
    with pytest.raises(InputError, match="no letter or digit"):
        check_keyword("?!")


@given(
    st.lists(st.sampled_from(["rain", "train", "drain", "oslo", "Rain", "RAÍN", "rainbow"])),
    st.sampled_from([" ", ", ", "? ", " - ", "\n"]),
)
def test_property_matches_exactly_when_the_word_is_there(parts: list[str], sep: str) -> None:
    query = sep.join(parts)
    expected = any(p.casefold().replace("í", "i") == "rain" for p in parts)
    assert _matches("rain", query) is expected


def test_the_matcher_uses_words() -> None:
    matcher = Matcher("m", "s", ("rain",), 0, 0.0, None, NOW)
    context = DecisionContext.__new__(DecisionContext)
    for query, expected in (("Is the 8:15 train late?", False), ("Rain in Oslo?", True)):
        object.__setattr__(context, "query", query)
        for field, value in (("budget", 100), ("priority", 0.5), ("created_at", NOW)):
            object.__setattr__(context, field, value)
        assert matcher.matches(context, NOW) is expected


def test_the_inbox_holds_only_whole_word_matches(bazaar: Bazaar, cast: Cast) -> None:
    """The same answer on the memory store, SQLite and PostgreSQL."""
    train = bazaar.post_context(
        cast.buyer.id, ContextSpec("Is the 8:15 train to Bergen on time?", budget=100)
    )
    rain = bazaar.post_context(cast.buyer.id, ContextSpec("Rain, in Oslo tomorrow?", budget=100))
    accented = bazaar.post_context(cast.buyer.id, ContextSpec("¿Lloverá? RAÍN", budget=100))
    bazaar.add_matcher(cast.seller.id, keywords=["rain"])
    inbox = {c.id for c in bazaar.inbox(cast.seller.id)}
    assert inbox == {rain.id, accented.id}
    assert train.id not in inbox
    with pytest.raises(InputError, match="no letter or digit"):
        bazaar.add_matcher(cast.seller.id, keywords=["--"])
