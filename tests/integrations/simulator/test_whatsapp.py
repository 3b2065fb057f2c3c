"""The WhatsApp Cloud API stand-in, driven over real HTTP by the real WhatsApp channel and a webhook receiver."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from integrations.base import (
    DeliveryState,
    MessageKind,
    OutboundMessage,
    PermanentChannelError,
    RateLimited,
)
from integrations.simulator.client import SimulatorClient
from integrations.simulator.server import serve_app
from integrations.whatsapp import WhatsAppChannel
from tests.helpers import eventually

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
CITIZEN = "34600111222"


@dataclass
class Receiver:
    """A webhook endpoint that checks Meta's handshake and keeps every notification it is sent."""

    verify_token: str
    answer_status: int = 200
    calls: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def notifications(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body, _ in self.calls]

    def values(self) -> list[dict[str, Any]]:
        return [change["value"] for n in self.notifications() for e in n["entry"] for change in e["changes"]]

    def statuses(self) -> list[tuple[str, str]]:
        return [(s["id"], s["status"]) for v in self.values() for s in v.get("statuses", [])]

    def messages(self) -> list[dict[str, Any]]:
        return [m for v in self.values() for m in v.get("messages", [])]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Our side of the webhook, served on a free port."""
    state = Receiver(verify_token=secrets.token_urlsafe(8))

    async def handshake(request: Request) -> Response:
        query = request.query_params
        if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == state.verify_token:
            return PlainTextResponse(query.get("hub.challenge", ""))
        return PlainTextResponse("forbidden", status_code=403)

    async def notify(request: Request) -> Response:
        state.calls.append((await request.body(), dict(request.headers)))
        return JSONResponse({"ok": state.answer_status < 300}, status_code=state.answer_status)

    app = Starlette(routes=[Route("/hook", handshake, methods=["GET"]), Route("/hook", notify, methods=["POST"])])
    with serve_app(app) as url:
        state.url = f"{url}/hook"
        yield state


@dataclass
class Number:
    phone_number_id: str
    access_token: str
    app_secret: str
    base: str

    def url(self, path: str) -> str:
        return f"{self.base}/sim/whatsapp/numbers/{self.phone_number_id}/{path.lstrip('/')}"

    def channel(self, **overrides: Any) -> WhatsAppChannel:
        credentials = {
            "phone_number_id": self.phone_number_id,
            "access_token": self.access_token,
            "app_secret": self.app_secret,
            "verify_token": "unused",
            **overrides,
        }
        return WhatsAppChannel.from_credentials(1, credentials, api_base=self.base)


@pytest.fixture
async def control(simulator_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=simulator_url, timeout=20) as client:
        yield client


@pytest.fixture
def simulator(simulator_url: str) -> SimulatorClient:
    return SimulatorClient(simulator_url, timeout=20)


@pytest.fixture
async def number(simulator: SimulatorClient, receiver: Receiver, simulator_url: str) -> Number:
    """A business number subscribed to the receiver, with statuses posted quickly."""
    registered = Number(
        str(10**14 + secrets.randbelow(10**14)), "EAAG" + secrets.token_hex(8), secrets.token_hex(16), simulator_url
    )
    credentials = {
        "phone_number_id": registered.phone_number_id,
        "access_token": registered.access_token,
        "app_secret": registered.app_secret,
        "verify_token": receiver.verify_token,
    }
    answer = await simulator.whatsapp_register_number(credentials, callback_url=receiver.url)
    assert answer["verified"] is True
    await simulator.whatsapp_statuses(registered.phone_number_id, delay_seconds=0.01)
    return registered


@pytest.fixture
async def channel(number: Number) -> AsyncIterator[WhatsAppChannel]:
    wa = number.channel()
    yield wa
    await wa.close()


async def citizen_writes(control: httpx.AsyncClient, number: Number, wa_id: str = CITIZEN, **content: Any) -> dict:
    simulator = SimulatorClient(str(control.base_url))
    return await simulator.whatsapp_citizen_message(number.phone_number_id, wa_id, "Núria", **content)


async def test_registration_checks_the_callback_with_metas_handshake(control: httpx.AsyncClient, receiver: Receiver) -> None:
    body = {"phone_number_id": "1234567", "access_token": "t", "app_secret": "s", "callback_url": receiver.url}
    wrong = await control.post("/sim/whatsapp/numbers", json={**body, "verify_token": "not-the-token"})
    assert wrong.status_code == 400
    assert "couldn't be validated" in wrong.json()["description"]
    right = await control.post("/sim/whatsapp/numbers", json={**body, "verify_token": receiver.verify_token})
    assert right.json() == {"ok": True, "phone_number_id": "1234567", "callback_url": receiver.url, "verified": True}


async def test_sending_needs_the_numbers_access_token(control: httpx.AsyncClient, number: Number) -> None:
    message = {"messaging_product": "whatsapp", "to": CITIZEN, "type": "text", "text": {"body": "hola"}}
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = await control.post(f"/v25.0/{number.phone_number_id}/messages", json=message, headers=headers)
        assert response.status_code == 401
        error = response.json()["error"]
        assert (error["code"], error["type"]) == (190, "OAuthException")
        assert set(error) >= {"message", "type", "code", "fbtrace_id"}

    wrong_token = number.channel(access_token="EAAGwrong")
    try:
        with pytest.raises(PermanentChannelError, match="access token was refused"):
            await wrong_token.send(OutboundMessage(address=CITIZEN, text="hola"))
    finally:
        await wrong_token.close()


async def test_citizen_messages_arrive_signed_with_the_app_secret(
    control: httpx.AsyncClient, number: Number, receiver: Receiver, channel: WhatsAppChannel
) -> None:
    answer = await citizen_writes(control, number, text="Bon dia")
    assert answer["webhook_status"] == 200

    [(body, headers)] = receiver.calls
    expected = "sha256=" + hmac.new(number.app_secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-hub-signature-256"] == expected
    channel.verify_webhook(headers, body)  # does not raise
    [inbound] = channel.parse_webhook(body)
    assert (inbound.kind, inbound.text, inbound.sender_name) == (MessageKind.TEXT, "Bon dia", "Núria")
    assert (inbound.platform_message_id, inbound.sender_phone) == (answer["wamid"], "+34600111222")


async def test_free_form_outside_the_24_hour_window_is_refused_but_a_template_passes(
    control: httpx.AsyncClient, number: Number, channel: WhatsAppChannel
) -> None:
    with pytest.raises(PermanentChannelError, match="24 hours") as refused:
        await channel.send(OutboundMessage(address=CITIZEN, text="Hola, com podem ajudar?"))
    assert "(131047)" in str(refused.value)

    template = OutboundMessage(
        address=CITIZEN,
        kind=MessageKind.TEMPLATE,
        text="El vostre tràmit 42 està llest",
        template_name="tramit_llest",
        template_language="ca",
        template_params=("42",),
    )
    receipt = await channel.send(template)
    assert receipt.platform_message_ids[0].startswith("wamid.")

    await citizen_writes(control, number, text="hola")
    await channel.send(OutboundMessage(address=CITIZEN, text="Ara sí"))
    await control.post(number.url(f"chats/{CITIZEN}/window"), json={"last_message_seconds_ago": 25 * 3600})
    with pytest.raises(PermanentChannelError, match="approved template"):
        await channel.send(OutboundMessage(address=CITIZEN, text="Massa tard"))


async def test_each_accepted_send_is_followed_by_sent_delivered_read_statuses(
    control: httpx.AsyncClient, number: Number, receiver: Receiver, channel: WhatsAppChannel
) -> None:
    await citizen_writes(control, number, text="hola")
    [wamid] = (await channel.send(OutboundMessage(address=CITIZEN, text="Bon dia!"))).platform_message_ids

    await eventually(lambda: len(receiver.statuses()) == 3)
    assert receiver.statuses() == [(wamid, "sent"), (wamid, "delivered"), (wamid, "read")]
    for body, headers in receiver.calls:
        channel.verify_webhook(headers, body)
    parsed = [u for body, _ in receiver.calls for u in channel.parse_statuses(body)]
    assert [u.state for u in parsed] == [DeliveryState.SENT, DeliveryState.DELIVERED, DeliveryState.READ]
    screen = (await control.get(number.url(f"chats/{CITIZEN}/messages"))).json()["messages"]
    assert (screen[-1]["text"], screen[-1]["status"]) == ("Bon dia!", "read")


async def test_a_failure_reported_by_status_carries_its_errors(
    control: httpx.AsyncClient, number: Number, receiver: Receiver, channel: WhatsAppChannel
) -> None:
    await citizen_writes(control, number, text="hola")
    await control.post(number.url("failures"), json={"code": 131026, "as_status": True})
    [wamid] = (await channel.send(OutboundMessage(address=CITIZEN, text="No arribarà"))).platform_message_ids

    await eventually(lambda: receiver.statuses())
    [failed] = [s for v in receiver.values() for s in v.get("statuses", [])]
    assert (failed["id"], failed["status"], failed["errors"][0]["code"]) == (wamid, "failed", 131026)
    [update] = [u for body, _ in receiver.calls for u in channel.parse_statuses(body)]
    assert update.state == DeliveryState.FAILED
    assert update.error is not None and "could not deliver" in update.error


async def test_throughput_past_the_limit_is_130429_and_maps_to_a_one_second_wait(
    control: httpx.AsyncClient, number: Number, channel: WhatsAppChannel
) -> None:
    users = [f"3460000{n:04d}" for n in range(3)]
    for wa_id in users:
        await citizen_writes(control, number, wa_id=wa_id, text="hola")
    # One message a second for the number.
    await control.post(number.url("limits"), json={"messages_per_second": 1})
    headers = {"Authorization": f"Bearer {number.access_token}"}

    async def send_raw(wa_id: str) -> int:
        message = {"messaging_product": "whatsapp", "to": wa_id, "type": "text", "text": {"body": "avís"}}
        response = await control.post(f"/v25.0/{number.phone_number_id}/messages", json=message, headers=headers)
        return 200 if response.status_code == 200 else response.json()["error"]["code"]

    # Three at once (one after the other could fall a second apart on a busy machine): one goes, the rest are refused.
    codes = await asyncio.gather(*(send_raw(wa_id) for wa_id in users))
    assert sorted(codes) == [200, 130429, 130429], codes
    # Once the number may send again (a second later), one message goes and our channel's next is told to wait.
    while await send_raw(users[2]) != 200:
        await asyncio.sleep(0.1)
    with pytest.raises(RateLimited) as limited:
        await channel.send(OutboundMessage(address=users[0], text="un altre"))
    assert limited.value.retry_after == 1.0


async def test_pair_rate_to_one_citizen_is_131056_and_maps_to_a_six_second_wait(
    control: httpx.AsyncClient, number: Number, channel: WhatsAppChannel
) -> None:
    await citizen_writes(control, number, text="hola")
    await citizen_writes(control, number, wa_id="34600999888", text="hola")
    await control.post(number.url("limits"), json={"pair_burst": 2})
    await channel.send(OutboundMessage(address=CITIZEN, text="u"))
    await channel.send(OutboundMessage(address=CITIZEN, text="dos"))
    with pytest.raises(RateLimited) as limited:
        await channel.send(OutboundMessage(address=CITIZEN, text="tres"))
    assert limited.value.retry_after == 6.0
    await channel.send(OutboundMessage(address="34600999888", text="a una altra persona sí"))


async def test_media_goes_through_media_id_url_and_token(
    control: httpx.AsyncClient, number: Number, receiver: Receiver, channel: WhatsAppChannel, tmp_path: Path
) -> None:
    encoded = base64.b64encode(PNG).decode()
    await citizen_writes(control, number, image={"content_base64": encoded, "mime_type": "image/png"}, caption="Forat")
    [inbound] = channel.parse_webhook(receiver.calls[0][0])
    assert inbound.media is not None
    assert (inbound.kind, inbound.text, inbound.media.mime_type) == (MessageKind.PHOTO, "Forat", "image/png")

    info = await control.get(f"/v25.0/{inbound.media.file_id}")
    assert info.status_code == 401  # no token
    headers = {"Authorization": f"Bearer {number.access_token}"}
    info = (await control.get(f"/v25.0/{inbound.media.file_id}", headers=headers)).json()
    assert (info["sha256"], info["file_size"]) == (hashlib.sha256(PNG).hexdigest(), len(PNG))
    async with httpx.AsyncClient() as anonymous:
        assert (await anonymous.get(info["url"])).status_code == 401
    assert await channel.download_media(inbound.media) == PNG

    picture = tmp_path / "plaça.png"
    picture.write_bytes(PNG)
    await channel.send(OutboundMessage(address=CITIZEN, kind=MessageKind.PHOTO, text="Així queda", media_path=str(picture)))
    shown = (await control.get(number.url(f"chats/{CITIZEN}/messages"))).json()["messages"][-1]
    assert (shown["kind"], shown["caption"]) == ("image", "Així queda")
    async with httpx.AsyncClient() as phone:
        assert (await phone.get(shown["file_url"])).content == PNG


async def test_buttons_become_reply_buttons_or_a_list_on_the_phone(
    control: httpx.AsyncClient, number: Number, channel: WhatsAppChannel
) -> None:
    await citizen_writes(control, number, text="hola")
    await channel.send(OutboundMessage(address=CITIZEN, text="Què voleu fer?", buttons=("Horaris", "Padró")))
    many = ("Horaris", "Padró", "Deixalleria", "Biblioteques", "Cita prèvia")
    await channel.send(OutboundMessage(address=CITIZEN, text="Temes", buttons=many))
    screen = (await control.get(number.url(f"chats/{CITIZEN}/messages"))).json()["messages"]
    assert [(m["buttons_kind"], m["buttons"]) for m in screen[-2:]] == [("button", ["Horaris", "Padró"]), ("list", list(many))]

    await citizen_writes(control, number, list_reply={"title": "Cita prèvia"})
    screen = (await control.get(number.url(f"chats/{CITIZEN}/messages"))).json()["messages"]
    assert (screen[-1]["from"], screen[-1]["kind"], screen[-1]["text"]) == ("citizen", "interactive", "Cita prèvia")


async def test_a_tap_on_a_long_list_row_comes_back_as_the_whole_choice(
    control: httpx.AsyncClient, number: Number, receiver: Receiver, channel: WhatsAppChannel
) -> None:
    await citizen_writes(control, number, text="hola")
    long_choice = "Certificat d'empadronament històric"
    await channel.send(OutboundMessage(address=CITIZEN, text="Tràmits", buttons=("Padró", long_choice)))
    shown = (await control.get(number.url(f"chats/{CITIZEN}/messages"))).json()["messages"][-1]
    assert shown["buttons"] == ["Padró", long_choice[:24]]  # WhatsApp cuts list rows at 24 characters

    answer = await citizen_writes(control, number, list_reply={"title": long_choice[:24]})
    [tap] = [m for body, _ in receiver.calls for m in channel.parse_webhook(body) if m.platform_message_id == answer["wamid"]]
    assert (tap.kind, tap.text) == (MessageKind.TEXT, long_choice)


async def test_webhooks_answered_with_an_error_are_retried(
    control: httpx.AsyncClient, number: Number, receiver: Receiver
) -> None:
    receiver.answer_status = 503
    answer = await citizen_writes(control, number, text="hola")
    assert answer["webhook_status"] == 503
    receiver.answer_status = 200
    await eventually(lambda: len(receiver.calls) >= 2, timeout=5)
    assert receiver.calls[0][0] == receiver.calls[-1][0]


async def test_malformed_control_input_is_400_never_500(control: httpx.AsyncClient, number: Number) -> None:
    cases = [
        ("/sim/whatsapp/numbers", "{not json"),
        ("/sim/whatsapp/numbers", "[]"),
        ("/sim/whatsapp/numbers", json.dumps({"phone_number_id": "abc", "access_token": "t", "app_secret": "s"})),
        ("/sim/whatsapp/numbers", json.dumps({"phone_number_id": 5})),
        (number.url("citizen-message"), json.dumps({"wa_id": "12", "text": "x"})),
        (number.url("citizen-message"), json.dumps({"wa_id": CITIZEN})),
        (number.url("citizen-message"), json.dumps({"wa_id": CITIZEN, "text": "a", "image": {}})),
        (number.url("citizen-message"), json.dumps({"wa_id": CITIZEN, "image": {"content_base64": "%%%"}})),
        (number.url("citizen-message"), json.dumps({"wa_id": CITIZEN, "location": {"latitude": 91, "longitude": 0}})),
        (number.url("citizen-message"), json.dumps({"wa_id": CITIZEN, "location": {"latitude": True, "longitude": 0}})),
        (number.url("citizen-message"), json.dumps({"wa_id": CITIZEN, "contacts": [5]})),
        (number.url("failures"), json.dumps({"code": "x"})),
        (number.url("failures"), json.dumps({"code": 131047, "count": 0})),
        (number.url("limits"), json.dumps({"messages_per_second": -1})),
        (number.url("limits"), json.dumps({"colour": 1})),
        (number.url("statuses"), json.dumps({"delay_seconds": "soon"})),
        (number.url(f"chats/{CITIZEN}/window"), json.dumps({})),
        (number.url("messages/wamid.nope/status"), json.dumps({"status": "read"})),
        ("/sim/whatsapp/numbers/999/citizen-message", json.dumps({"wa_id": CITIZEN, "text": "x"})),
    ]
    for path, body in cases:
        response = await control.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (path, body, response.status_code, response.text)
        assert response.json()["ok"] is False
    bad_after = await control.get(number.url(f"chats/{CITIZEN}/messages"), params={"after": "-1"})
    assert bad_after.status_code == 400


async def test_malformed_sends_are_graph_errors_with_code_100(control: httpx.AsyncClient, number: Number) -> None:
    headers = {"Authorization": f"Bearer {number.access_token}", "Content-Type": "application/json"}
    bodies = [
        "{oops",
        json.dumps({"to": CITIZEN, "type": "text", "text": {"body": "x"}}),
        json.dumps({"messaging_product": "whatsapp", "to": "abc", "type": "text", "text": {"body": "x"}}),
        json.dumps({"messaging_product": "whatsapp", "to": CITIZEN, "type": "text", "text": {"body": ""}}),
        json.dumps({"messaging_product": "whatsapp", "to": CITIZEN, "type": "location", "location": {"latitude": 100}}),
    ]
    for body in bodies:
        response = await control.post(f"/v25.0/{number.phone_number_id}/messages", content=body, headers=headers)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["code"] == 100


async def test_reset_forgets_every_number(control: httpx.AsyncClient, number: Number) -> None:
    assert (await control.post("/sim/whatsapp/reset")).json() == {"ok": True}
    response = await control.post(number.url("citizen-message"), json={"wa_id": CITIZEN, "text": "hola"})
    assert response.status_code == 400
    assert "no number" in response.json()["description"]


async def test_statuses_are_not_posted_after_a_reset(
    control: httpx.AsyncClient, number: Number, receiver: Receiver, channel: WhatsAppChannel
) -> None:
    await citizen_writes(control, number, text="hola")
    await control.post(number.url("statuses"), json={"delay_seconds": 0.5})
    await channel.send(OutboundMessage(address=CITIZEN, text="adeu"))
    await control.post("/sim/whatsapp/reset")
    calls = len(receiver.calls)
    await asyncio.sleep(0.8)
    assert len(receiver.calls) == calls
