"""`/admin/keywords`: the keyword editor (administrators) — the list, the form with the answer previewed as the
citizen sees it, "try it", the featured order, CSV import and export, and who changed what and when."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.admin import admin_column, admin_only, card, field_error, label, page_header
from citymes_app.components.answer_bubble import answer_bubble, menu_buttons
from citymes_app.components.frame import operator_frame
from citymes_app.state.keywords_state import (
    ALL_LANGUAGES,
    IMPORT_UPLOAD_ID,
    MEDIA_UPLOAD_ID,
    ChangeRow,
    FeaturedRow,
    KeywordRow,
    KeywordsState,
)

ROUTE = "/admin/keywords"
TITLE = "Keywords · CityMes"
ON_LOAD = KeywordsState.open_editor_page

S = KeywordsState

# --- The header: import, export, new. ---


def import_button() -> rx.Component:
    """Choose a CSV file: it is imported at once, all or nothing."""
    return rx.upload(
        rx.tooltip(
            rx.button(
                rx.icon("upload", size=15),
                "Import CSV",
                variant="soft",
                color_scheme="gray",
                type="button",
                loading=S.importing,
            ),
            content="Columns: keyword, response, language, synonyms, featured (and optionally topic, buttons, link)",
        ),
        id=IMPORT_UPLOAD_ID,
        accept={"text/csv": [".csv"], "text/plain": [".txt"]},
        multiple=False,
        max_files=1,
        no_drag=True,
        on_drop=S.import_csv(rx.upload_files(upload_id=IMPORT_UPLOAD_ID)),
        border="none",
        padding="0",
    )


def header() -> rx.Component:
    """Title and the page's actions."""
    return page_header(
        "Keywords",
        "Automatic answers that work 24 hours a day, in every language the town hall speaks.",
        import_button(),
        rx.button(
            rx.icon("download", size=15),
            "Export CSV",
            variant="soft",
            color_scheme="gray",
            on_click=S.export_csv,
            id="keyword-export",
        ),
        rx.button(rx.icon("plus", size=15), "New keyword", on_click=S.new_keyword, id="keyword-new"),
    )


def import_report() -> rx.Component:
    """What the last import did, or every line it refused (and that nothing changed)."""
    dismiss = rx.icon_button(
        rx.icon("x", size=14), variant="ghost", color_scheme="gray", size="1", on_click=S.dismiss_import, aria_label="Hide"
    )
    refused = rx.callout.root(
        rx.callout.icon(rx.icon("circle-x")),
        rx.vstack(
            rx.hstack(
                rx.text(
                    rx.text.strong(S.import_file),
                    " was not imported: nothing changed. Correct these lines and import it again.",
                    size="2",
                ),
                rx.spacer(),
                dismiss,
                width="100%",
                align="start",
            ),
            rx.el.ul(
                rx.foreach(S.import_errors, lambda error: rx.el.li(error, class_name="import-error")),
                style={"margin": "0", "padding_left": "18px", "font_size": "var(--font-size-2)"},
            ),
            spacing="1",
            width="100%",
        ),
        color_scheme="red",
        width="100%",
        id="import-report",
        role="alert",
    )
    imported = rx.callout.root(
        rx.callout.icon(rx.icon("circle-check")),
        rx.hstack(
            rx.text(
                rx.text.strong(S.import_file),
                " imported: ",
                rx.el.span(S.import_created, " created, ", S.import_updated, " updated", id="import-counts"),
                ".",
                size="2",
            ),
            rx.spacer(),
            dismiss,
            width="100%",
            align="center",
        ),
        color_scheme="green",
        width="100%",
        id="import-report",
    )
    return rx.cond(S.import_done, rx.cond(S.import_errors.length() > 0, refused, imported))


# --- The list. ---


def toolbar() -> rx.Component:
    """Search and the language filter."""
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=15)),
            placeholder="Search keywords, synonyms and answers…",
            value=S.query,
            on_change=S.search,
            id="keyword-search",
            flex="1",
            size="2",
        ),
        rx.select.root(
            rx.select.trigger(id="keyword-language-filter", min_width="150px"),
            rx.select.content(
                rx.select.item("All languages", value=ALL_LANGUAGES),
                rx.foreach(S.languages, lambda option: rx.select.item(option.name, value=option.code)),
            ),
            value=S.language_filter,
            on_change=S.filter_language,
        ),
        spacing="2",
        width="100%",
    )


