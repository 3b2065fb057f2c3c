"""The channels page's use cases: an administrator sees their own channels with the address platforms post to,
records templates only where they are needed, and cannot touch another organisation's channels."""

from __future__ import annotations

import pytest
from sqlmodel import Session

import integrations.whatsapp  # noqa: F401 - registers the platform's free-form window
from citymes_app.core import auth, templates, tenants
from citymes_app.core.channel_desk import ChannelDesk
from citymes_app.models import Channel, ChannelMode, Role, row_id
from tests.helpers import engine_of


def _admin(session: Session, tenant) -> auth.SignedInOperator:
    operator = auth.add_operator(
        session, tenant=tenant, email=f"admin@{tenant.slug}.test", password="long-enough", role=Role.ADMIN
    )
    session.commit()
    return auth.SignedInOperator(row_id(operator), row_id(tenant), tenant.slug, tenant.name, operator.email, "", operator.role)


@pytest.fixture
def towns(session: Session) -> tuple[ChannelDesk, auth.SignedInOperator, auth.SignedInOperator, int, int]:
    vila = tenants.add_tenant(session, slug="vila", name="Vila")
    poble = tenants.add_tenant(session, slug="poble", name="Poble")
    bot = tenants.add_channel(session, tenant=vila, platform="telegram", credentials={"token": "1:x"}, name="Bot")
    number = tenants.add_channel(
        session, tenant=vila, platform="whatsapp", credentials={"phone_number_id": "600"}, mode=ChannelMode.WEBHOOK
    )
    tenants.add_channel(session, tenant=poble, platform="telegram", credentials={"token": "2:y"})
    session.commit()
    desk = ChannelDesk(engine=engine_of(session), public_base_url="https://citymes.example/")
    return desk, _admin(session, vila), _admin(session, poble), row_id(bot), row_id(number)


async def test_the_administrator_sees_their_channels_with_the_webhook_address_and_templates(towns) -> None:
    desk, vila_admin, _, bot_id, number_id = towns

    recorded = await desk.add_template(by=vila_admin, channel_id=number_id, name="cita", language="ca", body="Cita el {{1}}.")
    listed = await desk.list(by=vila_admin)

    assert [(c.id, c.platform, c.takes_templates) for c in listed] == [(bot_id, "telegram", False), (number_id, "whatsapp", True)]
    assert listed[1].webhook_url == f"https://citymes.example/webhooks/whatsapp/{number_id}"
    assert listed[1].templates == [recorded.template] and recorded.template.parameter_count == 1
    assert "600" not in repr(listed)  # credentials stay out of what is printed or logged


async def test_a_channel_without_a_window_takes_no_template(towns) -> None:
    desk, vila_admin, _, bot_id, _ = towns
    with pytest.raises(templates.TemplateError, match="needs no templates"):
        await desk.add_template(by=vila_admin, channel_id=bot_id, name="cita", language="ca", body="Hola")


async def test_another_organisations_channel_cannot_be_switched_off(session: Session, towns) -> None:
    desk, vila_admin, poble_admin, bot_id, _ = towns

    with pytest.raises(tenants.TenantError, match=f"no channel {bot_id} in this organisation"):
        await desk.set_enabled(by=poble_admin, channel_id=bot_id, enabled=False)
    await desk.set_enabled(by=vila_admin, channel_id=bot_id, enabled=False)

    assert [c.enabled for c in await desk.list(by=vila_admin)] == [False, True]
    assert all(c.enabled for c in await desk.list(by=poble_admin))
    session.expire_all()
    assert session.get_one(Channel, bot_id).enabled is False
