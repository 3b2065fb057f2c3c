"""The inbox's third pane: who the open conversation is with — name, platforms and channels, phone, language, since
when they write —, their earlier conversations (one click opens one), their distribution lists (added to one, taken
off one), and the operators' private notes on them.

Everything a citizen or an operator wrote (a name, a note, a preview) is drawn as text, never as HTML. Cases join the
panel when the codebase has them.
"""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.error_notice import error_notice
from citymes_app.components.queue_item import platform_badge, platform_icon
from citymes_app.state.inbox_citizen import CitizenNoteLine, EarlierLine, IdentityLine, ListOption, SubscriptionLine
from citymes_app.state.inbox_state import InboxState
from citymes_app.state.language import t

CITIZEN = InboxState.citizen


def toggle_button() -> rx.Component:
    """In the thread's header: show or fold away the citizen panel."""
    return rx.tooltip(
        rx.icon_button(
            rx.icon(rx.cond(InboxState.citizen_panel_open, "panel-right-close", "panel-right-open"), size=16),
            variant=rx.cond(InboxState.citizen_panel_open, "soft", "ghost"),
            color_scheme="gray",
            on_click=InboxState.toggle_citizen_panel,
            aria_label=t("Citizen details"),
            aria_expanded=rx.cond(InboxState.citizen_panel_open, "true", "false"),
            id="toggle-citizen-panel",
        ),
        content=t("Citizen details"),
    )


def _section(title: rx.Var[str], *children: rx.Component, icon: str, section_id: str, aside=None) -> rx.Component:  # noqa: ANN001
    return rx.vstack(
        rx.hstack(
            rx.icon(icon, size=14, color="var(--gray-10)"),
            rx.text(title, size="1", weight="bold", color="var(--gray-11)", text_transform="uppercase", letter_spacing="0.04em"),
            rx.spacer(),
            *([aside] if aside is not None else []),
            align="center",
            spacing="2",
            width="100%",
        ),
        *children,
        spacing="2",
        width="100%",
        padding="16px 18px",
        border_top=styles.BORDER,
        id=section_id,
    )


def _fact(icon: str, label: rx.Var[str], value: rx.Component | rx.Var[str], **props) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=14, color="var(--gray-9)", flex_shrink="0"),
        rx.text(label, size="2", color_scheme="gray", white_space="nowrap"),
        rx.box(
            value if isinstance(value, rx.Component) else rx.text(value, size="2", weight="medium"),
            flex="1",
            min_width="0",
            text_align="right",
            overflow_wrap="anywhere",
        ),
        align="center",
        spacing="2",
        width="100%",
        **props,
    )


def _identity(identity: IdentityLine) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            platform_badge(identity.platform),
            rx.text(
                identity.address,
                size="2",
                weight=rx.cond(identity.is_phone, "medium", "regular"),
                font_family=rx.cond(identity.is_phone, "inherit", "ui-monospace, monospace"),
                class_name="identity-address",
            ),
            align="center",
            spacing="2",
        ),
        rx.cond(
            identity.channels != "",
            rx.text(t("Writes to {channels}", channels=identity.channels), size="1", color_scheme="gray", padding_left="2px"),
        ),
        spacing="1",
        class_name="citizen-identity",
        width="100%",
    )


def _status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        ("open", rx.badge(t("Open"), color_scheme="teal", variant="soft", size="1")),
        ("pending", rx.badge(t("Pending"), color_scheme="orange", variant="soft", size="1")),
        ("snoozed", rx.badge(t("Snoozed"), color_scheme="violet", variant="soft", size="1")),
        rx.badge(t("Resolved"), color_scheme="gray", variant="soft", size="1"),
    )


