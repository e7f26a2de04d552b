"""The docs' screenshots of the main pages, taken in the browser on the demo (issue 11).

The test walks the README's demo story and screenshots home, the context page, the
inspection page, the ledger, the inbox, the bots list and a bot's form. It runs with the rest
of the suite and checks that each shot is taken, that the committed copy in ``docs/images/``
exists, and that a tutorial shows it; with ``VOLITION_DOCS_IMAGES=1`` (``make docs-images``)
it writes its shots into ``docs/images/``, replacing the committed ones.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support.browser import PNG_SIGNATURE
from tests.support.demo import Demo
from tests.web.demo_story import DOC_SHOTS, StoryShots, walk_the_demo_story

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"


@pytest.mark.docs_images
def test_the_main_pages_are_screenshotted_for_the_docs(
    demo: Demo, browser: Browser, shots: Path
) -> None:
    story = StoryShots(shots, "docs-")
    walk_the_demo_story(browser, demo.url, story)
    assert set(story.taken) == set(DOC_SHOTS)
    if os.environ.get("VOLITION_DOCS_IMAGES") == "1":
        IMAGES.mkdir(exist_ok=True)
        for name, path in story.taken.items():
            shutil.copyfile(path, IMAGES / f"{name}.png")
    tutorials = "\n".join(p.read_text() for p in (ROOT / "docs" / "tutorials").glob("*.md"))
    for name in DOC_SHOTS:
        committed = IMAGES / f"{name}.png"
        assert committed.read_bytes().startswith(PNG_SIGNATURE), committed
        assert f"../images/{name}.png" in tutorials, f"no tutorial shows {name}.png"
