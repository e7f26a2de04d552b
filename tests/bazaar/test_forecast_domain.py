"""The pure part of forecast questions (``domain.forecasts``), as properties: realised marginal
values telescope to the final score minus the prior's, each offer gets its own step's gain,
track records average what they say, and a question's spec is checked whole."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volition.bazaar.domain.forecast_memory import MemoryForecastRepository
from volition.bazaar.domain.forecasts import (
    LOG_FLOOR,
    ForecastQuestion,
    ForecastSpec,
    ForecastStep,
    Resolution,
    realised_values,
    score,
    track_record,
)
from volition.bazaar.errors import Conflict
from volition.core.scoring import ScoringRule, categorical_score
from volition.errors import InputError

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def _dist(k: int) -> st.SearchStrategy[tuple[float, ...]]:
    weights = st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k).filter(lambda w: sum(w) > 0)
    return weights.map(lambda w: tuple(x / sum(w) for x in w))


@st.composite
def paths(draw: st.DrawFn) -> tuple[ForecastQuestion, list[ForecastStep], int]:
    k = draw(st.integers(2, 5))
    rule = draw(st.sampled_from(list(ScoringRule)))
    question = ForecastQuestion(
        "ctx", "buyer", tuple(f"o{i}" for i in range(k)), draw(_dist(k)), NOW, None, rule
    )
    steps = [
        ForecastStep("ctx", n + 1, f"node{n}", draw(_dist(k)), (f"off{n}a", f"off{n}b"), NOW)
        for n in range(draw(st.integers(0, 5)))
    ]
    return question, steps, draw(st.integers(0, k - 1))


@settings(max_examples=200)
@given(paths())
def test_realised_values_telescope_and_belong_to_their_steps(
    case: tuple[ForecastQuestion, list[ForecastStep], int],
) -> None:
    question, steps, outcome = case
    offers = {i: ("seller", 100) for s in steps for i in s.offer_ids}
    final, scores = realised_values(question, steps, outcome, offers)
    last = steps[-1].distribution if steps else question.prior
    assert final == score(question.rule, last, outcome)
    by_step = {s.seq: s.value for s in scores}
    total = sum(by_step.values())
    assert total == pytest.approx(final - score(question.rule, question.prior, outcome), abs=1e-9)
    assert len(scores) == 2 * len(steps)  # both offers of a step share its gain
    for s in scores:
        step = steps[s.seq - 1]
        before = steps[s.seq - 2].distribution if s.seq > 1 else question.prior
        gain = score(question.rule, step.distribution, outcome) - score(
            question.rule, before, outcome
        )
        assert s.value == pytest.approx(gain) and s.offer_id in step.offer_ids
        assert math.isfinite(s.value)  # the log rule's floor keeps zeros finite


def test_the_log_floor_and_other_rules() -> None:
    assert score(ScoringRule.LOG, (0.0, 1.0), 0) == math.log(LOG_FLOOR)
    assert score(ScoringRule.BRIER, (0.3, 0.7), 1) == categorical_score("brier", [0.3, 0.7], 1)


@given(st.lists(st.tuples(st.floats(-2, 2), st.integers(1, 500), _dist(3), st.integers(0, 2))))
def test_a_track_record_averages_its_scores(
    rows: list[tuple[float, int, tuple[float, ...], int]],
) -> None:
    from volition.bazaar.domain.forecasts import OfferScore

    scores = [
        OfferScore(f"ctx{i % 3}", f"off{i}", "s", price, 1, value, after, outcome)
        for i, (value, price, after, outcome) in enumerate(rows)
    ]
    record = track_record("s", [*scores, OfferScore("c", "x", "other", 1, 1, 9.0, (1, 0, 0), 0)])
    assert record.offers == len(rows)
    if not rows:
        assert record.mean_value is None and record.calibration_gap is None
        return
    assert record.mean_value == pytest.approx(sum(r[0] for r in rows) / len(rows))
    per_dollar = [r[0] / (r[1] / 100) for r in rows]
    assert record.value_per_dollar == pytest.approx(sum(per_dollar) / len(rows))
    assert record.calibration_gap == pytest.approx(record.mean_confidence - record.hit_rate)
    assert 0 <= record.hit_rate <= 1 and 1 / 3 - 1e-9 <= record.mean_confidence <= 1


@pytest.mark.parametrize(
    ("spec", "word"),
    [
        (ForecastSpec((), NOW), "2 to 20 outcomes"),
        (ForecastSpec(tuple(str(i) for i in range(21)), NOW), "2 to 20 outcomes"),
        (ForecastSpec(("a", "a "), NOW), "distinct"),
        (ForecastSpec(("a", "b\x00"), NOW), "an outcome label"),
        (ForecastSpec(("a", "b\n"), NOW), None),  # stripped: "b"
        (ForecastSpec(("a", "b\tc"), NOW), "control"),
        (ForecastSpec(("a", "b"), NOW, prior=(0.9, 0.2)), "prior"),
        (ForecastSpec(("a", "b"), NOW, rule="nope"), "unknown scoring rule"),  # type: ignore[arg-type]
    ],
)
def test_a_spec_is_checked_whole(spec: ForecastSpec, word: str | None) -> None:
    if word is None:
        assert spec.checked().outcomes == ("a", "b")
        return
    with pytest.raises(InputError, match=word):
        spec.checked()


def test_the_memory_repository_resolves_once_and_numbers_steps() -> None:
    repo = MemoryForecastRepository()
    question = ForecastQuestion("ctx", "b", ("a", "b"), (0.5, 0.5), NOW, None, ScoringRule.LOG)
    repo.add(question)
    repo.propose("ctx", "n1", (0.6, 0.4))
    repo.propose("ctx", "n1", (0.9, 0.1))  # a repeated step keeps the first proposal
    repo.propose("ctx", "n2", (0.7, 0.3))
    repo.confirm("n2", ("o2",), NOW)
    repo.confirm("n1", ("o1",), NOW + timedelta(seconds=1))
    repo.confirm("n1", ("o9",), NOW)  # confirmed once
    assert [(s.seq, s.node_id, s.distribution) for s in repo.steps("ctx")] == [
        (1, "n2", (0.7, 0.3)),
        (2, "n1", (0.6, 0.4)),
    ]
    resolution = Resolution("a", False, "op", NOW, 0.0)
    with pytest.raises(Conflict, match="resolve again"):
        repo.resolve("ctx", resolution, [], 1)  # scored on one step, but the path has two
    assert repo.get("ctx").resolution is None  # type: ignore[union-attr]
    assert repo.resolve("ctx", resolution, [], 2) is True
    assert repo.resolve("ctx", resolution, [], 2) is False
    repo.propose("ctx", "n3", (0.1, 0.9))
    repo.confirm("n3", ("o3",), NOW)  # after the resolution: the path is final
    assert len(repo.steps("ctx")) == 2
