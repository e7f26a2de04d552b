"""Fixtures for the mechanisms tests."""

from __future__ import annotations

import pytest
from tests.mechanisms.helpers import example_market

from volition.mechanisms import Market


@pytest.fixture
def legumes() -> Market:
    return example_market("legumes.yaml")


@pytest.fixture
def fact_checking() -> Market:
    return example_market("fact_checking_market.yaml")
