"""The keyword form: open it on a keyword or empty, its live preview, media, and saving with the reason for a refusal."""

from __future__ import annotations

import logging

import reflex as rx

from citymes_app.core import keywords
from citymes_app.core.keyword_desk import KeywordMedia
from citymes_app.core.keyword_examples import MAX_EXAMPLE_LENGTH, MAX_EXAMPLES
from citymes_app.core.keywords import split_list
from citymes_app.core.media import guess_mime
from citymes_app.i18n import words_for
from citymes_app.models import Keyword, row_id
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import signed_in_admin
from citymes_app.state.keywords.display import AnswerCard, coordinate, media_kind, pin
from citymes_app.state.keywords.list_state import ALL_LANGUAGES, KeywordsState
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)

MEDIA_UPLOAD_ID = "keyword-media"
MAX_MEDIA_BYTES = 10 * 1024 * 1024  # Telegram's limit for a photo sent by URL or upload
# The form's text fields (the `name` of each input, and the `f_<name>` var that holds it) with their limits.
TEXT_FIELDS = {
    "keyword": keywords.MAX_KEYWORD_LENGTH,
    "response": keywords.MAX_RESPONSE_LENGTH,
    "synonyms": 1000,
    # Room for twice the questions a keyword takes, so pasting too many is refused with the limit, not cut silently.
    "examples": 2 * MAX_EXAMPLES * (MAX_EXAMPLE_LENGTH + 1),
    "topic": 100,
    "buttons": 500,
    "link": 500,
    "latitude": 32,
    "longitude": 32,
}


class KeywordEditorState(KeywordsState):
    """The keyword form of one administrator's tab: `editing_id` 0 is a new keyword."""

    editor_open: bool = False
    editing_id: int = 0
    f_keyword: str = ""
    f_language: str = ""
    f_response: str = ""
    f_synonyms: str = ""
    f_examples: str = ""  # one question per line
    f_topic: str = ""
    f_buttons: str = ""
    f_link: str = ""
    f_latitude: str = ""
    f_longitude: str = ""
    f_featured: bool = False
    f_media_path: str = ""
    f_media_filename: str = ""
    # Which field the message belongs beside: keyword, response, language, examples, link, latitude, media.
    error_field: str = ""
    error_message: str = ""
    saving: bool = False

    @rx.var(cache=True)
    def preview(self) -> AnswerCard:
        """The answer being edited, as the citizen would receive it."""
        shown_pin, pin_url = pin(self.f_latitude, self.f_longitude)
        return AnswerCard(
            text=self.f_response.strip(),
            link=self.f_link.strip(),
            buttons=split_list(self.f_buttons),
            media_kind=media_kind(self.f_media_path),
            media_path=self.f_media_path,
            media_filename=self.f_media_filename,
            pin=shown_pin,
            pin_url=pin_url,
        )

    def leave(self) -> None:
        self.editor_open, self.saving = False, False

    def forget_keyword(self, keyword_id: int) -> None:
        if self.editing_id == keyword_id:
            self.editor_open = False

    def _fill(self, keyword: Keyword | None) -> None:
        default_language = self.language_filter if self.language_filter != ALL_LANGUAGES else ""
        default_language = default_language or (self.languages[0].code if self.languages else "")
        self.editing_id = row_id(keyword) if keyword else 0
        self.f_keyword = keyword.keyword if keyword else ""
        self.f_language = keyword.language if keyword else default_language
        self.f_response = keyword.response if keyword else ""
        self.f_synonyms = " | ".join(split_list(keyword.synonyms)) if keyword else ""
        self.f_examples = "\n".join(split_list(keyword.examples)) if keyword else ""
        self.f_topic = keyword.topic if keyword else ""
        self.f_buttons = " | ".join(split_list(keyword.buttons)) if keyword else ""
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
        if await signed_in_admin(self) is None:
            return
        self._fill(None)
        self.editor_open = True

    @rx.event
    async def edit_keyword(self, keyword_id: int):
        """Open the form on a keyword."""
        operator = await signed_in_admin(self)
        if operator is None:
            return
        try:
            keyword = await get_runtime().keyword_desk.keyword(by=operator, keyword_id=keyword_id)
        except keywords.KeywordError as exc:
            await self._reload(operator)
            return rx.toast.error(sentence(exc, words_for(operator.language)))
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
        operator = await signed_in_admin(self)
        if operator is None:
            return
        for upload in files[:1]:
            data = await upload.read()
            if len(data) > MAX_MEDIA_BYTES:
                self.error_field = "media"
                self.error_message = words_for(operator.language).t(
                    "The file is larger than {n} MB.", n=MAX_MEDIA_BYTES // (1024 * 1024)
                )
                return
            name = (upload.name or "file").rsplit("/", 1)[-1]
            mime = upload.content_type or guess_mime(name)
            stored = await get_runtime().keyword_desk.store_media(by=operator, data=data, filename=name, mime_type=mime)
            self.f_media_path, self.f_media_filename = stored.path, stored.filename
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
            latitude = coordinate(self.f_latitude)
        except ValueError:
            raise keywords.KeywordError("latitude", "'{value}' is not a latitude (e.g. 41.5381)", value=self.f_latitude) from None
        try:
            longitude = coordinate(self.f_longitude)
        except ValueError:
            raise keywords.KeywordError(
                "latitude", "'{value}' is not a longitude (e.g. 2.4445)", value=self.f_longitude
            ) from None
        return keywords.KeywordForm(
            keyword=self.f_keyword,
            response=self.f_response,
            language=self.f_language,
            synonyms=self.f_synonyms,
            examples=tuple(self.f_examples.splitlines()),
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
        operator = await signed_in_admin(self)
        if operator is None:
            return
        self.error_field, self.error_message = "", ""
        words = words_for(operator.language)
        try:
            form = self._form(form_data)
        except keywords.KeywordError as exc:
            self.error_field, self.error_message = exc.field, sentence(exc, words)
            return
        self.saving = True
        yield
        media = KeywordMedia(self.f_media_path, self.f_media_filename) if self.f_media_path else None
        try:
            saved = await get_runtime().keyword_desk.save(by=operator, keyword_id=self.editing_id or None, form=form, media=media)
        except keywords.KeywordError as exc:
            self.error_field, self.error_message = exc.field, sentence(exc, words)
            return
        except Exception as exc:
            log.error("saving keyword %s failed: %s", self.editing_id or "(new)", type(exc).__name__)
            self.error_field = "form"
            self.error_message = words.t("The keyword could not be saved. Try again in a moment.")
            return
        finally:
            self.saving = False
        self.editor_open = False
        await self._reload(operator)
        yield rx.toast.success(words.t("{keyword} saved: citizens get the new answer from now on.", keyword=saved.keyword))
