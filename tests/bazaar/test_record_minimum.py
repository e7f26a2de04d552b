"""A context's record minimum as a pure rule (``domain.record_minimum``, docs/theory.md §5,
Track records and record minimums): properties of ``admits`` (a better record never loses
admission, a laxer minimum never refuses more, the defaults admit everyone, newcomers follow
their flag) and the checking of untrusted values, each refusal naming the field."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from volition.bazaar.domain.forecasts import TrackRecord
from volition.bazaar.domain.record_minimum import RecordMinimum
from volition.errors import InputError

_value = st.floats(-50.0, 50.0, allow_nan=False)


@st.composite
def records(draw: st.DrawFn, *, newcomer: bool | None = None) -> TrackRecord:
    """A track record; a newcomer (no offer scored) has no statistics."""
    is_new = draw(st.booleans()) if newcomer is None else newcomer
    if is_new:
        return TrackRecord("s", 0, 0, None, None, None, None, None)
    offers = draw(st.integers(1, 200))
    confidence = draw(st.floats(0.0, 1.0))
    hits = draw(st.floats(0.0, 1.0))
    per_dollar = draw(st.none() | _value)
    return TrackRecord("s", offers, offers, 0.0, per_dollar, confidence, hits, confidence - hits)


minimums = st.builds(
    RecordMinimum,
    st.integers(0, 250),
    st.none() | _value,
    st.none() | st.floats(0.0, 1.0),
    st.booleans(),
)


@st.composite
def better(draw: st.DrawFn, record: TrackRecord) -> TrackRecord:
    """``record`` with more offers, a higher value per dollar and a smaller calibration gap."""
    assert record.calibration_gap is not None
    offers = record.offers + draw(st.integers(0, 50))
    per_dollar = record.value_per_dollar
    if draw(st.booleans()):
        per_dollar = (per_dollar if per_dollar is not None else -50.0) + draw(st.floats(0, 10))
    gap = record.calibration_gap * draw(st.floats(0.0, 1.0))
    confidence = record.mean_confidence
    assert confidence is not None
    return TrackRecord("s", offers, offers, 0.0, per_dollar, confidence, confidence - gap, gap)


@settings(max_examples=300)
@given(st.data(), minimums)
def test_a_better_record_is_never_refused_where_a_worse_one_is_admitted(
    data: st.DataObject, minimum: RecordMinimum
) -> None:
    record = data.draw(records(newcomer=False))
    improved = data.draw(better(record))
    if minimum.admits(record):
        assert minimum.admits(improved)


@settings(max_examples=300)
@given(records(), minimums, st.data())
def test_a_laxer_minimum_never_refuses_what_a_stricter_one_admits(
    record: TrackRecord, strict: RecordMinimum, data: st.DataObject
) -> None:
    lax = RecordMinimum(
        data.draw(st.integers(0, strict.min_offers_bought)),
        data.draw(st.sampled_from([None, strict.min_value_per_dollar]))
        if strict.min_value_per_dollar is not None
        else None,
        data.draw(st.sampled_from([None, strict.max_calibration_gap]))
        if strict.max_calibration_gap is not None
        else None,
        strict.admit_newcomers or data.draw(st.booleans()),
    )
    if strict.admits(record):
        assert lax.admits(record)


@given(records())
def test_the_defaults_admit_every_seller(record: TrackRecord) -> None:
    assert RecordMinimum().admits(record)


@given(minimums)
def test_newcomers_follow_their_flag_whatever_the_rest(minimum: RecordMinimum) -> None:
    newcomer = TrackRecord("s", 0, 0, None, None, None, None, None)
    assert minimum.admits(newcomer) is minimum.admit_newcomers


def test_each_condition_refuses_on_its_own() -> None:
    good = TrackRecord("s", 5, 3, 0.2, 0.4, 0.7, 0.6, 0.1)
    assert RecordMinimum(5, 0.4, 0.1, False).admits(good)
    assert not RecordMinimum(min_offers_bought=6).admits(good)
    assert not RecordMinimum(min_value_per_dollar=0.41).admits(good)
    assert not RecordMinimum(max_calibration_gap=0.09).admits(good)
    underconfident = TrackRecord("s", 5, 3, 0.2, 0.4, 0.5, 0.8, -0.3)  # the gap's size counts
    assert not RecordMinimum(max_calibration_gap=0.2).admits(underconfident)
    free_only = TrackRecord("s", 5, 3, 0.2, None, 0.7, 0.6, 0.1)  # no price: no value per dollar
    assert not RecordMinimum(min_value_per_dollar=-1.0).admits(free_only)
    assert RecordMinimum(min_offers_bought=5).admits(free_only)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"min_offers_bought": -1}, "minimum offers bought must be between 0"),
        ({"min_offers_bought": 2.5}, "minimum offers bought must be a whole number"),
        ({"min_offers_bought": True}, "minimum offers bought must be a whole number"),
        ({"min_value_per_dollar": math.nan}, "value per dollar must be a finite number"),
        ({"min_value_per_dollar": math.inf}, "value per dollar must be a finite number"),
        ({"min_value_per_dollar": 1e9}, "value per dollar must be between"),
        ({"min_value_per_dollar": "1"}, "value per dollar must be a finite number"),
        ({"max_calibration_gap": -0.1}, "calibration gap must be between 0 and 1"),
        ({"max_calibration_gap": 1.5}, "calibration gap must be between 0 and 1"),
        ({"admit_newcomers": "yes"}, "admit_newcomers must be true or false"),
    ],
)
def test_bad_values_are_refused_naming_the_field(fields: dict[str, object], words: str) -> None:
    with pytest.raises(InputError, match=words):
        RecordMinimum(**fields).checked()  # type: ignore[arg-type]
