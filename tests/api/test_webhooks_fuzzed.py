"""Every entry point is total: thousands of generated bodies, ids, queries and file names over real HTTP, never a 500.

Hypothesis draws the inputs; each goes to the API served by uvicorn (the `api_url` fixture) and the database is read
back to show that nothing arrives without the right secret or signature.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, SQLModel, func, select

from citymes_app.core import auth, tenants
from citymes_app.models import Operator, Tenant
from citymes_app.runtime import Runtime
from integrations.whatsapp_inbound import signature_for
from tests.helpers import Town, make_town

# Answers a caller may get; a 500 (or any other 5xx) is never one of them.
REFUSALS = {400, 403, 404, 413}
EXAMPLES = 600
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass
class Entry:
    """The town's Telegram bot and WhatsApp number, a signed-in operator's cookie, and an HTTP client."""

    town: Town
    whatsapp_channel_id: int
    phone_number_id: str
    app_secret: str
    verify_token: str
    session_cookie: str
    client: httpx.Client
    answers: Counter[int] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.client.event_hooks["response"].append(lambda response: self.answers.update([response.status_code]))

    def telegram(self, body: bytes, secret: str | bytes | None) -> httpx.Response:
        headers: dict[bytes, bytes] = {b"Content-Type": b"application/json"}
        if secret is not None:
            headers[b"X-Telegram-Bot-Api-Secret-Token"] = (
                secret.encode("utf-8", "surrogatepass") if isinstance(secret, str) else secret
            )
        return self.client.post(f"/webhooks/telegram/{self.town.channel_id}", content=body, headers=headers)

    def whatsapp(self, body: bytes, signature: str | bytes | None) -> httpx.Response:
        headers: dict[bytes, bytes] = {b"Content-Type": b"application/json"}
        if signature is not None:
            headers[b"X-Hub-Signature-256"] = (
                signature.encode("utf-8", "surrogatepass") if isinstance(signature, str) else signature
            )
        return self.client.post(f"/webhooks/whatsapp/{self.whatsapp_channel_id}", content=body, headers=headers)


@pytest.fixture
def entry(runtime: Runtime, api_url: str, simulator_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Entry]:
    monkeypatch.setenv("CITYMES_WHATSAPP_API_BASE", simulator_url)
    town = make_town(runtime, simulator_url)
    credentials = {
        "phone_number_id": str(10**14 + secrets.randbelow(10**14)),
        "access_token": "EAAG" + secrets.token_urlsafe(24),
        "app_secret": secrets.token_hex(16),
        "verify_token": secrets.token_urlsafe(12),
    }
    with Session(runtime.engine) as session:
        tenant = session.get_one(Tenant, town.tenant_id)
        channel = tenants.add_channel(session, tenant=tenant, platform="whatsapp", credentials=credentials)
        operator = session.exec(select(Operator).where(Operator.tenant_id == town.tenant_id)).one()
        cookie = auth.open_session(session, operator=operator)
        session.commit()
        channel_id = channel.id
        assert channel_id is not None
    # Redirects are followed as a browser or a platform would (Starlette redirects a trailing slash).
    with httpx.Client(base_url=api_url, timeout=60, follow_redirects=True) as client:
        yield Entry(
            town,
            channel_id,
            credentials["phone_number_id"],
            credentials["app_secret"],
            credentials["verify_token"],
            cookie,
            client,
        )


def stored_rows(runtime: Runtime) -> dict[str, int]:
    """How many rows each table holds."""
    with Session(runtime.engine) as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one() for table in SQLModel.metadata.sorted_tables
        }


# --- what attackers and broken clients send -------------------------------------------------------------------------

lone_surrogates = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3)
plain_text = st.text(max_size=30)
texts = st.one_of(plain_text, plain_text, plain_text, lone_surrogates, st.text(max_size=5).map(lambda t: t + "\ud800" + t))
big_ints = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([0, -1, 2**63 - 1, 2**63, 2**64, 10**30]))
scalars = st.one_of(st.none(), st.booleans(), big_ints, st.floats(allow_nan=False, allow_infinity=False), texts)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=12
)
leaf = st.one_of(scalars, json_values)


def mostly(plausible: st.SearchStrategy) -> st.SearchStrategy:
    """Usually a plausible value (so bodies get deep into the path), sometimes anything."""
    return st.one_of(plausible, plausible, plausible, leaf)


ids = st.integers(1, 2**40)


def _dumps(value: object) -> bytes:
    return json.dumps(value).encode()  # ensure_ascii: lone surrogates travel as valid "\ud800" escapes


def _nested(depth: int, opener: bytes) -> bytes:
    if opener == b"[":
        return b"[" * depth + b"1" + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def _quoted(part: str) -> str:
    """`part` as one percent-encoded path segment or query value (lone surrogates as their invalid UTF-8 bytes)."""
    return quote(part.encode("utf-8", "surrogatepass"), safe="")


deep_bodies = st.builds(_nested, st.integers(1, 20_000), st.sampled_from([b"[", b"{"]))
raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"", b"{", b"null", b"NaN", b'{"a": Infinity}', b"1" * 5000, b'"\\ud800"', b"\xed\xa0\x80"]),
)

user = st.fixed_dictionaries(
    {"id": mostly(ids), "is_bot": mostly(st.just(False)), "first_name": mostly(st.text(max_size=9)) | texts}
)
telegram_message = st.fixed_dictionaries(
    {
        "message_id": mostly(ids) | big_ints,
        "date": mostly(st.integers(0, 2**32)) | big_ints | st.floats(allow_nan=False, allow_infinity=False),
        "chat": st.fixed_dictionaries({"id": mostly(ids) | big_ints, "type": mostly(st.just("private"))}),
        "from": user,
    },
    optional={
        "text": texts | leaf,
        "caption": texts,
        "photo": st.lists(st.fixed_dictionaries({"file_id": texts, "file_unique_id": texts, "width": leaf, "height": leaf})),
        "location": st.fixed_dictionaries({"latitude": leaf, "longitude": leaf}),
        "contact": st.fixed_dictionaries({"phone_number": texts | leaf, "first_name": texts, "user_id": big_ints | leaf}),
        "document": st.fixed_dictionaries({"file_id": texts, "file_unique_id": texts, "file_name": texts}),
    },
)
telegram_updates = st.fixed_dictionaries({"update_id": mostly(ids), "message": mostly(telegram_message)})
deep_updates = st.integers(1, 20_000).map(lambda n: b'{"update_id": 7, "message": ' + _nested(n, b"{") + b"}")
telegram_bodies = st.one_of(telegram_updates.map(_dumps), json_values.map(_dumps), deep_bodies, deep_updates, raw_bodies)


def whatsapp_notification(phone_number_id: str) -> st.SearchStrategy[bytes]:
    """Notifications shaped like Meta's for this number, with any value in any field."""
    message = st.fixed_dictionaries(
        {
            "from": texts | leaf,
            "id": texts | leaf,
            "timestamp": big_ints | texts | leaf,
            "type": st.sampled_from(["text", "image", "location", "interactive", "button", "contacts", "sticker"]) | leaf,
        },
        optional={
            "text": st.fixed_dictionaries({"body": texts | leaf}),
            "image": st.fixed_dictionaries({"id": texts, "mime_type": texts, "caption": texts}),
            "location": st.fixed_dictionaries({"latitude": leaf, "longitude": leaf, "name": texts}),
            "interactive": json_values,
            "contacts": json_values,
        },
    )
    status = st.fixed_dictionaries(
        {"id": texts | leaf, "status": st.sampled_from(["sent", "delivered", "read", "failed"]) | leaf},
        optional={"timestamp": big_ints | leaf, "errors": json_values},
    )
    value = st.fixed_dictionaries(
        {
            "metadata": st.fixed_dictionaries({"phone_number_id": st.just(phone_number_id) | leaf}),
            "contacts": json_values,
            "messages": st.lists(message, max_size=2) | leaf,
            "statuses": st.lists(status, max_size=2) | leaf,
        }
    )
    change = st.fixed_dictionaries({"field": st.just("messages") | leaf, "value": value | leaf})
    entry = st.fixed_dictionaries({"changes": st.lists(change, max_size=2) | leaf})
    body = st.fixed_dictionaries({"object": st.just("whatsapp_business_account") | leaf, "entry": st.lists(entry, max_size=2)})
    return st.one_of(body.map(_dumps), json_values.map(_dumps), deep_bodies, raw_bodies)


