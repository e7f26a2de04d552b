"""Operator routes check the role before anything else: a non-operator learns nothing from
them, not even which user names exist (issue 10)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.bazaar import ApiWorld
from tests.support.databases import SQL_KINDS

pytestmark = pytest.mark.parametrize("store_factory", SQL_KINDS, indirect=True)
NAMES = ["alice", "nobody-at-all"]  # one user exists, the other does not


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/operator/credits", lambda name: {"user": name, "cents": 5}),
        ("/api/operator/operators", lambda name: {"user": name}),
        # a body that does not even validate: still the role first
        ("/api/operator/credits", lambda name: {"user": name, "cents": -1}),
    ],
)
def test_a_non_operator_gets_one_answer_whatever_the_name(
    w: ApiWorld, path: str, body: object
) -> None:
    assert callable(body)
    answers = []
    for name in NAMES:
        r = w.buyer.post(path, json=body(name))
        answers.append((r.status_code, r.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 403
    assert "only an operator" in answers[0][1]["message"]
    # and the operator does learn it: the route works for them
    assert w.operator.post(path, json=body("nobody-at-all")).status_code in (404, 422)


def test_anonymous_callers_are_asked_to_sign_in_first(w: ApiWorld) -> None:
    for name in NAMES:
        r = httpx.post(f"{w.api.base_url}/api/operator/credits", json={"user": name, "cents": 5})
        assert r.status_code == 401
    assert w.buyer.get("/api/operator/audit").status_code == 403
