"""The keyword form in its dialog, with the answer previewed as the citizen will see it."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.admin import Text, field_error, form_field, label
from citymes_app.components.answer_bubble import answer_bubble
from citymes_app.core.keyword_examples import MAX_EXAMPLES
from citymes_app.state.keywords.editor_state import MEDIA_UPLOAD_ID
from citymes_app.state.keywords.editor_state import KeywordEditorState as S
from citymes_app.state.keywords.list_state import KeywordsState
from citymes_app.state.language import t


def _field_error(name: str) -> rx.Component:
    return field_error(S.error_field == name, S.error_message, f"kw-{name}-error")


def text_field(name: str, title: Text, hint: Text = "", placeholder: Text = "", **props) -> rx.Component:
    """A labelled input of the form, with its error under it."""
    return form_field(
        label(title, f"kw-{name}", hint),
        rx.input(
            name=name,
            id=f"kw-{name}",
            value=getattr(S, f"f_{name}"),
            on_change=lambda value: S.set_field(name, value),
            placeholder=placeholder,
            width="100%",
            auto_complete="off",
            **props,
        ),
        _field_error(name),
    )


def language_field() -> rx.Component:
    """The keyword's language, among the tenant's."""
    return rx.vstack(
        label(t("Language"), "kw-language"),
        rx.select.root(
            rx.select.trigger(id="kw-language", width="100%"),
            rx.select.content(rx.foreach(KeywordsState.languages, lambda option: rx.select.item(option.name, value=option.code))),
            value=S.f_language,
            on_change=lambda value: S.set_field("language", value),
        ),
        _field_error("language"),
        spacing="1",
        width="180px",
        flex_shrink="0",
    )


def _text_area_field(name: str, title: Text, hint: Text, *, rows: str, placeholder: str = "") -> rx.Component:
    """A labelled text area of the form, with its error beside it."""
    return form_field(
        label(title, f"kw-{name}", hint),
        rx.text_area(
            name=name,
            id=f"kw-{name}",
            value=getattr(S, f"f_{name}"),
            on_change=lambda value: S.set_field(name, value),
            placeholder=placeholder,
            rows=rows,
            resize="vertical",
            width="100%",
            custom_attrs={"dir": "auto"},
        ),
        _field_error(name),
    )


def response_field() -> rx.Component:
    """The answer's text."""
    return _text_area_field("response", t("Answer"), t("what the citizen receives"), rows="5")


def examples_field() -> rx.Component:
    """Questions as citizens write them, one per line: the matcher learns the keyword from them."""
    return _text_area_field(
        "examples",
        t("Example questions"),
        t("one per line, up to {n}: as citizens write them", n=MAX_EXAMPLES),
        rows="4",
        placeholder="A quina hora obre l'OAC?\nQuan tanqueu els dissabtes?",
    )


