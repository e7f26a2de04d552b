"""The master key that encrypts per-user LLM credentials at rest (Fernet: AES-128-CBC + HMAC).

Where the key comes from, first match wins:

1. ``$VOLITION_SECRET_KEY``: a Fernet key (``volition.bazaar.secretbox.new_key()`` makes one);
2. for an SQLite file database (the embedded default), the file ``<database>.key`` beside
   it, created on first use with permissions 0600 (back it up with the database: without it
   the stored keys cannot be read);
3. for an in-memory database, a key of this process only (the data dies with it anyway).

PostgreSQL needs ``VOLITION_SECRET_KEY``: several processes must share one key. The key is
never logged or shown; a wrong key gives :class:`SecretKeyError` with a message that says so.
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from volition.errors import ComputationError, InputError

__all__ = [
    "ENV_VAR",
    "LazySecretBox",
    "SecretBox",
    "SecretKeyError",
    "key_file_for",
    "new_key",
    "secret_box_for",
]

ENV_VAR = "VOLITION_SECRET_KEY"


class SecretKeyError(ComputationError):
    """The master key is missing, malformed, or not the one the secrets were stored with."""


def new_key() -> str:
    """A fresh random Fernet key (url-safe base64 text)."""
    return Fernet.generate_key().decode()


class SecretBox:
    """Encrypts and decrypts short secrets with one master key."""

    def __init__(self, key: str | bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise SecretKeyError(
                f"the master key is not a Fernet key (32 url-safe base64-encoded bytes); "
                f"make one with: python -c 'from volition.bazaar.secretbox import new_key; "
                f"print(new_key())' and put it in ${ENV_VAR}"
            ) from None

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    def encrypt(self, clear: str) -> str:
        return self._fernet.encrypt(clear.encode()).decode()

    def decrypt(self, secret: str) -> str:
        try:
            return self._fernet.decrypt(secret.encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                f"a stored LLM key cannot be decrypted: the master key (${ENV_VAR} or the "
                "key file beside the database) is not the one it was stored with; restore "
                "that key, or have the user store the API key again"
            ) from None


def key_file_for(database_path: str | Path) -> Path:
    """The key file of an SQLite database file: ``<database>.key`` beside it."""
    path = Path(database_path)
    return path.with_name(path.name + ".key")


def _read_or_create(path: Path) -> str:
    """The key in ``path``, created atomically (0600) if missing, so racers agree on one key."""
    if path.exists():
        return path.read_text().strip()
    key = new_key()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    try:
        os.link(tmp, path)  # fails if another process made the file first
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        tmp.unlink()
    return key


def secret_box_for(database: str | None, *, environ: dict[str, str] | None = None) -> SecretBox:
    """The secret box of a bazaar on ``database`` (a SQLAlchemy URL; None: in memory)."""
    env = os.environ if environ is None else environ
    key = env.get(ENV_VAR)
    if key:
        return SecretBox(key.strip())
    if database is None:
        return SecretBox(new_key())
    from sqlalchemy.engine import make_url

    url = make_url(database)
    if url.get_backend_name() != "sqlite":
        raise SecretKeyError(
            f"set ${ENV_VAR} to store LLM keys on {url.get_backend_name()}: every process "
            "must share one master key"
        )
    if not url.database or url.database == ":memory:":
        return SecretBox(new_key())
    path = key_file_for(url.database)
    if not path.parent.is_dir():
        raise InputError(f"the database folder {path.parent} does not exist")
    return SecretBox(_read_or_create(path))


class LazySecretBox:
    """A :class:`SecretBox` for ``database`` found (or its key file made) on first use only,
    so a server that never stores an LLM key needs no master key. ``secret_key``: the
    operator's key from the settings (else ``$VOLITION_SECRET_KEY`` is read at first use)."""

    def __init__(self, database: str | None, *, secret_key: str | None = None) -> None:
        self._database = database
        self._environ = {ENV_VAR: secret_key} if secret_key else None
        self._box: SecretBox | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "LazySecretBox(<key hidden>)"

    def _get(self) -> SecretBox:
        with self._lock:
            if self._box is None:
                self._box = secret_box_for(self._database, environ=self._environ)
            return self._box

    def encrypt(self, clear: str) -> str:
        return self._get().encrypt(clear)

    def decrypt(self, secret: str) -> str:
        return self._get().decrypt(secret)
