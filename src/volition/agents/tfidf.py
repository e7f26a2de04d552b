"""TF-IDF vectors and cosine similarities of a few short texts, in numpy.

The offline buyer compares a query with a handful of offers; this is the weighting that
scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` applies with its other defaults,
written out so that the buyer needs numpy only:

- tokens: the lower-cased text's runs of two or more word characters
  (``token_pattern=r"(?u)\\b\\w\\w+\\b"``), no stop words, single words (no n-grams);
- term frequency, sublinear: ``1 + ln(count)`` for a word present, 0 otherwise;
- inverse document frequency, smoothed: ``idf(t) = ln((1 + n) / (1 + df(t))) + 1`` over the
  ``n`` texts given (as if one more text held every word once, so no idf is infinite and a
  word in every text still weighs 1);
- each text's vector ``tf * idf`` scaled to unit Euclidean length (a text without words
  stays the zero vector, whose similarity with anything is 0).

Cosine similarity of two such vectors is then their dot product.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from volition.errors import InputError

__all__ = ["TOKEN", "cosine_similarities", "tfidf_matrix", "tokens"]

TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""A word: two or more word characters between word boundaries (scikit-learn's default)."""


def tokens(text: str) -> list[str]:
    """The words of ``text``, lower-cased, in order (repeats kept)."""
    return TOKEN.findall(text.lower())


def tfidf_matrix(texts: Sequence[str]) -> NDArray[np.float64]:
    """One unit-length row per text over the sorted vocabulary of all ``texts``.

    Raises ``InputError`` when no text has a single word (the vocabulary is empty).
    """
    counts = [Counter(tokens(t)) for t in texts]
    vocabulary = sorted(set().union(*counts))
    if not vocabulary:
        raise InputError("no text has a word of two or more letters or digits to compare")
    column = {word: j for j, word in enumerate(vocabulary)}
    tf = np.zeros((len(texts), len(vocabulary)))
    for i, counted in enumerate(counts):
        for word, count in counted.items():
            tf[i, column[word]] = 1.0 + np.log(count)
    df = np.count_nonzero(tf, axis=0)
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    weights = tf * idf
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    unit: NDArray[np.float64] = np.divide(
        weights, norms, out=np.zeros_like(weights), where=norms > 0
    )
    return unit


def cosine_similarities(
    rows: NDArray[np.float64], columns: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Cosine similarity of every row of ``rows`` with every row of ``columns`` (unit rows)."""
    return np.asarray(rows @ columns.T, dtype=np.float64)
