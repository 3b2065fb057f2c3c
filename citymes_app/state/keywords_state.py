"""The keyword editor (administrators only): search and list, the form with its live preview, delete, the featured
order, the "try it" box, CSV import and export, and who changed what and when.

Every handler resolves the session cookie again and acts only for an administrator, on the administrator's own
tenant; the data always comes from `core.keywords` and `core.routing` (this module only shapes it for display).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

import reflex as rx
from sqlmodel import Session

from citymes_app.core import keywords, routing, tenants
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.db import session_scope
from citymes_app.core.inbox_display import osm_link, tenant_timezone
from citymes_app.core.media import guess_mime, save_media
from citymes_app.models import Keyword, Tenant
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import AuthState, admin_page_visit

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"ca": "Català", "es": "Español", "en": "English"}
ALL_LANGUAGES = "all"
IMPORT_UPLOAD_ID = "keyword-import"
MEDIA_UPLOAD_ID = "keyword-media"
MAX_MEDIA_BYTES = 10 * 1024 * 1024  # Telegram's limit for a photo sent by URL or upload
MAX_CSV_BYTES = 5 * 1024 * 1024
PREVIEW_CHARACTERS = 160
HISTORY_LIMIT = 40
ACTION_LABELS = {"created": "Created", "updated": "Edited", "deleted": "Deleted", "imported": "Imported"}
OUTCOME_LABELS = {
    "keyword": "Keyword answer",
    "personal_code": "Personal code",
    "index": "Keyword index",
    "ambiguous": "Did you mean…?",
    "operator": "Waits for an operator",
}
# The form's text fields (the `name` of each input, and the `f_<name>` var that holds it) with their limits.
TEXT_FIELDS = {
    "keyword": keywords.MAX_KEYWORD_LENGTH,
    "response": keywords.MAX_RESPONSE_LENGTH,
    "synonyms": 1000,
    "topic": 100,
    "buttons": 500,
    "link": 500,
    "latitude": 32,
    "longitude": 32,
}


@dataclass(frozen=True)
class LanguageOption:
    """A language the tenant answers in."""

    code: str
    name: str


@dataclass(frozen=True)
class KeywordRow:
    """One line of the keyword list."""

    id: int
    keyword: str
    language: str
    featured: bool
    synonyms: str  # "horari, horaris oac"
    preview: str  # the answer's beginning, on one line
    topic: str
    buttons: str  # "DEIXALLERIA, PADRO"
    has_link: bool
    has_media: bool
    has_pin: bool


@dataclass(frozen=True)
class FeaturedRow:
    """A featured keyword, in the order the index command lists them."""

    id: int
    keyword: str


@dataclass(frozen=True)
class ChangeRow:
    """One line of "who changed what and when"."""

    id: int
    when: str  # on the tenant's clock
    operator: str
    action: str
    keyword: str
    fields: str  # "response, synonyms" for an edit


@dataclass(frozen=True)
class AnswerCard:
    """An automatic answer as the citizen's phone would show it."""

    text: str = ""
    link: str = ""
    buttons: list[str] = field(default_factory=list)
    media_kind: str = ""  # photo | document | ""
    media_path: str = ""
    media_filename: str = ""
    pin: str = ""  # "41.53810, 2.44450"
    pin_url: str = ""


@dataclass(frozen=True)
class Trial:
    """What the "try it" box found for a sentence."""

    text: str = ""
    outcome: str = ""
    label: str = ""
    reason: str = ""
    keyword: str = ""
    language: str = ""
    card: AnswerCard = field(default_factory=AnswerCard)
    options: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Media:
    path: str
    filename: str


def _language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code.upper())


