"""An organisation's departments: created, renamed (unique in the organisation whatever the case), listed with their
open conversations, deleted leaving their conversations with none; a conversation given to one, transferred to another
and taken off, recorded as a change of who has it; another organisation's department or conversation is not found; the
desks act for administrators only (the administration) and announce every conversation concerned."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core import auth, departments, inbox, inbox_queue, tenants
from citymes_app.core.administration import NotAnAdministrator
from citymes_app.core.department_desk import DepartmentDesk
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.core.inbox_desk import InboxDesk
from citymes_app.core.inbox_work import ConversationMoved
from citymes_app.core.reply_window import InboxError
from citymes_app.models import Citizen, Conversation, ConversationStatus, Role, row_id


def _town(engine: Engine) -> dict:
    """Two organisations, each with an administrator, an operator, three conversations and two departments."""
    found: dict = {}
    with Session(engine) as session:
        for slug in ("vila", "altra"):
            tenant = tenants.add_tenant(session, slug=slug, name=slug)
            channel = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="OAC")
            admin = auth.add_operator(
                session, tenant=tenant, email=f"admin@{slug}.test", password="a-long-password", role=Role.ADMIN
            )
            operator = auth.add_operator(session, tenant=tenant, email=f"op@{slug}.test", password="a-long-password")
            session.flush()
            found[slug] = auth.signed_in(session, operator=admin)
            found[f"{slug}-operator"] = auth.signed_in(session, operator=operator)
            conversations = []
            for n in range(3):
                citizen = Citizen(tenant_id=row_id(tenant), display_name=f"Veí {n}")
                session.add(citizen)
                session.flush()
                conversation = Conversation(
                    tenant_id=row_id(tenant), citizen_id=row_id(citizen), channel_id=row_id(channel), address=f"{slug}{n}"
                )
                session.add(conversation)
                session.flush()
                conversations.append(row_id(conversation))
            found[f"{slug}-conversations"] = conversations
            for name in ("Via pública", "Serveis socials"):
                change = departments.save_department(session, tenant_id=row_id(tenant), department_id=None, name=name)
                found[f"{slug}-{name}"] = change.id
        session.commit()
    return found


def _uses(engine: Engine, tenant_id: int) -> list[tuple[str, int]]:
    with Session(engine) as session:
        return [(use.name, use.open_conversations) for use in departments.department_uses(session, tenant_id=tenant_id)]


def _department_of(engine: Engine, conversation_id: int) -> int | None:
    with Session(engine) as session:
        return session.get_one(Conversation, conversation_id).department_id


def test_a_department_name_is_unique_in_the_organisation_whatever_the_case(engine: Engine) -> None:
    town = _town(engine)
    vila = town["vila"].tenant_id
    with Session(engine) as session:
        with pytest.raises(departments.DepartmentError) as refused:
            departments.save_department(session, tenant_id=vila, department_id=None, name="  VIA   PÚBLICA ")
        departments.save_department(session, tenant_id=vila, department_id=town["vila-Serveis socials"], name="SERVEIS SOCIALS")
        with pytest.raises(departments.DepartmentError, match="already a department SERVEIS SOCIALS"):
            departments.save_department(session, tenant_id=vila, department_id=None, name="serveis socials")
        assert refused.value.field == "name"
        assert str(refused.value) == "there is already a department Via pública"
        with pytest.raises(departments.DepartmentError, match="write the department's name") as empty:
            departments.save_department(session, tenant_id=vila, department_id=None, name="   ")
        assert empty.value.field == "name"
        with pytest.raises(departments.DepartmentError, match="at most 60"):
            departments.save_department(session, tenant_id=vila, department_id=None, name="x" * 61)
        with pytest.raises(departments.DepartmentError, match="at most 300") as long_description:
            departments.save_department(session, tenant_id=vila, department_id=None, name="Cultura", description="x" * 301)
        assert long_description.value.field == "description"
        renamed = departments.save_department(
            session, tenant_id=vila, department_id=town["vila-Via pública"], name="VIA PÚBLICA", description="Carrers"
        )  # its own name, recased
        assert renamed.name == "VIA PÚBLICA"
        departments.save_department(session, tenant_id=vila, department_id=None, name="Cultura", description="Festes")
        departments.save_department(session, tenant_id=vila, department_id=None, name="ß" * 60)  # folds to 120 letters
        departments.save_department(session, tenant_id=vila, department_id=None, name="Straße")
        with pytest.raises(departments.DepartmentError, match="already a department Straße"):
            departments.save_department(session, tenant_id=vila, department_id=None, name="STRASSE")
        session.commit()
    assert _uses(engine, vila) == [("Cultura", 0), ("SERVEIS SOCIALS", 0), ("ß" * 60, 0), ("Straße", 0), ("VIA PÚBLICA", 0)]
    assert _uses(engine, town["altra"].tenant_id) == [("Serveis socials", 0), ("Via pública", 0)]  # as they were


def test_a_conversation_is_given_transferred_and_taken_off_and_each_change_is_recorded(engine: Engine) -> None:
    town = _town(engine)
    laia, conversation_id = town["vila-operator"], town["vila-conversations"][0]
    via, socials = town["vila-Via pública"], town["vila-Serveis socials"]
    with Session(engine) as session:
        before = session.get_one(Conversation, conversation_id).version
        departments.set_department(session, operator=laia, conversation_id=conversation_id, department_id=via)
        departments.set_department(session, operator=laia, conversation_id=conversation_id, department_id=socials)
        departments.set_department(session, operator=laia, conversation_id=conversation_id, department_id=socials)  # no change
        session.commit()
        conversation = session.get_one(Conversation, conversation_id)
        assert (conversation.version, conversation.changed_by_operator_id) == (before + 2, laia.operator_id)
        header = inbox.conversation_header(session, tenant_id=laia.tenant_id, conversation_id=conversation_id)
        assert (header.department_id, header.department_name) == (socials, "Serveis socials")
        line = next(s for s in inbox_queue.queue(session, tenant_id=laia.tenant_id) if s.id == conversation_id)
        assert (line.department_id, line.department_name) == (socials, "Serveis socials")
    assert _uses(engine, laia.tenant_id) == [("Serveis socials", 1), ("Via pública", 0)]
    with Session(engine) as session:
        departments.set_department(session, operator=laia, conversation_id=conversation_id, department_id=None)
        session.commit()
    assert _department_of(engine, conversation_id) is None


def test_another_organisations_department_or_conversation_is_not_found(engine: Engine) -> None:
    town = _town(engine)
    laia, ours = town["vila-operator"], town["vila-conversations"][0]
    theirs_department, theirs_conversation = town["altra-Via pública"], town["altra-conversations"][0]
    with Session(engine) as session:
        with pytest.raises(InboxError, match="this department does not exist"):
            departments.set_department(session, operator=laia, conversation_id=ours, department_id=theirs_department)
        with pytest.raises(InboxError, match="this conversation does not exist"):
            departments.set_department(
                session, operator=laia, conversation_id=theirs_conversation, department_id=town["vila-Via pública"]
            )
        with pytest.raises(departments.DepartmentError, match="this department does not exist"):
            departments.save_department(session, tenant_id=laia.tenant_id, department_id=theirs_department, name="Pirata")
        with pytest.raises(departments.DepartmentError, match="this department does not exist"):
            departments.delete_department(session, tenant_id=laia.tenant_id, department_id=theirs_department)
        session.rollback()
    assert _department_of(engine, ours) is None and _department_of(engine, theirs_conversation) is None
    assert _uses(engine, town["altra"].tenant_id) == [("Serveis socials", 0), ("Via pública", 0)]


def test_only_open_conversations_are_counted_and_a_resolved_one_keeps_its_department(engine: Engine) -> None:
    town = _town(engine)
    laia, (first, second, _) = town["vila-operator"], town["vila-conversations"]
    via = town["vila-Via pública"]
    with Session(engine) as session:
        for conversation_id in (first, second):
            departments.set_department(session, operator=laia, conversation_id=conversation_id, department_id=via)
        inbox.resolve(session, tenant_id=laia.tenant_id, conversation_id=second, operator_id=laia.operator_id)
        session.commit()
        with pytest.raises(InboxError, match="resolved"):
            departments.set_department(session, operator=laia, conversation_id=second, department_id=None)
        session.rollback()
        assert session.get_one(Conversation, second).status == ConversationStatus.RESOLVED
    assert _uses(engine, laia.tenant_id) == [("Serveis socials", 0), ("Via pública", 1)]
    assert _department_of(engine, second) == via


def test_deleting_a_department_leaves_its_conversations_with_none(engine: Engine) -> None:
    town = _town(engine)
    laia, conversations = town["vila-operator"], town["vila-conversations"]
    via = town["vila-Via pública"]
    with Session(engine) as session:
        for conversation_id in conversations[:2]:
            departments.set_department(session, operator=laia, conversation_id=conversation_id, department_id=via)
        change = departments.delete_department(session, tenant_id=laia.tenant_id, department_id=via)
        session.commit()
    assert change == departments.DepartmentChange(via, "Via pública", tuple(conversations[:2]))
    assert [_department_of(engine, c) for c in conversations] == [None, None, None]
    assert _uses(engine, laia.tenant_id) == [("Serveis socials", 0)]


def test_the_desks_check_the_role_and_the_organisation_and_announce_the_conversations(engine: Engine) -> None:
    town = _town(engine)
    vila = town["vila"].tenant_id
    conversation_id = town["vila-conversations"][1]
    via = town["vila-Via pública"]
    bus = EventBus()
    admin_desk = DepartmentDesk(engine=engine, bus=bus)
    inbox_desk = InboxDesk(engine=engine, bus=bus, media_dir=Path("."))

    async def run() -> list[InboxEvent]:
        heard = bus.subscribe()
        with pytest.raises(NotAnAdministrator):
            await admin_desk.save(by=town["vila-operator"], department_id=None, name="Pirata")
        with pytest.raises(NotAnAdministrator):
            await admin_desk.delete(by=town["vila-operator"], department_id=via)
        with pytest.raises(NotAnAdministrator):
            await admin_desk.list(by=town["vila-operator"])
        with pytest.raises(departments.DepartmentError):
            await admin_desk.save(by=town["altra"], department_id=via, name="Pirata")
        with pytest.raises(InboxError):
            await inbox_desk.set_department(operator=town["altra-operator"], conversation_id=conversation_id, department_id=None)
        created = await admin_desk.save(by=town["vila"], department_id=None, name="Cultura", description="Festes i casals")
        assert created.conversation_ids == ()
        await inbox_desk.set_department(operator=town["vila-operator"], conversation_id=conversation_id, department_id=via)
        assert [d.name for d in await inbox_desk.tenant_departments(tenant_id=vila)] == [
            "Cultura",
            "Serveis socials",
            "Via pública",
        ]
        await admin_desk.save(by=town["vila"], department_id=via, name="Via pública i obres")
        await asyncio.sleep(0)
        return [heard.get_nowait() for _ in range(heard.qsize())]

    events = asyncio.run(run())
    catalog = InboxEvent(vila, 0, InboxEventKind.CATALOG)  # every tab's department menu and filter: the new one
    conversation = InboxEvent(vila, conversation_id, InboxEventKind.CONVERSATION)
    assert events == [catalog, conversation, conversation, catalog]  # created; given to one; renamed
    assert _uses(engine, vila) == [("Cultura", 0), ("Serveis socials", 0), ("Via pública i obres", 1)]


def test_a_reply_to_a_conversation_someone_else_just_gave_to_a_department_asks_first(engine: Engine) -> None:
    town = _town(engine)
    laia, pau, conversation_id = town["vila-operator"], town["vila"], town["vila-conversations"][0]
    via = town["vila-Via pública"]
    with Session(engine) as session:
        seen = session.get_one(Conversation, conversation_id).version  # Laia opens it
        departments.set_department(session, operator=pau, conversation_id=conversation_id, department_id=via)
        with pytest.raises(ConversationMoved, match="has just given this conversation to the department Via pública") as asked:
            inbox.reply(session, operator=laia, conversation_id=conversation_id, text="Hi anem", seen_version=seen)
        inbox.reply(session, operator=laia, conversation_id=conversation_id, text="Hi anem", seen_version=asked.value.version)

        seen = session.get_one(Conversation, conversation_id).version
        departments.set_department(session, operator=pau, conversation_id=conversation_id, department_id=None)
        with pytest.raises(ConversationMoved, match="has just taken this conversation off its department"):
            inbox.reply(session, operator=laia, conversation_id=conversation_id, text="a", seen_version=seen)

        seen = session.get_one(Conversation, conversation_id).version
        departments.set_department(session, operator=laia, conversation_id=conversation_id, department_id=via)  # her own
        inbox.reply(session, operator=laia, conversation_id=conversation_id, text="b", seen_version=seen)
        session.commit()