def assert_fuzzed(entry: Entry, *, requests_per_example: int) -> None:
    """The run really sent its thousands of requests (and shows what came back, with `pytest -s`)."""
    print(f"answers: {dict(sorted(entry.answers.items()))}")
    assert entry.answers.total() >= EXAMPLES * requests_per_example * 0.9
    assert not [status for status in entry.answers if status >= 500]


# --- the runs --------------------------------------------------------------------------------------------------------


def test_fuzzed_bodies_without_the_secret_or_signature_store_nothing_and_never_500(entry: Entry, runtime: Runtime) -> None:
    before = stored_rows(runtime)
    wa_bodies = whatsapp_notification(entry.phone_number_id)

    @FUZZ
    @given(
        telegram=telegram_bodies,
        whatsapp=wa_bodies,
        guess=st.one_of(st.none(), st.from_regex(r"[!-~\x80-\xff]{1,40}", fullmatch=True)),
    )
    def flood(telegram: bytes, whatsapp: bytes, guess: str | None) -> None:
        secret = guess.encode("latin-1") if guess is not None and guess != entry.town.secret else None
        assert entry.telegram(telegram, secret).status_code == 403
        signature = signature_for("not-the-app-secret", whatsapp) if guess is None else guess.encode("latin-1")
        assert entry.whatsapp(whatsapp, signature).status_code == 403

    flood()
    assert_fuzzed(entry, requests_per_example=2)
    assert stored_rows(runtime) == before


