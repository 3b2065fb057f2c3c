"""Settings from the environment, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    database_url: str
    media_dir: Path
    telegram_api_base: str
    whatsapp_api_base: str
    public_base_url: str  # where platforms reach our webhooks
    simulator_url: str  # the local stand-in the demo's citizen phone talks to
    secret_key: str = ""  # the server secret live-update (shared-state) tokens are derived from
    redis_url: str | None = None  # Reflex's state manager when set; sign-in throttling counts there too


def load_settings() -> Settings:
    """Read the settings from the environment (see the README for each variable)."""
    media_dir = Path(os.environ.get("CITYMES_MEDIA_DIR", "data/media"))
    if not media_dir.is_absolute():
        media_dir = PROJECT_ROOT / media_dir
    return Settings(
        database_url=os.environ.get("CITYMES_DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'data' / 'citymes.db'}"),
        media_dir=media_dir,
        telegram_api_base=os.environ.get("CITYMES_TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/"),
        whatsapp_api_base=os.environ.get("CITYMES_WHATSAPP_API_BASE", "https://graph.facebook.com").rstrip("/"),
        public_base_url=os.environ.get("CITYMES_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        simulator_url=os.environ.get("CITYMES_SIMULATOR_URL", "http://127.0.0.1:8081").rstrip("/"),
        secret_key=os.environ.get("CITYMES_SECRET_KEY", ""),
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
    )
