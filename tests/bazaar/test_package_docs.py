"""The example in the package docstring runs and does what it says."""

from __future__ import annotations

import re

import volition.bazaar
from volition.bazaar.domain import audit


def test_the_package_docstring_example_runs() -> None:
    doc = volition.bazaar.__doc__ or ""
    code = "\n".join(line[4:] for line in re.split(r"::\n\n", doc, maxsplit=1)[1].splitlines())
    code = code.replace("Argon2Hasher()", "Argon2Hasher(time_cost=1, memory_cost=8)")
    scope: dict[str, object] = {}
    exec(compile(code, "volition.bazaar docstring", "exec"), scope)
    bazaar = scope["bazaar"]
    carol = scope["carol"]
    assert bazaar.balances(carol.id).earnings == 200  # type: ignore[attr-defined]
    assert audit(bazaar.store) == []  # type: ignore[attr-defined]
