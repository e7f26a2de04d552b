"""The exceptions of the bazaar platform, all under volition's own roots.

::

    VolitionError
    ├── InputError
    │   ├── UnknownNameError
    │   │   └── NotFound            no such user, context, offer or matcher (or not visible to you)
    │   ├── Unauthorized            no credentials, or wrong or expired ones
    │   ├── Forbidden               the caller may not do this (role, ownership, operator only)
    │   ├── Conflict                the state does not allow it (already bought, withdrawn, closed)
    │   └── InsufficientFunds       the money is not there (cash for a budget, budget for a price)
    └── ComputationError
        └── StorageError            the database failed (not the caller's fault)

The HTTP API maps each to one status code in ``volition.bazaar.api.errors``.
"""

from __future__ import annotations

from volition.errors import ComputationError, InputError, UnknownNameError

__all__ = [
    "Conflict",
    "Forbidden",
    "InsufficientFunds",
    "NotFound",
    "StorageError",
    "Unauthorized",
]


class NotFound(UnknownNameError):
    """An id that does not exist, or that the caller is not allowed to know exists."""


class Unauthorized(InputError):
    """Missing, wrong or expired credentials."""


class Forbidden(InputError):
    """The caller is known but may not do this."""


class Conflict(InputError):
    """The current state does not allow the operation (already bought, withdrawn, closed)."""


class InsufficientFunds(InputError):
    """The money asked for is not there (cash for a budget, a reservation for a price)."""


class StorageError(ComputationError):
    """The database failed in a way that is not the caller's fault."""
