"""A local stand-in for the Telegram Bot API, spoken over real HTTP.

Two faces:

* the Bot API itself (``/bot{token}/{method}`` and ``/file/bot{token}/{path}``), answering like
  api.telegram.org so that python-telegram-bot (PTB) works unchanged when pointed at it with
  ``Bot(token, base_url=f"{BASE}/bot", base_file_url=f"{BASE}/file/bot")``;
* a control API under ``/sim/telegram/`` that plays the citizens (they write to a bot), shows a
  chat as the citizen's phone would, injects failures and tunes rate limits.

Everything lives in memory and is guarded by one ``asyncio.Lock``; the long-poll of
``getUpdates`` waits on a condition built on that same lock. Rate limits are token buckets
written here rather than ``aiolimiter``: a 429 must say *how long* to wait (``retry_after``), and
``aiolimiter.AsyncLimiter`` only blocks or answers yes/no, so it cannot compute that.
"""

from __future__ import annotations

from integrations.simulator.telegram import protocol
from integrations.simulator.telegram.control import TelegramSimulator
from integrations.simulator.telegram.routes import create_telegram_router

__all__ = ["TelegramSimulator", "create_telegram_router", "protocol"]
