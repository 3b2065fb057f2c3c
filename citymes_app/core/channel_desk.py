"""The channels page's use cases: the organisation's bots and numbers, switching them off and on, approved templates.

`ChannelDesk` is built once by the wiring; each method re-checks that the caller is an administrator and acts only
on the caller's own tenant's channels, off the event loop, committing its change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from citymes_app.core import templates, tenants
from citymes_app.core.administration import AdminDesk
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.channels import webhook_url
from citymes_app.models import Channel, ChannelMode, Tenant, row_id


@dataclass(frozen=True)
class ChannelListing:
    """One channel of the organisation as its administrator sees it."""

    id: int
    name: str
    platform: str
    mode: ChannelMode
    enabled: bool
    webhook_url: str
    takes_templates: bool  # the platform has a free-form window, so operators need approved templates
    templates: list[templates.Template] = field(default_factory=list)
    # For the channel class to describe the channel's public address; never shown, never sent to a browser.
    credentials: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class RecordedTemplate:
    """A template just recorded, with the channel it is for."""

    template: templates.Template
    channel: ChannelListing


@dataclass(frozen=True)
class ChannelDesk(AdminDesk):
    """The channels page's use cases, built once by the wiring."""

    public_base_url: str
    # Told which channel changed (the process's channel directory reads it again at once).
    on_change: Callable[[int], None] = lambda channel_id: None

    async def list(self, *, by: SignedInOperator) -> list[ChannelListing]:
        """The tenant's channels, oldest first, with the templates of those that take them."""
        return await self._read(
            by,
            lambda session, tenant: [self._listing(session, c) for c in tenants.list_channels(session, tenant_id=row_id(tenant))],
        )

    async def set_enabled(self, *, by: SignedInOperator, channel_id: int, enabled: bool) -> None:
        """Switch a channel of the tenant on or off; `TenantError` if the tenant has no such channel."""

        def write(session: Session, tenant: Tenant) -> None:
            tenants.tenant_channel(session, tenant_id=row_id(tenant), channel_id=channel_id)
            tenants.set_channel_enabled(session, channel_id=channel_id, enabled=enabled)

        await self._write(by, write)
        self.on_change(channel_id)

    async def add_template(
        self, *, by: SignedInOperator, channel_id: int, name: str, language: str, body: str
    ) -> RecordedTemplate:
        """Record a template approved for a channel of the tenant; `TemplateError` names the field at fault."""

        def write(session: Session, tenant: Tenant) -> RecordedTemplate:
            channel = tenants.tenant_channel(session, tenant_id=row_id(tenant), channel_id=channel_id)
            if not templates.takes_templates(channel.platform):
                raise templates.TemplateError("this channel sends any message at any time: it needs no templates")
            template = templates.add_template(session, channel=channel, name=name, language=language, body=body)
            return RecordedTemplate(template, self._listing(session, channel))

        return await self._write(by, write)

    def _listing(self, session: Session, channel: Channel) -> ChannelListing:
        takes_templates = templates.takes_templates(channel.platform)
        return ChannelListing(
            id=row_id(channel),
            name=channel.name,
            platform=channel.platform,
            mode=ChannelMode(channel.mode),
            enabled=channel.enabled,
            webhook_url=webhook_url(self.public_base_url, platform=channel.platform, channel_id=row_id(channel)),
            takes_templates=takes_templates,
            templates=templates.list_templates(session, channel_id=row_id(channel)) if takes_templates else [],
            credentials=dict(channel.credentials or {}),
        )
