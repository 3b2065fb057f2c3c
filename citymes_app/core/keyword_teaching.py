"""Teaching a keyword from the unanswered-questions report: a question no keyword answered becomes one of a
keyword's example questions, so the matcher answers it (and the questions like it) from then on.

The report says which of its questions are already taught, and to which keyword, by comparing them with every
keyword's examples as the matcher sees them (normalized): the report's questions are stored normalized.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from citymes_app.core import keywords
from citymes_app.core.keyword_examples import ExampleError, stored_examples, with_example
from citymes_app.core.matching import normalize
from citymes_app.models import Keyword, KeywordAction, Tenant, row_id, utcnow


@dataclass(frozen=True)
class Teaching:
    """What teaching a question did: the keyword it was taught to, and whether it was new there."""

    keyword: Keyword
    added: bool  # False: the keyword already had the question (as the matcher sees it): nothing changed


def teach_example(
    session: Session, *, tenant: Tenant, keyword_id: int, question: str, operator_id: int | None = None
) -> Teaching:
    """Add `question` to the examples of the tenant's keyword `keyword_id`, noting it in the history; a question
    the keyword already has is ignored. `KeywordError` when the keyword is gone or another tenant's, or the
    question cannot be stored (field "examples")."""
    keyword = keywords.get_keyword(session, tenant_id=row_id(tenant), keyword_id=keyword_id)
    try:
        examples = with_example(stored_examples(keyword.examples), question)
    except ExampleError as exc:
        raise keywords.KeywordError("examples", str(exc)) from None
    if examples is None:
        return Teaching(keyword, added=False)
    keyword.examples = "|".join(examples)
    keyword.updated_by, keyword.updated_at = operator_id, utcnow()  # the new timestamp rebuilds the tenant's index
    session.add(keyword)
    keywords.record_change(session, keyword=keyword, operator_id=operator_id, action=KeywordAction.UPDATED, summary="examples")
    session.flush()
    return Teaching(keyword, added=True)


def taught_questions(session: Session, *, tenant_id: int) -> dict[str, Keyword]:
    """Every example question of the tenant's keywords, normalized, with the keyword it teaches (the first by id
    when two keywords share one)."""
    taught: dict[str, Keyword] = {}
    for keyword in session.exec(
        select(Keyword).where(Keyword.tenant_id == tenant_id, Keyword.examples != "").order_by(col(Keyword.id))
    ):
        for example in stored_examples(keyword.examples):
            taught.setdefault(normalize(example), keyword)
    return taught
