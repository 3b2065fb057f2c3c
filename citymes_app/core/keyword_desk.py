"""The keyword editor's use cases: list, edit and save, delete, featured order, CSV, history and "try it".

`KeywordDesk` is built once by the wiring; each method re-checks that the caller is an administrator, acts on the
caller's own tenant only, runs its database work off the event loop and commits it (or, for a refused CSV file,
nothing at all). It returns stored rows and typed values; the interface's wording lives next to the states.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from citymes_app.core import keyword_teaching, keywords, routing, tenants
from citymes_app.core.administration import AdminDesk, require_admin
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.db import session_scope
from citymes_app.core.media import save_media
from citymes_app.models import Keyword, KeywordAction, Tenant, row_id


@dataclass(frozen=True)
class KeywordMedia:
    """An image or document already stored with `store_media`, to send with the answer."""

    path: str
    filename: str


@dataclass(frozen=True)
class KeywordChangeEntry:
    """One line of the keyword history."""

    id: int
    at: datetime  # on the tenant's clock
    author: str  # the operator's name; "" for the command line, which acts as no one
    action: KeywordAction
    keyword: str
    fields: tuple[str, ...]  # the fields an edit changed


@dataclass(frozen=True)
class KeywordTrial:
    """What the matcher would do with a sentence; `keyword` is the answering keyword for the keyword outcome."""

    explanation: routing.Explanation
    keyword: Keyword | None


@dataclass(frozen=True)
class KeywordDesk(AdminDesk):
    """The keyword editor's use cases, built once by the wiring."""

    media_dir: Path

    async def languages(self, *, by: SignedInOperator) -> list[str]:
        """The language codes the administrator's tenant answers in, in its order."""
        return await self._read(by, lambda session, tenant: [code for code in tenant.languages.split(",") if code])

    async def search(self, *, by: SignedInOperator, query: str = "", language: str = "") -> list[Keyword]:
        """Keywords containing `query` (all when empty), in `language` (all when empty), featured first."""
        return await self._read(
            by, lambda session, tenant: keywords.search(session, tenant_id=row_id(tenant), query=query, language=language)
        )

    async def featured(self, *, by: SignedInOperator, language: str) -> list[Keyword]:
        """The featured keywords of `language`, in the order the index command lists them."""
        return await self._read(
            by, lambda session, tenant: keywords.featured(session, tenant_id=row_id(tenant), language=language)
        )

    async def history(self, *, by: SignedInOperator, limit: int = 50) -> list[KeywordChangeEntry]:
        """Who changed which keyword and when, newest first."""

        def read(session: Session, tenant: Tenant) -> list[KeywordChangeEntry]:
            zone = ZoneInfo(tenant.timezone)
            return [
                KeywordChangeEntry(
                    id=row_id(change),
                    at=change.at.astimezone(zone),
                    author=author,
                    action=KeywordAction(change.action),
                    keyword=change.keyword,
                    fields=tuple(part.strip() for part in change.summary.split(",") if part.strip()),
                )
                for change, author in keywords.history_with_authors(session, tenant_id=row_id(tenant), limit=limit)
            ]

        return await self._read(by, read)

    async def keyword(self, *, by: SignedInOperator, keyword_id: int) -> Keyword:
        """One keyword of the tenant; `KeywordError` if it is gone (or another tenant's)."""
        return await self._read(
            by, lambda session, tenant: keywords.get_keyword(session, tenant_id=row_id(tenant), keyword_id=keyword_id)
        )

    async def save(
        self, *, by: SignedInOperator, keyword_id: int | None, form: keywords.KeywordForm, media: KeywordMedia | None
    ) -> Keyword:
        """Create (`keyword_id` None) or update a keyword with its media, in one transaction; `KeywordError` names
        the field at fault."""

        def write(session: Session, tenant: Tenant) -> Keyword:
            if keyword_id:
                saved = keywords.update_keyword(
                    session, tenant=tenant, keyword_id=keyword_id, form=form, operator_id=by.operator_id
                )
            else:
                saved = keywords.create_keyword(session, tenant=tenant, form=form, operator_id=by.operator_id)
            return keywords.set_keyword_media(
                session,
                tenant=tenant,
                keyword_id=row_id(saved),
                media_path=media.path if media else None,
                media_filename=media.filename if media else None,
                operator_id=by.operator_id,
            )

        return await self._write(by, write)

    async def delete(self, *, by: SignedInOperator, keyword_id: int) -> None:
        """Delete a keyword and its personal codes."""
        await self._write(
            by,
            lambda session, tenant: keywords.delete_keyword(
                session, tenant=tenant, keyword_id=keyword_id, operator_id=by.operator_id
            ),
        )

    async def reorder_featured(self, *, by: SignedInOperator, keyword_ids: list[int]) -> None:
        """Set the featured order (ids first to last)."""
        await self._write(
            by,
            lambda session, tenant: keywords.reorder_featured(
                session, tenant=tenant, keyword_ids=keyword_ids, operator_id=by.operator_id
            ),
        )

    async def import_csv(self, *, by: SignedInOperator, content: str) -> keywords.KeywordImportReport:
        """Import a keyword CSV: every line or, if any is refused, none (the report says which and why)."""
        require_admin(by)
        return await asyncio.to_thread(self._import, by, content)

    async def export_csv(self, *, by: SignedInOperator) -> str:
        """Every keyword of the tenant as CSV, in the import format."""
        return await self._read(by, lambda session, tenant: keywords.export_keywords_csv(session, tenant=tenant))

    async def try_sentence(self, *, by: SignedInOperator, text: str) -> KeywordTrial:
        """Run the real matcher on `text`; nothing is sent or recorded."""

        def read(session: Session, tenant: Tenant) -> KeywordTrial:
            explanation = routing.explain(session, tenant=tenant, text=text)
            keyword = None
            if explanation.outcome == "keyword" and explanation.keyword_id is not None:
                # The explanation names the keyword: no second run of the matcher.
                keyword = keywords.get_keyword(session, tenant_id=row_id(tenant), keyword_id=explanation.keyword_id)
            return KeywordTrial(explanation, keyword)

        return await self._read(by, read)

    async def teach(self, *, by: SignedInOperator, keyword_id: int, question: str) -> keyword_teaching.Teaching:
        """Add a question citizens asked to a keyword's examples (history noted; a question it has is ignored);
        `KeywordError` when the keyword is not the tenant's or the question cannot be stored."""
        return await self._write(
            by,
            lambda session, tenant: keyword_teaching.teach_example(
                session, tenant=tenant, keyword_id=keyword_id, question=question, operator_id=by.operator_id
            ),
        )

    async def store_media(self, *, by: SignedInOperator, data: bytes, filename: str, mime_type: str) -> KeywordMedia:
        """Store an image or document for an answer; it is attached when the keyword is saved."""
        require_admin(by)
        kind = "photo" if mime_type.startswith("image/") else "document"
        path = await asyncio.to_thread(
            save_media, self.media_dir, tenant_id=by.tenant_id, data=data, kind=kind, filename=filename, mime_type=mime_type
        )
        return KeywordMedia(path, filename)

    def _import(self, by: SignedInOperator, content: str) -> keywords.KeywordImportReport:
        with session_scope(self.engine) as session:
            tenant = tenants.require_tenant(session, slug=by.tenant_slug)
            report = keywords.import_keywords_csv(session, tenant=tenant, content=content, operator_id=by.operator_id)
            if not report.ok:
                session.rollback()  # all or nothing: a refused file leaves the keywords exactly as they were
            return report
