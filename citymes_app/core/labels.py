"""An organisation's labels on its conversations ("obres", "urgent"): any of its operators adds one (a new name makes
a new label of the organisation) or removes one; the queue and the thread show them as chips."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.phrases import FieldError
from citymes_app.core.reply_window import InboxError
from citymes_app.models import Conversation, ConversationLabel, Label, row_id

MAX_LABEL_LENGTH = 40


class LabelColor(StrEnum):
    """The colours a label's chip may take (the interface's colour scales; cyan unless an administrator chose)."""

    CYAN = "cyan"
    GRAY = "gray"
    RED = "red"
    ORANGE = "orange"
    AMBER = "amber"
    GRASS = "grass"
    BLUE = "blue"
    VIOLET = "violet"
    PINK = "pink"


@dataclass(frozen=True)
class LabelInfo:
    """A label: its id, name and colour."""

    id: int
    name: str
    color: str = LabelColor.CYAN


def tenant_labels(session: Session, *, tenant_id: int) -> list[LabelInfo]:
    """The organisation's labels, by name."""
    rows = session.exec(select(Label).where(Label.tenant_id == tenant_id).order_by(func.lower(Label.name)))
    return [LabelInfo(row_id(label), label.name, label.color) for label in rows]


def labels_of(session: Session, *, tenant_id: int, conversation_ids: Iterable[int]) -> dict[int, list[LabelInfo]]:
    """The labels on each of these conversations of the organisation, by name."""
    ids = list(conversation_ids)
    found: dict[int, list[LabelInfo]] = {}
    if not ids:
        return found
    rows = session.exec(
        select(ConversationLabel.conversation_id, Label)
        .join(Label, col(Label.id) == ConversationLabel.label_id)
        .where(ConversationLabel.tenant_id == tenant_id, col(ConversationLabel.conversation_id).in_(ids))
        .order_by(func.lower(Label.name))
    ).all()
    for conversation_id, label in rows:
        found.setdefault(conversation_id, []).append(LabelInfo(row_id(label), label.name, label.color))
    return found


def _own(session: Session, *, tenant_id: int, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != tenant_id:
        raise InboxError("this conversation does not exist")
    return conversation


def add_label(session: Session, *, operator: SignedInOperator, conversation_id: int, name: str) -> LabelInfo:
    """Put the label `name` on a conversation (the organisation's label of that name, whatever its case, or a new one)."""
    name = " ".join(name.split())
    if not name:
        raise InboxError("write the label's name")
    if len(name) > MAX_LABEL_LENGTH:
        raise InboxError("a label has at most {limit} characters", limit=MAX_LABEL_LENGTH)
    conversation = _own(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    label = session.exec(
        select(Label).where(Label.tenant_id == operator.tenant_id, func.lower(Label.name) == name.lower())
    ).first()
    if label is None:
        label = Label(tenant_id=operator.tenant_id, name=name)
        session.add(label)
        session.flush()
    key = (row_id(conversation), row_id(label))
    if session.get(ConversationLabel, key) is None:
        session.add(ConversationLabel(conversation_id=key[0], label_id=key[1], tenant_id=operator.tenant_id))
        session.flush()
    return LabelInfo(row_id(label), label.name, label.color)


def remove_label(session: Session, *, operator: SignedInOperator, conversation_id: int, label_id: int) -> None:
    """Take a label off a conversation of the organisation (the label stays, for other conversations)."""
    conversation = _own(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    link = session.get(ConversationLabel, (row_id(conversation), label_id))
    if link is not None and link.tenant_id == operator.tenant_id:
        session.delete(link)
        session.flush()


class LabelError(FieldError):
    """A label that cannot be renamed or deleted; `field` ("name" or "") says where to show it."""


@dataclass(frozen=True)
class LabelUse:
    """A label as its administrators' page lists it: how many of the organisation's conversations carry it."""

    id: int
    name: str
    conversations: int
    color: str = LabelColor.CYAN


@dataclass(frozen=True)
class LabelChange:
    """What a rename or a deletion did: the label's name (the new one after a rename) and the conversations that carry
    (or carried) it, whose queue lines and threads show it."""

    name: str
    conversation_ids: tuple[int, ...]


def label_uses(session: Session, *, tenant_id: int) -> list[LabelUse]:
    """The organisation's labels by name, each with the number of conversations it is on."""
    count = func.count(col(ConversationLabel.conversation_id))
    rows = session.exec(
        select(Label, count)
        .join(ConversationLabel, col(ConversationLabel.label_id) == Label.id, isouter=True)
        .where(Label.tenant_id == tenant_id)
        .group_by(col(Label.id))
        .order_by(func.lower(Label.name), col(Label.id))
    ).all()
    return [LabelUse(row_id(label), label.name, int(used), label.color) for label, used in rows]


def _own_label(session: Session, *, tenant_id: int, label_id: int) -> Label:
    label = session.get(Label, label_id)
    if label is None or label.tenant_id != tenant_id:
        raise LabelError("", "this label does not exist")
    return label


def _carriers(session: Session, *, tenant_id: int, label_id: int) -> tuple[int, ...]:
    rows = session.exec(
        select(ConversationLabel.conversation_id).where(
            ConversationLabel.label_id == label_id, ConversationLabel.tenant_id == tenant_id
        )
    ).all()
    return tuple(sorted(rows))


def rename_label(session: Session, *, tenant_id: int, label_id: int, name: str) -> LabelChange:
    """Rename one of the organisation's labels; the name stays unique in the organisation whatever its case."""
    label = _own_label(session, tenant_id=tenant_id, label_id=label_id)
    name = " ".join(name.split())
    if not name:
        raise LabelError("name", "write the label's name")
    if len(name) > MAX_LABEL_LENGTH:
        raise LabelError("name", "a label has at most {limit} characters", limit=MAX_LABEL_LENGTH)
    taken = session.exec(
        select(Label).where(Label.tenant_id == tenant_id, func.lower(Label.name) == name.lower(), col(Label.id) != label_id)
    ).first()
    if taken is not None:
        raise LabelError("name", "there is already a label {name}", name=taken.name)
    label.name = name
    session.add(label)
    session.flush()
    return LabelChange(name, _carriers(session, tenant_id=tenant_id, label_id=label_id))


def recolor_label(session: Session, *, tenant_id: int, label_id: int, color: str) -> LabelChange:
    """Give one of the organisation's labels another colour (one of `LabelColor`)."""
    label = _own_label(session, tenant_id=tenant_id, label_id=label_id)
    if color not in set(LabelColor):
        raise LabelError("", "unknown colour {color}", color=color)
    label.color = LabelColor(color).value
    session.add(label)
    session.flush()
    return LabelChange(label.name, _carriers(session, tenant_id=tenant_id, label_id=label_id))


def delete_label(session: Session, *, tenant_id: int, label_id: int) -> LabelChange:
    """Delete one of the organisation's labels, taking it off every conversation that carries it."""
    label = _own_label(session, tenant_id=tenant_id, label_id=label_id)
    carriers = _carriers(session, tenant_id=tenant_id, label_id=label_id)
    for link in session.exec(select(ConversationLabel).where(ConversationLabel.label_id == label_id)).all():
        session.delete(link)
    session.flush()
    change = LabelChange(label.name, carriers)
    session.delete(label)
    session.flush()
    return change
