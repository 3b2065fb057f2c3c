"""Bad webhook calls get a clear answer and store nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlmodel import Session, func, select

from citymes_app.models import Message
from citymes_app.runtime import Runtime
from tests.helpers import Town

UPDATE: dict[str, Any] = {
    "update_id": 1,
    "message": {
        "message_id": 1,
        "date": 1_790_000_000,
        "chat": {"id": 42, "type": "private", "first_name": "Joan"},
        "from": {"id": 42, "is_bot": False, "first_name": "Joan"},
        "text": "hola",
    },
}


def message_count(runtime: Runtime) -> int:
    with Session(runtime.engine) as session:
        return session.exec(select(func.count()).select_from(Message).where(Message.direction == "in")).one()


async def post(url: str, body: bytes | str, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(url, content=body, headers={"Content-Type": "application/json", **(headers or {})})


def hook(api_url: str, town: Town) -> str:
    return f"{api_url}/webhooks/telegram/{town.channel_id}"


async def test_missing_secret_is_refused_and_nothing_stored(runtime: Runtime, town: Town, api_url: str) -> None:
    response = await post(hook(api_url, town), json.dumps(UPDATE))
    assert response.status_code == 403
    assert message_count(runtime) == 0


async def test_wrong_secret_is_refused_and_nothing_stored(runtime: Runtime, town: Town, api_url: str) -> None:
    response = await post(hook(api_url, town), json.dumps(UPDATE), {"X-Telegram-Bot-Api-Secret-Token": "guess"})
    assert response.status_code == 403
    assert message_count(runtime) == 0


async def test_right_secret_is_stored(runtime: Runtime, town: Town, api_url: str) -> None:
    response = await post(hook(api_url, town), json.dumps(UPDATE), {"X-Telegram-Bot-Api-Secret-Token": town.secret})
    assert response.status_code == 200
    assert message_count(runtime) == 1


async def test_unknown_channel_is_404(runtime: Runtime, town: Town, api_url: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": town.secret}
    assert (await post(f"{api_url}/webhooks/telegram/999", json.dumps(UPDATE), headers)).status_code == 404
    assert (await post(f"{api_url}/webhooks/telegram/abc", json.dumps(UPDATE), headers)).status_code == 400
    assert message_count(runtime) == 0


async def test_malformed_bodies_are_400_never_500(runtime: Runtime, town: Town, api_url: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": town.secret}
    bodies: list[str | bytes] = [
        "{not json",
        "",
        "[]",
        '"text"',
        json.dumps({"message": UPDATE["message"]}),  # no update_id
        json.dumps({"update_id": "7"}),
        json.dumps({"update_id": 2, "message": {"message_id": "x", "chat": 5}}),
        b"\xff\xfe\x00garbage",
    ]
    for body in bodies:
        response = await post(hook(api_url, town), body, headers)
        assert response.status_code == 400, (body, response.status_code, response.text)
        assert response.json()["ok"] is False
    assert message_count(runtime) == 0


async def test_update_kinds_we_do_not_handle_are_acknowledged_and_ignored(runtime: Runtime, town: Town, api_url: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": town.secret}
    edited = {"update_id": 3, "edited_message": {**UPDATE["message"], "edit_date": 1_790_000_100}}
    poll_answer = {
        "update_id": 4,
        "poll_answer": {"poll_id": "1", "option_ids": [0], "user": UPDATE["message"]["from"]},
    }
    for update in (edited, poll_answer):
        response = await post(hook(api_url, town), json.dumps(update), headers)
        assert response.status_code == 200
    assert message_count(runtime) == 0


async def test_a_sticker_is_stored_as_unsupported_not_dropped(runtime: Runtime, town: Town, api_url: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": town.secret}
    sticker: dict[str, Any] = {
        "update_id": 5,
        "message": {
            **UPDATE["message"],
            "text": None,
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            },
        },
    }
    del sticker["message"]["text"]
    response = await post(hook(api_url, town), json.dumps(sticker), headers)
    assert response.status_code == 200
    with Session(runtime.engine) as session:
        assert session.exec(select(Message.kind).where(Message.direction == "in")).all() == ["unsupported"]


async def test_oversized_body_is_refused(runtime: Runtime, town: Town, api_url: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": town.secret}
    huge = json.dumps({**UPDATE, "padding": "x" * (4 * 1024 * 1024)})
    response = await post(hook(api_url, town), huge, headers)
    assert response.status_code == 413
    assert message_count(runtime) == 0


async def test_health_reports_the_database(api_url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{api_url}/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_channel_id_beyond_64_bits_is_404_before_the_secret(runtime: Runtime, town: Town, api_url: str) -> None:
    response = await post(f"{api_url}/webhooks/telegram/999999999999999999999", json.dumps(UPDATE))
    assert response.status_code == 404
    assert message_count(runtime) == 0


async def test_nesting_too_deep_with_the_right_secret_is_400(runtime: Runtime, town: Town, api_url: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": town.secret}
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"update_id": 1, "message": ' + b'{"a":' * 5_000 + b"1" + b"}" * 5_001):
        response = await post(hook(api_url, town), body, headers)
        assert response.status_code == 400, response.text
    assert message_count(runtime) == 0


async def test_lone_surrogate_with_the_right_secret_is_400(runtime: Runtime, town: Town, api_url: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": town.secret}
    body = json.dumps({**UPDATE, "message": {**UPDATE["message"], "text": "hola \ud800"}})
    response = await post(hook(api_url, town), body, headers)
    assert response.status_code == 400
    assert message_count(runtime) == 0


async def test_a_date_beyond_the_platform_clock_is_400(runtime: Runtime, town: Town, api_url: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": town.secret}
    body = json.dumps({**UPDATE, "message": {**UPDATE["message"], "date": 10**20}})
    response = await post(hook(api_url, town), body, headers)
    assert response.status_code == 400
    assert message_count(runtime) == 0


async def test_bad_media_names_are_404_for_a_signed_in_operator(runtime: Runtime, town: Town, api_url: str) -> None:
    from sqlmodel import select as select_

    from citymes_app.core import auth
    from citymes_app.models import Operator

    with Session(runtime.engine) as session:
        operator = session.exec(select_(Operator).where(Operator.tenant_id == town.tenant_id)).one()
        token = auth.open_session(session, operator=operator)
        session.commit()
    names = ["x.jpg%00.png", "a" * 5000, "..", "%2e%2e", "..%2F..%2Fetc%2Fpasswd", "x%0A", "%ED%A0%80"]
    async with httpx.AsyncClient(timeout=10, follow_redirects=True) as client:
        for name in names:
            response = await client.get(
                f"{api_url}/media/{town.tenant_id}/{name}", headers={"Cookie": f"citymes_session={token}"}
            )
            assert response.status_code == 404, (name[:40], response.status_code)