def _extra(show: rx.Var[bool], icon: str, text: str) -> rx.Component:
    return rx.cond(show, rx.tooltip(rx.icon(icon, size=13, color="var(--gray-9)"), content=text))


def keyword_cell(row: rx.Var[KeywordRow]) -> rx.Component:
    """The keyword, its star when featured, its synonyms."""
    return rx.vstack(
        rx.hstack(
            rx.cond(
                row.featured,
                rx.tooltip(
                    rx.icon("star", size=14, color="var(--amber-9)", fill="var(--amber-9)", class_name="featured-star"),
                    content="Featured: listed by PARAULES CLAU / PALABRAS CLAVE / KEYWORDS",
                ),
            ),
            rx.link(
                row.keyword,
                on_click=S.edit_keyword(row.id),
                weight="bold",
                size="2",
                color_scheme="gray",
                high_contrast=True,
                underline="hover",
                cursor="pointer",
                class_name="keyword-name",
            ),
            spacing="1",
            align="center",
        ),
        rx.cond(
            row.synonyms != "",
            rx.text(
                row.synonyms, size="1", color_scheme="gray", class_name="keyword-synonyms", width="100%", style=styles.ONE_LINE
            ),
        ),
        spacing="1",
        min_width="0",
        width="100%",
    )


def answer_cell(row: rx.Var[KeywordRow]) -> rx.Component:
    """The answer's beginning and what comes with it."""
    return rx.vstack(
        rx.text(row.preview, size="2", color="var(--gray-11)", class_name="keyword-preview", width="100%", style=styles.ONE_LINE),
        rx.hstack(
            _extra(row.has_link, "link", "Sends a link"),
            _extra(row.has_media, "paperclip", "Sends an image or document"),
            _extra(row.has_pin, "map-pin", "Sends a map pin"),
            rx.cond(
                row.buttons != "",
                rx.text("Menu: ", row.buttons, size="1", color_scheme="gray", style=styles.ONE_LINE),
            ),
            spacing="2",
            align="center",
            width="100%",
            min_width="0",
        ),
        spacing="1",
        min_width="0",
        width="100%",
    )


def row_actions(row: rx.Var[KeywordRow]) -> rx.Component:
    """Edit and delete."""
    return rx.hstack(
        rx.tooltip(
            rx.icon_button(
                rx.icon("pencil", size=14),
                variant="ghost",
                color_scheme="gray",
                size="1",
                on_click=S.edit_keyword(row.id),
                aria_label="Edit",
                class_name="keyword-edit",
            ),
            content="Edit",
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                color_scheme="red",
                size="1",
                on_click=S.ask_delete(row.id, row.keyword),
                aria_label="Delete",
                class_name="keyword-delete",
            ),
            content="Delete",
        ),
        spacing="3",
        justify="end",
    )


# The list's columns: keyword, language, answer, actions. A grid rather than a table, so a long answer is cut with
# an ellipsis instead of widening the list under the buttons.
LIST_COLUMNS = "minmax(0, 2fr) 52px minmax(0, 5fr) 64px"


def _list_line(*cells: rx.Component, **props) -> rx.Component:
    return rx.grid(*cells, columns=LIST_COLUMNS, gap="12px", align="center", width="100%", **props)


def keyword_row(row: rx.Var[KeywordRow]) -> rx.Component:
    """One keyword of the list."""
    return _list_line(
        keyword_cell(row),
        rx.badge(row.language.upper(), variant="soft", color_scheme="gray", size="1", width="fit-content"),
        answer_cell(row),
        row_actions(row),
        padding="10px 8px",
        border_top="1px solid var(--gray-a4)",
        _hover={"background": "var(--gray-a2)"},
        class_name="keyword-row",
        key=row.id,
        custom_attrs={"data-keyword": row.keyword, "data-language": row.language},
    )


