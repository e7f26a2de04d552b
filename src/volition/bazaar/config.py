"""The operator's settings: every ``VOLITION_*`` variable a server or worker reads, in one class.

``PlatformSettings.from_env()`` reads and checks them all when a process starts (a bad one
stops it, saying which and how to fix it); the command line's options replace some of them
(``volition serve --database ...``). The table of variables is in docs/tutorials/operator.md.
``VOLITION_ALLOW_PRIVATE_URLS`` is read again at each use (``domain.outbound``), so that a
test or ``serve --demo`` may set it after start; the variables of the command-line *client*
(``VOLITION_URL``, ``VOLITION_TOKEN``, ``VOLITION_PASSWORD``, ``VOLITION_LLM_API_KEY``) are
options of its commands, never read by a server.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from volition.bazaar.analysis_limits import AnalysisLimits
from volition.bazaar.domain.outbound import truthy
from volition.bazaar.inspectors import Inspectors
from volition.errors import InputError

__all__ = ["DEFAULT_THREADS", "PlatformSettings"]

DEFAULT_THREADS = 3  # request threads per process; measured on 2 cores in benchmarks/RESULTS.md
# (issue 15, stop 21: 3 rather than 8 cut p99 at 32 clients on PostgreSQL, 1 or 2 processes)

_Listed = Annotated[tuple[str, ...], NoDecode]  # comma-separated in the environment
_YES, _NO = ("1", "true", "yes"), ("0", "false", "no")
_WHOLE = {  # the whole-number fields: (the rule, the least value)
    "starting_grant": ("must be whole cents >= 0", 0),
    "threads": ("must be a whole number >= 1", 1),
    "analysis_workers": ("must be a whole number >= 1", 1),
}


class PlatformSettings(BaseSettings):
    """What the operator sets for a bazaar's processes (each field is ``VOLITION_<NAME>``).
    Its ``repr`` leaves out the URLs, which may hold passwords, and the secrets."""

    model_config = SettingsConfigDict(
        env_prefix="VOLITION_", extra="ignore", frozen=True, arbitrary_types_allowed=True
    )

    database_url: str | None = Field(default=None, repr=False)  # may hold a password
    """SQLAlchemy URL of the database (unset: ``sqlite:///volition.db``)."""
    starting_grant: int = 0
    """Cents credited to every new user (demos)."""
    cors_origins: _Listed = ()
    """Origins whose browsers may call the API (comma-separated; none: CORS closed)."""
    threads: int = DEFAULT_THREADS
    """Request threads per server process."""
    inline: Annotated[bool, NoDecode] = True
    """The busiest routes run their database work on the event loop, not in a request thread
    (``1``, ``true`` or ``yes``; ``api.threads``)."""
    redis_url: str | None = Field(default=None, repr=False)
    """The sign-in counts in this Redis instead of the database."""
    trusted_proxies: _Listed = ()
    """Reverse proxies whose X-Forwarded-For/-Proto to believe (comma-separated)."""
    inspectors: Annotated[Inspectors, NoDecode] = Field(default_factory=Inspectors)
    """The operator's LLM inspectors: a JSON list (``volition.bazaar.inspectors``)."""
    allow_private_urls: Annotated[bool, NoDecode] = False
    """Users' LLM base URLs may be internal addresses (``1``, ``true`` or ``yes``)."""
    secret_key: str | None = Field(default=None, repr=False)
    """The master key of stored LLM keys (required on PostgreSQL; ``volition.bazaar.secretbox``)."""
    analysis_workers: int | None = None
    """Processes computing ``/api/analysis`` per server process."""
    analysis_seconds: float | None = None
    """Time limit of one analysis."""
    operator_password: str | None = Field(default=None, repr=False)
    """The password of ``volition operator NAME`` (else a prompt)."""

    @classmethod
    def from_env(cls) -> PlatformSettings:
        """The settings of this process's environment; ``InputError`` saying what is wrong."""
        try:
            return cls()
        except ValidationError as exc:
            raise InputError("; ".join(_message(e) for e in exc.errors())) from None

    @property
    def analysis(self) -> AnalysisLimits:
        """The limits of ``/api/analysis``: the defaults with this operator's workers and time."""
        limits = AnalysisLimits()
        return AnalysisLimits(
            workers=limits.workers if self.analysis_workers is None else self.analysis_workers,
            seconds=limits.seconds if self.analysis_seconds is None else self.analysis_seconds,
        )

    @field_validator("database_url", "redis_url", "secret_key", "operator_password", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return value or None

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("inspectors", mode="before")
    @classmethod
    def _inspectors(cls, value: Any) -> Any:
        if isinstance(value, str):
            return Inspectors.parse(value.strip()) if value.strip() else Inspectors()
        return value

    @field_validator("allow_private_urls", mode="before")
    @classmethod
    def _truthy(cls, value: Any) -> Any:
        return truthy(value) if isinstance(value, str) else value

    @field_validator("inline", mode="before")
    @classmethod
    def _yes_or_no(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        word = value.strip().lower()
        if word not in _YES + _NO:
            raise ValueError(
                f"VOLITION_INLINE must be 1, true or yes, or 0, false or no; not {value!r}"
            )
        return word in _YES

    @field_validator(*_WHOLE, mode="before")
    @classmethod
    def _whole_number(cls, value: Any, info: ValidationInfo) -> int | None:
        """Digits from the environment (or an int) at least the field's least value."""
        if value is None and info.field_name == "analysis_workers":
            return None
        rule, least = _WHOLE[str(info.field_name)]
        name = f"VOLITION_{str(info.field_name).upper()}"
        digits = isinstance(value, str) and value.isdigit()
        number = isinstance(value, int) and not isinstance(value, bool)
        if not (digits or number) or int(value) < least:
            raise ValueError(f"{name} {rule}, not {value!r}")
        return int(value)

    @field_validator("analysis_seconds", mode="before")
    @classmethod
    def _analysis_seconds(cls, value: Any) -> float | None:
        if value is None:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not number > 0 or math.isinf(number):
            raise ValueError(f"VOLITION_ANALYSIS_SECONDS must be a positive number, not {value!r}")
        return number


def _message(error: Any) -> str:
    """A validation error's own words (the validators' messages name their variable)."""
    cause = error.get("ctx", {}).get("error")
    if cause is not None:
        return str(cause)
    name = "VOLITION_" + "_".join(str(p) for p in error["loc"]).upper()
    return f"{name}: {error['msg']}"
