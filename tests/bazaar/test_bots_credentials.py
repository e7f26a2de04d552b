"""Per-user LLM credentials: encrypted at rest, decrypted for one call, never shown or logged."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.bazaar import Cast
from volition.agents.scripted_server import Reply, ScriptedOpenAIServer
from volition.bazaar.bot_dispatch import BotDispatcher, endpoint_for
from volition.bazaar.domain import Bazaar, BotService, ContextSpec, MemoryStore, Store
from volition.bazaar.errors import Conflict, NotFound
from volition.bazaar.secretbox import (
    ENV_VAR,
    SecretBox,
    SecretKeyError,
    key_file_for,
    new_key,
    secret_box_for,
)
from volition.bazaar.storage import SqlStore
from volition.errors import InputError

KEY = "sk-live-SECRET-0123456789abcdef"


def stored_rows(store: Store) -> list[str]:
    """Everything stored about credentials, as the database (or memory) holds it."""
    if isinstance(store, MemoryStore):
        return [repr(tuple(getattr(c, f) for f in c.__slots__)) for c in store.credentials.values()]
    assert isinstance(store, SqlStore)
    with store.engine.connect() as conn:
        return [str(tuple(r)) for r in conn.execute(text("SELECT * FROM llm_credentials"))]


def test_the_key_is_stored_encrypted_and_shown_only_as_a_hint(
    bazaar: Bazaar, cast: Cast, store: Store
) -> None:
    service = BotService(bazaar, SecretBox(new_key()))
    cred = service.set_credential(
        cast.seller.id, base_url="https://llm.example/v1", model="m", api_key=KEY
    )
    [row] = stored_rows(store)
    assert KEY not in row and "SECRET" not in row
    assert "https://llm.example/v1" in row
    assert cred.key_hint == "...cdef" and KEY not in repr(cred)
    assert service.credential(cast.seller.id).secret != KEY
    endpoint = endpoint_for(service, cast.seller.id)
    assert (endpoint.base_url, endpoint.model, endpoint.api_key) == (
        "https://llm.example/v1",
        "m",
        KEY,
    )
    assert KEY not in repr(endpoint)
    with pytest.raises(NotFound):
        service.credential(cast.other_seller.id)  # one user's key is theirs alone


def test_a_wrong_master_key_gives_a_clear_error(bazaar: Bazaar, cast: Cast) -> None:
    BotService(bazaar, SecretBox(new_key())).set_credential(
        cast.seller.id, base_url="http://localhost:1/v1", model="m", api_key=KEY
    )
    other = BotService(bazaar, SecretBox(new_key()))
    with pytest.raises(SecretKeyError, match="not the one it was stored with"):
        endpoint_for(other, cast.seller.id)
    with pytest.raises(SecretKeyError, match="not a Fernet key"):
        SecretBox("hunter2")


def test_replacing_and_deleting_a_credential(bazaar: Bazaar, cast: Cast, store: Store) -> None:
    service = BotService(bazaar, SecretBox(new_key()))
    service.set_credential(cast.seller.id, base_url="http://a/v1", model="m1", api_key=KEY)
    service.set_credential(cast.seller.id, base_url="http://b/v1", model="m2", api_key="k2")
    cred = service.credential(cast.seller.id)
    assert (cred.base_url, cred.model, cred.key_hint) == ("http://b/v1", "m2", "...")
    assert service.api_key(cred) == "k2"
    service.delete_credential(cast.seller.id)
    assert stored_rows(store) == []
    with pytest.raises(NotFound):
        service.delete_credential(cast.seller.id)
    with pytest.raises(Conflict, match="no LLM endpoint"):
        endpoint_for(service, cast.seller.id)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"api_key": ""}, "API key"),
        ({"api_key": "sk abc"}, "white space"),
        ({"api_key": "k" * 1_001}, "limit"),
        ({"base_url": "file:///etc/passwd"}, "http"),
        ({"base_url": ""}, "base URL"),
        ({"model": " "}, "model"),
    ],
)
def test_bad_credentials_are_refused_and_change_nothing(
    bazaar: Bazaar, cast: Cast, store: Store, fields: dict[str, str], message: str
) -> None:
    service = BotService(bazaar, SecretBox(new_key()))
    values = {"base_url": "http://a/v1", "model": "m", "api_key": KEY, **fields}
    with pytest.raises(InputError, match=message):
        service.set_credential(cast.seller.id, **values)
    assert stored_rows(store) == []


def test_the_key_never_reaches_the_logs(
    bazaar: Bazaar, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    service = BotService(bazaar, SecretBox(new_key()))
    caplog.set_level(logging.DEBUG)
    with ScriptedOpenAIServer([Reply(status=401), "{}"]) as server:
        service.set_credential(cast.seller.id, base_url=server.base_url, model="m", api_key=KEY)
        service.create_bot(cast.seller.id, name="llm", kind="llm", price=5, instructions="x")
        bazaar.post_context(cast.buyer.id, ContextSpec("Will it rain?", 100))
        BotDispatcher(bazaar, service).run_due()
        assert server.authorizations == [f"Bearer {KEY}"]
    assert KEY not in caplog.text and "SECRET" not in caplog.text


def test_where_the_master_key_comes_from(tmp_path: Path) -> None:
    db = tmp_path / "volition.db"
    box = secret_box_for(f"sqlite:///{db}", environ={})
    path = key_file_for(db)
    assert path == tmp_path / "volition.db.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = secret_box_for(f"sqlite:///{db}", environ={})
    assert again.decrypt(box.encrypt("x")) == "x"  # the same key, read back
    key = new_key()
    from_env = secret_box_for(f"sqlite:///{db}", environ={ENV_VAR: key})
    assert SecretBox(key).decrypt(from_env.encrypt("y")) == "y"
    with pytest.raises(SecretKeyError, match=ENV_VAR):
        secret_box_for("postgresql+psycopg://u@h/db", environ={})
    memory = secret_box_for(None, environ={})
    assert memory.decrypt(memory.encrypt("z")) == "z"
    assert key not in repr(from_env)


def test_the_key_goes_only_to_the_base_url_it_was_stored_for(bazaar: Bazaar, cast: Cast) -> None:
    service = BotService(bazaar, SecretBox(new_key()))
    service.set_credential(
        cast.seller.id, base_url="https://llm.example/v1", model="m", api_key=KEY
    )
    same = endpoint_for(service, cast.seller.id, base_url="https://llm.example/v1", model="m2")
    assert (same.api_key, same.model) == (KEY, "m2")
    elsewhere = endpoint_for(service, cast.seller.id, base_url="http://127.0.0.1:11434/v1")
    assert elsewhere.api_key != KEY and elsewhere.model == "m"
    with ScriptedOpenAIServer(['{"offer": false}']) as server:
        service.create_bot(
            cast.seller.id, name="local", kind="llm", price=5, instructions="x",
            base_url=server.base_url,
        )  # fmt: skip
        bazaar.post_context(cast.buyer.id, ContextSpec("Will it rain?", 100))
        assert BotDispatcher(bazaar, service).run_due() == 0
        assert len(server.requests) == 1 and KEY not in str(server.authorizations)


def test_a_bot_whose_key_cannot_be_decrypted_fails_alone(
    bazaar: Bazaar, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    stored_with = BotService(bazaar, SecretBox(new_key()))
    stored_with.set_credential(
        cast.seller.id, base_url="http://127.0.0.1:9/v1", model="m", api_key=KEY
    )
    llm = stored_with.create_bot(cast.seller.id, name="llm", kind="llm", price=5, instructions="x")
    stored_with.create_bot(
        cast.other_seller.id, name="fixed", kind="fixed", price=5, preview="p", private_info="s"
    )
    ctx = bazaar.post_context(cast.buyer.id, ContextSpec("Will it rain?", 100))
    wrong = BotService(bazaar, SecretBox(new_key()))  # the server lost its master key
    dispatcher = BotDispatcher(bazaar, wrong, max_attempts=1)
    assert dispatcher.run_due() == 1  # the fixed bot's offer
    [job] = wrong.jobs(cast.seller.id, llm.id)
    assert job.status.value == "failed" and job.error == "the bot failed (SecretKeyError)"
    assert [o.seller_id for o in bazaar.offers(cast.buyer.id, ctx.id)] == [cast.other_seller.id]
    assert KEY not in caplog.text
