"""One conversion from the domain's records to the API's output schemas (docs/design.md).

An output schema derives from ``RecordPublic`` and names the record fields it shows;
``Schema.of(record, **given)`` reads exactly those by name (pydantic's ``from_attributes``),
so a field a schema does not name is never shown, and what only the caller knows (a context's
remaining budget, a purchase's offer) is ``given``. A field shown under another name or form
says so in its type: ``Seconds`` reads a ``timedelta`` attribute, ``AccountKey`` an account,
``JsonText`` a stored JSON text. tests/bazaar/test_record_schemas.py checks that every record
field is either shown or listed there as deliberately hidden.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any, Self

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

__all__ = ["AccountKey", "JsonText", "RecordPublic", "Seconds", "read_from"]


class RecordPublic(BaseModel):
    """An output schema filled from a domain record's attributes of the same names."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, record: object, **given: Any) -> Self:
        """The schema of ``record``; ``given`` values stand for (or add to) its attributes."""
        return cls.model_validate(_Given(record, given) if given else record)


class _Given:
    """A record seen with some attributes given by the caller."""

    def __init__(self, record: object, given: dict[str, Any]) -> None:
        self._record = record
        self._given = given

    def __getattr__(self, name: str) -> Any:
        if name in self._given:
            return self._given[name]
        return getattr(self._record, name)


def read_from(attribute: str, name: str) -> Any:
    """A field called ``name`` in JSON, read from the record's ``attribute``."""
    return Field(validation_alias=AliasChoices(name, attribute))


def _seconds(value: object) -> object:
    return value.total_seconds() if isinstance(value, timedelta) else value


def _account_key(value: object) -> object:
    return value if isinstance(value, str) else getattr(value, "key", value)


def _json_text(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


Seconds = Annotated[float, BeforeValidator(_seconds)]
"""A duration in seconds, read from a ``timedelta``."""

AccountKey = Annotated[str, BeforeValidator(_account_key)]
"""A ledger account's key (``cash:usr_...``), read from the account."""

JsonText = Annotated[dict[str, Any], BeforeValidator(_json_text)]
"""A mapping, read from the JSON text a record stores."""