def media_field() -> rx.Component:
    """An image or document sent with the answer."""
    chosen = rx.hstack(
        rx.icon(rx.cond(S.preview.media_kind == "photo", "image", "file-text"), size=16),
        rx.text(S.f_media_filename, size="2", style=styles.ONE_LINE, flex="1", id="kw-media-name"),
        rx.button(
            rx.icon("x", size=13),
            t("Remove"),
            variant="ghost",
            color_scheme="gray",
            size="1",
            type="button",
            on_click=S.remove_media,
        ),
        align="center",
        spacing="2",
        padding="6px 10px",
        border=styles.BORDER,
        border_radius="var(--radius-3)",
        width="100%",
    )
    picker = rx.upload(
        rx.button(
            rx.icon("paperclip", size=14), t("Attach an image or document"), variant="surface", color_scheme="gray", type="button"
        ),
        id=MEDIA_UPLOAD_ID,
        accept={
            "image/*": [".jpg", ".jpeg", ".png", ".gif", ".webp"],
            "application/pdf": [".pdf"],
            "application/msword": [".doc"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
        },
        multiple=False,
        max_files=1,
        no_drag=True,
        on_drop=S.attach_media(rx.upload_files(upload_id=MEDIA_UPLOAD_ID)),
        border="none",
        padding="0",
    )
    return form_field(
        label(t("Image or document"), MEDIA_UPLOAD_ID, t("optional, up to 10 MB")),
        rx.cond(S.f_media_path != "", chosen, picker),
        _field_error("media"),
    )


def pin_field() -> rx.Component:
    """An optional map pin (latitude and longitude)."""
    return form_field(
        label(t("Map pin"), "kw-latitude", t("optional: where to go")),
        rx.hstack(
            rx.input(
                name="latitude",
                id="kw-latitude",
                value=S.f_latitude,
                on_change=lambda value: S.set_field("latitude", value),
                placeholder=t("Latitude, e.g. 41.5381"),
                flex="1",
                auto_complete="off",
            ),
            rx.input(
                name="longitude",
                id="kw-longitude",
                value=S.f_longitude,
                on_change=lambda value: S.set_field("longitude", value),
                placeholder=t("Longitude, e.g. 2.4445"),
                flex="1",
                auto_complete="off",
            ),
            spacing="2",
            width="100%",
        ),
        _field_error("latitude"),
    )


def featured_field() -> rx.Component:
    """Listed by the index commands."""
    return rx.vstack(
        rx.text(t("Featured"), size="2", weight="medium"),
        rx.hstack(
            # Held in the state (not submitted with the form): the switch answers at once, it is never debounced.
            rx.switch(checked=S.f_featured, on_change=S.set_featured, class_name="kw-featured"),
            rx.text(t("Listed by the index command"), size="1", color_scheme="gray"),
            align="center",
            spacing="2",
            height="var(--space-6)",
        ),
        spacing="1",
        flex_shrink="0",
    )


def editor_form() -> rx.Component:
    """Every field of a keyword; saving checks them all and says what is wrong beside the field."""
    return rx.form(
        rx.vstack(
            rx.hstack(
                text_field("keyword", t("Keyword"), placeholder="HORARIS"),
                language_field(),
                spacing="3",
                width="100%",
                align="start",
            ),
            response_field(),
            text_field("synonyms", t("Synonyms"), t("separated by |"), placeholder="horari | horaris oac"),
            examples_field(),
            text_field(
                "buttons", t("Related keywords"), t("offered as buttons, separated by |"), placeholder="DEIXALLERIA | PADRO"
            ),
            rx.hstack(
                text_field("topic", t("Topic"), t("same topic = translations"), placeholder="hours"),
                featured_field(),
                spacing="3",
                width="100%",
                align="start",
            ),
            text_field("link", t("Link"), t("optional"), placeholder="https://www.example.cat/tramits"),
            media_field(),
            pin_field(),
            _field_error("form"),
            rx.hstack(
                rx.cond(
                    S.editing_id > 0,
                    rx.button(
                        rx.icon("trash-2", size=14),
                        t("Delete"),
                        variant="soft",
                        color_scheme="red",
                        type="button",
                        on_click=KeywordsState.ask_delete(S.editing_id, S.f_keyword),
                    ),
                ),
                rx.spacer(),
                rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray", type="button")),
                rx.button(rx.icon("check", size=15), t("Save"), type="submit", loading=S.saving, id="kw-save"),
                spacing="2",
                width="100%",
                padding_top="6px",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.save,
        width="100%",
        id="keyword-form",
    )


def editor_preview() -> rx.Component:
    """The answer as the citizen will see it, redrawn as the form changes."""
    return rx.vstack(
        rx.text(t("Preview"), size="2", weight="medium"),
        rx.text(t("What a citizen sees after writing the keyword."), size="1", color_scheme="gray"),
        answer_bubble(S.preview, question=S.f_keyword),
        spacing="2",
        width="320px",
        flex_shrink="0",
        position="sticky",
        top="0",
        id="keyword-preview",
    )


def editor_dialog() -> rx.Component:
    """Create or edit a keyword."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing_id > 0, t("Edit keyword"), t("New keyword"))),
            rx.dialog.description(
                t("Citizens get this answer at once, day and night, when their message matches the keyword or a synonym."),
                size="2",
                color_scheme="gray",
                margin_bottom="16px",
            ),
            rx.hstack(editor_form(), editor_preview(), spacing="6", align="start", width="100%"),
            max_width="980px",
            width="94vw",
            id="keyword-editor",
        ),
        open=S.editor_open,
        on_open_change=S.set_editor_open,
    )
