"""The WhatsApp channel's public address: the number's id, never its access token, app secret or verify token."""

from __future__ import annotations

from integrations.base import AddressKind, ChannelAddress, describe_channel
from integrations.whatsapp import WhatsAppChannel

CREDENTIALS = {
    "phone_number_id": "104923000111",
    "access_token": "EAAGsecret",
    "app_secret": "app-secret",
    "verify_token": "verify-me",
}


def test_a_number_is_described_by_its_id_and_nothing_secret() -> None:
    address = WhatsAppChannel.describe(CREDENTIALS)

    assert address == ChannelAddress(AddressKind.NUMBER, "104923000111")
    assert describe_channel("whatsapp", CREDENTIALS) == address
    assert WhatsAppChannel.describe({"access_token": "EAAGsecret"}) is None


def test_an_unknown_platform_has_no_description() -> None:
    assert describe_channel("carrier-pigeon", CREDENTIALS) is None