def keyword_list() -> rx.Component:
    """The keywords that match the search."""
    heading = _list_line(
        *[rx.text(title, size="1", weight="medium", color_scheme="gray") for title in ("Keyword", "Lang.", "Answer", "")],
        padding="0 8px 6px",
    )
    table = rx.vstack(heading, rx.foreach(S.rows, keyword_row), spacing="0", width="100%", id="keyword-list")
    empty = rx.center(
        rx.text("No keyword matches. Try other words, or create it.", size="2", color_scheme="gray"),
        padding="28px",
        id="keyword-list-empty",
    )
    return card(
        "Answers",
        "book-open-text",
        toolbar(),
        rx.cond(S.rows.length() > 0, table, empty),
        aside=rx.text(S.keyword_count, size="1", color_scheme="gray"),
    )


# --- Who changed what and when. ---


def change_row(change: rx.Var[ChangeRow]) -> rx.Component:
    """One change."""
    return rx.table.row(
        rx.table.cell(rx.text(change.when, size="1", white_space="nowrap", color_scheme="gray")),
        rx.table.cell(rx.text(change.operator, size="2")),
        rx.table.cell(
            rx.badge(
                change.action,
                size="1",
                variant="soft",
                color_scheme=rx.match(change.action, ("Deleted", "red"), ("Created", "green"), ("Imported", "blue"), "gray"),
            )
        ),
        rx.table.cell(rx.text(change.keyword, size="2", weight="medium")),
        rx.table.cell(rx.text(change.fields, size="1", color_scheme="gray")),
        class_name="change-row",
        key=change.id,
    )


def history_card() -> rx.Component:
    """Who changed what and when (times on the town hall's clock)."""
    return card(
        "Who changed what and when",
        "history",
        rx.cond(
            S.changes.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("When"),
                            rx.table.column_header_cell("Who"),
                            rx.table.column_header_cell("What"),
                            rx.table.column_header_cell("Keyword"),
                            rx.table.column_header_cell("Changed"),
                        )
                    ),
                    rx.table.body(rx.foreach(S.changes, change_row)),
                    size="1",
                    variant="ghost",
                    width="100%",
                ),
                max_height="360px",
                overflow_y="auto",
                width="100%",
            ),
            rx.text("No changes yet.", size="2", color_scheme="gray"),
        ),
        id="keyword-history",
    )


# --- Try it. ---


def _outcome_badge() -> rx.Component:
    return rx.badge(
        S.trial.label,
        size="2",
        variant="soft",
        color_scheme=rx.match(
            S.trial.outcome,
            ("keyword", "teal"),
            ("personal_code", "violet"),
            ("index", "blue"),
            ("ambiguous", "amber"),
            "gray",
        ),
        id="try-outcome",
    )


