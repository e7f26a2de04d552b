"""Words as matchers read them (docs/theory.md §5, matchers): a keyword matches a whole word
of a context's question, ignoring case and accents, so "rain" finds "Rain," and "raín" but
not "train" or "rainbow".

Text is decomposed (Unicode NFKD), its combining marks dropped and the rest case-folded, then
cut into runs of letters and digits. A keyword of several words matches those words in a row.
"""

from __future__ import annotations

import re
import unicodedata

from volition.errors import InputError

__all__ = ["check_keyword", "contains_phrase", "words"]

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> tuple[str, ...]:
    """The words of ``text``, without accents and case-folded, in order."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return tuple(_WORD.findall(bare.casefold()))


def contains_phrase(text_words: tuple[str, ...], phrase: str) -> bool:
    """Whether the words of ``phrase`` occur in a row in ``text_words`` (from :func:`words`);
    a phrase with no word in it (only punctuation) matches nothing."""
    wanted = words(phrase)
    if not wanted:
        return False
    n = len(wanted)
    return any(text_words[i : i + n] == wanted for i in range(len(text_words) - n + 1))


def check_keyword(keyword: str) -> str:
    """``keyword`` stripped; refused when it has no letter or digit, since it would match
    nothing (matchers match whole words)."""
    if not words(keyword):
        raise InputError(
            f"the keyword {keyword.strip()!r} has no letter or digit: matchers match whole "
            "words of a question, so give a word such as 'rain'"
        )
    return keyword.strip()
