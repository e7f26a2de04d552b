"""The operator's settings (``volition.bazaar.config``): every ``VOLITION_*`` variable a server
reads, checked at start with the messages of before, documented, and carried into the one
assembly (``volition.bazaar.platform``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from volition.bazaar.config import DEFAULT_THREADS, PlatformSettings
from volition.bazaar.domain import Bazaar, MemoryStore
from volition.bazaar.platform import assemble
from volition.bazaar.secretbox import SecretBox, SecretKeyError, new_key
from volition.bazaar.security import Argon2Hasher
from volition.cli import run
from volition.errors import InputError

GUIDE = Path(__file__).resolve().parents[2] / "docs/tutorials/operator.md"
ALL = [f"VOLITION_{name.upper()}" for name in PlatformSettings.model_fields]


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ALL:
        monkeypatch.delenv(name, raising=False)


def test_every_variable_is_read_by_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    key = new_key()
    given = {
        "VOLITION_DATABASE_URL": "sqlite:///x.db",
        "VOLITION_STARTING_GRANT": "250",
        "VOLITION_CORS_ORIGINS": "https://a.example, ,https://b.example",
        "VOLITION_THREADS": "3",
        "VOLITION_INLINE": " No ",
        "VOLITION_REDIS_URL": "redis://127.0.0.1:6379",
        "VOLITION_TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1",
        "VOLITION_INSPECTORS": '[{"name": "mini", "base_url": "http://m/v1", "model": "m"}]',
        "VOLITION_ALLOW_PRIVATE_URLS": "Yes",
        "VOLITION_SECRET_KEY": key,
        "VOLITION_ANALYSIS_WORKERS": "4",
        "VOLITION_ANALYSIS_SECONDS": "2.5",
        "VOLITION_OPERATOR_PASSWORD": "a long operator password",
    }
    assert set(given) == set(ALL)
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    s = PlatformSettings.from_env()
    assert (s.database_url, s.starting_grant, s.threads) == ("sqlite:///x.db", 250, 3)
    assert s.inline is False
    assert s.cors_origins == ("https://a.example", "https://b.example")
    assert s.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    assert s.redis_url == "redis://127.0.0.1:6379" and s.secret_key == key
    assert s.inspectors.names == ("offline", "mini") and s.allow_private_urls
    assert (s.analysis.workers, s.analysis.seconds) == (4, 2.5)
    assert s.operator_password == "a long operator password"
    shown = repr(s) + str(s)
    for secret in (key, "a long operator password", "x.db", "redis://"):
        assert secret not in shown


def test_unset_or_empty_variables_take_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "INSPECTORS", "CORS_ORIGINS"):
        monkeypatch.setenv(f"VOLITION_{name}", "")
    s = PlatformSettings.from_env()
    assert (s.database_url, s.redis_url, s.secret_key, s.cors_origins) == (None, None, None, ())
    assert (s.starting_grant, s.threads, s.allow_private_urls) == (0, DEFAULT_THREADS, False)
    assert s.inline is True
    assert s.inspectors.names == ("offline",)
    assert (s.analysis.workers, s.analysis.seconds) == (2, 20.0)


CENTS = "must be whole cents >= 0"
WHOLE = "must be a whole number >= 1"
POSITIVE = "must be a positive number"


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("STARTING_GRANT", "-5", CENTS),
        ("STARTING_GRANT", "1.5", CENTS),
        ("STARTING_GRANT", "", CENTS),
        ("THREADS", "0", WHOLE),
        ("THREADS", "many", WHOLE),
        ("ANALYSIS_WORKERS", "0", WHOLE),
        ("ANALYSIS_SECONDS", "inf", POSITIVE),
        ("ANALYSIS_SECONDS", "nan", POSITIVE),
        ("ANALYSIS_SECONDS", "-1", POSITIVE),
    ],
)
def test_a_bad_variable_is_refused_in_its_own_words(
    name: str, value: str, rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"VOLITION_{name}", value)
    with pytest.raises(InputError) as caught:
        PlatformSettings.from_env()
    assert str(caught.value) == f"VOLITION_{name} {rule}, not {value!r}"


@pytest.mark.parametrize("value", ["maybe", "", "2", "on!"])
def test_inline_is_yes_or_no_and_nothing_else(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLITION_INLINE", value)
    with pytest.raises(InputError) as caught:
        PlatformSettings.from_env()
    expected = f"VOLITION_INLINE must be 1, true or yes, or 0, false or no; not {value!r}"
    assert str(caught.value) == expected


@pytest.mark.parametrize(("value", "inline"), [("1", True), ("YES", True), ("false", False)])
def test_inline_reads_its_words(value: str, inline: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLITION_INLINE", value)
    assert PlatformSettings.from_env().inline is inline


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[", "VOLITION_INSPECTORS is not JSON: Expecting value at position 1"),
        ("{}", "VOLITION_INSPECTORS must be a JSON list of inspectors, not dict"),
    ],
)
def test_a_bad_inspectors_list_is_refused_in_its_own_words(
    value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOLITION_INSPECTORS", value)
    with pytest.raises(InputError) as caught:
        PlatformSettings.from_env()
    assert str(caught.value) == message


def test_every_bad_variable_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLITION_THREADS", "0")
    monkeypatch.setenv("VOLITION_STARTING_GRANT", "x")
    with pytest.raises(InputError) as caught:
        PlatformSettings.from_env()
    assert "VOLITION_THREADS" in str(caught.value) and "VOLITION_STARTING_GRANT" in str(
        caught.value
    )


@pytest.mark.parametrize(
    "command", [["serve", "--port", "1"], ["worker", "--once"], ["operator", "root"]]
)
def test_a_bad_variable_stops_each_server_command_before_it_starts(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VOLITION_THREADS", "0")
    database = f"sqlite:///{tmp_path / 'never.db'}"
    assert run([*command, "--database", database]) == 2
    assert "VOLITION_THREADS must be a whole number >= 1, not '0'" in capsys.readouterr().err
    assert not (tmp_path / "never.db").exists()  # refused before opening anything


def test_the_operators_guide_lists_every_variable() -> None:
    listed = set(re.findall(r"^\| `(VOLITION_[A-Z_]+)` \|", GUIDE.read_text(), flags=re.M))
    assert listed == set(ALL)


def test_the_assembly_keeps_llm_keys_with_the_operators_secret_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOLITION_ALLOW_PRIVATE_URLS", "1")  # llm.example does not resolve
    key = new_key()
    bazaar = Bazaar(MemoryStore(), hasher=Argon2Hasher())
    alice = bazaar.register("alice", "a long password")
    platform = assemble(bazaar, PlatformSettings(secret_key=key))
    stored = platform.bots.set_credential(
        alice.id, base_url="https://llm.example/v1", model="m", api_key="sk-alice"
    )
    assert SecretBox(key).decrypt(stored.secret) == "sk-alice"
    with pytest.raises(SecretKeyError):
        SecretBox(new_key()).decrypt(stored.secret)
