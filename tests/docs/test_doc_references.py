"""Every document the code, the command line, the web pages and the README cite ships with the
repository: a path ``something.md`` named in src/ (code, templates, example files), tests/,
benchmarks/, README.md or the Makefile exists, and every "docs/theory.md §N" names a section
that page has.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THEORY = ROOT / "docs" / "theory.md"
CITED_MD = re.compile(r"(?<![\w./-])((?:[\w.-]+/)*[\w.-]+\.md)\b")
SECTION = re.compile(r"docs/theory\.md,? §(\d+)(?:-(\d+))?")


def _sources() -> list[Path]:
    files = [
        p
        for folder in ("src", "tests", "benchmarks")
        for p in (ROOT / folder).rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".html", ".yaml", ".md", ".txt"}
        and p != Path(__file__).resolve()
    ]
    return [*files, ROOT / "README.md", ROOT / "Makefile"]


def _cited(path: Path) -> set[str]:
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        return set()
    return set(CITED_MD.findall(text))


def test_every_cited_document_exists() -> None:
    missing = {
        f"{path.relative_to(ROOT)} cites {doc}"
        for path in _sources()
        for doc in _cited(path)
        if not (ROOT / doc).is_file()
    }
    assert not missing, sorted(missing)


def test_the_theory_is_cited_by_its_path_in_the_repository() -> None:
    citations = sum(
        "docs/theory.md" in p.read_text(errors="replace") for p in _sources() if p.is_file()
    )
    assert citations > 50  # the docstrings, the command line, the pages and the README


def test_every_cited_section_of_the_theory_exists() -> None:
    headings = set(re.findall(r"^## (\d+)\. ", THEORY.read_text(), flags=re.M))
    assert headings == {"1", "2", "3", "4", "5"}
    cited = set()
    for path in _sources():
        for first, last in SECTION.findall(path.read_text(errors="replace")):
            cited.update(str(n) for n in range(int(first), int(last or first) + 1))
    assert cited and cited <= headings, sorted(cited - headings)


def test_the_equations_the_code_cites_are_defined() -> None:
    text = THEORY.read_text()
    for label in ("Eq. (1)", "Eq. (2)", "Eqs. (3)-(4)"):
        assert label in text, label


def test_the_detector_sees_a_missing_document(tmp_path: Path) -> None:
    cited = tmp_path / "module.py"
    cited.write_text('"""See THEORY.md §4 and docs/theory.md §2; not theory.mdx."""')
    assert _cited(cited) == {"THEORY.md", "docs/theory.md"}
    assert not (ROOT / "THEORY.md").is_file()
