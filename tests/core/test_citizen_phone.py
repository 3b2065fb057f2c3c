"""The channels the citizen phone may write to: enabled ones of the platforms asked for, with the tenant's clock."""

from __future__ import annotations

from sqlmodel import Session

from citymes_app.core import tenants
from citymes_app.core.citizen_phone import phone_channels
from citymes_app.models import row_id
from citymes_app.runtime import Runtime


async def test_only_enabled_channels_of_the_platforms_asked_for_are_offered(runtime: Runtime) -> None:
    with Session(runtime.engine) as session:
        town = tenants.add_tenant(session, slug="illa", name="Illa", timezone="Atlantic/Canary")
        bot = tenants.add_channel(
            session, tenant=town, platform="telegram", credentials={"token": "1:abcdef", "secret": "s"}, name="Bot"
        )
        off = tenants.add_channel(session, tenant=town, platform="telegram", credentials={"token": "2:abcdef", "secret": "s"})
        number = tenants.add_channel(session, tenant=town, platform="whatsapp", credentials={"phone_number_id": "6"})
        session.commit()
        tenants.set_channel_enabled(session, channel_id=row_id(off), enabled=False)
        session.commit()
        bot_id, number_id = bot.id, number.id

    telegram_only = await phone_channels(runtime.engine, platforms={"telegram"})
    both = await phone_channels(runtime.engine, platforms={"telegram", "whatsapp"})

    assert [(c.id, c.name, c.platform, c.timezone.key) for c in telegram_only] == [(bot_id, "Bot", "telegram", "Atlantic/Canary")]
    assert [c.id for c in both] == [bot_id, number_id]
