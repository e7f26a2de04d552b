"""Market specs for the bayesian bot tests: the example market files, their world inline."""

from __future__ import annotations

import copy
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from volition.core.files import read_structured_file


def market_spec(name: str = "fact_checking_market.yaml") -> dict[str, Any]:
    """An example market file's mapping with a ``world:`` path replaced by the world itself."""
    with as_file(files("volition").joinpath("examples", name)) as path:
        data: dict[str, Any] = read_structured_file(path)
        if isinstance(data["world"], str):
            data["world"] = read_structured_file(Path(path).parent / data["world"])
    return copy.deepcopy(data)
