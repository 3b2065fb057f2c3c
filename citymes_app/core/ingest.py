"""Taking in one inbound message from any channel: fetch its media, run the pipeline in the group-committing writer,
tell the inbox.

Shared by the webhooks and the pollers, so both paths store and answer a message exactly the same way.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from citymes_app.core import citizens, pipeline, text_intake
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.core.media import save_media
from citymes_app.core.writer import BatchWriter
from citymes_app.models import Channel as ChannelRow
from integrations.base import Channel, InboundMessage, PermanentChannelError

log = logging.getLogger(__name__)


@dataclass
class Ingestor:
    """Everything `ingest` needs, built once by the wiring."""

    engine: Engine
    bus: EventBus
    media_dir: Path
    writer: BatchWriter = field(init=False)

    def __post_init__(self) -> None:
        self.writer = BatchWriter(self.engine)

    async def ingest(self, *, channel_id: int, channel: Channel, inbound: InboundMessage) -> pipeline.ReceiveResult:
        """Store and route `inbound`; when this returns the message is committed (acknowledge it then).

        A transient failure fetching the media raises, so the platform retries the delivery later.
        """
        media = None
        if inbound.media is not None:
            # Only a message with media is checked first: a retried delivery must not fetch its file again.
            if await asyncio.to_thread(self._already_stored, channel_id, inbound.platform_message_id):
                return pipeline.ReceiveResult(duplicate=True)
            media = await self._fetch_media(channel_id, channel, inbound)
        result = await self.writer.run(functools.partial(self._store, channel_id=channel_id, inbound=inbound, media=media))
        if not result.duplicate and result.tenant_id is not None and result.conversation_id is not None:
            self.bus.publish(InboxEvent(result.tenant_id, result.conversation_id, InboxEventKind.MESSAGE, result.message_id))
            for reply_id in result.reply_message_ids:
                self.bus.publish(InboxEvent(result.tenant_id, result.conversation_id, InboxEventKind.MESSAGE, reply_id))
            if result.reply_message_ids:
                self.bus.wake_outbox()
        return result

    async def _fetch_media(self, channel_id: int, channel: Channel, inbound: InboundMessage) -> pipeline.StoredMedia | None:
        assert inbound.media is not None
        try:
            data = await channel.download_media(inbound.media)
        except PermanentChannelError as exc:
            log.warning("channel %s: media of a message could not be fetched (%s)", channel_id, type(exc).__name__)
            return None
        path = await asyncio.to_thread(
            save_media,
            self.media_dir,
            tenant_id=await asyncio.to_thread(self._tenant_of, channel_id),
            data=data,
            kind=inbound.kind,
            filename=inbound.media.filename,
            mime_type=inbound.media.mime_type,
        )
        return pipeline.StoredMedia(path=path, mime_type=inbound.media.mime_type, filename=inbound.media.filename)

    def _already_stored(self, channel_id: int, platform_message_id: str) -> bool:
        with Session(self.engine) as session:
            return pipeline.already_stored(session, channel_id=channel_id, platform_message_id=platform_message_id)

    def _tenant_of(self, channel_id: int) -> int:
        with Session(self.engine) as session:
            return session.exec(select(ChannelRow.tenant_id).where(ChannelRow.id == channel_id)).one()

    @staticmethod
    def _store(
        session: Session, *, channel_id: int, inbound: InboundMessage, media: pipeline.StoredMedia | None
    ) -> pipeline.ReceiveResult:
        """One message, in the writer's transaction (inside its own savepoint)."""
        # The pipeline never reads the credentials: leave them sealed (no decrypt on the message path).
        row = session.get_one(ChannelRow, channel_id, options=[defer(ChannelRow.credentials)])  # type: ignore[arg-type]
        try:
            with session.begin_nested():
                fast = text_intake.receive_text(session, channel=row, inbound=inbound) if media is None else None
                if fast is not None:
                    return fast
                result = pipeline.receive(session, channel=row, inbound=inbound, media=media)
                if not result.duplicate and result.conversation_id is not None:
                    citizens.link_conversation_citizen(session, conversation_id=result.conversation_id)
        except IntegrityError:
            # The same update arrived twice at once and another worker's delivery stored it first.
            if pipeline.already_stored(session, channel_id=channel_id, platform_message_id=inbound.platform_message_id):
                return pipeline.ReceiveResult(duplicate=True)
            raise
        return result
