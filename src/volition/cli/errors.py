"""Turning volition's exceptions into one line on standard error and exit status 2."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from volition.errors import VolitionError

__all__ = ["EXIT_INPUT_ERROR", "reports_errors"]

EXIT_INPUT_ERROR = 2

P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so a ``VolitionError`` prints ``error: ...`` and exits with status 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except VolitionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(EXIT_INPUT_ERROR) from None

    return wrapper
