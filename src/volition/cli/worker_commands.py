"""The worker commands: to be filled in (listed in ``COMMANDS``, registered by volition.cli)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

COMMANDS: tuple[Callable[..., Any], ...] = ()
