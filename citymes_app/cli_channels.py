"""Management commands for channels: adding bots and numbers, switching them, their templates and webhooks."""

from __future__ import annotations

import argparse
import asyncio
import re

from sqlmodel import Session

from citymes_app.cli_errors import CommandError
from citymes_app.core import templates, tenants
from citymes_app.core.channels import webhook_url
from citymes_app.core.config import load_settings
from citymes_app.core.db import get_engine, session_scope
from citymes_app.models import Channel, ChannelMode, row_id
from integrations.simulator.client import SimulatorRefused, SimulatorUnreachable, SyncSimulatorClient, simulator_handle


def channel_add(args: argparse.Namespace) -> None:
    if args.platform == "telegram":
        if not args.token or not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", args.token):
            raise CommandError("a Telegram channel needs --token in the form 123456:ABC... (from @BotFather)")
        if not args.secret or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", args.secret):
            raise CommandError("a Telegram channel needs --secret: 1-256 characters of A-Z, a-z, 0-9, _ and -")
        credentials: dict[str, object] = {"token": args.token, "secret": args.secret}
        if args.messages_per_second is not None:
            if not 1 <= args.messages_per_second <= 1000:
                raise CommandError("--messages-per-second must be between 1 and 1000 (above 30 is paid broadcast)")
            credentials["max_per_second"] = args.messages_per_second
    elif args.platform == "whatsapp":
        credentials = _whatsapp_credentials(args)
    else:
        raise CommandError(f"platform '{args.platform}' is not supported yet (supported: telegram, whatsapp)")
    with session_scope() as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        if args.platform == "whatsapp":
            for other in tenants.list_channels(session):
                if other.platform == "whatsapp" and other.credentials.get("phone_number_id") == args.phone_number_id:
                    # Two channels for one number would split its conversations between them.
                    raise CommandError(f"phone number id {args.phone_number_id} is already channel {other.id}")
        channel = tenants.add_channel(
            session,
            tenant=tenant,
            platform=args.platform,
            credentials=credentials,
            mode=args.mode,
            name=args.name or "",
        )
        print(channel.id)


def _whatsapp_credentials(args: argparse.Namespace) -> dict[str, object]:
    if not args.phone_number_id or not re.fullmatch(r"\d{1,32}", args.phone_number_id):
        raise CommandError("a WhatsApp channel needs --phone-number-id: the digits Meta shows for the number")
    for flag, value in (
        ("--access-token", args.access_token),
        ("--app-secret", args.app_secret),
        ("--verify-token", args.verify_token),
    ):
        if not value or not re.fullmatch(r"\S{1,1024}", value):
            raise CommandError(f"a WhatsApp channel needs {flag} (one word, from Meta's app dashboard)")
    if args.mode != ChannelMode.WEBHOOK:
        raise CommandError("WhatsApp channels receive by webhook only: leave out --mode")
    credentials: dict[str, object] = {
        "phone_number_id": args.phone_number_id,
        "access_token": args.access_token,
        "app_secret": args.app_secret,
        "verify_token": args.verify_token,
    }
    if args.messages_per_second is not None:
        if not 1 <= args.messages_per_second <= 1000:
            raise CommandError("--messages-per-second must be between 1 and 1000 (Meta's default is 80)")
        credentials["messages_per_second"] = args.messages_per_second
    return credentials


def channel_enable(args: argparse.Namespace) -> None:
    with session_scope() as session:
        channel = tenants.set_channel_enabled(session, channel_id=args.channel_id, enabled=args.enabled)
        print(f"channel {channel.id} {'enabled' if channel.enabled else 'disabled'}")


def channel_add_template(args: argparse.Namespace) -> None:
    with session_scope() as session:
        row = session.get(Channel, args.channel_id)
        if row is None:
            raise CommandError(f"no channel {args.channel_id}: `channel list SLUG` shows them")
        template = templates.add_template(session, channel=row, name=args.name, language=args.language, body=args.body)
        count = template.parameter_count
        print(f"template {template.name} ({template.language}) recorded for channel {row.id}: {count} parameter(s)")


def channel_templates(args: argparse.Namespace) -> None:
    with session_scope() as session:
        if session.get(Channel, args.channel_id) is None:
            raise CommandError(f"no channel {args.channel_id}: `channel list SLUG` shows them")
        for template in templates.list_templates(session, channel_id=args.channel_id):
            print(f"{template.name}\t{template.language}\t{template.parameter_count}\t{template.body}")


def channel_list(args: argparse.Namespace) -> None:
    with session_scope() as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        for channel in tenants.list_channels(session, tenant_id=tenant.id):
            state = "enabled" if channel.enabled else "disabled"
            print(f"{channel.id}\t{channel.platform}\t{channel.mode}\t{state}\t{channel.name}")


def channel_set_webhook(args: argparse.Namespace) -> None:
    from citymes_app.runtime import get_runtime

    runtime = get_runtime()
    with Session(runtime.engine) as session:
        row = session.get(Channel, args.channel_id)
        if row is None:
            raise CommandError(f"no channel {args.channel_id}: `channel list SLUG` shows them")
    url = webhook_url(args.base_url, platform=row.platform, channel_id=row_id(row))

    async def register() -> None:
        channel = runtime.channels.build(row)
        try:
            await channel.register_webhook(url)
        finally:
            await channel.close()

    try:
        asyncio.run(register())
    except Exception as exc:
        raise CommandError(f"could not register the webhook: {exc}") from exc
    print(f"channel {row.id} delivers to {url}")


def channel_connect_simulator(args: argparse.Namespace) -> None:
    """Register a WhatsApp number with the local simulator, subscribed to our webhook, with its templates approved."""
    with Session(get_engine()) as session:
        row = session.get(Channel, args.channel_id)
        if row is None:
            raise CommandError(f"no channel {args.channel_id}: `channel list SLUG` shows them")
        if row.platform != "whatsapp":
            raise CommandError(f"channel {row.id} is a {row.platform} channel: use `channel set-webhook` for it")
        recorded = templates.list_templates(session, channel_id=row_id(row))
    simulator = SyncSimulatorClient(args.simulator_url or load_settings().simulator_url)
    callback = webhook_url(args.base_url, platform=row.platform, channel_id=row_id(row))
    number_id = simulator_handle(row.platform, row.credentials)
    try:
        # The simulator checks the callback with Meta's GET handshake, so our backend must be answering already.
        try:
            simulator.whatsapp_register_number(row.credentials, callback_url=callback)
        except SimulatorRefused as exc:
            raise CommandError(f"the simulator refused the number: {exc.description}") from None
        for template in recorded:
            try:
                simulator.whatsapp_approve_template(number_id, name=template.name, language=template.language, body=template.body)
            except SimulatorRefused as exc:
                raise CommandError(f"the simulator refused template {template.name}: {exc.description}") from None
    except SimulatorUnreachable as exc:
        raise CommandError(f"{exc}: start it first") from None
    print(f"channel {row.id} (number {number_id}) delivers to {callback}; {len(recorded)} template(s) approved")
