"""Browser sessions: they end after two idle hours and after twelve hours at most, on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from citymes_app.core import auth, clock, tenants
from citymes_app.models import Operator, OperatorSession

SIGNED_IN_AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def token(session: Session) -> str:
    """A session opened at 9:00 UTC."""
    tenant = tenants.add_tenant(session, slug="vila", name="Ajuntament de Vila")
    operator = auth.add_operator(session, tenant=tenant, email="anna@vila.test", password="correct horse battery")
    clock.freeze(SIGNED_IN_AT)
    token = auth.open_session(session, operator=operator)
    session.commit()
    return token


def _at(session: Session, token: str, moment: datetime) -> str | None:
    clock.freeze(moment)
    signed_in = auth.resolve_session(session, token=token)
    session.commit()
    return signed_in.email if signed_in else None


def test_a_session_left_idle_for_two_hours_has_expired(session: Session, token: str) -> None:
    assert _at(session, token, SIGNED_IN_AT + timedelta(hours=1, minutes=59)) == "anna@vila.test"
    # Used at 10:59, so idle only from then: still signed in at 12:58, gone at 12:59.
    assert _at(session, token, SIGNED_IN_AT + timedelta(hours=3, minutes=58)) == "anna@vila.test"
    assert _at(session, token, SIGNED_IN_AT + timedelta(hours=5, minutes=58)) is None


def test_a_session_in_constant_use_ends_after_twelve_hours(session: Session, token: str) -> None:
    for hour in range(1, 12):
        assert _at(session, token, SIGNED_IN_AT + timedelta(hours=hour)) == "anna@vila.test"
    assert _at(session, token, SIGNED_IN_AT + timedelta(hours=11, minutes=59)) == "anna@vila.test"
    assert _at(session, token, SIGNED_IN_AT + timedelta(hours=12)) is None


def test_last_seen_is_written_at_most_once_a_minute(session: Session, token: str) -> None:
    def last_seen() -> datetime:
        session.expire_all()
        return session.exec(select(OperatorSession.last_seen_at)).one()

    _at(session, token, SIGNED_IN_AT + timedelta(seconds=50))
    assert last_seen() == SIGNED_IN_AT
    _at(session, token, SIGNED_IN_AT + timedelta(seconds=70))
    assert last_seen() == SIGNED_IN_AT + timedelta(seconds=70)


def test_a_disabled_operator_is_signed_out(session: Session, token: str) -> None:
    operator = session.exec(select(Operator)).one()
    operator.active = False
    session.add(operator)
    session.commit()
    assert _at(session, token, SIGNED_IN_AT) is None


def test_an_operator_sees_the_organisations_first_language_until_choosing_their_own(session: Session, token: str) -> None:
    colleague = auth.add_operator(
        session, tenant=tenants.require_tenant(session, slug="vila"), email="pau@vila.test", password="correct horse battery"
    )
    signed_in = auth.resolve_session(session, token=token)
    assert signed_in is not None and signed_in.language == "ca"  # the tenant's languages: "ca,es"

    chosen = auth.choose_language(session, token=token, language="es")
    session.commit()

    assert chosen is not None and chosen.language == "es"
    resolved = auth.resolve_session(session, token=token)
    assert resolved is not None and resolved.language == "es"
    assert session.get_one(Operator, colleague.id).language is None  # only the session's own operator
    with pytest.raises(auth.AuthError):
        auth.choose_language(session, token=token, language="fr")
    assert auth.choose_language(session, token="not-a-session", language="en") is None