def test_fuzzed_telegram_updates_with_the_right_secret_never_500(entry: Entry) -> None:
    @FUZZ
    @given(body=telegram_bodies)
    def flood(body: bytes) -> None:
        response = entry.telegram(body, entry.town.secret)
        assert response.status_code in {200, *REFUSALS}, (body[:300], response.status_code, response.text[:300])

    flood()
    assert_fuzzed(entry, requests_per_example=1)


def test_fuzzed_whatsapp_notifications_with_a_right_signature_never_500(entry: Entry) -> None:
    @FUZZ
    @given(body=whatsapp_notification(entry.phone_number_id))
    def flood(body: bytes) -> None:
        response = entry.whatsapp(body, signature_for(entry.app_secret, body))
        assert response.status_code in {200, *REFUSALS}, (body[:300], response.status_code, response.text[:300])

    flood()
    assert_fuzzed(entry, requests_per_example=1)


path_ids = st.one_of(big_ints.map(str), st.text(max_size=30), st.sampled_from(["9" * 5000, "1e3", "0x1", " 1", "१"]))


def test_fuzzed_ids_handshakes_and_media_names_never_500(entry: Entry, runtime: Runtime) -> None:
    before = stored_rows(runtime)
    query_values = st.one_of(texts, st.just(entry.verify_token), st.just("subscribe"))

    @FUZZ
    @given(
        channel=st.one_of(path_ids, st.just(str(entry.whatsapp_channel_id))),
        query=st.dictionaries(st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge"]) | texts, query_values),
        tenant=st.one_of(path_ids, st.just(str(entry.town.tenant_id))),
        name=st.one_of(texts, st.sampled_from(["..", ".", "x.jpg\x00.png", "a" * 5000, "%2e%2e", "../../etc/passwd"])),
        signed_in=st.booleans(),
    )
    def flood(channel: str, query: dict[str, str], tenant: str, name: str, signed_in: bool) -> None:
        query_string = "&".join(f"{_quoted(key)}={_quoted(value)}" for key, value in query.items())
        response = entry.client.get(f"/webhooks/whatsapp/{_quoted(channel)}?{query_string}")
        assert response.status_code in {200, *REFUSALS}, (channel, query, response.status_code)
        response = entry.client.post(f"/webhooks/telegram/{_quoted(channel)}", content=b"{}")
        assert response.status_code in REFUSALS, (channel, response.status_code)
        path = f"/media/{_quoted(tenant)}/{_quoted(name)}"
        headers = {"Cookie": f"citymes_session={entry.session_cookie}"} if signed_in else {}
        response = entry.client.get(path, headers=headers)
        assert response.status_code in REFUSALS, (tenant, name[:50], response.status_code)

    flood()
    assert_fuzzed(entry, requests_per_example=3)
    assert stored_rows(runtime) == before
