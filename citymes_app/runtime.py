"""The live objects of one process: database engine, event bus, channels, the use cases, dispatcher, pollers.

This is where the concrete platforms are chosen; `core` only ever sees the interface in `integrations/base.py`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.engine import Engine

from citymes_app.core.channels import ChannelDirectory
from citymes_app.core.config import Settings, load_settings
from citymes_app.core.db import get_engine
from citymes_app.core.events import EventBus, bus
from citymes_app.core.inbox_desk import InboxDesk
from citymes_app.core.ingest import Ingestor
from citymes_app.core.operators import OperatorAccounts
from citymes_app.core.outbox import OutboxDispatcher
from citymes_app.core.polling import PollingSupervisor
from citymes_app.core.reports import ReportDesk
from citymes_app.core.signin import SignInDesk, SignInThrottle, throttle_storage_uri
from integrations.base import Channel
from integrations.telegram import TelegramChannel
from integrations.whatsapp import WhatsAppChannel

# httpx logs every request URL at INFO, and Bot API URLs carry the bot token: keep it to warnings.
logging.getLogger("httpx").setLevel(logging.WARNING)

PLATFORMS: dict[str, type[Channel]] = {
    TelegramChannel.platform: TelegramChannel,
    WhatsAppChannel.platform: WhatsAppChannel,
}


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    bus: EventBus
    channels: ChannelDirectory
    ingestor: Ingestor
    signin: SignInDesk
    operator_accounts: OperatorAccounts
    inbox: InboxDesk
    reports: ReportDesk

    def dispatcher(self, *, poll_interval: float = 1.0) -> OutboxDispatcher:
        """A new outbox dispatcher for this process."""
        return OutboxDispatcher(
            engine=self.engine,
            channel_for=self.channels.get,
            bus=self.bus,
            media_dir=self.settings.media_dir,
            poll_interval=poll_interval,
        )

    def pollers(self) -> PollingSupervisor:
        """A supervisor running this process's share of the polling channels."""
        return PollingSupervisor(ingestor=self.ingestor, channels=self.channels)


def build_runtime(settings: Settings | None = None) -> Runtime:
    """Wire a runtime for `settings` (tests build their own against a temporary database)."""
    settings = settings or load_settings()
    engine = get_engine(settings.database_url)
    return Runtime(
        settings=settings,
        engine=engine,
        bus=bus,
        channels=ChannelDirectory(engine=engine, platforms=PLATFORMS),
        ingestor=Ingestor(engine=engine, bus=bus, media_dir=settings.media_dir),
        signin=SignInDesk(engine=engine, throttle=SignInThrottle(throttle_storage_uri(settings.redis_url))),
        operator_accounts=OperatorAccounts(engine=engine),
        inbox=InboxDesk(engine=engine, bus=bus, media_dir=settings.media_dir),
        reports=ReportDesk(engine=engine),
    )


@lru_cache(maxsize=1)
def get_runtime() -> Runtime:
    """The process's runtime, built from the environment on first use."""
    return build_runtime()
