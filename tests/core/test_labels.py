"""An organisation's labels: listed with how many conversations carry each, renamed (unique in the organisation
whatever the case), deleted off every conversation, and another organisation's label is not found; the desk acts for
administrators only and announces every conversation that carries the label."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from citymes_app.core import auth, labels, tenants
from citymes_app.core.administration import NotAnAdministrator
from citymes_app.core.events import EventBus, InboxEvent, InboxEventKind
from citymes_app.core.label_desk import LabelDesk
from citymes_app.models import Citizen, Conversation, ConversationLabel, Label, Role, row_id


def _town(engine: Engine) -> dict:
    """Two organisations; the first has three conversations, two labelled "Obres" and one "Urgent"."""
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
            by = found[f"{slug}-operator"]
            for conversation_id in conversations[:2]:
                labels.add_label(session, operator=by, conversation_id=conversation_id, name="Obres")
            labels.add_label(session, operator=by, conversation_id=conversations[2], name="urgent")
        session.commit()
    return found


def _uses(engine: Engine, tenant_id: int) -> list[tuple[str, int]]:
    with Session(engine) as session:
        return [(use.name, use.conversations) for use in labels.label_uses(session, tenant_id=tenant_id)]


def _label_id(engine: Engine, tenant_id: int, name: str) -> int:
    with Session(engine) as session:
        return row_id(session.exec(select(Label).where(Label.tenant_id == tenant_id, Label.name == name)).one())


def test_labels_are_listed_with_the_number_of_conversations_carrying_each(engine: Engine) -> None:
    town = _town(engine)
    by, conversation_id = town["vila-operator"], town["vila-conversations"][2]
    with Session(engine) as session:
        added = labels.add_label(session, operator=by, conversation_id=conversation_id, name="Nou")
        labels.remove_label(session, operator=by, conversation_id=conversation_id, label_id=added.id)  # now on none
        session.commit()
    assert _uses(engine, town["vila"].tenant_id) == [("Nou", 0), ("Obres", 2), ("urgent", 1)]


def test_a_rename_keeps_names_unique_in_the_organisation_whatever_the_case(engine: Engine) -> None:
    town = _town(engine)
    vila = town["vila"].tenant_id
    obres = _label_id(engine, vila, "Obres")
    with Session(engine) as session:
        with pytest.raises(labels.LabelError) as refused:
            labels.rename_label(session, tenant_id=vila, label_id=obres, name="  URGENT ")
        assert refused.value.field == "name"
        assert str(refused.value) == "there is already a label urgent"
        with pytest.raises(labels.LabelError, match="write the label's name"):
            labels.rename_label(session, tenant_id=vila, label_id=obres, name="   ")
        with pytest.raises(labels.LabelError, match="at most 40"):
            labels.rename_label(session, tenant_id=vila, label_id=obres, name="x" * 41)
        change = labels.rename_label(session, tenant_id=vila, label_id=obres, name="obres   públiques")
        assert change.name == "obres públiques"
        assert change.conversation_ids == tuple(town["vila-conversations"][:2])
        labels.rename_label(session, tenant_id=vila, label_id=obres, name="OBRES PÚBLIQUES")  # its own name, recased
        session.commit()
    assert _uses(engine, vila) == [("OBRES PÚBLIQUES", 2), ("urgent", 1)]
    assert _uses(engine, town["altra"].tenant_id) == [("Obres", 2), ("urgent", 1)]  # the other organisation's: as were


def test_another_organisations_label_is_not_found(engine: Engine) -> None:
    town = _town(engine)
    theirs = _label_id(engine, town["altra"].tenant_id, "Obres")
    with Session(engine) as session:
        with pytest.raises(labels.LabelError, match="this label does not exist"):
            labels.rename_label(session, tenant_id=town["vila"].tenant_id, label_id=theirs, name="Pirata")
        with pytest.raises(labels.LabelError, match="this label does not exist"):
            labels.delete_label(session, tenant_id=town["vila"].tenant_id, label_id=theirs)
        session.rollback()
    assert _uses(engine, town["altra"].tenant_id) == [("Obres", 2), ("urgent", 1)]


def test_deleting_a_label_takes_it_off_every_conversation(engine: Engine) -> None:
    town = _town(engine)
    vila = town["vila"].tenant_id
    with Session(engine) as session:
        change = labels.delete_label(session, tenant_id=vila, label_id=_label_id(engine, vila, "Obres"))
        session.commit()
        assert change == labels.LabelChange("Obres", tuple(town["vila-conversations"][:2]))
        carried = session.exec(select(ConversationLabel).where(ConversationLabel.tenant_id == vila)).all()
        assert [link.conversation_id for link in carried] == [town["vila-conversations"][2]]
    assert _uses(engine, vila) == [("urgent", 1)]


def test_the_desk_is_for_administrators_and_announces_the_conversations_carrying_the_label(engine: Engine) -> None:
    town = _town(engine)
    vila = town["vila"].tenant_id
    obres = _label_id(engine, vila, "Obres")
    bus = EventBus()
    desk = LabelDesk(engine=engine, bus=bus)

    async def run() -> list[InboxEvent]:
        heard = bus.subscribe()
        with pytest.raises(NotAnAdministrator):
            await desk.rename(by=town["vila-operator"], label_id=obres, name="Pirata")
        with pytest.raises(NotAnAdministrator):
            await desk.delete(by=town["vila-operator"], label_id=obres)
        with pytest.raises(labels.LabelError):
            await desk.rename(by=town["altra"], label_id=obres, name="Pirata")
        assert [(use.name, use.conversations) for use in await desk.list(by=town["vila"])] == [("Obres", 2), ("urgent", 1)]
        await desk.rename(by=town["vila"], label_id=obres, name="Obres públiques")
        await asyncio.sleep(0)
        return [heard.get_nowait() for _ in range(heard.qsize())]

    events = asyncio.run(run())
    assert events == [
        *(InboxEvent(vila, cid, InboxEventKind.CONVERSATION) for cid in town["vila-conversations"][:2]),
        InboxEvent(vila, 0, InboxEventKind.CATALOG),  # every tab's label menus and filter: the new name
    ]
    assert _uses(engine, vila) == [("Obres públiques", 2), ("urgent", 1)]


def test_a_label_takes_one_of_the_colours_and_its_chips_show_it(engine: Engine) -> None:
    town = _town(engine)
    vila = town["vila"].tenant_id
    obres = _label_id(engine, vila, "Obres")
    with Session(engine) as session:
        with pytest.raises(labels.LabelError, match="unknown colour fucsia"):
            labels.recolor_label(session, tenant_id=vila, label_id=obres, color="fucsia")
        with pytest.raises(labels.LabelError, match="this label does not exist"):
            labels.recolor_label(session, tenant_id=town["altra"].tenant_id, label_id=obres, color="red")
        change = labels.recolor_label(session, tenant_id=vila, label_id=obres, color="red")
        assert change.conversation_ids == tuple(town["vila-conversations"][:2])
        session.commit()
        chips = labels.labels_of(session, tenant_id=vila, conversation_ids=town["vila-conversations"])
        assert [(chip.name, chip.color) for chip in chips[town["vila-conversations"][0]]] == [("Obres", "red")]
        assert [(chip.name, chip.color) for chip in chips[town["vila-conversations"][2]]] == [("urgent", "cyan")]