def _earlier(line: EarlierLine) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                platform_icon(line.platform),
                rx.text(line.opened_label, size="1", weight="medium", style=styles.ONE_LINE),
                rx.spacer(),
                _status_badge(line.status),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.cond(line.preview_icon != "", rx.icon(line.preview_icon, size=12, color="var(--gray-10)", flex_shrink="0")),
                rx.text(line.preview, size="1", color_scheme="gray", style=styles.ONE_LINE, flex="1", class_name="preview"),
                rx.text(line.last_label, size="1", color_scheme="gray", white_space="nowrap"),
                align="center",
                spacing="1",
                width="100%",
            ),
            spacing="1",
            width="100%",
        ),
        on_click=InboxState.select(line.id),
        role="button",
        tab_index=0,
        aria_label=t("Open the conversation: {when}", when=line.opened_label),
        class_name="earlier-conversation",
        custom_attrs={"data-conversation": line.id},
        width="100%",
        padding="8px 10px",
        border_radius="var(--radius-3)",
        border=styles.BORDER,
        background=styles.PANEL_BACKGROUND,
        cursor="pointer",
        _hover={"background": "var(--accent-a2)", "border_color": "var(--accent-a7)"},
    )


def _note(note: CitizenNoteLine) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(note.author, size="1", weight="bold", color="var(--amber-11)", class_name="note-author"),
            rx.text("·", size="1", color_scheme="gray"),
            rx.text(note.time_label, size="1", color_scheme="gray"),
            rx.spacer(),
            rx.cond(
                note.mine,
                rx.icon_button(
                    rx.icon("pencil", size=12),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=InboxState.edit_citizen_note(note.id),
                    aria_label=t("Change my note"),
                    class_name="edit-citizen-note",
                ),
            ),
            rx.cond(
                note.mine,
                rx.icon_button(
                    rx.icon("trash-2", size=12),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=InboxState.delete_citizen_note(note.id),
                    aria_label=t("Delete my note"),
                    class_name="delete-citizen-note",
                ),
            ),
            align="center",
            spacing="1",
            width="100%",
        ),
        rx.text(note.text, size="2", class_name="body", style=styles.MESSAGE_TEXT, custom_attrs={"dir": "auto"}),
        class_name="citizen-note",
        width="100%",
        padding="8px 10px",
        border_radius="var(--radius-3)",
        background=styles.NOTE_BACKGROUND,
        border_left=rx.cond(
            note.id == InboxState.editing_citizen_note_id, "3px solid var(--accent-9)", "3px solid var(--amber-8)"
        ),
    )


def _note_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            error_notice(InboxState.citizen_note_error, "citizen-note-error"),
            rx.text_area(
                name="citizen_note",
                id="citizen-note-box",
                placeholder=t("Something colleagues should know about this citizen…"),
                value=InboxState.citizen_note_draft,
                on_change=InboxState.set_citizen_note_draft,
                enter_key_submit=True,
                rows="2",
                resize="vertical",
                size="2",
                width="100%",
                color_scheme="amber",
                custom_attrs={"dir": "auto"},
            ),
            rx.hstack(
                rx.text(t("Never sent to the citizen"), size="1", color_scheme="gray"),
                rx.spacer(),
                rx.cond(
                    InboxState.editing_citizen_note_id,
                    rx.button(
                        t("Cancel"),
                        type="button",
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=InboxState.cancel_citizen_note_edit,
                        id="cancel-citizen-note-edit",
                    ),
                ),
                rx.button(
                    rx.icon("notebook-pen", size=14),
                    rx.cond(InboxState.editing_citizen_note_id, t("Save changes"), t("Add note")),
                    type="submit",
                    size="1",
                    color_scheme="amber",
                    variant="soft",
                    loading=InboxState.saving_citizen_note,
                    id="save-citizen-note",
                ),
                align="center",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=InboxState.save_citizen_note,
        reset_on_submit=False,
        width="100%",
    )


def _header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.center(
                rx.text(CITIZEN.initials, size="4", weight="bold", color="var(--accent-11)"),
                width="48px",
                height="48px",
                min_width="48px",
                border_radius="50%",
                background="var(--accent-a4)",
            ),
            rx.vstack(
                rx.heading(CITIZEN.name, size="4", id="citizen-name", style=styles.ONE_LINE, width="100%"),
                rx.text(CITIZEN.conversations, size="1", color_scheme="gray", id="citizen-conversation-count"),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            align="center",
            spacing="3",
            width="100%",
        ),
        rx.cond(
            CITIZEN.unreachable,
            rx.callout(t("The citizen blocked this channel: messages to them fail."), icon="ban", color_scheme="red", size="1"),
        ),
        spacing="3",
        width="100%",
        padding="20px 18px 16px",
    )


