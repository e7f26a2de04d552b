"""The exceptions volition raises.

One root, with caller mistakes kept apart from failures at run time::

    VolitionError
    ├── InputError                  the caller's input is wrong; the message says how to fix it
    │   ├── ProbabilityError        a prior or distribution is not one
    │   ├── ShapeError              an array has the wrong length or shape
    │   ├── UnknownNameError        a state, variable, action or id that does not exist
    │   ├── PriceError              a price below zero
    │   └── FileFormatError         a problem/market/game file that cannot be read or validated
    └── ComputationError            a computation could not be completed as asked

Every message names what is wrong and, where it helps, where (file, key, index) and how to
fix it. Commands print the message on one line and exit non-zero; the HTTP API turns an
``InputError`` into a 4xx response with the same words.
"""

from __future__ import annotations

__all__ = [
    "ComputationError",
    "FileFormatError",
    "InputError",
    "PriceError",
    "ProbabilityError",
    "ShapeError",
    "UnknownNameError",
    "VolitionError",
]


class VolitionError(Exception):
    """The root of every exception volition raises on purpose."""


class InputError(VolitionError, ValueError):
    """The caller's input is wrong; the message says what and how to fix it."""


class ProbabilityError(InputError):
    """A prior or distribution is negative, empty, or does not sum to one."""


class ShapeError(InputError):
    """An array has the wrong length or shape for the world it belongs to."""


class UnknownNameError(InputError, KeyError):
    """A state, variable, action or id that does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class PriceError(InputError):
    """A price below zero (or not a finite number)."""


class FileFormatError(InputError):
    """A file that cannot be read, parsed or validated."""


class ComputationError(VolitionError):
    """A computation could not be completed as asked (too large, did not converge)."""