def trial_result() -> rx.Component:
    """What would answer the sentence, and why."""
    return rx.vstack(
        rx.hstack(
            _outcome_badge(),
            rx.cond(
                S.trial.keyword != "",
                rx.text(
                    rx.text.strong(S.trial.keyword, id="try-keyword"),
                    rx.cond(S.trial.language != "", rx.text.span(" · ", S.trial.language)),
                    size="2",
                ),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(S.trial.reason, size="2", color_scheme="gray", id="try-reason"),
        rx.match(
            S.trial.outcome,
            ("keyword", answer_bubble(S.trial.card, question=S.trial.text)),
            (
                "operator",
                rx.text(
                    "The citizen gets the waiting notice of the office hours page.",
                    size="1",
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                S.trial.options.length() > 0,
                rx.box(
                    menu_buttons(S.trial.options, class_name="try-option"),
                    padding="10px",
                    border_radius="var(--radius-3)",
                    background=styles.PHONE_CHAT_BACKGROUND,
                    width="100%",
                ),
            ),
        ),
        spacing="2",
        width="100%",
        id="try-result",
    )


def try_card() -> rx.Component:
    """Run the real matcher on a sentence: nothing is sent, nothing is recorded."""
    return card(
        "Try it",
        "flask-conical",
        rx.text("Write what a citizen might send. Nothing is sent or recorded.", size="1", color_scheme="gray"),
        rx.form(
            rx.hstack(
                rx.input(
                    name="sentence",
                    placeholder="hola, horaris biblioteca?",
                    value=S.trial_text,
                    on_change=S.set_trial_text,
                    id="try-text",
                    flex="1",
                    auto_complete="off",
                    custom_attrs={"dir": "auto"},
                ),
                rx.button("Try", type="submit", loading=S.trying, id="try-submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.try_sentence,
            width="100%",
        ),
        rx.cond(S.trial.outcome != "", trial_result()),
        id="try-it",
    )


# --- The featured order. ---


def featured_row(row: rx.Var[FeaturedRow], index: rx.Var[int]) -> rx.Component:
    """One featured keyword with its up and down buttons."""
    last = S.featured_rows.length() - 1
    return rx.hstack(
        rx.text(index + 1, size="1", color_scheme="gray", width="18px", text_align="right"),
        rx.text(row.keyword, size="2", weight="medium", flex="1", style=styles.ONE_LINE, class_name="featured-name"),
        rx.icon_button(
            rx.icon("arrow-up", size=14),
            variant="ghost",
            color_scheme="gray",
            size="1",
            disabled=index == 0,
            on_click=S.move_featured(row.id, -1),
            aria_label="Move up",
            class_name="featured-up",
        ),
        rx.icon_button(
            rx.icon("arrow-down", size=14),
            variant="ghost",
            color_scheme="gray",
            size="1",
            disabled=index == last,
            on_click=S.move_featured(row.id, 1),
            aria_label="Move down",
            class_name="featured-down",
        ),
        align="center",
        spacing="2",
        padding="6px 8px",
        border_radius="var(--radius-2)",
        _hover={"background": "var(--gray-a2)"},
        width="100%",
        class_name="featured-row",
        key=row.id,
        custom_attrs={"data-keyword": row.keyword},
    )


def featured_card() -> rx.Component:
    """The order in which the index command lists the featured keywords, per language."""
    return card(
        "Featured order",
        "star",
        rx.text(
            "The order of the list a citizen gets with PARAULES CLAU, PALABRAS CLAVE or KEYWORDS.", size="1", color_scheme="gray"
        ),
        rx.segmented_control.root(
            rx.foreach(S.languages, lambda option: rx.segmented_control.item(option.name, value=option.code)),
            value=S.featured_language,
            on_change=S.show_featured,
            size="1",
            width="100%",
        ),
        rx.cond(
            S.featured_rows.length() > 0,
            rx.vstack(rx.foreach(S.featured_rows, featured_row), spacing="0", width="100%", id="featured-list"),
            rx.text(
                "No featured keyword in this language: switch on “Featured” in a keyword's form.", size="2", color_scheme="gray"
            ),
        ),
        id="featured-order",
    )


# --- The form. ---


def _field_error(name: str) -> rx.Component:
    return field_error(S.error_field == name, S.error_message, f"kw-{name}-error")


def text_field(name: str, title: str, hint: str = "", placeholder: str = "", **props) -> rx.Component:
    """A labelled input of the form, with its error under it."""
    return rx.vstack(
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
        spacing="1",
        width="100%",
    )


def language_field() -> rx.Component:
    """The keyword's language, among the tenant's."""
    return rx.vstack(
        label("Language", "kw-language"),
        rx.select.root(
            rx.select.trigger(id="kw-language", width="100%"),
            rx.select.content(rx.foreach(S.languages, lambda option: rx.select.item(option.name, value=option.code))),
            value=S.f_language,
            on_change=lambda value: S.set_field("language", value),
        ),
        _field_error("language"),
        spacing="1",
        width="180px",
        flex_shrink="0",
    )


def response_field() -> rx.Component:
    """The answer's text."""
    return rx.vstack(
        label("Answer", "kw-response", "what the citizen receives"),
        rx.text_area(
            name="response",
            id="kw-response",
            value=S.f_response,
            on_change=lambda value: S.set_field("response", value),
            rows="5",
            resize="vertical",
            width="100%",
            custom_attrs={"dir": "auto"},
        ),
        _field_error("response"),
        spacing="1",
        width="100%",
    )


def media_field() -> rx.Component:
    """An image or document sent with the answer."""
    chosen = rx.hstack(
        rx.icon(rx.cond(S.preview.media_kind == "photo", "image", "file-text"), size=16),
        rx.text(S.f_media_filename, size="2", style=styles.ONE_LINE, flex="1", id="kw-media-name"),
        rx.button(
            rx.icon("x", size=13),
            "Remove",
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
            rx.icon("paperclip", size=14), "Attach an image or document", variant="surface", color_scheme="gray", type="button"
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
    return rx.vstack(
        label("Image or document", MEDIA_UPLOAD_ID, "optional, up to 10 MB"),
        rx.cond(S.f_media_path != "", chosen, picker),
        _field_error("media"),
        spacing="1",
        width="100%",
    )


def pin_field() -> rx.Component:
    """An optional map pin (latitude and longitude)."""
    return rx.vstack(
        label("Map pin", "kw-latitude", "optional: where to go"),
        rx.hstack(
            rx.input(
                name="latitude",
                id="kw-latitude",
                value=S.f_latitude,
                on_change=lambda value: S.set_field("latitude", value),
                placeholder="Latitude, e.g. 41.5381",
                flex="1",
                auto_complete="off",
            ),
            rx.input(
                name="longitude",
                id="kw-longitude",
                value=S.f_longitude,
                on_change=lambda value: S.set_field("longitude", value),
                placeholder="Longitude, e.g. 2.4445",
                flex="1",
                auto_complete="off",
            ),
            spacing="2",
            width="100%",
        ),
        _field_error("latitude"),
        spacing="1",
        width="100%",
    )


def featured_field() -> rx.Component:
    """Listed by the index commands."""
    return rx.vstack(
        rx.text("Featured", size="2", weight="medium"),
        rx.hstack(
            # Held in the state (not submitted with the form): the switch answers at once, it is never debounced.
            rx.switch(checked=S.f_featured, on_change=S.set_featured, class_name="kw-featured"),
            rx.text("Listed by the index command", size="1", color_scheme="gray"),
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
                text_field("keyword", "Keyword", placeholder="HORARIS"),
                language_field(),
                spacing="3",
                width="100%",
                align="start",
            ),
            response_field(),
            text_field("synonyms", "Synonyms", "separated by |", placeholder="horari | horaris oac"),
            text_field("buttons", "Related keywords", "offered as buttons, separated by |", placeholder="DEIXALLERIA | PADRO"),
            rx.hstack(
                text_field("topic", "Topic", "same topic = translations", placeholder="hours"),
                featured_field(),
                spacing="3",
                width="100%",
                align="start",
            ),
            text_field("link", "Link", "optional", placeholder="https://www.example.cat/tramits"),
            media_field(),
            pin_field(),
            _field_error("form"),
            rx.hstack(
                rx.cond(
                    S.editing_id > 0,
                    rx.button(
                        rx.icon("trash-2", size=14),
                        "Delete",
                        variant="soft",
                        color_scheme="red",
                        type="button",
                        on_click=S.ask_delete(S.editing_id, S.f_keyword),
                    ),
                ),
                rx.spacer(),
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                rx.button(rx.icon("check", size=15), "Save", type="submit", loading=S.saving, id="kw-save"),
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
        rx.text("Preview", size="2", weight="medium"),
        rx.text("What a citizen sees after writing the keyword.", size="1", color_scheme="gray"),
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
            rx.dialog.title(rx.cond(S.editing_id > 0, "Edit keyword", "New keyword")),
            rx.dialog.description(
                "Citizens get this answer at once, day and night, when their message matches the keyword or a synonym.",
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


def delete_dialog() -> rx.Component:
    """Confirm before deleting."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ", S.deleting_name, "?"),
            rx.alert_dialog.description(
                "Citizens who write it will wait for an operator instead. Its personal codes are deleted too. "
                "This cannot be undone.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray", on_click=S.cancel_delete)),
                rx.alert_dialog.action(
                    rx.button("Delete", color_scheme="red", on_click=S.confirm_delete, id="confirm-delete"),
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="440px",
        ),
        open=S.deleting_id > 0,
    )


def page() -> rx.Component:
    """The keyword editor page."""
    return operator_frame(
        "keywords",
        admin_column(
            admin_only(
                header(),
                import_report(),
                rx.flex(
                    rx.vstack(keyword_list(), history_card(), spacing="5", flex="1", min_width="0"),
                    rx.vstack(try_card(), featured_card(), spacing="5", width="380px", flex_shrink="0"),
                    gap="20px",
                    align="start",
                    width="100%",
                ),
            ),
            editor_dialog(),
            delete_dialog(),
        ),
    )
