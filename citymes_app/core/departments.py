"""An organisation's departments ("Via pública", "Serveis socials", "Cultura") and the department a conversation is
with: administrators create, rename and delete them; any operator of the organisation gives a conversation to one,
transfers it to another, or takes it off.

A department's name is unique in the organisation whatever its case: checked here on its casefolded copy
(`Department.name_key`), and by the database's unique constraint on it when two administrators race. A department of
another organisation is refused as not found, like a missing one. Deleting a department leaves its conversations with
none. Giving a conversation to a department is a change of who has it: like an assignment it counts in the
conversation's version and records who made it (`inbox_work.changed`), so a reply written before asks first. These
functions work inside a session the caller commits (`core.department_desk.DepartmentDesk`, `core.inbox_desk.InboxDesk`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_work import changed
from citymes_app.core.phrases import FieldError
from citymes_app.core.reply_window import InboxError
from citymes_app.models import Conversation, ConversationStatus, Department, row_id

MAX_DEPARTMENT_NAME = 60
MAX_DEPARTMENT_DESCRIPTION = 300


class DepartmentError(FieldError):
    """A department that cannot be saved or deleted; `field` ("name", "description" or "") says where to show it."""


@dataclass(frozen=True)
class DepartmentInfo:
    """A department: its id and name (what a conversation's header, queue line and picker show)."""

    id: int
    name: str


@dataclass(frozen=True)
class DepartmentUse:
    """A department as its administrators' page lists it, with how many of its conversations are not resolved."""

    id: int
    name: str
    description: str
    open_conversations: int


@dataclass(frozen=True)
class DepartmentChange:
    """What a save or a deletion did: the department's name and the conversations whose lines and threads show it."""

    id: int
    name: str
    conversation_ids: tuple[int, ...]


def tenant_departments(session: Session, *, tenant_id: int) -> list[DepartmentInfo]:
    """The organisation's departments, by name."""
    rows = session.exec(
        select(Department).where(Department.tenant_id == tenant_id).order_by(col(Department.name_key), col(Department.id))
    )
    return [DepartmentInfo(row_id(department), department.name) for department in rows]


def department_names(session: Session, *, tenant_id: int) -> dict[int, str]:
    """The organisation's departments by id, with their names (for queue lines)."""
    return {info.id: info.name for info in tenant_departments(session, tenant_id=tenant_id)}


def department_uses(session: Session, *, tenant_id: int) -> list[DepartmentUse]:
    """The organisation's departments by name, each with the number of its conversations that are not resolved."""
    open_count = func.count(col(Conversation.id))
    rows = session.exec(
        select(Department, open_count)
        .join(
            Conversation,
            (col(Conversation.department_id) == Department.id) & (col(Conversation.status) != ConversationStatus.RESOLVED),
            isouter=True,
        )
        .where(Department.tenant_id == tenant_id)
        .group_by(col(Department.id))
        .order_by(col(Department.name_key), col(Department.id))
    ).all()
    return [DepartmentUse(row_id(d), d.name, d.description, int(used)) for d, used in rows]


def _own_department(session: Session, *, tenant_id: int, department_id: int) -> Department:
    department = session.get(Department, department_id) if type(department_id) is int else None
    if department is None or department.tenant_id != tenant_id:  # another organisation's: as if missing
        raise DepartmentError("", "this department does not exist")
    return department


def _members(session: Session, *, tenant_id: int, department_id: int) -> tuple[int, ...]:
    rows = session.exec(
        select(Conversation.id).where(Conversation.tenant_id == tenant_id, Conversation.department_id == department_id)
    ).all()
    return tuple(sorted(row for row in rows if row is not None))


def _checked(session: Session, *, tenant_id: int, department_id: int | None, name: str, description: str) -> tuple[str, str]:
    name = " ".join((name if type(name) is str else "").split())
    description = " ".join((description if type(description) is str else "").split())
    if not name:
        raise DepartmentError("name", "write the department's name")
    if len(name) > MAX_DEPARTMENT_NAME:
        raise DepartmentError("name", "a department's name has at most {limit} characters", limit=MAX_DEPARTMENT_NAME)
    if len(description) > MAX_DEPARTMENT_DESCRIPTION:
        raise DepartmentError(
            "description", "a department's description has at most {limit} characters", limit=MAX_DEPARTMENT_DESCRIPTION
        )
    taken = session.exec(
        select(Department).where(
            Department.tenant_id == tenant_id, Department.name_key == name.casefold(), col(Department.id) != department_id
        )
    ).first()
    if taken is not None:
        raise DepartmentError("name", "there is already a department {name}", name=taken.name)
    return name, description


def save_department(
    session: Session, *, tenant_id: int, department_id: int | None, name: str, description: str = ""
) -> DepartmentChange:
    """Create a department of the organisation (`department_id` None) or rename / redescribe one of its own."""
    department = (
        Department(tenant_id=tenant_id, name="", name_key="")
        if department_id is None
        else _own_department(session, tenant_id=tenant_id, department_id=department_id)
    )
    department.name, department.description = _checked(
        session, tenant_id=tenant_id, department_id=department_id, name=name, description=description
    )
    department.name_key = department.name.casefold()
    session.add(department)
    session.flush()
    members = () if department_id is None else _members(session, tenant_id=tenant_id, department_id=department_id)
    return DepartmentChange(row_id(department), department.name, members)


def delete_department(session: Session, *, tenant_id: int, department_id: int) -> DepartmentChange:
    """Delete one of the organisation's departments; its conversations are left with no department."""
    department = _own_department(session, tenant_id=tenant_id, department_id=department_id)
    members = _members(session, tenant_id=tenant_id, department_id=department_id)
    session.exec(
        update(Conversation)
        .where(col(Conversation.tenant_id) == tenant_id, col(Conversation.department_id) == department_id)
        .values(department_id=None)
    )
    change = DepartmentChange(row_id(department), department.name, members)
    session.delete(department)
    session.flush()
    return change


def set_department(
    session: Session, *, operator: SignedInOperator, conversation_id: int, department_id: int | None
) -> Conversation:
    """Give a conversation of the organisation to one of its departments, transfer it to another, or take it off
    (`department_id` None). Any operator of the organisation may; another organisation's conversation or department is
    refused as missing, a resolved conversation stays as it was closed. Returns the conversation."""
    conversation = session.get(Conversation, conversation_id) if type(conversation_id) is int else None
    if conversation is None or conversation.tenant_id != operator.tenant_id:
        raise InboxError("this conversation does not exist")
    if conversation.status == ConversationStatus.RESOLVED:
        raise InboxError("this conversation is resolved: it cannot change department")
    if department_id is not None:
        department = session.get(Department, department_id) if type(department_id) is int else None
        if department is None or department.tenant_id != operator.tenant_id:
            raise InboxError("this department does not exist")
    if conversation.department_id != department_id:
        conversation.department_id = department_id
        changed(conversation, by=operator.operator_id)
        conversation.department_version = conversation.version
        session.add(conversation)
        session.flush()
    return conversation
