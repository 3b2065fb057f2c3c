"""Settings from the environment, in one place.

The server's secrets (`CITYMES_ENCRYPTION_KEYS`, `CITYMES_SECRET_KEY`) come from the environment; when it has none,
from a keys file (`CITYMES_KEYS_FILE`, default `data/keys.env`, `KEY=value` lines) read as defaults, which
`make run` creates for the demo. The environment always wins over the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_KEYS_FILE = "data/keys.env"


@dataclass(frozen=True)
class Settings:
    database_url: str
    media_dir: Path
    telegram_api_base: str
    whatsapp_api_base: str
    public_base_url: str  # where platforms reach our webhooks
    simulator_url: str  # the local stand-in the demo's citizen phone talks to
    # Fernet keys for the channel credentials: the first encrypts, every one decrypts (rotation). Empty: none set.
    encryption_keys: tuple[str, ...] = ()
    # A server secret to derive values no one outside can guess; "" when none is set.
    secret_key: str = ""
    redis_url: str | None = None  # Reflex's state manager when set; sign-in throttling counts there too
    keys_file: Path = PROJECT_ROOT / DEFAULT_KEYS_FILE  # where the defaults of the two secrets above are read
    # The statistics map's tiles ("https://tiles.example/{z}/{x}/{y}.png") and their credit; "": pins on a plain
    # background, so the map needs no tile server.
    map_tiles_url: str = ""
    map_tiles_attribution: str = ""


def keys_file_path() -> Path:
    """The keys file: `CITYMES_KEYS_FILE`, relative paths from the project root."""
    path = Path(os.environ.get("CITYMES_KEYS_FILE") or DEFAULT_KEYS_FILE)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _server_secret(name: str, keys_file: Path) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    try:
        changed = keys_file.stat().st_mtime_ns
    except OSError:
        return ""
    return str(_keys_file_values(keys_file, changed).get(name) or "").strip()


@lru_cache(maxsize=4)
def _keys_file_values(keys_file: Path, changed: int) -> dict[str, str | None]:
    """The keys file's values, read once per version of the file (credentials are decrypted on every channel read)."""
    return dotenv_values(keys_file)


def encryption_keys() -> tuple[str, ...]:
    """The Fernet keys of `CITYMES_ENCRYPTION_KEYS` (or the keys file), first one first; () when none is set."""
    keys = _server_secret("CITYMES_ENCRYPTION_KEYS", keys_file_path())
    return tuple(key.strip() for key in keys.split(",") if key.strip())


def load_settings() -> Settings:
    """Read the settings from the environment (see the README for each variable)."""
    media_dir = Path(os.environ.get("CITYMES_MEDIA_DIR", "data/media"))
    if not media_dir.is_absolute():
        media_dir = PROJECT_ROOT / media_dir
    keys_file = keys_file_path()
    return Settings(
        database_url=os.environ.get("CITYMES_DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'data' / 'citymes.db'}"),
        media_dir=media_dir,
        telegram_api_base=os.environ.get("CITYMES_TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/"),
        whatsapp_api_base=os.environ.get("CITYMES_WHATSAPP_API_BASE", "https://graph.facebook.com").rstrip("/"),
        public_base_url=os.environ.get("CITYMES_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        simulator_url=os.environ.get("CITYMES_SIMULATOR_URL", "http://127.0.0.1:8081").rstrip("/"),
        encryption_keys=encryption_keys(),
        secret_key=_server_secret("CITYMES_SECRET_KEY", keys_file),
        keys_file=keys_file,
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
        map_tiles_url=os.environ.get("CITYMES_MAP_TILES_URL", "").strip(),
        map_tiles_attribution=os.environ.get("CITYMES_MAP_TILES_ATTRIBUTION", "").strip(),
    )
