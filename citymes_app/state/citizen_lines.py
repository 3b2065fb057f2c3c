"""The citizen phone's lines to the town hall (a bot or a number on the simulator) and the phone's words for what
can go wrong on them.

The phone only offers a platform's channels when the installation already talks to the simulator for that platform
(`CITYMES_TELEGRAM_API_BASE` or `CITYMES_WHATSAPP_API_BASE` equal to `CITYMES_SIMULATOR_URL`): a real bot's token
or a real number's traffic is never sent anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citymes_app.core.citizen_phone import phone_channels
from citymes_app.runtime import get_runtime
from integrations.simulator.client import (
    TELEGRAM,
    WHATSAPP,
    SimulatorClient,
    SimulatorRefused,
    SimulatorUnreachable,
    simulator_handle,
)

PLATFORM_LABELS = {TELEGRAM: "Telegram", WHATSAPP: "WhatsApp"}


class SimulatorUnavailable(Exception):
    """The simulator did not answer, or refused the request; the message is for the person."""


@dataclass(frozen=True)
class PhoneLine:
    """A channel the phone writes to, with what the simulator needs to play its citizen (kept on the server)."""

    name: str
    platform: str
    handle: str  # what the simulator knows the channel by: the bot token (Telegram) or the phone number id (WhatsApp)
    timezone: str

    async def citizen_message(self, address: str, name: str, content: dict[str, Any]) -> dict[str, Any]:
        """The citizen at `address` writes `content` to this line; the simulator's answer."""
        simulator = _simulator()
        if self.platform == WHATSAPP:
            call = simulator.whatsapp_citizen_message(self.handle, address, name, **content)
        else:
            call = simulator.telegram_citizen_message(self.handle, int(address), name, **content)
        return await _worded(call)

    async def chat(self, address: str) -> dict[str, Any]:
        """The chat of the citizen at `address` with this line, as the simulator shows it."""
        simulator = _simulator()
        if self.platform == WHATSAPP:
            return await _worded(simulator.whatsapp_chat(self.handle, address))
        return await _worded(simulator.telegram_chat(self.handle, address))


def _simulator() -> SimulatorClient:
    return SimulatorClient(get_runtime().settings.simulator_url, timeout=20)


async def _worded(call: Any) -> dict[str, Any]:
    """Await a simulator call, turning its errors into words for the person at the phone."""
    try:
        return await call
    except SimulatorUnreachable:
        raise SimulatorUnavailable(
            f"The simulator is not running at {get_runtime().settings.simulator_url}. "
            "Start it with `make simulator` (or `python -m integrations.simulator`)."
        ) from None
    except SimulatorRefused as exc:
        if exc.description.startswith("no number "):
            # The number exists in CityMes but was not registered with the simulator (done once the app is up).
            raise SimulatorUnavailable(
                "This WhatsApp number is not connected to the simulator yet: `make run` connects it once the app "
                "answers, or run `python -m citymes_app.cli channel connect-simulator ID --base-url URL`."
            ) from None
        raise SimulatorUnavailable(f"The simulator refused the message: {exc.description}") from None


def _platforms_on_simulator() -> tuple[set[str], str]:
    """The platforms whose traffic goes to the simulator, and why there are none if so."""
    settings = get_runtime().settings
    bases = {TELEGRAM: settings.telegram_api_base, WHATSAPP: settings.whatsapp_api_base}
    on_simulator = {platform for platform, base in bases.items() if base == settings.simulator_url}
    if on_simulator:
        return on_simulator, ""
    return set(), (
        "The citizen phone works only when CityMes talks to the simulator: "
        f"CITYMES_TELEGRAM_API_BASE is {settings.telegram_api_base}, CITYMES_WHATSAPP_API_BASE is "
        f"{settings.whatsapp_api_base}, CITYMES_SIMULATOR_URL is {settings.simulator_url}."
    )


async def phone_lines() -> tuple[dict[str, PhoneLine], str]:
    """The enabled channels that run on the simulator (by channel id), or why there are none."""
    platforms, problem = _platforms_on_simulator()
    if not platforms:
        return {}, problem
    lines = {
        str(channel.id): PhoneLine(
            name=channel.name or f"{PLATFORM_LABELS[channel.platform]} {channel.id}",
            platform=channel.platform,
            handle=simulator_handle(channel.platform, channel.credentials),
            timezone=channel.timezone.key,
        )
        for channel in await phone_channels(get_runtime().engine, platforms=platforms)
    }
    lines = {key: line for key, line in lines.items() if line.handle}
    if not lines:
        return {}, "There is no enabled bot or number yet: load the demo town with `python -m citymes_app.cli demo`."
    return lines, ""


def delivery_problem(answer: dict[str, Any]) -> str:
    """Why a message the simulator took did not reach CityMes at once, or ""."""
    if answer.get("delivery") == "getUpdates":
        return ""  # a polling bot: CityMes fetches it
    if answer.get("delivery") == "none" and answer.get("wamid"):
        return (
            "This WhatsApp number has no webhook in the simulator yet, so CityMes did not get the message: run "
            "`python -m citymes_app.cli channel connect-simulator ID --base-url URL` once the app is up."
        )
    status = answer.get("webhook_status")
    if status is None or not 200 <= status < 300:
        return (
            "The town hall's server did not take the message yet "
            f"({answer.get('webhook_error') or 'no answer'}); the simulator keeps retrying."
        )
    return ""
