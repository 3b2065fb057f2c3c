"""Channel credentials sealed at rest: bot tokens, access tokens, app secrets and verify tokens are stored as Fernet
tokens (AES-128-CBC with an HMAC-SHA256, from `cryptography`), so a copy of the database file reveals none of them.

The keys come from `CITYMES_ENCRYPTION_KEYS` (comma-separated Fernet keys, or the keys file: see `core.config`).
The first key seals; every key listed opens, so a key is rotated by putting a new one first, running
`cli secrets rotate`, then dropping the old one. There is no plaintext fallback: without a key, storing or reading
credentials fails with a message saying how to set one.

Error messages here never carry a credential or a ciphertext: they go to logs and terminals.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Connection, column, table, update
from sqlalchemy.types import Text, TypeDecorator

from citymes_app.core.config import encryption_keys, keys_file_path

HOW_TO_SET_A_KEY = (
    "set CITYMES_ENCRYPTION_KEYS to a Fernet key (`python -m citymes_app.cli secrets new-key` prints one), "
    "or put CITYMES_ENCRYPTION_KEYS=<key> in the keys file {path} (`make run` creates it for the demo)"
)


class VaultError(RuntimeError):
    """Channel credentials cannot be sealed or opened; the message says what to do."""


class MissingKey(VaultError):
    """No encryption key is configured."""


class UnreadableCredentials(VaultError):
    """Stored credentials that none of the configured keys opens (or that were never sealed)."""


def new_key() -> str:
    """A fresh random Fernet key (URL-safe base64 of 32 random bytes)."""
    return Fernet.generate_key().decode("ascii")


@lru_cache(maxsize=8)
def _ring_for(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            # Never echo the key itself: say which one is wrong.
            raise VaultError(
                f"encryption key {position} of CITYMES_ENCRYPTION_KEYS is not a Fernet key "
                "(32 bytes in URL-safe base64, as `python -m citymes_app.cli secrets new-key` prints)"
            ) from None
    return MultiFernet(fernets)


def key_ring() -> MultiFernet:
    """The configured keys (read again on every call, so a changed environment takes effect); `MissingKey` if none."""
    keys = encryption_keys()  # only the keys: called on every credentials read, it builds no settings
    if not keys:
        raise MissingKey(
            "channel credentials are encrypted at rest and no encryption key is set: "
            + HOW_TO_SET_A_KEY.format(path=keys_file_path())
        )
    return _ring_for(keys)


def seal(credentials: dict[str, Any]) -> str:
    """The credentials as a Fernet token under the first key."""
    return key_ring().encrypt(json.dumps(credentials, sort_keys=True).encode("utf-8")).decode("ascii")


def open_sealed(token: str | bytes) -> dict[str, Any]:
    """The credentials inside a Fernet token; `UnreadableCredentials` when no configured key opens it."""
    ring = key_ring()
    try:
        plain = ring.decrypt(token.encode("ascii") if isinstance(token, str) else token)
    except (InvalidToken, UnicodeEncodeError):
        raise UnreadableCredentials(
            "stored channel credentials cannot be decrypted with any key in CITYMES_ENCRYPTION_KEYS: the key that "
            "sealed them is missing from the list (add it back after the new key, then run "
            "`python -m citymes_app.cli secrets rotate`), or the database was not migrated (`cli init-db`)"
        ) from None
    return json.loads(plain)


class SealedJSON(TypeDecorator):
    """A JSON object stored as a Fernet token in a text column: the code reads and writes a dict."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return seal(value)

    def process_result_value(self, value: str | None, dialect: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        return open_sealed(value)


def rotate_channel_credentials(connection: Connection) -> int:
    """Re-seal every channel's credentials under the first key (`MultiFernet.rotate`); returns how many channels.

    Works on the stored tokens without a round trip through the model, so nothing else about a channel changes.
    A channel that no configured key opens stops the rotation with its id named (nothing is half-done: the caller's
    transaction rolls back).
    """
    ring = key_ring()
    channel = table("channel", column("id"), column("credentials", Text))
    rows = connection.execute(channel.select().order_by(channel.c.id)).all()
    for channel_id, token in rows:
        try:
            rotated = ring.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError, AttributeError):
            raise UnreadableCredentials(
                f"channel {channel_id}'s credentials cannot be decrypted with any key in CITYMES_ENCRYPTION_KEYS: "
                "list the key that sealed them after the new one, rotate, and only then drop it"
            ) from None
        connection.execute(update(channel).where(channel.c.id == channel_id).values(credentials=rotated))
    return len(rows)
