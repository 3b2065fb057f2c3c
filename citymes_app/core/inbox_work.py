"""Who works on a conversation: an operator takes it, or assigns (transfers) it to another operator of the same
organisation; and the check that a reply still answers the conversation its operator saw.

Every change of who has a conversation, or of its state, adds one to `Conversation.version` and records who made it.
A tab remembers (on the server) the version its operator saw; a reply written against an older version that someone
else changed since — taken, transferred or resolved — raises `ConversationMoved` instead of going, and goes only when
the operator confirms, against the version the question showed. These functions work inside a session the caller
commits (`core.inbox_desk.InboxDesk`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.reply_window import InboxError
from citymes_app.models import Conversation, ConversationStatus, Department, Operator, row_id


@dataclass(frozen=True)
class Colleague:
    """An operator of the organisation a conversation can be assigned to."""

    id: int
    name: str


class ConversationMoved(InboxError):
    """Someone else took, transferred or resolved the conversation since the operator saw it; `version` is the one
    the operator confirms against to send anyway."""

    def __init__(self, template: str, *, version: int, **values: object) -> None:
        super().__init__(template, **values)
        self.version = version


def changed(conversation: Conversation, *, by: int | None) -> None:
    """Record a change of who has the conversation or of its state (`by`: the operator, None for the system)."""
    conversation.version += 1
    conversation.changed_by_operator_id = by


def colleagues(session: Session, *, tenant_id: int) -> list[Colleague]:
    """The organisation's active operators, by name (whom a conversation can go to)."""
    rows = session.exec(
        select(Operator).where(Operator.tenant_id == tenant_id, col(Operator.active).is_(True)).order_by(Operator.display_name)
    )
    return [Colleague(row_id(op), op.display_name or op.email) for op in rows]


def operator_names(session: Session, *, tenant_id: int) -> dict[int, str]:
    """Every operator of the organisation (active or not: old messages keep their author) by id, with their name."""
    operators = session.exec(select(Operator).where(Operator.tenant_id == tenant_id))
    return {row_id(op): op.display_name or op.email for op in operators}


def operator_name(session: Session, *, tenant_id: int, operator_id: int | None) -> str:
    """An operator's name as colleagues see it ("" for none or another organisation's)."""
    if operator_id is None:
        return ""
    found = session.get(Operator, operator_id)
    if found is None or found.tenant_id != tenant_id:
        return ""
    return found.display_name or found.email


def _conversation(session: Session, *, tenant_id: int, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != tenant_id:  # another tenant's: as if missing
        raise InboxError("this conversation does not exist")
    return conversation


def assign(session: Session, *, operator: SignedInOperator, conversation_id: int, assignee_id: int | None) -> Conversation:
    """Give a conversation to `assignee_id` (an active operator of the same organisation; None: to nobody).

    Any operator of the organisation may take a conversation, hand it to a colleague or release it (the office shares
    the queue); another organisation's conversation or operator is refused as missing. Returns the conversation."""
    conversation = _conversation(session, tenant_id=operator.tenant_id, conversation_id=conversation_id)
    if conversation.status == ConversationStatus.RESOLVED:
        raise InboxError("this conversation is resolved: it cannot be assigned")
    if assignee_id is not None:
        assignee = session.get(Operator, assignee_id)
        if assignee is None or assignee.tenant_id != operator.tenant_id or not assignee.active:
            raise InboxError("this operator does not exist")
    if conversation.assigned_operator_id != assignee_id:
        conversation.assigned_operator_id = assignee_id
        changed(conversation, by=operator.operator_id)
        session.add(conversation)
        session.flush()
    return conversation


def take(session: Session, *, operator: SignedInOperator, conversation_id: int) -> Conversation:
    """The signed-in operator takes the conversation (from nobody, or from a colleague)."""
    return assign(session, operator=operator, conversation_id=conversation_id, assignee_id=operator.operator_id)


def check_seen(session: Session, *, conversation: Conversation, operator: SignedInOperator, seen_version: int | None) -> None:
    """Refuse (`ConversationMoved`) a reply written against `seen_version` when someone else has since taken the
    conversation, given it to a third operator or to a department, or resolved it. None: no check (an imported history,
    a script)."""
    if seen_version is None or conversation.version == seen_version:
        return
    by = conversation.changed_by_operator_id
    if by == operator.operator_id:
        return  # the operator's own change, made in another tab
    tenant_id = operator.tenant_id
    who = operator_name(session, tenant_id=tenant_id, operator_id=by)
    if conversation.status == ConversationStatus.RESOLVED:
        if who:
            raise ConversationMoved("{name} has just resolved this conversation", version=conversation.version, name=who)
        raise ConversationMoved("this conversation has just been resolved", version=conversation.version)
    if 0 < conversation.department_version == conversation.version:  # the latest change was of its department
        _department_moved(session, conversation=conversation, tenant_id=tenant_id, who=who)
    assignee = conversation.assigned_operator_id
    if assignee is None or assignee == operator.operator_id:
        return
    assignee_name = operator_name(session, tenant_id=tenant_id, operator_id=assignee)
    if by == assignee or not who:
        raise ConversationMoved("{name} has just taken this conversation", version=conversation.version, name=assignee_name)
    raise ConversationMoved(
        "{name} has just given this conversation to {assignee}", version=conversation.version, name=who, assignee=assignee_name
    )


def _department_moved(session: Session, *, conversation: Conversation, tenant_id: int, who: str) -> None:
    """Ask before a reply to a conversation someone else just gave to a department, transferred or took off one."""
    department = session.get(Department, conversation.department_id) if conversation.department_id else None
    version = conversation.version
    if department is None or department.tenant_id != tenant_id:
        if who:
            raise ConversationMoved("{name} has just taken this conversation off its department", version=version, name=who)
        raise ConversationMoved("this conversation has just been taken off its department", version=version)
    if who:
        raise ConversationMoved(
            "{name} has just given this conversation to the department {department}",
            version=version,
            name=who,
            department=department.name,
        )
    raise ConversationMoved(
        "this conversation has just been given to the department {department}", version=version, department=department.name
    )
