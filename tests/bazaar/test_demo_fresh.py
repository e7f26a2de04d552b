"""``volition serve --demo`` tells the whole story every time: without a named database it
seeds a fresh one in a temporary folder, so a second demo finds the rain context open and
inspectable again, and nothing is left in the working directory or the temporary folder."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.demo import demo_process as _demo
from volition.bazaar.client import BazaarClient
from volition.bazaar.demo import DEMO_LOGINS

ALICE = next(x for x in DEMO_LOGINS if x.name == "alice")


def _rain(base: str) -> tuple[BazaarClient, str]:
    alice = BazaarClient(base)
    alice.sign_in(ALICE.name, ALICE.password)
    rain = next(c for c in alice.contexts(mine=True) if "rain" in c.query)
    assert rain.status == "open"
    return alice, rain.id


def test_every_demo_starts_fresh_and_leaves_nothing_behind(tmp_path: Path) -> None:
    folders = []
    for _ in range(2):
        with _demo(tmp_path) as (base, output):
            alice, rain = _rain(base)
            with alice:
                started = alice.start_inspection(rain, gather_seconds=1)
                done = alice.wait_for_inspection(started.id, timeout=60, interval=0.2)
                assert done.bought
        (line,) = [x for x in output if x.startswith("demo database: ")]
        match = re.match(r"demo database: (\S+volition-demo\.db)", line)
        assert match, line
        folders.append(Path(match.group(1)).parent)
    assert folders[0] != folders[1]
    assert not any(folder.exists() for folder in folders)
    assert list(tmp_path.iterdir()) == []  # no volition.db in the working directory


def test_a_named_demo_database_is_kept(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'kept.db'}"
    with _demo(tmp_path, "--database", database) as (base, output):
        _rain(base)[0].close()
    assert not any(x.startswith("demo database: ") for x in output)
    assert (tmp_path / "kept.db").is_file()
