"""The inbox's composer at the foot of the thread: "Reply" — the free-form window said before writing, the template
form when it is closed, the attachment and location tools, and the reply itself — or "Internal note", a note for the
organisation's operators that never reaches the citizen (amber, like the notes in the thread)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from citymes_app import styles
from citymes_app.components.error_notice import error_notice
from citymes_app.components.presence import writing_now, writing_watch
from citymes_app.components.queue_item import platform_label
from citymes_app.core.notes import MAX_NOTE_LENGTH
from citymes_app.state.inbox_canned import CannedOption, KeywordOption
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import LanguageState, t

ATTACH_UPLOAD_ID = "operator-attach"


def window_status() -> rx.Component:
    """On channels with a free-form window: until when a reply can go out, said before it is written."""
    window = InboxState.reply_window
    return rx.cond(
        window.applies & window.open,
        rx.hstack(
            rx.icon("clock", size=14, color="var(--grass-10)"),
            rx.text(
                t(
                    "{platform}'s 24-hour window is open until {time} ({left}). After that only an approved template "
                    "reaches the citizen, until they write again.",
                    platform=platform_label(InboxState.selected_platform),
                    time=window.closes_label,
                    left=window.time_left,
                ),
                size="1",
            ),
            align="center",
            spacing="2",
            color="var(--gray-11)",
            id="window-open",
        ),
    )


def template_form() -> rx.Component:
    """Choose an approved template, fill in its parameters, see what the citizen will read, send it."""
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.text(t("Template"), size="2", weight="medium", min_width="80px"),
                rx.select.root(
                    rx.select.trigger(flex="1", min_width="0", id="template-select"),
                    rx.select.content(
                        rx.foreach(InboxState.templates, lambda t: rx.select.item(t.label, value=t.id)),
                    ),
                    value=InboxState.template_id,
                    on_change=InboxState.choose_template,
                ),
                align="center",
                spacing="3",
                width="100%",
            ),
            rx.foreach(
                InboxState.template_labels,
                lambda label, index: rx.hstack(
                    rx.text(label, size="2", weight="medium", min_width="80px", font_family="monospace"),
                    rx.input(
                        value=InboxState.template_params[index],
                        on_change=lambda value: InboxState.set_template_param(index, value),
                        placeholder=t("Value for {placeholder}", placeholder=label),
                        size="2",
                        flex="1",
                        class_name="template-param",
                        custom_attrs={"dir": "auto"},
                    ),
                    align="center",
                    spacing="3",
                    width="100%",
                ),
            ),
            rx.box(
                rx.text(t("Preview"), size="1", weight="medium", color_scheme="gray"),
                rx.text(InboxState.template_preview, size="2", style=styles.MESSAGE_TEXT, id="template-preview"),
                padding="8px 12px",
                border_radius="var(--radius-3)",
                background=styles.BUBBLE_OPERATOR_BACKGROUND,
                border=styles.BUBBLE_OPERATOR_BORDER,
                width="100%",
            ),
            error_notice(InboxState.template_error, "template-error"),
            rx.hstack(
                rx.spacer(),
                rx.button(
                    rx.icon("send-horizontal", size=16),
                    t("Send template"),
                    type="submit",
                    size="3",
                    loading=InboxState.sending_template,
                    id="send-template",
                ),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=InboxState.send_template,
        width="100%",
    )


def closed_window_panel() -> rx.Component:
    """Instead of the reply box once the free-form window has closed: why, and the approved templates."""
    window = InboxState.reply_window
    return rx.vstack(
        rx.callout.root(
            rx.callout.icon(rx.icon("clock-alert")),
            rx.callout.text(
                rx.text.strong(
                    rx.cond(
                        window.closes_label != "",
                        t("The 24-hour window closed {time}: a free-form reply cannot be sent.", time=window.closes_label),
                        t("The 24-hour window is closed: a free-form reply cannot be sent."),
                    )
                ),
            ),
            rx.callout.text(window.explanation, size="1"),
            color_scheme="amber",
            size="1",
            width="100%",
            id="window-closed",
        ),
        rx.cond(
            InboxState.templates.length() > 0,
            template_form(),
            rx.text(
                t("An administrator can record this channel's approved templates on the Channels page."),
                size="2",
                color_scheme="gray",
                id="no-templates",
            ),
        ),
        spacing="3",
        padding="8px 24px 18px",
        width="100%",
    )


def _keyword_choice(option: rx.Var[KeywordOption]) -> rx.Component:
    return rx.hstack(
        rx.code(option.keyword, variant="ghost", weight="bold", white_space="nowrap"),
        rx.badge(option.language, variant="surface", color_scheme="gray", size="1"),
        rx.text(option.preview, size="1", color_scheme="gray", style=styles.ONE_LINE, flex="1", min_width="0"),
        align="center",
        spacing="2",
        padding="6px 8px",
        border_radius="var(--radius-2)",
        cursor="pointer",
        _hover={"background": "var(--accent-a3)"},
        on_click=InboxState.insert_keyword(option.id),
        width="100%",
        class_name="keyword-choice",
        role="option",
        custom_attrs={"data-keyword": option.keyword},
    )


def keyword_answers() -> rx.Component:
    """A button opening the organisation's keywords, searchable: a click puts that keyword's answer in the reply box."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("book-open-text", size=16),
                t("Insert a keyword's answer"),
                type="button",
                white_space="nowrap",
                variant="soft",
                color_scheme="gray",
                size="1",
                id="keyword-answers",
            ),
        ),
        rx.popover.content(
            rx.vstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=14)),
                    placeholder=t("Search a keyword or its answer"),
                    value=InboxState.keyword_search,
                    on_change=InboxState.search_keywords,
                    size="2",
                    width="100%",
                    id="keyword-search",
                    auto_focus=True,
                ),
                rx.cond(
                    InboxState.keyword_choices.length() > 0,
                    rx.scroll_area(
                        rx.vstack(rx.foreach(InboxState.keyword_choices, _keyword_choice), spacing="0", width="100%"),
                        max_height="260px",
                        type="auto",
                        scrollbars="vertical",
                        role="listbox",
                    ),
                    rx.text(t("No keyword matches."), size="2", color_scheme="gray", padding="8px"),
                ),
                spacing="2",
                width="100%",
            ),
            width="440px",
            side="top",
            align="start",
            id="keyword-list",
        ),
        open=InboxState.keywords_open,
        on_open_change=InboxState.show_keywords,
    )


