"""Management commands: `python -m citymes_app.cli --help`.

Errors print one line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from sqlmodel import Session

from citymes_app import demo, demo_history
from citymes_app.cli_channels import (
    channel_add,
    channel_add_template,
    channel_connect_simulator,
    channel_enable,
    channel_list,
    channel_set_webhook,
    channel_templates,
)
from citymes_app.cli_errors import CommandError
from citymes_app.core import auth, codes, keywords, operators, statistics, templates, tenants, vault
from citymes_app.core.config import keys_file_path, load_settings
from citymes_app.core.db import get_engine, migrate, session_scope
from citymes_app.models import ChannelMode, Role, row_id

DEFAULT_HISTORY_MESSAGES = 100_000
HISTORY_OPTIONS = {"messages", "conversations", "seed", "days"}


def _init_db(_args: argparse.Namespace) -> None:
    migrate()
    print("database is up to date")


def _demo(args: argparse.Namespace) -> None:
    migrate()
    if args.history:
        _demo_history(args)
        return
    if args.slug != demo.DEMO_SLUG or args.only_if_empty or HISTORY_OPTIONS & {k for k, v in vars(args).items() if v is not None}:
        raise CommandError("a tenant and --messages, --conversations, --seed, --days, --only-if-empty go with --history")
    with session_scope() as session:
        summary = demo.load_demo(session, telegram_mode=args.telegram_mode)
    done = "created" if summary.created else "already there"
    print(
        f"demo tenant '{summary.tenant_slug}' {done}; Telegram channel {summary.channel_id}; "
        f"WhatsApp channel {summary.whatsapp_channel_id}"
    )
    print("logins (password " + demo.DEMO_PASSWORD + "): " + ", ".join(e for e, _, _ in demo.DEMO_OPERATORS))


def _demo_history(args: argparse.Namespace) -> None:
    plan = demo_history.HistoryPlan(
        messages=DEFAULT_HISTORY_MESSAGES if args.messages is None else args.messages,
        conversations=args.conversations,
        seed=1 if args.seed is None else args.seed,
        days=365 if args.days is None else args.days,
    )
    started = time.perf_counter()
    try:
        if args.only_if_empty and demo_history.has_activity(get_engine(), slug=args.slug):
            print(f"'{args.slug}' already has activity: no history added")
            return
        report, counted = demo_history.generate_history(get_engine(), slug=args.slug, plan=plan)
    except demo_history.HistoryError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"history of '{args.slug}' from {report.first_day} to {report.last_day}: {report.messages} messages in "
        f"{report.conversations} conversations of {report.citizens} citizens; statistics rebuilt ({counted} events "
        f"counted) in {time.perf_counter() - started:.0f} s"
    )


def _stats_rebuild(args: argparse.Namespace) -> None:
    with session_scope() as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        counted = statistics.rebuild(session, tenant_id=row_id(tenant))
    print(f"statistics of '{args.slug}' rebuilt from the records ({counted} events counted)")


def _stats_check(args: argparse.Namespace) -> None:
    with Session(get_engine()) as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        kept, recounted = (
            statistics.stored_counts(session, tenant_id=row_id(tenant)),
            statistics.recounted(session, tenant_id=row_id(tenant)),
        )
    if kept != recounted:
        raise CommandError(f"the statistics of '{args.slug}' differ from a recount: run `stats rebuild {args.slug}`")
    print(f"the statistics of '{args.slug}' agree with a recount of the records")


def _tenant_add(args: argparse.Namespace) -> None:
    with session_scope() as session:
        tenant = tenants.add_tenant(session, slug=args.slug, name=args.name, timezone=args.timezone, languages=args.languages)
        print(f"tenant '{tenant.slug}' created (id {tenant.id})")


def _operator_add(args: argparse.Namespace) -> None:
    password = _read_password()
    with session_scope() as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        operator = auth.add_operator(
            session, tenant=tenant, email=args.email, password=password, role=args.role, display_name=args.name or ""
        )
        print(f"operator {operator.email} ({operator.role}) added to '{tenant.slug}'")


def _operator_reset_password(args: argparse.Namespace) -> None:
    password = _read_password()
    with session_scope() as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        operator = operators.operator_by_email(session, tenant=tenant, email=args.email)
        operators.reset_password(session, operator=operator, password=password)
        print(f"operator {operator.email} has a new password; their sessions ended")


def _operator_set_active(args: argparse.Namespace) -> None:
    with session_scope() as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        operator = operators.operator_by_email(session, tenant=tenant, email=args.email)
        operators.set_active(session, operator=operator, active=args.active)
        print(f"operator {operator.email} " + ("enabled" if args.active else "disabled; their sessions ended"))


def _read_password() -> str:
    """The password on standard input (one line), or asked twice at a terminal."""
    return sys.stdin.readline().rstrip("\r\n") if not sys.stdin.isatty() else _prompt_password()


def _prompt_password() -> str:
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise CommandError("the two passwords differ")
    return first


def _secrets_new_key(_args: argparse.Namespace) -> None:
    print(vault.new_key())


def _secrets_rotate(_args: argparse.Namespace) -> None:
    with get_engine().begin() as connection:
        count = vault.rotate_channel_credentials(connection)
    print(f"{count} channel(s) re-encrypted with the first key of CITYMES_ENCRYPTION_KEYS; older keys can now be dropped")


def _secrets_keys_file(_args: argparse.Namespace) -> None:
    """Create the demo's keys file (fresh random keys, readable by its owner only) unless it or the keys exist."""
    path = keys_file_path()
    settings = load_settings()
    if settings.encryption_keys and settings.secret_key:
        source = f"the keys file {path}" if path.is_file() else "the environment"
        print(f"server keys come from {source}")
        return
    if path.exists():
        raise CommandError(
            f"the keys file {path} lacks CITYMES_ENCRYPTION_KEYS or CITYMES_SECRET_KEY: add the missing line "
            "(`secrets new-key` prints an encryption key) or set it in the environment"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    content = (
        "# CityMes server keys (created by `make run` for the demo). Keep this file secret and backed up: without\n"
        "# CITYMES_ENCRYPTION_KEYS the channels' stored credentials cannot be read. The environment overrides it.\n"
        f"CITYMES_ENCRYPTION_KEYS={vault.new_key()}\n"
        f"CITYMES_SECRET_KEY={secrets.token_urlsafe(32)}\n"
    )
    # O_EXCL: never overwrite keys another process just wrote; 0o600: only the owner reads them.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as keys_file:
        keys_file.write(content)
    print(f"server keys created in {path} (readable by you only): keep it secret and back it up")


def _read_text(file: str) -> str:
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"no file {path}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None


def _refuse_import(errors: Sequence[object], file: str) -> None:
    """Print every refused line, then fail: an import is all or nothing."""
    for line in errors:
        print(line, file=sys.stderr)
    raise CommandError(f"nothing imported: {len(errors)} problem(s) in {file}")


def _keywords_import(args: argparse.Namespace) -> None:
    content = _read_text(args.file)
    with session_scope() as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        report = keywords.import_keywords_csv(session, tenant=tenant, content=content)
        if not report.ok:
            _refuse_import(report.errors, args.file)
        print(f"{report.created} keyword(s) created, {report.updated} updated")


def _codes_import(args: argparse.Namespace) -> None:
    content = _read_text(args.file)
    with session_scope() as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        report = codes.import_codes_csv(session, tenant=tenant, keyword_text=args.keyword, content=content)
        if not report.ok:
            _refuse_import(report.errors, args.file)
        print(f"{report.imported} personal code(s) now answer {args.keyword.upper()}")


def _keywords_export(args: argparse.Namespace) -> None:
    with Session(get_engine()) as session:
        tenant = tenants.require_tenant(session, slug=args.slug)
        content = keywords.export_keywords_csv(session, tenant=tenant)
    if args.file == "-":
        sys.stdout.write(content)
    else:
        Path(args.file).write_text(content, encoding="utf-8")
        print(f"keywords written to {args.file}")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, status 2, like every other error
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="citymes", description="CityMes management commands")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(
        name: str, handler: Callable[[argparse.Namespace], None], parent: argparse._SubParsersAction = sub, **kw
    ) -> argparse.ArgumentParser:
        p = parent.add_parser(name, **kw)
        p.set_defaults(handler=handler)
        return p

    command("init-db", _init_db, help="create or migrate the database")
    p = command("demo", _demo, help="load the demo town (once); with --history, a year of its activity")
    p.add_argument("--telegram-mode", choices=[m.value for m in ChannelMode], default=ChannelMode.WEBHOOK)
    p.add_argument("slug", nargs="?", default=demo.DEMO_SLUG, help="with --history: the tenant (default: the demo town)")
    p.add_argument("--history", action="store_true", help="fill the tenant with generated activity, then rebuild its statistics")
    p.add_argument("--messages", type=int, help=f"with --history: how many messages (default {DEFAULT_HISTORY_MESSAGES})")
    p.add_argument("--conversations", type=int, help="with --history: how many conversations (default: messages / 10)")
    p.add_argument("--seed", type=int, help="with --history: the same seed gives the same history (default 1)")
    p.add_argument("--days", type=int, help="with --history: how many days up to now (default 365)")
    p.add_argument("--only-if-empty", action="store_true", help="with --history: only into a tenant with no messages yet")

    tenant = sub.add_parser("tenant").add_subparsers(dest="action", required=True, parser_class=_Parser)
    p = command("add", _tenant_add, tenant)
    p.add_argument("slug")
    p.add_argument("--name", required=True)
    p.add_argument("--timezone", default="Europe/Madrid")
    p.add_argument("--languages", default="ca,es")

    operator = sub.add_parser("operator").add_subparsers(dest="action", required=True, parser_class=_Parser)
    p = command("add", _operator_add, operator, help="password on stdin")
    p.add_argument("slug")
    p.add_argument("email")
    p.add_argument("--role", choices=[r.value for r in Role], default=Role.OPERATOR)
    p.add_argument("--name")
    p = command("reset-password", _operator_reset_password, operator, help="new password on stdin; ends their sessions")
    p.add_argument("slug")
    p.add_argument("email")
    p = command("disable", _operator_set_active, operator, help="refuse their sign-ins and end their sessions")
    p.add_argument("slug")
    p.add_argument("email")
    p.set_defaults(active=False)
    p = command("enable", _operator_set_active, operator, help="let a disabled operator sign in again")
    p.add_argument("slug")
    p.add_argument("email")
    p.set_defaults(active=True)

    channel = sub.add_parser("channel").add_subparsers(dest="action", required=True, parser_class=_Parser)
    p = command("add", channel_add, channel, help="prints the new channel id")
    p.add_argument("slug")
    p.add_argument("platform")
    p.add_argument("--token")
    p.add_argument("--secret")
    p.add_argument("--mode", choices=[m.value for m in ChannelMode], default=ChannelMode.WEBHOOK)
    p.add_argument("--name")
    p.add_argument("--phone-number-id", help="WhatsApp: the number's id in Meta's app dashboard")
    p.add_argument("--access-token", help="WhatsApp: a system user's access token")
    p.add_argument("--app-secret", help="WhatsApp: the app secret that signs the webhooks")
    p.add_argument("--verify-token", help="WhatsApp: the token Meta echoes when the webhook is subscribed")
    p.add_argument(
        "--messages-per-second",
        type=int,
        help="the channel's sends a second: WhatsApp's throughput tier (default 80), a Telegram bot's rate (default 30; "
        "above it, sends use paid broadcast)",
    )
    p = command("list", channel_list, channel)
    p.add_argument("slug")
    p = command("disable", channel_enable, channel, help="stop receiving and sending on a channel")
    p.add_argument("channel_id", type=int)
    p.set_defaults(enabled=False)
    p = command("enable", channel_enable, channel, help="receive and send on a disabled channel again")
    p.add_argument("channel_id", type=int)
    p.set_defaults(enabled=True)
    p = command("add-template", channel_add_template, channel, help="record a template the platform approved")
    p.add_argument("channel_id", type=int)
    p.add_argument("name", help="the template's name, as approved")
    p.add_argument("--language", required=True, help="its language code, as approved (ca, es, en_US...)")
    p.add_argument("--body", required=True, help="its text with {{1}}, {{2}}... where the parameters go")
    p = command("templates", channel_templates, channel, help="list a channel's approved templates")
    p.add_argument("channel_id", type=int)
    p = command("set-webhook", channel_set_webhook, channel, help="register our webhook URL with the platform")
    p.add_argument("channel_id", type=int)
    p.add_argument("--base-url", required=True, help="where the platform reaches this backend")

    p = command(
        "connect-simulator",
        channel_connect_simulator,
        channel,
        help="register a WhatsApp channel's number with the local simulator, delivering to our webhook",
    )
    p.add_argument("channel_id", type=int)
    p.add_argument("--base-url", required=True, help="where the simulator reaches this backend")
    p.add_argument("--simulator-url", help="default: CITYMES_SIMULATOR_URL")

    kw = sub.add_parser("keywords").add_subparsers(dest="action", required=True, parser_class=_Parser)
    p = command("import", _keywords_import, kw)
    p.add_argument("slug")
    p.add_argument("file")
    p = command("export", _keywords_export, kw)
    p.add_argument("slug")
    p.add_argument("file", help="a path, or - for standard output")
    keys = sub.add_parser("secrets").add_subparsers(dest="action", required=True, parser_class=_Parser)
    command("new-key", _secrets_new_key, keys, help="print a new encryption key (put it first in CITYMES_ENCRYPTION_KEYS)")
    command("rotate", _secrets_rotate, keys, help="re-encrypt every channel's credentials with the first key")
    command("keys-file", _secrets_keys_file, keys, help="create the keys file with fresh keys when there are none")

    stats = sub.add_parser("stats").add_subparsers(dest="action", required=True, parser_class=_Parser)
    p = command("rebuild", _stats_rebuild, stats, help="recompute a tenant's statistics from its messages")
    p.add_argument("slug")
    p = command("check", _stats_check, stats, help="compare a tenant's statistics with a recount (exit 2 if they differ)")
    p.add_argument("slug")

    personal = sub.add_parser("codes").add_subparsers(dest="action", required=True, parser_class=_Parser)
    p = command("import", _codes_import, personal, help="replace a keyword's personal codes (code,response,phone)")
    p.add_argument("slug")
    p.add_argument("keyword")
    p.add_argument("file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except (
        CommandError,
        tenants.TenantError,
        auth.AuthError,
        operators.OperatorAccountError,
        templates.TemplateError,
        vault.VaultError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
