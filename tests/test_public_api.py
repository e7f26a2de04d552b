"""The curated public API of volition.core, pinned (like httpx's tests/test_exported_members)."""

import volition.core
import volition.errors


def test_core_exports_exactly_its_public_names() -> None:
    exported = {name for name in dir(volition.core) if not name.startswith("_")}
    modules = {
        "compiled",
        "decision",
        "files",
        "grouping",
        "partition",
        "problem",
        "scoring",
        "seller_choice",
        "space",
        "voi",
        "world",
    }
    assert exported - modules == set(volition.core.__all__)
    constants = {"PRIOR_ATOL", "TIE_RTOL", "Info"}
    for name in set(volition.core.__all__) - constants:
        assert getattr(volition.core, name).__module__.startswith("volition.core."), name


def test_every_error_derives_from_the_root() -> None:
    for name in volition.errors.__all__:
        assert issubclass(getattr(volition.errors, name), volition.errors.VolitionError)
    assert issubclass(volition.errors.InputError, ValueError)
