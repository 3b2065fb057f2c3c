"""Organisations (tenants) and their channels."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from citymes_app.core import vault
from citymes_app.core.phrases import PhrasedError
from citymes_app.models import Channel, ChannelMode, Tenant, row_id

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class TenantError(PhrasedError):
    """A tenant or channel request that cannot be accepted; the message is for the person."""


def add_tenant(session: Session, *, slug: str, name: str, timezone: str = "Europe/Madrid", languages: str = "ca,es") -> Tenant:
    """Create a tenant; `TenantError` for a bad slug, timezone or language list, or a taken slug."""
    if not SLUG_PATTERN.match(slug):
        raise TenantError("'{slug}' is not a valid slug: use 2-63 lowercase letters, digits and '-'", slug=slug)
    if not name.strip():
        raise TenantError("the tenant needs a name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise TenantError("unknown timezone '{timezone}' (e.g. Europe/Madrid)", timezone=timezone) from None
    langs = [code.strip().lower() for code in languages.split(",") if code.strip()]
    if not langs or any(not re.fullmatch(r"[a-z]{2,3}", code) for code in langs):
        raise TenantError("'{languages}' is not a list of language codes (e.g. ca,es)", languages=languages)
    if get_tenant(session, slug=slug):
        raise TenantError("tenant '{slug}' already exists", slug=slug)
    tenant = Tenant(slug=slug, name=name.strip(), timezone=timezone, languages=",".join(langs))
    session.add(tenant)
    session.flush()
    return tenant


def get_tenant(session: Session, *, slug: str) -> Tenant | None:
    """The tenant with `slug`, or None."""
    return session.exec(select(Tenant).where(Tenant.slug == slug)).first()


def require_tenant(session: Session, *, slug: str) -> Tenant:
    """The tenant with `slug`; `TenantError` naming it if there is none."""
    tenant = get_tenant(session, slug=slug)
    if tenant is None:
        raise TenantError("no tenant '{slug}': create it with `cli tenant add {slug} --name NAME`", slug=slug)
    return tenant


def add_channel(
    session: Session,
    *,
    tenant: Tenant,
    platform: str,
    credentials: dict[str, Any],
    mode: str = ChannelMode.WEBHOOK,
    name: str = "",
) -> Channel:
    """Add a channel (a bot or a number) to `tenant`; its credentials are stored encrypted (`core.vault`)."""
    vault.key_ring()  # no key: say how to set one now, not as a database error at flush
    if mode not in {m.value for m in ChannelMode}:
        raise TenantError("unknown mode '{mode}': use webhook or polling", mode=mode)
    channel = Channel(tenant_id=row_id(tenant), platform=platform, credentials=credentials, mode=mode, name=name or platform)
    session.add(channel)
    session.flush()
    return channel


def list_channels(session: Session, *, tenant_id: int | None = None, enabled_only: bool = False) -> list[Channel]:
    """Channels of one tenant (or all), oldest first."""
    query = select(Channel).order_by(col(Channel.id))
    if tenant_id is not None:
        query = query.where(Channel.tenant_id == tenant_id)
    if enabled_only:
        query = query.where(Channel.enabled == True)  # noqa: E712
    return list(session.exec(query))


def tenant_channel(session: Session, *, tenant_id: int, channel_id: int) -> Channel:
    """One of the tenant's channels; `TenantError` if there is none with that id (another tenant's included)."""
    channel = session.get(Channel, channel_id)
    if channel is None or channel.tenant_id != tenant_id:
        raise TenantError("there is no channel {channel_id} in this organisation", channel_id=channel_id)
    return channel


def set_channel_enabled(session: Session, *, channel_id: int, enabled: bool) -> Channel:
    """Disable a channel (its webhooks answer 404, the outbox holds its sends) or enable it again."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise TenantError("no channel {channel_id}: `channel list SLUG` shows them", channel_id=channel_id)
    channel.enabled = enabled
    session.add(channel)
    session.flush()
    return channel


class NoticeKind(StrEnum):
    """The automatic waiting notices a tenant may word itself, per language."""

    IN_HOURS = "in_hours"  # a message waits for an operator while the office is open
    OUT_OF_HOURS = "out_of_hours"  # ... while it is closed (may say `{next_opening}`)


def set_auto_reply(session: Session, *, tenant: Tenant, language: str, kind: str, text: str) -> None:
    """Override (or, with an empty text, restore) an automatic waiting notice in one language.

    The out-of-hours text may say `{next_opening}` where the next opening time goes; any other `{...}` is refused.
    """
    if kind not in set(NoticeKind):
        raise TenantError("unknown automatic reply '{kind}' (use in_hours or out_of_hours)", kind=kind)
    if language not in tenant.languages.split(","):
        raise TenantError(
            "language '{language}' is not one of the tenant's ({languages})", language=language, languages=tenant.languages
        )
    text = text.strip()
    placeholders = set(re.findall(r"{([^{}]*)}", text))
    allowed = {"next_opening"} if kind == NoticeKind.OUT_OF_HOURS else set()
    if placeholders - allowed or text.count("{") != text.count("}"):
        hint = "only {next_opening} may be used" if allowed else "this text takes no {…} placeholders"
        raise TenantError("unknown placeholder in the text: {hint}", hint=hint)
    if len(text) > 1000:
        raise TenantError("the text is longer than 1,000 characters")
    replies = {lang: dict(values) for lang, values in (tenant.auto_replies or {}).items()}
    if text:
        replies.setdefault(language, {})[kind] = text
    else:
        replies.get(language, {}).pop(kind, None)
    tenant.auto_replies = replies  # a new object, so the JSON column is saved
    session.add(tenant)
    session.flush()
