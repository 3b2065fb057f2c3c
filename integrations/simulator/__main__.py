"""``python -m integrations.simulator [--host 127.0.0.1] [--port 8081]``: run the simulator."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os

from integrations.simulator import telegram
from integrations.simulator.app import create_app, reset_simulators
from integrations.simulator.server import SimulatorServer, simulator_config


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the simulator in the foreground."""
    parser = argparse.ArgumentParser(
        prog="python -m integrations.simulator",
        description="Local stand-ins for the Telegram Bot API and the WhatsApp Cloud API.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CITYMES_SIMULATOR_PORT", "8081")))
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--webhook-attempts",
        type=int,
        default=telegram.protocol.WEBHOOK_MAX_ATTEMPTS,
        help="deliveries of a Telegram update before giving up (Telegram keeps trying for 24 h; "
        "raise it when the receiver may be down for more than half a minute)",
    )
    args = parser.parse_args(argv)
    telegram.protocol.WEBHOOK_MAX_ATTEMPTS = max(1, args.webhook_attempts)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    # httpx logs each URL at INFO; webhook handshakes carry the verify token in theirs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    print(f"CityMes simulator on http://{args.host}:{args.port}", flush=True)
    app = create_app()
    server = SimulatorServer(simulator_config(app, args.host, args.port, args.log_level), lambda: reset_simulators(app))
    # uvicorn re-raises the Ctrl+C it captured once the server has stopped; that is a normal exit.
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


if __name__ == "__main__":
    main()
