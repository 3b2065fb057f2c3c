"""What the administration pages read and write through `core`: a keyword's media, the change history with the
names of who made each change, and the year's holidays with the local ones removable."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from citymes_app.core import auth, hours, keywords, tenants


@pytest.fixture
def tenant(session: Session):
    return tenants.add_tenant(session, slug="vila", name="Vila", languages="ca,es")


def _keyword(session: Session, tenant, operator_id: int | None = None):
    form = keywords.KeywordForm(keyword="HORARIS", response="Obrim de 8 a 19 h.", language="ca")
    return keywords.create_keyword(session, tenant=tenant, form=form, operator_id=operator_id)


def test_media_attached_to_a_keyword_is_recorded_once_and_can_be_removed(session: Session, tenant) -> None:
    keyword = _keyword(session, tenant)
    args = dict(session=session, tenant=tenant, keyword_id=keyword.id, media_filename="oac.png")
    keywords.set_keyword_media(**args, media_path=f"{tenant.id}/abc.png")
    keywords.set_keyword_media(**args, media_path=f"{tenant.id}/abc.png")  # unchanged: no second history line
    assert (keyword.media_path, keyword.media_filename) == (f"{tenant.id}/abc.png", "oac.png")
    keywords.set_keyword_media(**args | {"media_filename": None}, media_path=None)
    assert (keyword.media_path, keyword.media_filename) == (None, None)
    media_changes = [c for c in keywords.history(session, tenant_id=tenant.id) if c.summary == "media"]
    assert len(media_changes) == 2


def test_another_tenants_keyword_cannot_be_read_or_given_media(session: Session, tenant) -> None:
    keyword = _keyword(session, tenant)
    other = tenants.add_tenant(session, slug="altra", name="Altra")
    with pytest.raises(keywords.KeywordError):
        keywords.get_keyword(session, tenant_id=other.id, keyword_id=keyword.id)
    with pytest.raises(keywords.KeywordError):
        keywords.set_keyword_media(
            session, tenant=other, keyword_id=keyword.id, media_path=f"{other.id}/x.png", media_filename="x.png"
        )


def test_history_names_the_operator_and_the_command_line_as_no_one(session: Session, tenant) -> None:
    admin = auth.add_operator(
        session, tenant=tenant, email="admin@vila.test", password="long-enough", role="admin", display_name="Jordi"
    )
    keyword = _keyword(session, tenant)  # as the command line would
    form = keywords.KeywordForm(keyword="HORARIS", response="Obrim de 9 a 14 h.", language="ca")
    keywords.update_keyword(session, tenant=tenant, keyword_id=keyword.id, form=form, operator_id=admin.id)
    entries = keywords.history_with_authors(session, tenant_id=tenant.id)
    assert [(change.action, change.summary, name) for change, name in entries] == [
        ("updated", "response", "Jordi"),
        ("created", "", ""),
    ]


def test_calendar_lists_public_and_local_holidays_in_date_order(session: Session, tenant) -> None:
    local = hours.add_local_holiday(session, tenant_id=tenant.id, day=date(2026, 6, 29), name="Festa Major")
    hours.add_local_holiday(session, tenant_id=tenant.id, day=date(2027, 6, 29), name="Festa Major")
    days = hours.calendar(session, tenant=tenant, year=2026)
    assert days == sorted(days, key=lambda h: h.day)
    assert [h for h in days if h.local_id] == [hours.Holiday(date(2026, 6, 29), "Festa Major", local.id)]
    assert hours.Holiday(date(2026, 9, 11), "National Day of Catalonia") in days  # ES-CT from the library
    assert {h.day.year for h in days} == {2026}
