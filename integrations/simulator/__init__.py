"""Local stand-ins for the messaging platforms (Telegram Bot API, WhatsApp Cloud API).

They speak real HTTP so the demo, the tests and the benchmarks exercise the same client code as
production: ``create_app()`` builds the ASGI app, ``serve_simulator()`` runs it in a thread.
"""

from integrations.simulator.app import create_app
from integrations.simulator.server import serve_app, serve_simulator
from integrations.simulator.telegram import TelegramSimulator
from integrations.simulator.whatsapp import WhatsAppSimulator

__all__ = ["TelegramSimulator", "WhatsAppSimulator", "create_app", "serve_app", "serve_simulator"]
