"""Every ```python block of the documentation (docs/**/*.md) runs, from the repository root.

Blocks of one page run in order in one namespace, as a reader would type them; a page that
states a value asserts it in the block beside it (docs/theory.md's worked examples).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))


def _blocks(page: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M)


def test_the_documentation_has_tested_examples() -> None:
    assert len(PAGES) >= 10
    assert sum(len(_blocks(page)) for page in PAGES) >= 8


@pytest.mark.parametrize(
    "page", [p for p in PAGES if _blocks(p)], ids=lambda p: str(p.relative_to(DOCS))
)
def test_python_blocks_run(page: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for number, code in enumerate(_blocks(page), start=1):
        exec(compile(code, f"{page.relative_to(ROOT)} block {number}", "exec"), namespace)
