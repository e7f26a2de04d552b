"""Domain errors map to HTTP statuses in one place."""

from __future__ import annotations

from volition.bazaar.api.errors import status_of
from volition.bazaar.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    NotFound,
    StorageError,
    Unauthorized,
)
from volition.errors import InputError, PriceError


def test_each_domain_error_has_one_status() -> None:
    assert status_of(NotFound("x"))[0] == 404
    assert status_of(Unauthorized("x"))[0] == 401
    assert status_of(Forbidden("x"))[0] == 403
    assert status_of(Conflict("x"))[0] == 409
    assert status_of(InsufficientFunds("x"))[0] == 402
    assert status_of(PriceError("x"))[0] == 422
    assert status_of(InputError("x"))[0] == 422
    assert status_of(StorageError("x"))[0] == 503
