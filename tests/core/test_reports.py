"""The unanswered-questions report: grouping by normalized text, ordering, the period and tenant isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from citymes_app.core import keywords, reports, tenants
from citymes_app.core.keyword_teaching import teach_example
from citymes_app.models import UnmatchedQuery, row_id
from tests.helpers import engine_of

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def town(session: Session):
    tenant = tenants.add_tenant(session, slug="vila", name="Vila")
    telegram = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={})
    whatsapp = tenants.add_channel(session, tenant=tenant, platform="whatsapp", credentials={})
    return tenant, telegram, whatsapp


def _asked(session: Session, channel, text: str, hours_ago: int) -> None:  # noqa: ANN001
    session.add(
        UnmatchedQuery(tenant_id=channel.tenant_id, channel_id=channel.id, normalized=text, hour=NOW - timedelta(hours=hours_ago))
    )
    session.commit()


def test_groups_by_text_most_asked_first_then_most_recent(session: Session, town) -> None:
    tenant, telegram, whatsapp = town
    _asked(session, telegram, "piscina horari", 30)
    _asked(session, whatsapp, "piscina horari", 5)
    _asked(session, telegram, "piscina horari", 2)
    _asked(session, telegram, "deixalleria", 50)
    _asked(session, telegram, "deixalleria", 40)
    _asked(session, telegram, "gossos", 1)  # once, but more recent than the twice-asked one below
    _asked(session, whatsapp, "bus nocturn", 3)

    lines = reports.unmatched_report(session, tenant_id=tenant.id, since=NOW - timedelta(days=7))

    assert [(line.text, line.times_asked, line.channels) for line in lines] == [
        ("piscina horari", 3, 2),
        ("deixalleria", 2, 1),
        ("gossos", 1, 1),
        ("bus nocturn", 1, 1),
    ]
    assert lines[0].last_asked == NOW - timedelta(hours=2)
    assert lines[0].last_asked.tzinfo is not None
    assert reports.unmatched_total(session, tenant_id=tenant.id, since=NOW - timedelta(days=7)) == 7
    assert [
        line.text for line in reports.unmatched_report(session, tenant_id=tenant.id, since=NOW - timedelta(days=7), limit=2)
    ] == [
        "piscina horari",
        "deixalleria",
    ]


def test_since_leaves_out_older_questions(session: Session, town) -> None:
    tenant, telegram, _ = town
    _asked(session, telegram, "padro", 24 * 10)
    _asked(session, telegram, "padro", 24 * 3)
    _asked(session, telegram, "festa major", 24 * 8)

    since = NOW - timedelta(days=7)
    lines = reports.unmatched_report(session, tenant_id=tenant.id, since=since)

    assert [(line.text, line.times_asked) for line in lines] == [("padro", 1)]
    assert reports.unmatched_total(session, tenant_id=tenant.id, since=since) == 1
    _asked(session, telegram, "festa major", 24 * 7)  # exactly at the cut-off: counted
    assert reports.unmatched_total(session, tenant_id=tenant.id, since=since) == 2
    assert len(reports.unmatched_report(session, tenant_id=tenant.id, since=NOW - timedelta(days=30))) == 2


def test_another_tenants_questions_are_never_counted(session: Session, town) -> None:
    tenant, telegram, _ = town
    other = tenants.add_tenant(session, slug="consell", name="Consell")
    elsewhere = tenants.add_channel(session, tenant=other, platform="telegram", credentials={})
    _asked(session, telegram, "piscina", 1)
    _asked(session, elsewhere, "piscina", 1)
    _asked(session, elsewhere, "secret", 1)

    since = NOW - timedelta(days=7)
    assert [(line.text, line.times_asked) for line in reports.unmatched_report(session, tenant_id=tenant.id, since=since)] == [
        ("piscina", 1)
    ]
    assert reports.unmatched_total(session, tenant_id=tenant.id, since=since) == 1
    assert reports.unmatched_total(session, tenant_id=row_id(other), since=since) == 2


def test_naive_since_is_refused(session: Session, town) -> None:
    tenant, _, _ = town
    with pytest.raises(ValueError, match="timezone-aware"):
        reports.unmatched_report(session, tenant_id=tenant.id, since=datetime(2026, 11, 1))


async def test_the_report_says_which_questions_are_taught_and_to_which_keyword(session: Session, town) -> None:
    tenant, telegram, _ = town
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for text in ("a quina hora tanca la piscina", "on llenco els mobles vells"):
        session.add(UnmatchedQuery(tenant_id=tenant.id, channel_id=telegram.id, normalized=text, hour=now))
    pool = keywords.create_keyword(
        session, tenant=tenant, form=keywords.KeywordForm(keyword="PISCINA", response="De 7 a 22 h.", language="ca")
    )
    teach_example(session, tenant=tenant, keyword_id=row_id(pool), question="A quina hora tanca la piscina?")
    session.commit()

    report = await reports.ReportDesk(engine=engine_of(session)).unmatched(tenant_id=row_id(tenant), days=7)

    assert sorted((line.text, line.taught_keyword, line.taught_language) for line in report.lines) == [
        ("a quina hora tanca la piscina", "PISCINA", "ca"),
        ("on llenco els mobles vells", "", ""),
    ]
