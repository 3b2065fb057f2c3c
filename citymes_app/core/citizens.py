"""One citizen across platforms: linking the records of a person who writes on several of them.

A citizen who writes on two platforms starts as two records, one per platform identity. They become one when an
operator links them, or by themselves when both records carry the same phone number inside a tenant (some platforms
always tell the number; on others a citizen tells it by sharing their own contact).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, or_, update
from sqlmodel import Session, SQLModel, col, select

from citymes_app.core import lists
from citymes_app.core.phrases import PhrasedError
from citymes_app.models import Citizen, CitizenIdentity, Conversation, row_id

log = logging.getLogger(__name__)


class CitizenError(PhrasedError):
    """A link that cannot be made; the message is for the operator."""


MAX_CANDIDATES = 20


@dataclass(frozen=True)
class LinkCandidate:
    """Another citizen of the tenant an operator may link a conversation's citizen with."""

    id: int
    name: str
    phone: str
    platforms: list[str]  # the platforms of their identities, e.g. ["telegram"]
    conversations: int


def link_candidates(
    session: Session, *, tenant_id: int, exclude_id: int, search: str = "", limit: int = MAX_CANDIDATES
) -> list[LinkCandidate]:
    """The tenant's other citizens, most recently active first, optionally those whose name or phone holds `search`."""
    last_seen = (
        select(Conversation.citizen_id, func.max(Conversation.last_message_at).label("last_at"), func.count().label("n"))
        .where(Conversation.tenant_id == tenant_id)
        .group_by(col(Conversation.citizen_id))
        .subquery()
    )
    query = (
        select(Citizen, last_seen.c.n)
        .outerjoin(last_seen, last_seen.c.citizen_id == Citizen.id)
        .where(Citizen.tenant_id == tenant_id, Citizen.id != exclude_id)
        .order_by(last_seen.c.last_at.desc().nulls_last(), col(Citizen.id).desc())
        .limit(limit)
    )
    words = search.strip()
    if words:
        pattern = f"%{words.replace('%', '').replace('_', '')}%"
        query = query.where(or_(col(Citizen.display_name).ilike(pattern), col(Citizen.phone).ilike(pattern)))
    rows = list(session.exec(query))
    ids = [row_id(citizen) for citizen, _ in rows]
    platforms: dict[int, set[str]] = {}
    if ids:
        for citizen_id, platform in session.exec(
            select(CitizenIdentity.citizen_id, CitizenIdentity.platform).where(col(CitizenIdentity.citizen_id).in_(ids))
        ):
            platforms.setdefault(citizen_id, set()).add(platform)
    return [
        LinkCandidate(
            id=row_id(citizen),
            name=citizen.display_name or f"Citizen #{citizen.id}",
            phone=citizen.phone or "",
            platforms=sorted(platforms.get(row_id(citizen), ())),
            conversations=count or 0,
        )
        for citizen, count in rows
    ]


def _citizen_references() -> list[tuple[type[SQLModel], str]]:
    """Every (table class, column) pointing at a citizen, found from the schema so new tables are covered too."""
    references: list[tuple[type[SQLModel], str]] = []
    for mapper in SQLModel._sa_registry.mappers:  # the registry every SQLModel table is mapped in
        for column in mapper.columns:
            if any(fk.column.table.name == Citizen.__tablename__ for fk in column.foreign_keys):
                references.append((mapper.class_, column.key))
    return references


def link_citizens(session: Session, *, tenant_id: int, keep_id: int, merge_id: int) -> Citizen:
    """Make `merge_id` part of `keep_id`: its platform identities, conversations and history move over, then it goes.

    The kept record fills its missing name, phone and language from the other. Both must belong to `tenant_id`.
    """
    if keep_id == merge_id:
        raise CitizenError("a citizen cannot be linked to themselves")
    keep, merge = session.get(Citizen, keep_id), session.get(Citizen, merge_id)
    # Another tenant's citizen is reported exactly like a missing one.
    if keep is None or merge is None or keep.tenant_id != tenant_id or merge.tenant_id != tenant_id:
        raise CitizenError("one of these citizens does not exist")
    session.flush()
    lists.merge_subscriptions(session, keep_id=keep_id, merge_id=merge_id)
    for table, column in _citizen_references():
        session.execute(
            update(table).where(getattr(table, column) == merge_id).values({column: keep_id}),
            execution_options={"synchronize_session": "fetch"},
        )
    keep.display_name = keep.display_name or merge.display_name
    keep.phone = keep.phone or merge.phone
    keep.language = keep.language or merge.language
    # They wrote to us on one of the linked identities, so whichever record says "unreachable" may be stale.
    keep.unreachable = keep.unreachable and merge.unreachable
    session.add(keep)
    session.delete(merge)
    session.flush()
    log.info("tenant %s: citizen %s linked into citizen %s", tenant_id, merge_id, keep_id)
    return keep


def link_by_phone(session: Session, *, citizen_id: int) -> Citizen | None:
    """Link this citizen with the tenant's other records of the same phone number; returns the surviving record.

    The oldest record survives, so a person's history keeps the id it had. None if the citizen does not exist.
    """
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or not citizen.phone:
        return citizen
    same_phone = list(
        session.exec(
            select(Citizen)
            .where(Citizen.tenant_id == citizen.tenant_id, Citizen.phone == citizen.phone)
            .order_by(col(Citizen.id))
        )
    )
    if len(same_phone) < 2:
        return citizen
    keep = same_phone[0]
    for other in same_phone[1:]:
        keep = link_citizens(session, tenant_id=citizen.tenant_id, keep_id=row_id(keep), merge_id=row_id(other))
    return keep


def link_conversation_citizen(session: Session, *, conversation_id: int) -> None:
    """After a message is stored: the conversation's citizen is linked with the tenant's records of the same phone.

    Called for every stored message because the number can become known at any time (a citizen sharing their own
    contact), not only when an identity is created.
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        link_by_phone(session, citizen_id=conversation.citizen_id)