def _one_line(text: str, limit: int = PREVIEW_CHARACTERS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _media_kind(path: str) -> str:
    if not path:
        return ""
    return "photo" if guess_mime(path).startswith("image/") else "document"


def _coordinate(value: str) -> float | None:
    """A latitude or longitude as typed ("41,538" too); None when empty; ValueError when not a number."""
    value = value.strip().replace(",", ".")
    return float(value) if value else None


def _pin(latitude: str, longitude: str) -> tuple[str, str]:
    try:
        lat, lon = _coordinate(latitude), _coordinate(longitude)
    except ValueError:
        return "", ""
    if lat is None or lon is None:
        return "", ""
    return f"{lat:.5f}, {lon:.5f}", osm_link(lat, lon)


def _tenant(session: Session, operator: SignedInOperator) -> Tenant:
    return tenants.require_tenant(session, slug=operator.tenant_slug)


def _row(keyword: Keyword) -> KeywordRow:
    return KeywordRow(
        id=keyword.id,
        keyword=keyword.keyword,
        language=keyword.language,
        featured=keyword.featured,
        synonyms=", ".join(_split(keyword.synonyms)),
        preview=_one_line(keyword.response),
        topic=keyword.topic,
        buttons=", ".join(_split(keyword.buttons)),
        has_link=bool(keyword.link),
        has_media=bool(keyword.media_path),
        has_pin=keyword.latitude is not None,
    )


def _languages(operator: SignedInOperator) -> list[LanguageOption]:
    with Session(get_runtime().engine) as session:
        codes = [code for code in _tenant(session, operator).languages.split(",") if code]
    return [LanguageOption(code, _language_name(code)) for code in codes]


def _load_rows(operator: SignedInOperator, query: str, language: str) -> list[KeywordRow]:
    language = "" if language == ALL_LANGUAGES else language
    with Session(get_runtime().engine) as session:
        found = keywords.search(session, tenant_id=operator.tenant_id, query=query, language=language)
        return [_row(keyword) for keyword in found]


def _load_featured(operator: SignedInOperator, language: str) -> list[FeaturedRow]:
    with Session(get_runtime().engine) as session:
        return [FeaturedRow(k.id, k.keyword) for k in keywords.featured(session, tenant_id=operator.tenant_id, language=language)]


def _load_changes(operator: SignedInOperator) -> list[ChangeRow]:
    with Session(get_runtime().engine) as session:
        tz = tenant_timezone(session, tenant_id=operator.tenant_id)
        changes = keywords.history_with_authors(session, tenant_id=operator.tenant_id, limit=HISTORY_LIMIT)
    return [
        ChangeRow(
            id=change.id,
            when=change.at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
            operator=author or "Command line",
            action=ACTION_LABELS.get(change.action, change.action),
            keyword=change.keyword,
            fields=change.summary.replace("latitude", "map pin"),
        )
        for change, author in changes
    ]


def _load_keyword(operator: SignedInOperator, keyword_id: int) -> Keyword:
    with Session(get_runtime().engine) as session:
        return keywords.get_keyword(session, tenant_id=operator.tenant_id, keyword_id=keyword_id)


def _save(operator: SignedInOperator, keyword_id: int, form: keywords.KeywordForm, media: _Media) -> str:
    """Create or update the keyword and its media in one transaction; returns the keyword as saved."""
    with session_scope(get_runtime().engine) as session:
        tenant = _tenant(session, operator)
        if keyword_id:
            saved = keywords.update_keyword(
                session, tenant=tenant, keyword_id=keyword_id, form=form, operator_id=operator.operator_id
            )
        else:
            saved = keywords.create_keyword(session, tenant=tenant, form=form, operator_id=operator.operator_id)
        keywords.set_keyword_media(
            session,
            tenant=tenant,
            keyword_id=saved.id,
            media_path=media.path or None,
            media_filename=media.filename or None,
            operator_id=operator.operator_id,
        )
        return saved.keyword


def _delete(operator: SignedInOperator, keyword_id: int) -> None:
    with session_scope(get_runtime().engine) as session:
        keywords.delete_keyword(
            session, tenant=_tenant(session, operator), keyword_id=keyword_id, operator_id=operator.operator_id
        )


def _reorder(operator: SignedInOperator, keyword_ids: list[int]) -> None:
    with session_scope(get_runtime().engine) as session:
        keywords.reorder_featured(
            session, tenant=_tenant(session, operator), keyword_ids=keyword_ids, operator_id=operator.operator_id
        )


def _import(operator: SignedInOperator, content: str) -> keywords.KeywordImportReport:
    with session_scope(get_runtime().engine) as session:
        report = keywords.import_keywords_csv(
            session, tenant=_tenant(session, operator), content=content, operator_id=operator.operator_id
        )
        if not report.ok:
            session.rollback()  # all or nothing: a refused file leaves the keywords exactly as they were
        return report


def _export(operator: SignedInOperator) -> str:
    with Session(get_runtime().engine) as session:
        return keywords.export_keywords_csv(session, tenant=_tenant(session, operator))


def _try(operator: SignedInOperator, text: str) -> Trial:
    with Session(get_runtime().engine) as session:
        explanation = routing.explain(session, tenant=_tenant(session, operator), text=text)
        keyword = None
        if explanation.outcome == "keyword":
            # The explanation names the keyword: no second run of the matcher.
            keyword = keywords.get_keyword(session, tenant_id=operator.tenant_id, keyword_id=explanation.keyword_id)
    card = AnswerCard()
    if explanation.outcome == "keyword":
        pin, pin_url = ("", "")
        if keyword is not None and keyword.latitude is not None and keyword.longitude is not None:
            pin, pin_url = _pin(str(keyword.latitude), str(keyword.longitude))
        card = AnswerCard(
            text=keyword.response if keyword else explanation.answer,
            link=keyword.link if keyword else "",
            buttons=list(explanation.buttons),
            media_kind=_media_kind(keyword.media_path or "") if keyword else "",
            media_path=(keyword.media_path or "") if keyword else "",
            media_filename=(keyword.media_filename or "") if keyword else "",
            pin=pin,
            pin_url=pin_url,
        )
    return Trial(
        text=text,
        outcome=explanation.outcome,
        label=OUTCOME_LABELS.get(explanation.outcome, explanation.outcome),
        reason=explanation.reason[:1].upper() + explanation.reason[1:] + ".",
        keyword=explanation.keyword,
        language=_language_name(explanation.language) if explanation.language else "",
        card=card,
        options=[] if explanation.outcome == "keyword" else list(explanation.buttons),
    )


def _store_media(operator: SignedInOperator, data: bytes, filename: str, mime_type: str) -> str:
    kind = "photo" if mime_type.startswith("image/") else "document"
    return save_media(
        get_runtime().settings.media_dir,
        tenant_id=operator.tenant_id,
        data=data,
        kind=kind,
        filename=filename,
        mime_type=mime_type,
    )


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


class KeywordsState(rx.State):
    """One administrator's keyword editor tab."""

    languages: list[LanguageOption] = []
    query: str = ""
    language_filter: str = ALL_LANGUAGES
    rows: list[KeywordRow] = []
    featured_language: str = ""
    featured_rows: list[FeaturedRow] = []
    changes: list[ChangeRow] = []

    # The form: `editing_id` 0 is a new keyword.
    editor_open: bool = False
    editing_id: int = 0
    f_keyword: str = ""
    f_language: str = ""
    f_response: str = ""
    f_synonyms: str = ""
    f_topic: str = ""
    f_buttons: str = ""
    f_link: str = ""
    f_latitude: str = ""
    f_longitude: str = ""
    f_featured: bool = False
    f_media_path: str = ""
    f_media_filename: str = ""
    error_field: str = ""  # which field the message belongs beside: keyword, response, language, link, latitude, media
    error_message: str = ""
    saving: bool = False

    deleting_id: int = 0
    deleting_name: str = ""

    trial_text: str = ""
    trial: Trial = Trial()
    trying: bool = False

    import_done: bool = False
    import_file: str = ""
    import_created: int = 0
    import_updated: int = 0
    import_errors: list[str] = []
    importing: bool = False

    @rx.var(cache=True)
    def preview(self) -> AnswerCard:
        """The answer being edited, as the citizen would receive it."""
        pin, pin_url = _pin(self.f_latitude, self.f_longitude)
        return AnswerCard(
            text=self.f_response.strip(),
            link=self.f_link.strip(),
            buttons=_split(self.f_buttons),
            media_kind=_media_kind(self.f_media_path),
            media_path=self.f_media_path,
            media_filename=self.f_media_filename,
            pin=pin,
            pin_url=pin_url,
        )

    @rx.var(cache=True)
    def keyword_count(self) -> str:
        """How many keywords the list shows."""
        count = len(self.rows)
        return f"{count} keyword{'' if count == 1 else 's'}"

    async def _admin(self) -> SignedInOperator | None:
        auth = await self.get_state(AuthState)
        return await auth._signed_in_admin()

    async def _reload(self, operator: SignedInOperator) -> None:
        self.rows, self.featured_rows, self.changes = await asyncio.gather(
            asyncio.to_thread(_load_rows, operator, self.query, self.language_filter),
            asyncio.to_thread(_load_featured, operator, self.featured_language),
            asyncio.to_thread(_load_changes, operator),
        )

    @rx.event
    async def open_editor_page(self):
        """Page load: only an administrator gets the editor (others see why); load the tenant's keywords."""
        operator, instead = await admin_page_visit(self)
        if operator is None:
            return instead
        self.languages = await asyncio.to_thread(_languages, operator)
        codes = [option.code for option in self.languages]
        if self.language_filter not in [*codes, ALL_LANGUAGES]:
            self.language_filter = ALL_LANGUAGES
        if self.featured_language not in codes:
            self.featured_language = codes[0] if codes else ""
        self.editor_open, self.deleting_id, self.saving, self.importing, self.trying = False, 0, False, False, False
        await self._reload(operator)

    @rx.event
    async def search(self, value: str):
        """The search box changed."""
        self.query = value[:200]
        operator = await self._admin()
        if operator is not None:
            self.rows = await asyncio.to_thread(_load_rows, operator, self.query, self.language_filter)

    @rx.event
    async def filter_language(self, value: str):
        """Show one language, or all."""
        self.language_filter = value
        operator = await self._admin()
        if operator is not None:
            self.rows = await asyncio.to_thread(_load_rows, operator, self.query, self.language_filter)

    # The form.

    def _fill(self, keyword: Keyword | None) -> None:
        default_language = self.language_filter if self.language_filter != ALL_LANGUAGES else ""
        default_language = default_language or (self.languages[0].code if self.languages else "")
        self.editing_id = keyword.id if keyword else 0
        self.f_keyword = keyword.keyword if keyword else ""
        self.f_language = keyword.language if keyword else default_language
        self.f_response = keyword.response if keyword else ""
        self.f_synonyms = " | ".join(_split(keyword.synonyms)) if keyword else ""
        self.f_topic = keyword.topic if keyword else ""
        self.f_buttons = " | ".join(_split(keyword.buttons)) if keyword else ""
        self.f_link = keyword.link if keyword else ""
        self.f_latitude = "" if keyword is None or keyword.latitude is None else str(keyword.latitude)
        self.f_longitude = "" if keyword is None or keyword.longitude is None else str(keyword.longitude)
        self.f_featured = keyword.featured if keyword else False
        self.f_media_path = (keyword.media_path or "") if keyword else ""
        self.f_media_filename = (keyword.media_filename or "") if keyword else ""
        self.error_field, self.error_message, self.saving = "", "", False

    @rx.event
    async def new_keyword(self):
        """Open an empty form."""
        if await self._admin() is None:
            return
        self._fill(None)
        self.editor_open = True

    @rx.event
    async def edit_keyword(self, keyword_id: int):
        """Open the form on a keyword."""
        operator = await self._admin()
        if operator is None:
            return
        try:
            keyword = await asyncio.to_thread(_load_keyword, operator, keyword_id)
        except keywords.KeywordError as exc:
            await self._reload(operator)
            return rx.toast.error(_sentence(str(exc)))
        self._fill(keyword)
        self.editor_open = True

    @rx.event
    def set_editor_open(self, value: bool):
        """The dialog was closed (Escape, the close button, a click outside)."""
        self.editor_open = value

    @rx.event
    def set_field(self, name: str, value: str):
        """A text field of the form changed (the live preview follows)."""
        if name not in TEXT_FIELDS and name != "language":
            return
        value = value[: TEXT_FIELDS.get(name, 16)]
        if value == getattr(self, f"f_{name}"):
            return  # a debounced change arriving after the save that already read it: keep the save's message
        setattr(self, f"f_{name}", value)
        if self.error_field == name or (name == "longitude" and self.error_field == "latitude"):
            self.error_field, self.error_message = "", ""

    @rx.event
    def set_featured(self, value: bool):
        """The featured switch."""
        self.f_featured = bool(value)

    @rx.event
    async def attach_media(self, files: list[rx.UploadFile]):
        """Store the chosen image or document; it is attached to the keyword when the form is saved."""
        operator = await self._admin()
        if operator is None:
            return
        for upload in files[:1]:
            data = await upload.read()
            if len(data) > MAX_MEDIA_BYTES:
                self.error_field = "media"
                self.error_message = f"The file is larger than {MAX_MEDIA_BYTES // (1024 * 1024)} MB."
                return
            name = (upload.name or "file").rsplit("/", 1)[-1]
            mime = upload.content_type or guess_mime(name)
            self.f_media_path = await asyncio.to_thread(_store_media, operator, data, name, mime)
            self.f_media_filename = name
            if self.error_field == "media":
                self.error_field, self.error_message = "", ""

    @rx.event
    def remove_media(self):
        """Send the answer without its image or document."""
        self.f_media_path, self.f_media_filename = "", ""

    def _form(self, form_data: dict[str, str]) -> keywords.KeywordForm:
        """The form as submitted (the browser's values win over the debounced ones held here)."""
        for name, limit in TEXT_FIELDS.items():
            if name in form_data:
                setattr(self, f"f_{name}", str(form_data[name])[:limit])
        try:
            latitude = _coordinate(self.f_latitude)
        except ValueError:
            raise keywords.KeywordError("latitude", f"'{self.f_latitude}' is not a latitude (e.g. 41.5381)") from None
        try:
            longitude = _coordinate(self.f_longitude)
        except ValueError:
            raise keywords.KeywordError("latitude", f"'{self.f_longitude}' is not a longitude (e.g. 2.4445)") from None
        return keywords.KeywordForm(
            keyword=self.f_keyword,
            response=self.f_response,
            language=self.f_language,
            synonyms=self.f_synonyms,
            featured=self.f_featured,
            topic=self.f_topic,
            buttons=self.f_buttons,
            link=self.f_link.strip(),
            latitude=latitude,
            longitude=longitude,
        )

    @rx.event
    async def save(self, form_data: dict[str, str]):
        """Create or update the keyword; a refused form says why beside the field at fault."""
        if self.saving:
            return
        operator = await self._admin()
        if operator is None:
            return
        self.error_field, self.error_message = "", ""
        try:
            form = self._form(form_data)
        except keywords.KeywordError as exc:
            self.error_field, self.error_message = exc.field, _sentence(str(exc))
            return
        self.saving = True
        yield
        try:
            saved = await asyncio.to_thread(
                _save, operator, self.editing_id, form, _Media(self.f_media_path, self.f_media_filename)
            )
        except keywords.KeywordError as exc:
            self.error_field, self.error_message = exc.field, _sentence(str(exc))
            return
        except Exception as exc:
            log.error("saving keyword %s failed: %s", self.editing_id or "(new)", type(exc).__name__)
            self.error_field, self.error_message = "form", "The keyword could not be saved. Try again in a moment."
            return
        finally:
            self.saving = False
        self.editor_open = False
        await self._reload(operator)
        yield rx.toast.success(f"{saved} saved: citizens get the new answer from now on.")

    # Deleting.

    @rx.event
    def ask_delete(self, keyword_id: int, keyword: str):
        """Ask for confirmation before deleting."""
        self.deleting_id, self.deleting_name = keyword_id, keyword

    @rx.event
    def cancel_delete(self):
        """Keep the keyword."""
        self.deleting_id, self.deleting_name = 0, ""

    @rx.event
    async def confirm_delete(self):
        """Delete the keyword (and its personal codes)."""
        operator = await self._admin()
        if operator is None or not self.deleting_id:
            return
        keyword_id, name = self.deleting_id, self.deleting_name
        self.deleting_id, self.deleting_name = 0, ""
        try:
            await asyncio.to_thread(_delete, operator, keyword_id)
        except keywords.KeywordError as exc:
            await self._reload(operator)
            return rx.toast.error(_sentence(str(exc)))
        if self.editing_id == keyword_id:
            self.editor_open = False
        await self._reload(operator)
        return rx.toast.success(f"{name} deleted.")

    # The featured order.

    @rx.event
    async def show_featured(self, language: str | list[str]):
        """Show the featured order of another language (the segmented control's choice)."""
        operator = await self._admin()
        if operator is None:
            return
        language = language if isinstance(language, str) else (language[0] if language else "")
        self.featured_language = language
        self.featured_rows = await asyncio.to_thread(_load_featured, operator, language)

    @rx.event
    async def move_featured(self, keyword_id: int, step: int):
        """Move a featured keyword one place up (-1) or down (+1) in the index."""
        operator = await self._admin()
        if operator is None:
            return
        ids = [row.id for row in self.featured_rows]
        if keyword_id not in ids:
            return
        here = ids.index(keyword_id)
        there = here + step
        if not 0 <= there < len(ids):
            return
        ids[here], ids[there] = ids[there], ids[here]
        await asyncio.to_thread(_reorder, operator, ids)
        await self._reload(operator)

    # Try it.

    @rx.event
    def set_trial_text(self, value: str):
        """The sentence to try."""
        self.trial_text = value[:500]

    @rx.event
    async def try_sentence(self, form_data: dict[str, str]):
        """Run the real matcher on the sentence (nothing is sent or recorded)."""
        text = (form_data.get("sentence") or self.trial_text).strip()
        operator = await self._admin()
        if operator is None or not text:
            return
        self.trial_text, self.trying = text, True
        yield
        try:
            self.trial = await asyncio.to_thread(_try, operator, text)
        finally:
            self.trying = False

    # CSV.

    @rx.event
    async def import_csv(self, files: list[rx.UploadFile]):
        """Import a keyword CSV: everything or nothing, with each refused line and the reason."""
        operator = await self._admin()
        if operator is None:
            return
        for upload in files[:1]:
            data = await upload.read()
            self.import_file = (upload.name or "keywords.csv").rsplit("/", 1)[-1]
            self.import_done, self.import_created, self.import_updated = True, 0, 0
            if len(data) > MAX_CSV_BYTES:
                self.import_errors = [f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB."]
                return
            try:
                content = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.import_errors = ["The file is not UTF-8 text: save it as “CSV UTF-8” and try again."]
                return
            self.importing = True
            yield
            try:
                report = await asyncio.to_thread(_import, operator, content)
            finally:
                self.importing = False
            self.import_errors = [_sentence(error) for error in report.errors]
            self.import_created, self.import_updated = report.created, report.updated
            await self._reload(operator)

    @rx.event
    def dismiss_import(self):
        """Hide the import report."""
        self.import_done, self.import_errors = False, []

    @rx.event
    async def export_csv(self):
        """Download every keyword of the tenant as CSV (the import format)."""
        operator = await self._admin()
        if operator is None:
            return
        content = await asyncio.to_thread(_export, operator)
        stamp = datetime.now().strftime("%Y%m%d")
        return rx.download(data=content, filename=f"keywords-{operator.tenant_slug}-{stamp}.csv", mime_type="text/csv")
