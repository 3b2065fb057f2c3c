"""The channels the demo's citizen phone can write to: enabled bots and numbers of the platforms on the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core import tenants
from citymes_app.core.clock import tenant_timezone


@dataclass(frozen=True)
class PhoneChannel:
    """An enabled channel a citizen can write to, with its tenant's timezone (for the phone's clock)."""

    id: int
    name: str  # "" when the channel has none
    platform: str
    credentials: Mapping[str, Any]  # stays on the server: only the simulator client reads it
    timezone: ZoneInfo


def _phone_channels(engine: Engine, platforms: Collection[str]) -> list[PhoneChannel]:
    with Session(engine) as session:
        return [
            PhoneChannel(
                id=channel.id,
                name=channel.name or "",
                platform=channel.platform,
                credentials=dict(channel.credentials or {}),
                timezone=tenant_timezone(session, tenant_id=channel.tenant_id),
            )
            for channel in tenants.list_channels(session, enabled_only=True)
            if channel.platform in platforms and channel.id is not None
        ]


async def phone_channels(engine: Engine, *, platforms: Collection[str]) -> list[PhoneChannel]:
    """The enabled channels of `platforms` (every tenant's, oldest first), read off the event loop."""
    return await asyncio.to_thread(_phone_channels, engine, platforms)