def _details() -> rx.Component:
    return _section(
        t("Contact"),
        rx.cond(
            CITIZEN.phone != "",
            _fact("phone", t("Phone"), rx.link(CITIZEN.phone, href="tel:" + CITIZEN.phone, size="2", weight="medium")),
        ),
        _fact("languages", t("Language"), rx.cond(CITIZEN.language != "", CITIZEN.language, t("Not known yet"))),
        _fact("calendar", t("First seen"), CITIZEN.first_seen),
        rx.foreach(CITIZEN.identities, _identity),
        icon="contact",
        section_id="citizen-details",
    )


def _earlier_section() -> rx.Component:
    return _section(
        t("Earlier conversations"),
        rx.cond(
            CITIZEN.earlier.length() > 0,
            rx.vstack(rx.foreach(CITIZEN.earlier, _earlier), spacing="2", width="100%"),
            rx.text(t("This is their first conversation."), size="2", color_scheme="gray"),
        ),
        icon="history",
        section_id="citizen-earlier",
    )


def _subscription(line: SubscriptionLine) -> rx.Component:
    return rx.hstack(
        platform_icon(line.platform),
        rx.vstack(
            rx.text(line.list_name, size="2", weight="medium", class_name="subscription-list", style=styles.ONE_LINE),
            rx.text(
                t("{channel} · since {day} · {how}", channel=line.channel_name, day=line.since, how=line.how),
                size="1",
                color_scheme="gray",
                class_name="subscription-detail",
            ),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=InboxState.remove_citizen_subscription(line.id),
            aria_label=t("Take off this list"),
            class_name="remove-subscription",
        ),
        align="center",
        spacing="2",
        width="100%",
        class_name="citizen-subscription",
    )


def _list_option(option: ListOption) -> rx.Component:
    return rx.select.item(option.name, value=option.id)


def _lists_section() -> rx.Component:
    return _section(
        t("Lists"),
        error_notice(InboxState.citizen_list_error, "citizen-list-error"),
        rx.cond(
            CITIZEN.subscriptions.length() > 0,
            rx.vstack(rx.foreach(CITIZEN.subscriptions, _subscription), spacing="2", width="100%"),
            rx.text(t("Not on any list."), size="2", color_scheme="gray"),
        ),
        rx.cond(
            CITIZEN.list_options.length() > 0,
            rx.select.root(
                rx.select.trigger(placeholder=t("Add to a list…"), width="100%", id="add-to-list"),
                rx.select.content(rx.foreach(CITIZEN.list_options, _list_option)),
                value="",
                on_change=InboxState.add_citizen_to_list,
                size="1",
            ),
        ),
        icon="list",
        section_id="citizen-lists",
    )


def _notes_section() -> rx.Component:
    return _section(
        t("Notes on the citizen"),
        _note_form(),
        rx.vstack(rx.foreach(CITIZEN.notes, _note), spacing="2", width="100%"),
        icon="sticky-note",
        section_id="citizen-notes",
        aside=rx.tooltip(
            rx.icon("eye-off", size=14, color="var(--gray-9)"), content=t("Only your organisation's operators see these notes")
        ),
    )


def citizen_panel() -> rx.Component:
    """The right-hand pane, while a conversation is open and the operator has not folded it away."""
    return rx.cond(
        (InboxState.selected_id > 0) & InboxState.citizen_panel_open,
        rx.box(
            _header(),
            _details(),
            _lists_section(),
            _notes_section(),
            _earlier_section(),
            width=styles.CITIZEN_PANEL_WIDTH,
            min_width=styles.CITIZEN_PANEL_WIDTH,
            height="100vh",
            overflow_y="auto",
            background=styles.PANEL_BACKGROUND,
            border_left=styles.BORDER,
            id="citizen-panel",
            role="complementary",
            aria_label=t("Citizen details"),
        ),
    )
