"""Gambit ``.nfg`` files (format version 1), read and written without pygambit.

Two styles share one header ``NFG 1 R "title" { "player" ... } <strategies> "comment"``,
where ``<strategies>`` is either ``{ m_1 ... m_n }`` (counts) or ``{ { "s" ... } ... }``
(names):

- *payoff* style: then the payoffs of every profile, n numbers per profile;
- *outcome* style: then ``{ { "name" u_1, ..., u_n } ... }`` and one outcome number per
  profile (0 is the null outcome, paying 0 to everyone).

Profiles are listed with the first player's strategy changing fastest. Numbers may be
integers, decimals or fractions ``p/q``.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Literal

import numpy as np

from volition.errors import FileFormatError
from volition.games.game import NormalFormGame

__all__ = ["NfgStyle", "read_nfg", "write_nfg"]

NfgStyle = Literal["outcome", "payoff"]

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([{}])|([^\s{},"]+)|(,)|(\s+)', re.DOTALL)


class _Tokens:
    def __init__(self, text: str, source: str) -> None:
        self.items: list[tuple[str, str]] = []
        self.source = source
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:  # pragma: no cover - the pattern matches every character class
                raise FileFormatError(f"{source}: cannot read the .nfg text at {text[pos:][:20]!r}")
            pos = m.end()
            if m.group(1) is not None:
                self.items.append(("str", m.group(1).replace('\\"', '"')))
            elif m.group(2) is not None:
                self.items.append((m.group(2), m.group(2)))
            elif m.group(3) is not None:
                self.items.append(("word", m.group(3)))
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self, kind: str, what: str) -> str:
        tok = self.peek()
        if tok is None or tok[0] != kind:
            found = "the end of the file" if tok is None else repr(tok[1])
            raise FileFormatError(f"{self.source}: expected {what}, found {found}")
        self.pos += 1
        return tok[1]

    def number(self, what: str) -> float:
        word = self.take("word", what)
        try:
            return float(Fraction(word))
        except (ValueError, ZeroDivisionError):
            raise FileFormatError(f"{self.source}: {what} {word!r} is not a number") from None


def read_nfg(text: str, source: str = "nfg") -> NormalFormGame:
    """Parse a Gambit ``.nfg`` text (payoff or outcome style) into a game."""
    t = _Tokens(text, source)
    if t.take("word", "the magic 'NFG'") != "NFG":
        raise FileFormatError(f"{source}: not an .nfg file (it must start with 'NFG 1 R')")
    if t.take("word", "the version 1") != "1":
        raise FileFormatError(f"{source}: only .nfg version 1 is supported")
    if t.take("word", "the number type R or D") not in ("R", "D"):
        raise FileFormatError(f"{source}: the number type must be R or D")
    title = t.take("str", "the quoted title")
    t.take("{", "'{' before the player names")
    players: list[str] = []
    while (tok := t.peek()) is not None and tok[0] == "str":
        players.append(t.take("str", "a player name"))
    t.take("}", "'}' after the player names")
    if not players:
        raise FileFormatError(f"{source}: the game has no players")
    t.take("{", "'{' before the strategies")
    strategies: list[list[str]] = []
    while (tok := t.peek()) is not None and tok[0] != "}":
        if tok[0] == "{":
            t.take("{", "'{'")
            names = []
            while (tok := t.peek()) is not None and tok[0] == "str":
                names.append(t.take("str", "a strategy name"))
            t.take("}", "'}' after a player's strategy names")
            strategies.append(names)
        else:
            count = int(t.number("a strategy count"))
            strategies.append([str(a + 1) for a in range(count)])
    t.take("}", "'}' after the strategies")
    if len(strategies) != len(players):
        raise FileFormatError(
            f"{source}: {len(strategies)} strategy lists for {len(players)} players"
        )
    if (tok := t.peek()) is not None and tok[0] == "str":
        t.take("str", "the comment")
    shape = [len(s) for s in strategies]
    n, n_profiles = len(players), int(np.prod(shape))
    if (tok := t.peek()) is not None and tok[0] == "{":
        flat = _outcome_payoffs(t, n, n_profiles)
    else:
        flat = np.array([t.number("a payoff") for _ in range(n * n_profiles)]).reshape(-1, n)
    if (extra := t.peek()) is not None:
        raise FileFormatError(f"{source}: unexpected {extra[1]!r} after the payoffs")
    tables = [flat[:, i].reshape(shape, order="F") for i in range(n)]
    return NormalFormGame.from_tables(tables, players, strategies, title=title)


def _outcome_payoffs(t: _Tokens, n: int, n_profiles: int) -> np.ndarray:
    t.take("{", "'{' before the outcomes")
    outcomes = [np.zeros(n)]
    while (tok := t.peek()) is not None and tok[0] == "{":
        t.take("{", "'{'")
        t.take("str", "the outcome's quoted name")
        outcomes.append(np.array([t.number("an outcome payoff") for _ in range(n)]))
        t.take("}", f"'}}' after the {n} payoffs of outcome {len(outcomes) - 1}")
    t.take("}", "'}' after the outcomes")
    table = np.array(outcomes)
    rows = []
    for k in range(n_profiles):
        o = t.number(f"the outcome number of profile {k + 1}")
        if o != int(o) or not 0 <= o < len(table):
            raise FileFormatError(
                f"{t.source}: profile {k + 1} names outcome {o:g}, but outcomes run 0.."
                f"{len(table) - 1}"
            )
        rows.append(int(o))
    return np.asarray(table[rows])


def write_nfg(game: NormalFormGame, style: NfgStyle = "outcome") -> str:
    """The game as ``.nfg`` text in the outcome (default, as Gambit writes) or payoff style."""
    if style not in ("outcome", "payoff"):
        raise FileFormatError(f"unknown .nfg style {style!r}; use 'outcome' or 'payoff'")
    _check_ascii(game.title, "the title")
    for player, labels in zip(game.players, game.strategies, strict=True):
        _check_label(player, "player")
        for label in labels:
            _check_label(label, f"a strategy of {player!r}")
    players = " ".join(_quote(p) for p in game.players)
    lines = [f"NFG 1 R {_quote(game.title)} {{ {players} }}", ""]
    if style == "outcome":
        lines.append("{ " + "\n".join(_names(s) for s in game.strategies))
        lines += ["}", '""', "", "{"]
    else:
        lines += ["{ " + " ".join(str(m) for m in game.shape) + " }", '""', ""]
    # profiles with the first player fastest: Fortran order over (m_1, ..., m_n)
    flat = np.stack([game.payoffs[i].reshape(-1, order="F") for i in range(game.n_players)], 1)
    if style == "outcome":
        lines += ['{ "" ' + ", ".join(_num(v) for v in row) + " }" for row in flat]
        lines += ["}", " ".join(str(k + 1) for k in range(len(flat))), ""]
    else:
        lines += [" ".join(_num(v) for v in row) for row in flat] + [""]
    return "\n".join(lines)


_LABEL = re.compile(r"^(?:[!-~]+(?: [!-~]+)*)?$")


def _check_ascii(text: str, what: str) -> None:
    if not text.isascii():
        raise FileFormatError(
            f"{what} {text!r} is not ASCII, which Gambit's .nfg files cannot hold; "
            "rename it or save the game as YAML/JSON"
        )


def _check_label(label: str, what: str) -> None:
    """Gambit's rule: printable ASCII, single inner spaces, none at either end."""
    _check_ascii(label, what)
    if not _LABEL.match(label):
        raise FileFormatError(
            f"{what} {label!r} is not a valid Gambit label (printable ASCII with single "
            "spaces, none at the ends); rename it or save the game as YAML/JSON"
        )


def _names(labels: tuple[str, ...]) -> str:
    return "{ " + " ".join(_quote(s) for s in labels) + " }"


def _quote(s: str) -> str:
    return '"' + s.replace('"', '\\"') + '"'


def _num(v: float) -> str:
    """Integers as integers; other floats as exact fractions when short, else repr."""
    if float(v).is_integer():
        return str(int(v))
    frac = Fraction(v).limit_denominator(10**6)
    if float(frac) == v:
        return f"{frac.numerator}/{frac.denominator}"
    return repr(float(v))
