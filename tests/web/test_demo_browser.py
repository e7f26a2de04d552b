"""The README's main job in a browser: the demo as ``volition serve --demo`` serves it (the
stored demo bots, the offline buyer, the demo's short gathering time). Alice signs in with her
demo login, opens her rain context, has it inspected, and watches the inspection follow up on
the neighbour's knee, which the demo's fact-checking bot refutes; she keeps the radar forecast
and never learns what the refutation said (the default policy: it concerns an offer she did not
buy)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.support.browser import PNG_SIGNATURE, LivePerson
from tests.support.demo import Demo
from volition.bazaar.demo import DEMO_LOGINS
from volition.bazaar.domain import audit


def test_alice_inspects_her_demo_context_in_the_browser(
    demo: Demo, browser: Browser, shots: Path
) -> None:
    alice = LivePerson(browser, demo, shots, "demo-alice")  # type: ignore[arg-type]
    login = next(x for x in DEMO_LOGINS if x.name == "alice")
    page = alice.go("/signin")
    page.get_by_label("User name").fill(login.name)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("who")).to_have_text("alice")

    page.get_by_test_id("my-contexts").get_by_role(
        "link", name="Will it rain in Oslo tomorrow afternoon?"
    ).click()
    alice.shot("rain-context")
    page.get_by_role("button", name="Inspect", exact=True).click()
    expect(page.get_by_test_id("inspection-status")).to_have_text("running")
    nodes = page.get_by_test_id("node")
    follow_up = page.locator('[data-testid="node"][data-depth="1"]')
    expect(follow_up).to_have_count(1, timeout=30_000)
    # what the inspector asked is forgotten: it read offers alice did not buy
    expect(follow_up.get_by_test_id("node-query")).to_contain_text("what it asked is forgotten")
    alice.shot("inspection-follow-up")

    expect(page.get_by_test_id("inspection-status")).to_have_text("done", timeout=30_000)
    expect(nodes).to_have_count(2)
    expect(nodes.first.get_by_test_id("node-bought").first).to_contain_text("radar")
    expect(page.get_by_test_id("purchase").filter(has_text="radar")).to_contain_text("from 14:00")
    assert "knee" not in page.get_by_test_id("purchase").all_inner_texts()[0].lower()
    assert "Inaccurate" not in page.content()  # the refutation's words stay forgotten
    alice.shot("inspection-done")
    assert alice.errors == []
    assert audit(demo.bazaar.store) == []
    for path in alice.taken:
        assert path.read_bytes().startswith(PNG_SIGNATURE)
