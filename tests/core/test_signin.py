"""Signing in: failed tries throttled per account and per address, the same answer for accounts that do not exist,
and signing out of every browser at once."""

from __future__ import annotations

import secrets

import pytest
from sqlmodel import Session

from citymes_app.core import auth, tenants
from citymes_app.core.signin import SignInDesk, SignInOutcome, SignInThrottle
from tests.helpers import engine_of, signed_in_operator

PASSWORD = "correct horse battery"


@pytest.fixture(params=["memory", "redis"])
def throttle(request: pytest.FixtureRequest) -> SignInThrottle:
    """Failed tries counted in this process's memory (one worker), or in Redis (several workers, `REFLEX_REDIS_URL`),
    under a scope of this test's own: the Redis server may be shared and the window lasts 15 minutes."""
    if request.param == "memory":
        return SignInThrottle()
    return SignInThrottle(request.getfixturevalue("redis_url"), scope=f"citymes-test-{secrets.token_hex(8)}")


@pytest.fixture
def desk(session: Session, throttle: SignInThrottle) -> SignInDesk:
    """A sign-in desk on a town with two operators."""
    tenant = tenants.add_tenant(session, slug="vila", name="Ajuntament de Vila")
    for email in ("anna@vila.test", "pau@vila.test"):
        auth.add_operator(session, tenant=tenant, email=email, password=PASSWORD)
    session.commit()
    return SignInDesk(engine=engine_of(session), throttle=throttle)


async def test_sixth_try_on_one_account_is_refused_even_with_the_right_password(desk: SignInDesk) -> None:
    for _ in range(5):
        wrong = await desk.sign_in(email="anna@vila.test", password="guess", address="203.0.113.7")
        assert wrong.outcome == SignInOutcome.REFUSED
    sixth = await desk.sign_in(email="anna@vila.test", password=PASSWORD, address="203.0.113.7")
    assert sixth.outcome == SignInOutcome.THROTTLED
    assert sixth.token == ""
    assert sixth.retry_after_minutes == 15
    # The account is throttled whichever address the next try comes from; the case of the email changes nothing.
    elsewhere = await desk.sign_in(email="ANNA@vila.test ", password=PASSWORD, address="198.51.100.1")
    assert elsewhere.outcome == SignInOutcome.THROTTLED
    # Another account from another address still signs in.
    colleague = await desk.sign_in(email="pau@vila.test", password=PASSWORD, address="198.51.100.2")
    assert colleague.outcome == SignInOutcome.SIGNED_IN
    assert colleague.token


async def test_an_unknown_email_is_throttled_exactly_like_a_known_one(desk: SignInDesk) -> None:
    answers: dict[str, list[tuple[SignInOutcome, int]]] = {}
    for email in ("anna@vila.test", "nobody@vila.test"):
        tries = [await desk.sign_in(email=email, password="guess", address=f"192.0.2.{len(answers) + 1}") for _ in range(6)]
        answers[email] = [(t.outcome, t.retry_after_minutes) for t in tries]
    assert answers["anna@vila.test"] == answers["nobody@vila.test"]
    assert answers["nobody@vila.test"][-1] == (SignInOutcome.THROTTLED, 15)


async def test_one_address_trying_many_accounts_is_throttled(desk: SignInDesk) -> None:
    for n in range(20):  # four tries on each of five accounts: no account reaches its own limit
        await desk.sign_in(email=f"guess{n % 5}@vila.test", password="guess", address="203.0.113.9")
    refused = await desk.sign_in(email="pau@vila.test", password=PASSWORD, address="203.0.113.9")
    assert refused.outcome == SignInOutcome.THROTTLED
    other_address = await desk.sign_in(email="pau@vila.test", password=PASSWORD, address="203.0.113.10")
    assert other_address.outcome == SignInOutcome.SIGNED_IN


async def test_signing_out_everywhere_ends_every_browser_of_the_operator_only(desk: SignInDesk, session: Session) -> None:
    laptop = (await desk.sign_in(email="anna@vila.test", password=PASSWORD, address="192.0.2.1")).token
    phone = (await desk.sign_in(email="anna@vila.test", password=PASSWORD, address="192.0.2.2")).token
    colleague = (await desk.sign_in(email="pau@vila.test", password=PASSWORD, address="192.0.2.3")).token
    assert auth.resolve_session(session, token=phone) is not None

    await desk.sign_out_everywhere(token=laptop)

    assert auth.resolve_session(session, token=laptop) is None
    assert auth.resolve_session(session, token=phone) is None
    assert signed_in_operator(session, colleague).email == "pau@vila.test"
    again = await desk.sign_in(email="anna@vila.test", password=PASSWORD, address="192.0.2.1")
    assert signed_in_operator(session, again.token).email == "anna@vila.test"
