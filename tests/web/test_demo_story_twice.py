"""The README's demo story, twice in a row, in a browser, on ``volition serve --demo`` as the
README runs it (a subprocess, a fresh demo database each time): the second walk finds the rain
context open and inspectable again and tells the same story (issue 11)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from tests.support.demo import demo_process as _demo
from tests.web.demo_story import DOC_SHOTS, StoryShots, walk_the_demo_story


def test_the_readme_demo_story_runs_twice_in_a_row(
    browser: Browser, shots: Path, tmp_path: Path
) -> None:
    cwd = tmp_path / "where-the-demo-runs"
    cwd.mkdir()
    for run in (1, 2):
        with _demo(cwd) as (base, _output):
            story = StoryShots(shots, f"demo-run{run}-")
            walk_the_demo_story(browser, base, story)
            assert set(story.taken) == set(DOC_SHOTS)
    assert list(cwd.iterdir()) == []  # nothing left where the demo ran
