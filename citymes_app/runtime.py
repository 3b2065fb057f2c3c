"""The live objects of one process: database engine, event bus, channels, the use cases, dispatcher, pollers.

This is where the concrete platforms are chosen; `core` only ever sees the interface in `integrations/base.py`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.engine import Engine

from citymes_app.core.canned_desk import CannedResponseDesk
from citymes_app.core.channel_desk import ChannelDesk
from citymes_app.core.channels import ChannelDirectory
from citymes_app.core.config import Settings, load_settings
from citymes_app.core.db import get_engine
from citymes_app.core.department_desk import DepartmentDesk
from citymes_app.core.events import EventBus, bus
from citymes_app.core.inbox_desk import InboxDesk
from citymes_app.core.ingest import Ingestor
from citymes_app.core.keyword_desk import KeywordDesk
from citymes_app.core.label_desk import LabelDesk
from citymes_app.core.list_desk import ListDesk
from citymes_app.core.office_hours_desk import OfficeHoursDesk
from citymes_app.core.operators import OperatorAccounts
from citymes_app.core.outbox import OutboxDispatcher
from citymes_app.core.polling import PollingSupervisor
from citymes_app.core.reports import ReportDesk
from citymes_app.core.signin import SignInDesk, SignInThrottle, throttle_storage_uri
from citymes_app.core.statistics_desk import StatisticsDesk
from citymes_app.core.writer import BatchWriter
from integrations.base import PlatformLink
from integrations.telegram import TelegramChannel
from integrations.whatsapp import WhatsAppChannel

# httpx logs every request URL at INFO, and Bot API URLs carry the bot token: keep it to warnings.
logging.getLogger("httpx").setLevel(logging.WARNING)


def platform_links(settings: Settings) -> dict[str, PlatformLink]:
    """The platforms this installation serves, each against the API base the settings give (real or simulator)."""
    links = (
        PlatformLink(TelegramChannel, settings.telegram_api_base),
        PlatformLink(WhatsAppChannel, settings.whatsapp_api_base),
    )
    return {link.platform: link for link in links}


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    bus: EventBus
    channels: ChannelDirectory
    writer: BatchWriter  # the process's one writer: messages in, outbox steps
    ingestor: Ingestor
    signin: SignInDesk
    operator_accounts: OperatorAccounts
    inbox: InboxDesk
    reports: ReportDesk
    statistics: StatisticsDesk  # the managers' dashboard
    # The administration pages' use cases.
    keyword_desk: KeywordDesk
    office_hours_desk: OfficeHoursDesk
    channel_desk: ChannelDesk
    canned_desk: CannedResponseDesk  # also the inbox's reply box: any operator lists and inserts them
    label_desk: LabelDesk
    department_desk: DepartmentDesk
    list_desk: ListDesk

    def dispatcher(self, *, poll_interval: float = 1.0) -> OutboxDispatcher:
        """A new outbox dispatcher for this process."""
        return OutboxDispatcher(
            engine=self.engine,
            writer=self.writer,
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
    writer = BatchWriter(engine)
    channels = ChannelDirectory(engine=engine, platforms=platform_links(settings))
    return Runtime(
        settings=settings,
        engine=engine,
        bus=bus,
        channels=channels,
        writer=writer,
        ingestor=Ingestor(engine=engine, bus=bus, media_dir=settings.media_dir, writer=writer),
        signin=SignInDesk(engine=engine, throttle=SignInThrottle(throttle_storage_uri(settings.redis_url))),
        operator_accounts=OperatorAccounts(engine=engine),
        inbox=InboxDesk(engine=engine, bus=bus, media_dir=settings.media_dir),
        reports=ReportDesk(engine=engine),
        statistics=StatisticsDesk(engine=engine),
        # The administration pages' use cases.
        keyword_desk=KeywordDesk(engine=engine, media_dir=settings.media_dir),
        office_hours_desk=OfficeHoursDesk(engine=engine),
        channel_desk=ChannelDesk(engine=engine, public_base_url=settings.public_base_url, on_change=channels.forget),
        canned_desk=CannedResponseDesk(engine=engine),
        label_desk=LabelDesk(engine=engine, bus=bus),
        department_desk=DepartmentDesk(engine=engine, bus=bus),
        list_desk=ListDesk(engine=engine, bus=bus),
    )


@lru_cache(maxsize=1)
def get_runtime() -> Runtime:
    """The process's runtime, built from the environment on first use."""
    return build_runtime()