def attachment_tools() -> rx.Component:
    """Attach a photo or a PDF (the reply being written goes as its caption), or send the office's map pin."""
    return rx.hstack(
        rx.upload(
            rx.button(
                rx.icon("paperclip", size=16),
                t("Attach a photo or PDF"),
                type="button",
                white_space="nowrap",
                variant="soft",
                color_scheme="gray",
                size="1",
                disabled=InboxState.sending,
            ),
            id=ATTACH_UPLOAD_ID,
            accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "application/pdf": [".pdf"]},
            multiple=False,
            max_files=1,
            max_size=10 * 1024 * 1024,
            no_drag=True,
            on_drop=InboxState.send_attachment(rx.upload_files(upload_id=ATTACH_UPLOAD_ID)),
            border="none",
            padding="0",
            width="auto",
        ),
        rx.button(
            rx.icon("map-pin", size=16),
            t("Send the office location"),
            type="button",
            variant="soft",
            color_scheme="gray",
            size="1",
            disabled=InboxState.sending,
            on_click=InboxState.send_office_location,
            id="send-location",
        ),
        keyword_answers(),
        rx.text(t("The reply written above goes with a file as its caption."), size="1", color_scheme="gray"),
        spacing="2",
        align="center",
        width="100%",
        wrap="wrap",
        row_gap="6px",
    )


def _canned_suggestion(option: rx.Var[CannedOption]) -> rx.Component:
    return rx.hstack(
        rx.code("/", option.shortcut, variant="ghost", weight="bold", white_space="nowrap"),
        rx.text(option.preview, size="2", color_scheme="gray", style=styles.ONE_LINE, flex="1", min_width="0"),
        align="center",
        spacing="3",
        padding="6px 10px",
        border_radius="var(--radius-2)",
        cursor="pointer",
        _hover={"background": "var(--accent-a3)"},
        on_click=InboxState.insert_canned(option.id),
        width="100%",
        class_name="canned-suggestion",
        role="option",
        custom_attrs={"data-shortcut": option.shortcut},
    )


def canned_suggestions() -> rx.Component:
    """While the reply starts with `/`: the canned responses whose shortcut starts with what follows."""
    return rx.cond(
        InboxState.canned_suggestions.length() > 0,
        rx.vstack(
            rx.text(t("Canned responses · click one, or Enter to insert the only one left"), size="1", color_scheme="gray"),
            rx.foreach(InboxState.canned_suggestions, _canned_suggestion),
            spacing="1",
            padding="8px",
            border=styles.BORDER,
            border_radius="var(--radius-3)",
            background="var(--color-panel-solid)",
            box_shadow="0 4px 12px rgba(15, 23, 42, 0.08)",
            max_height="240px",
            overflow_y="auto",
            width="100%",
            id="canned-suggestions",
            role="listbox",
        ),
    )


def canned_notice() -> rx.Component:
    """An inserted canned response left a placeholder unfilled: which, and what to do."""
    return rx.cond(
        InboxState.canned_notice != "",
        rx.callout(
            InboxState.canned_notice,
            icon="triangle-alert",
            color_scheme="amber",
            size="1",
            width="100%",
            id="canned-notice",
            role="status",
        ),
    )


