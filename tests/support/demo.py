"""The demo as tests serve it: in a thread on a seeded SQLite file (``Demo``, the ``demo``
fixture of the plugin), or as ``volition serve --demo`` in a subprocess (``demo_process``),
the README's main job."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.people import CHEAP_HASHER
from tests.support.servers import free_port, wait_until_ready

if TYPE_CHECKING:
    from volition.bazaar.domain import Bazaar

LAUNCHER = "from volition.cli import main; main()"


@dataclass
class Demo:
    """A served demo: its address and its bazaar."""

    url: str
    bazaar: Bazaar


@contextmanager
def demo_in_thread(folder: Path) -> Iterator[Demo]:
    """The demo's data seeded in ``folder``/volition.db, served as ``serve --demo`` serves it
    (the demo's inspection limits) by uvicorn in a thread."""
    from volition.bazaar.api.server import serve_in_thread
    from volition.bazaar.demo import seed_demo
    from volition.bazaar.domain import Bazaar
    from volition.bazaar.platform import DEMO_LIMITS, assemble
    from volition.bazaar.server import build_app
    from volition.bazaar.storage import SqlStore

    store = SqlStore.open(f"sqlite:///{folder / 'volition.db'}")
    bazaar = Bazaar(store, hasher=CHEAP_HASHER)
    seed_demo(bazaar)
    try:
        with serve_in_thread(build_app(assemble(bazaar, limits=DEMO_LIMITS))) as url:
            yield Demo(url, bazaar)
    finally:
        store.close()


@contextmanager
def demo_process(cwd: Path, *extra: str) -> Iterator[tuple[str, list[str]]]:
    """A ``volition serve --demo`` process; yields its address and, after it stops, its
    output lines (appended to the list)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "VOLITION_DATABASE_URL"}
    command = [sys.executable, "-c", LAUNCHER, "serve", "--demo", "--port", str(port), *extra]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd
    )
    output: list[str] = []
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(server, base, timeout=180)  # busy CI machines
        yield base, output
    finally:
        server.terminate()
        output.extend(server.communicate(timeout=30)[0].splitlines())
