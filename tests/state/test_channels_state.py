"""The channels page's state: what of a channel may reach an administrator's browser."""

from __future__ import annotations

import dataclasses

import pytest

from citymes_app.i18n import words_for
from citymes_app.models import Role
from citymes_app.runtime import Runtime
from citymes_app.state.channels_state import _row
from tests.helpers import Town, make_whatsapp_town


@pytest.fixture
def whatsapp_env(monkeypatch: pytest.MonkeyPatch, simulator_url: str) -> None:
    monkeypatch.setenv("CITYMES_WHATSAPP_API_BASE", simulator_url)


async def test_channel_rows_show_public_addresses_and_no_credential(
    runtime: Runtime, town: Town, api_url: str, simulator_url: str, whatsapp_env: None
) -> None:
    number = await make_whatsapp_town(runtime, simulator_url, api_url, town=town)

    admin = dataclasses.replace(town.operator, role=Role.ADMIN)
    rows = [_row(listing, words_for("en")) for listing in await runtime.channel_desk.list(by=admin)]

    bot_id = town.token.split(":", 1)[0]
    assert [row.address for row in rows] == [f"Bot id {bot_id}", f"Number id {number.phone_number_id}"]
    shown = repr([dataclasses.asdict(row) for row in rows])
    secret_part = town.token.split(":", 1)[1]
    for secret in (secret_part, town.secret, number.access_token, number.app_secret, number.verify_token):
        assert secret not in shown
