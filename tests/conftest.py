"""Shared test configuration."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    max_examples=100,
    derandomize=True,
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

# The tests' model servers (volition.agents.scripted_server) listen on 127.0.0.1: allow users'
# LLM URLs there, as an operator would for models on its own network. The tests of that policy
# (tests/bazaar/test_outbound_urls.py) turn it off with monkeypatch.
os.environ.setdefault("VOLITION_ALLOW_PRIVATE_URLS", "1")

# The tests' fixtures (databases, served apps, scripted agents, browser): tests/support/plugin.py
pytest_plugins = ["tests.support.plugin"]
