"""The offline buyer's TF-IDF: scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` in numpy.

The expected values are derived by hand below; scikit-learn 1.9.1 (the library this module
replaced) printed the same numbers to 8 digits and gave the offline buyer's two decisions
pinned at the end word for word. Before it was removed, the two agreed to 1e-14 on 3,000
random sets of texts (mixed case, accents, digits, apostrophes) and the old and new buyers
decided alike, reasons included, on 3,000 random nodes.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.agents.views import view

from volition.agents import Buy, FollowUp, OfflineBuyer
from volition.agents.tfidf import cosine_similarities, tfidf_matrix, tokens
from volition.errors import InputError


def test_tokens_are_lower_cased_runs_of_two_or_more_word_characters() -> None:
    # "t" of "Don't" and "a" are single characters; "_" and digits are word characters
    assert tokens("Don't stop, Café x1 a foo_bar 42!") == [
        "don",
        "stop",
        "café",
        "x1",
        "foo_bar",
        "42",
    ]
    assert tokens("Rain, RAIN rain") == ["rain", "rain", "rain"]


def test_weights_match_the_hand_derivation() -> None:
    # texts: "rain rain paris", "paris", "sun"; n = 3, vocabulary (sorted) paris, rain, sun
    # df: paris 2, rain 1, sun 1 -> idf = ln(4/3) + 1, ln(4/2) + 1, ln(4/2) + 1
    # text 0: tf paris 1, tf rain 1 + ln 2 (sublinear) -> weights idf_p, (1 + ln 2) idf_r
    matrix = tfidf_matrix(["rain rain paris", "paris", "sun"])
    idf_p, idf_r = math.log(4 / 3) + 1, math.log(2) + 1
    w_p, w_r = idf_p, (1 + math.log(2)) * idf_r
    norm = math.hypot(w_p, w_r)
    expected = np.array([[w_p / norm, w_r / norm, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(matrix, expected, rtol=0, atol=1e-15)
    # what scikit-learn printed for the same texts
    np.testing.assert_allclose(matrix[0, :2], [0.40974161, 0.91220163], atol=5e-9)
    similarity = cosine_similarities(matrix, matrix)
    np.testing.assert_allclose(similarity[0], [1.0, w_p / norm, 0.0], atol=1e-15)


def test_a_word_in_every_text_weighs_one_and_a_text_without_words_is_zero() -> None:
    matrix = tfidf_matrix(["paris paris", "paris", "?!"])
    np.testing.assert_array_equal(matrix, [[1.0], [1.0], [0.0]])
    assert cosine_similarities(matrix[2:], matrix).tolist() == [[0.0, 0.0, 0.0]]


def test_no_words_at_all_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no text has a word"):
        tfidf_matrix(["", "a b ?", "!"])


texts = st.lists(
    st.sampled_from(["rain", "Paris", "paris", "tomorrow", "sun", "café", "x1", "a", "?"]),
    max_size=8,
).map(" ".join)


@given(st.lists(texts, min_size=1, max_size=6))
def test_property_rows_are_unit_or_zero_and_similarities_are_cosines(docs: list[str]) -> None:
    try:
        matrix = tfidf_matrix(docs)
    except InputError:
        assert all(tokens(d) == [] for d in docs)
        return
    norms = np.linalg.norm(matrix, axis=1)
    has_words = np.array([tokens(d) != [] for d in docs])
    np.testing.assert_allclose(norms[has_words], 1.0, atol=1e-12)
    assert np.all(norms[~has_words] == 0.0) and np.all(matrix >= 0.0)
    similarity = cosine_similarities(matrix, matrix)
    np.testing.assert_allclose(similarity, similarity.T, atol=1e-15)
    assert np.all(similarity >= 0.0) and np.all(similarity <= 1.0 + 1e-12)
    # the same text twice is as similar as can be
    twice = tfidf_matrix([*docs, docs[0]])
    assert cosine_similarities(twice[:1], twice[-1:])[0, 0] == pytest.approx(
        float(has_words[0]), abs=1e-12
    )


@given(st.lists(texts, min_size=2, max_size=6), st.randoms(use_true_random=False))
def test_property_similarities_do_not_depend_on_the_order_of_the_texts(
    docs: list[str], rnd: random.Random
) -> None:
    order = list(range(len(docs)))
    rnd.shuffle(order)
    try:
        matrix = tfidf_matrix(docs)
    except InputError:
        return
    shuffled = tfidf_matrix([docs[i] for i in order])
    np.testing.assert_allclose(
        cosine_similarities(shuffled, shuffled),
        cosine_similarities(matrix, matrix)[np.ix_(order, order)],
        atol=1e-12,
    )


def test_offline_buyer_decisions_are_those_scikit_learn_gave() -> None:
    bought = OfflineBuyer().decide(view(max_depth=0)).decision
    assert bought == Buy(
        ("o3",),
        "buying o3 (o1: relevance 0.42, value 422c, price 300c, "
        "o2: relevance 0.00, value 0c, price 100c, "
        "o3: relevance 0.42, value 419c, price 250c)",
    )
    checked = OfflineBuyer().decide(view()).decision
    assert checked == FollowUp(
        query="Is this accurate: Paris weather tomorrow",
        budget=187,
        about=("o3",),
        reason="offer o3 looks worth 419 cents at price 250, a large share of the budget: "
        "checking it first",
    )