def reply_box() -> rx.Component:
    """The reply form; a refused reply says why beside it."""
    return rx.form(
        rx.vstack(
            writing_now(),
            writing_watch(),
            window_status(),
            error_notice(InboxState.reply_error, "reply-error"),
            canned_notice(),
            canned_suggestions(),
            rx.hstack(
                rx.text_area(
                    name="reply",
                    id="reply-box",
                    placeholder=t("Write a reply, or / for a canned response…"),
                    value=InboxState.draft,
                    on_change=InboxState.set_draft,
                    enter_key_submit=True,
                    rows="2",
                    resize="vertical",
                    size="3",
                    flex="1",
                    custom_attrs={"dir": "auto"},
                ),
                rx.button(
                    rx.icon("send-horizontal", size=16),
                    t("Send"),
                    type="submit",
                    size="3",
                    loading=InboxState.sending,
                    id="send-reply",
                ),
                align="end",
                spacing="3",
                width="100%",
            ),
            rx.text(t("Enter sends · Shift+Enter starts a new line"), size="1", color_scheme="gray"),
            attachment_tools(),
            spacing="2",
            width="100%",
        ),
        on_submit=InboxState.send_reply,
        padding="8px 24px 18px",
        width="100%",
    )


def _in_tab_language(number: int) -> rx.Var[str]:
    """A number as the tab's language writes it ("4.000" in Catalan and Spanish, "4,000" in English)."""
    lang = LanguageState.lang
    return Var(_js_expr=f"({number}).toLocaleString({lang})", _var_type=str, _var_data=lang._get_all_var_data()).to(str)


def note_box() -> rx.Component:
    """The internal note being written: who sees it (never the citizen), its limit, and a refusal beside it."""
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.icon("eye-off", size=14, color="var(--amber-11)"),
                rx.text(
                    t(
                        "Only your organisation's operators see internal notes: they are never sent to the citizen. "
                        "At most {limit} characters.",
                        limit=_in_tab_language(MAX_NOTE_LENGTH),
                    ),
                    size="1",
                ),
                align="center",
                spacing="2",
                color="var(--amber-11)",
                id="note-hint",
            ),
            error_notice(InboxState.note_error, "note-error"),
            rx.hstack(
                rx.text_area(
                    name="note",
                    id="note-box",
                    placeholder=t("Write an internal note for your colleagues…"),
                    value=InboxState.note_draft,
                    on_change=InboxState.set_note_draft,
                    enter_key_submit=True,
                    rows="2",
                    resize="vertical",
                    size="3",
                    flex="1",
                    color_scheme="amber",
                    custom_attrs={"dir": "auto"},
                    background="var(--amber-2)",
                ),
                rx.button(
                    rx.icon("notebook-pen", size=16),
                    t("Save note"),
                    type="submit",
                    size="3",
                    color_scheme="amber",
                    loading=InboxState.saving_note,
                    id="save-note",
                ),
                align="end",
                spacing="3",
                width="100%",
            ),
            rx.text(t("Enter saves · Shift+Enter starts a new line"), size="1", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
        on_submit=InboxState.save_note,
        padding="8px 24px 18px",
        width="100%",
    )


def _composer_tab(mode: str, icon: str, label: rx.Var[str], on_click: rx.EventHandler, tab_id: str) -> rx.Component:
    chosen = InboxState.composer == mode
    return rx.button(
        rx.icon(icon, size=14),
        label,
        type="button",
        size="1",
        variant=rx.cond(chosen, "solid", "ghost"),
        color_scheme="amber" if mode == "note" else "gray",
        high_contrast=mode == "reply",
        on_click=on_click,
        id=tab_id,
        role="tab",
        custom_attrs={"aria-selected": rx.cond(chosen, "true", "false")},
    )


def composer(reply: rx.Component) -> rx.Component:
    """The foot of the thread: "Reply" (`reply`: the reply box, or the templates once the window has closed) or
    "Internal note"; the note's side is amber, so an operator sees at a glance that it will not reach the citizen."""
    writing_note = InboxState.composer == "note"
    return rx.vstack(
        rx.hstack(
            _composer_tab("reply", "reply", t("Reply"), InboxState.write_reply, "composer-reply"),
            _composer_tab("note", "notebook-pen", t("Internal note"), InboxState.write_note, "composer-note"),
            spacing="4",
            align="center",
            padding="10px 24px 0",
            role="tablist",
        ),
        rx.cond(writing_note, note_box(), reply),
        spacing="0",
        width="100%",
        background=rx.cond(writing_note, styles.NOTE_BACKGROUND, styles.PANEL_BACKGROUND),
        border_top=rx.cond(writing_note, styles.NOTE_BORDER, styles.BORDER),
        id="composer",
        class_name=rx.cond(writing_note, "composer composer-note", "composer composer-reply"),
    )
