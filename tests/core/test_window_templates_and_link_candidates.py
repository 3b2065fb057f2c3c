"""What the inbox shows before an operator writes on a channel with a free-form window (until when it is open, why it
is closed, which templates to offer), the citizens an operator may link a record with, and the demo's WhatsApp
number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import integrations.whatsapp  # noqa: F401 - registers the platform's 24-hour window
from citymes_app import demo
from citymes_app.core import citizens, inbox, templates, tenants
from citymes_app.core.inbox_display import template_options
from citymes_app.models import Channel, Citizen, CitizenIdentity, Conversation, row_id, utcnow


def add_citizen(session: Session, channel: Channel, user: str, name: str, phone: str | None = None) -> Conversation:
    citizen = Citizen(tenant_id=channel.tenant_id, display_name=name, phone=phone)
    session.add(citizen)
    session.flush()
    session.add(
        CitizenIdentity(tenant_id=channel.tenant_id, citizen_id=row_id(citizen), platform=channel.platform, platform_user_id=user)
    )
    conversation = Conversation(tenant_id=channel.tenant_id, citizen_id=row_id(citizen), channel_id=row_id(channel), address=user)
    session.add(conversation)
    session.flush()
    return conversation


@pytest.fixture
def town(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        tenant = tenants.add_tenant(session, slug="vila", name="Vila", languages="ca,es,en")
        other = tenants.add_tenant(session, slug="altra", name="Altra")
        telegram = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="Bot")
        whatsapp = tenants.add_channel(session, tenant=tenant, platform="whatsapp", credentials={}, name="WhatsApp OAC")
        elsewhere = tenants.add_channel(session, tenant=other, platform="whatsapp", credentials={})
        for language, body in (("ca", "Hola {{1}}, us escrivim."), ("es", "Hola {{1}}, le escribimos.")):
            templates.add_template(session, channel=whatsapp, name="seguiment", language=language, body=body)
        ids = {
            "tenant": row_id(tenant),
            "other": row_id(other),
            "telegram": row_id(add_citizen(session, telegram, "501", "Núria Bot")),
            "whatsapp": row_id(add_citizen(session, whatsapp, "34600111222", "Núria WhatsApp", "+34600111222")),
            "elsewhere": row_id(add_citizen(session, elsewhere, "34600999888", "Núria Altra")),
        }
        session.commit()
        return ids


def set_last_inbound(engine: Engine, conversation_id: int, ago: timedelta) -> None:
    with Session(engine) as session:
        conversation = session.get_one(Conversation, conversation_id)
        conversation.last_inbound_at = utcnow() - ago
        session.add(conversation)
        session.commit()


def test_the_window_says_until_when_a_free_form_reply_goes_and_a_channel_without_one_has_none(engine: Engine, town: dict) -> None:
    set_last_inbound(engine, town["whatsapp"], timedelta(hours=1, minutes=30))
    with Session(engine) as session:
        open_window = inbox.reply_window(session, tenant_id=town["tenant"], conversation_id=town["whatsapp"])
        telegram = inbox.reply_window(session, tenant_id=town["tenant"], conversation_id=town["telegram"])
    assert (open_window.applies, open_window.open, str(open_window.refusal)) == (True, True, "")
    assert open_window.closes_at is not None
    assert timedelta(hours=22) < open_window.closes_at - utcnow() <= timedelta(hours=22, minutes=30)
    assert (telegram.applies, telegram.open, telegram.closes_at, telegram.templates) == (False, True, None, [])


def test_a_closed_window_is_explained_with_the_templates_to_send_instead(engine: Engine, town: dict) -> None:
    set_last_inbound(engine, town["whatsapp"], timedelta(hours=25))
    with Session(engine) as session:
        closed = inbox.reply_window(session, tenant_id=town["tenant"], conversation_id=town["whatsapp"])
        with pytest.raises(inbox.InboxError):
            inbox.reply_window(session, tenant_id=town["other"], conversation_id=town["whatsapp"])
    assert (closed.applies, closed.open) == (True, False)
    assert closed.closes_at is not None
    assert closed.closes_at < utcnow()
    assert "more than 24 hours old" in str(closed.refusal)
    assert "seguiment (ca), seguiment (es)" in str(closed.refusal)
    assert [(t.name, t.language) for t in closed.templates] == [("seguiment", "ca"), ("seguiment", "es")]


def test_templates_in_the_citizens_language_are_offered_first(engine: Engine, town: dict) -> None:
    with Session(engine) as session:
        first = [t.label for t in template_options(session, tenant_id=town["tenant"], conversation_id=town["whatsapp"])]
        conversation = session.get_one(Conversation, town["whatsapp"])
        session.get_one(Citizen, conversation.citizen_id).language = "es"
        session.flush()
        spanish = template_options(session, tenant_id=town["tenant"], conversation_id=town["whatsapp"])
        telegram = template_options(session, tenant_id=town["tenant"], conversation_id=town["telegram"])
    assert first == ["seguiment (ca)", "seguiment (es)"]  # the tenant's first language
    assert [t.label for t in spanish] == ["seguiment (es)", "seguiment (ca)"]
    assert (spanish[0].body, spanish[0].parameter_count) == ("Hola {{1}}, le escribimos.", 1)
    assert telegram == []


def test_link_candidates_are_the_tenants_other_citizens_with_their_platforms(engine: Engine, town: dict) -> None:
    with Session(engine) as session:
        whatsapp_citizen = session.get_one(Conversation, town["whatsapp"]).citizen_id
        telegram_citizen = session.get_one(Conversation, town["telegram"]).citizen_id
        everyone = citizens.link_candidates(session, tenant_id=town["tenant"], exclude_id=whatsapp_citizen)
        by_phone = citizens.link_candidates(session, tenant_id=town["tenant"], exclude_id=telegram_citizen, search="600111")
        nobody = citizens.link_candidates(session, tenant_id=town["tenant"], exclude_id=whatsapp_citizen, search="Altra")
    assert [(c.name, c.platforms, c.conversations) for c in everyone] == [("Núria Bot", ["telegram"], 1)]
    assert [(c.name, c.phone) for c in by_phone] == [("Núria WhatsApp", "+34600111222")]
    assert nobody == []  # another organisation's citizen is never offered


def test_the_demo_has_a_whatsapp_number_with_templates_and_older_demos_gain_it(engine: Engine) -> None:
    with Session(engine) as session:
        first = demo.load_demo(session, queue=False)  # a queue's messages would hold the number being taken away
        again = demo.load_demo(session)
        channels = [(c.id, c.platform, c.name) for c in tenants.list_channels(session)]
        assert first.whatsapp_channel_id is not None
        recorded = templates.list_templates(session, channel_id=first.whatsapp_channel_id)
        session.commit()
    assert (first.created, again.created) == (True, False)
    assert channels == [
        (1, "telegram", "Telegram @vilademo_bot"),
        (2, "whatsapp", demo.DEMO_WHATSAPP_NAME),
    ]
    assert (first.channel_id, first.whatsapp_channel_id, again.whatsapp_channel_id) == (1, 2, 2)
    assert sorted((t.name, t.language) for t in recorded) == [("seguiment", "ca"), ("seguiment", "en"), ("seguiment", "es")]

    with Session(engine) as session:  # a demo loaded before WhatsApp existed
        for row in session.exec(select(Channel).where(Channel.platform == "whatsapp")):
            for template in templates.list_templates(session, channel_id=row_id(row)):
                session.delete(session.get(templates.MessageTemplate, template.id))
            session.flush()
            session.delete(row)
        session.commit()
        upgraded = demo.load_demo(session, queue=False)
        session.commit()
        assert upgraded.whatsapp_channel_id is not None
        assert len(templates.list_templates(session, channel_id=upgraded.whatsapp_channel_id)) == 3
