"""Game files: the YAML/JSON form of a normal-form game, and Gambit ``.nfg`` by suffix.

```yaml
title: Prisoner's dilemma           # optional
players: [Row, Column]
strategies:                         # one list of names (or a count) per player, in order;
  - [Cooperate, Defect]             # or a mapping {Row: [...], Column: [...]}
  - [Cooperate, Defect]
payoffs:                            # nested one level per player (m_1 x ... x m_n);
  - [[3, 3], [0, 5]]                # each innermost cell lists the n payoffs of that profile
  - [[5, 0], [1, 1]]
# ... or instead of payoffs, one table per player (each m_1 x ... x m_n):
# tables: {Row: [[3, 0], [5, 1]], Column: [[3, 5], [0, 1]]}
```

Every mistake is one :class:`FileFormatError` (or ``ShapeError``) whose message starts with
the file and names the key and index at fault.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from volition.core.files import read_structured_file
from volition.errors import FileFormatError, InputError
from volition.games.backward import strategic_form
from volition.games.extensive import ExtensiveGame, tree_from_mapping
from volition.games.gambit import read_efg
from volition.games.game import NormalFormGame
from volition.games.nfg import NfgStyle, read_nfg, write_nfg

__all__ = [
    "GameSpec",
    "game_from_mapping",
    "game_to_mapping",
    "load_game",
    "load_tree",
    "save_game",
]

Nested = float | list[Any]


class GameSpec(BaseModel):
    """The canonical game file, validated."""

    model_config = ConfigDict(extra="forbid")
    title: str = ""
    players: list[str]
    strategies: list[list[str] | int] | dict[str, list[str] | int]
    payoffs: list[Any] | None = None
    tables: dict[str, list[Any]] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> GameSpec:
        if (self.payoffs is None) == (self.tables is None):
            raise ValueError("give exactly one of `payoffs` (cells) or `tables` (per player)")
        if not self.players:
            raise ValueError("`players` is empty; name at least one player")
        return self


def load_game(path: str | Path) -> NormalFormGame:
    """Read a game file: Gambit ``.nfg``, or YAML/JSON in the format above.

    A game tree (``.efg``, or YAML/JSON with a ``tree`` key) is read as its strategic form.
    """
    path = Path(path)
    if path.suffix.lower() == ".efg":
        return strategic_form(load_tree(path))
    if path.suffix.lower() != ".nfg":
        data = read_structured_file(path)
        if isinstance(data, Mapping) and "tree" in data:
            return strategic_form(tree_from_mapping(data, source=str(path)))
        return game_from_mapping(data, source=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the file ({exc.strerror})") from exc
    return read_nfg(text, source=str(path))


def load_tree(path: str | Path) -> ExtensiveGame:
    """Read a game tree: Gambit ``.efg`` (needs the extra ``volition[gambit]``) or YAML/JSON."""
    path = Path(path)
    if path.suffix.lower() == ".efg":
        if not path.is_file():
            raise FileFormatError(f"{path}: cannot read the file (no such file)")
        return read_efg(path)
    return tree_from_mapping(read_structured_file(path), source=str(path))


def game_to_mapping(game: NormalFormGame) -> dict[str, Any]:
    """The game in the file format above (``payoffs`` as cells), ready for YAML or JSON."""
    cells = np.moveaxis(game.payoffs, 0, -1)
    return {
        "title": game.title,
        "players": list(game.players),
        "strategies": [list(s) for s in game.strategies],
        "payoffs": [_plain(c) for c in cells.tolist()],
    }


def save_game(game: NormalFormGame, path: str | Path, style: NfgStyle = "outcome") -> None:
    """Write a game by suffix: ``.nfg`` (Gambit, ``style`` outcome or payoff), ``.json``,
    or YAML otherwise."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".nfg":
        text = write_nfg(game, style)
    elif suffix == ".json":
        text = json.dumps(game_to_mapping(game), indent=2) + "\n"
    else:
        text = yaml.safe_dump(
            game_to_mapping(game), sort_keys=False, allow_unicode=True, default_flow_style=None
        )
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot write the file ({exc.strerror})") from exc


def _plain(value: Any) -> Any:
    """Integral floats as ints, for files people read."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return int(value) if float(value).is_integer() else value


def game_from_mapping(data: Any, source: str = "game") -> NormalFormGame:
    """Build a game from a file's content (a mapping); errors start with ``source``."""
    if not isinstance(data, Mapping):
        raise FileFormatError(f"{source}: expected a mapping with keys players, strategies, ...")
    try:
        spec = GameSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise FileFormatError(f"{source}: {loc + ': ' if loc else ''}{msg}") from exc
    try:
        return _build(spec)
    except InputError as exc:
        raise type(exc)(f"{source}: {exc}") from exc


def _build(spec: GameSpec) -> NormalFormGame:
    n = len(spec.players)
    if isinstance(spec.strategies, dict):
        _check_keys_are_players("strategies", spec.strategies, spec.players)
        raw = [spec.strategies[p] for p in spec.players]
    else:
        raw = list(spec.strategies)
    if len(raw) != n:
        raise FileFormatError(
            f"strategies: {len(raw)} lists for {n} players; give one list (or count) per player"
        )
    labels: list[list[str]] = []
    for i, s in enumerate(raw):
        if isinstance(s, int):
            if s < 1:
                raise FileFormatError(f"strategies[{i}]: a player needs at least one strategy")
            labels.append([str(a + 1) for a in range(s)])
        else:
            labels.append(list(s))
    shape = [len(s) for s in labels]
    if spec.payoffs is not None:
        cells = _checked(spec.payoffs, [*shape, n], "payoffs")
        return NormalFormGame.from_cells(cells, spec.players, labels, title=spec.title)
    assert spec.tables is not None
    _check_keys_are_players("tables", spec.tables, spec.players)
    tables = [_checked(spec.tables[p], shape, f"tables.{p}") for p in spec.players]
    return NormalFormGame.from_tables(tables, spec.players, labels, title=spec.title)


def _check_keys_are_players(field: str, by_player: Mapping[str, Any], players: list[str]) -> None:
    """Refuse a per-player mapping whose keys are not exactly the players."""
    missing = [p for p in players if p not in by_player]
    unknown = [p for p in by_player if p not in players]
    if missing or unknown:
        raise FileFormatError(
            f"{field}: keys must be the players {players}"
            + (f"; missing {missing}" if missing else "")
            + (f"; unknown {unknown}" if unknown else "")
        )


def _checked(data: Any, shape: list[int], where: str) -> Any:
    """Check a nested list has exactly ``shape`` and numeric leaves; name the first fault."""
    if not shape:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise FileFormatError(f"{where}: expected a number, found {data!r}")
        return data
    if not isinstance(data, list):
        raise FileFormatError(f"{where}: expected a list of {shape[0]} entries, found {data!r}")
    if len(data) != shape[0]:
        raise FileFormatError(
            f"{where}: has {len(data)} entries but needs {shape[0]} "
            "(one per strategy, or per player's payoff in a cell)"
        )
    return [_checked(d, shape[1:], f"{where}[{k}]") for k, d in enumerate(data)]
