"""`/admin/lists`: the organisation's distribution lists ("Trànsit", "Cultura") with their name, description and
join / leave phrases in each of its languages; for the list chosen, its growth, its members, adding one and importing
a CSV of them."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.admin import (
    admin_column,
    admin_only,
    card,
    csv_upload_button,
    delete_row_dialog,
    field_error,
    form_buttons,
    form_field,
    label,
    page_header,
    refusal,
)
from citymes_app.components.frame import operator_frame
from citymes_app.components.queue_item import platform_badge
from citymes_app.models import MAX_LIST_DESCRIPTION, MAX_LIST_NAME, MAX_LIST_PHRASE
from citymes_app.state.language import t, tn
from citymes_app.state.lists_state import IMPORT_UPLOAD_ID, LANGUAGES, ChoiceRow, DayRow, ListRow, ListsState, MemberRow

ROUTE = "/admin/lists"
TITLE = t("Distribution lists") + " · CityMes"
ON_LOAD = ListsState.open_lists_page

S = ListsState
CONTENT_WIDTH = "1040px"
LANGUAGE_TITLES = {"ca": "Català", "es": "Español", "en": "English"}
EXAMPLES = {
    "ca": ("Trànsit", "ALTA TRANSIT", "BAIXA TRANSIT"),
    "es": ("Tráfico", "ALTA TRAFICO", "BAJA TRAFICO"),
    "en": ("Traffic", "JOIN TRAFFIC", "LEAVE TRAFFIC"),
}


def not_for_you() -> rx.Component:
    """What an operator who is not an administrator sees instead."""
    return refusal(
        t("Distribution lists are managed by administrators"),
        t("In a conversation, add the citizen to a list from the citizen panel. Ask an administrator to add or change a list."),
        element_id="lists-admin-only",
        text_width="380px",
    )


def _input(field: str, language: str, placeholder: str, limit: int, width: str = "100%") -> rx.Component:
    key = f"{field}_{language}"
    return rx.input(
        default_value=S.form_values[key],
        placeholder=placeholder,
        id=f"list-{field}-{language}",
        name=key,
        max_length=limit + 10,
        width=width,
    )


def _error(field: str, language: str) -> rx.Component:
    key = f"{field}_{language}"
    return field_error((S.form_error != "") & (S.form_error_field == key), S.form_error, f"list-{field}-{language}-error")


def _language_fields(language: str) -> rx.Component:
    name, join, leave = EXAMPLES[language]
    return rx.cond(
        S.languages.contains(language),
        rx.vstack(
            rx.text(LANGUAGE_TITLES[language], size="2", weight="bold", color="var(--gray-11)"),
            rx.grid(
                form_field(
                    label(t("Name"), f"list-name-{language}"),
                    _input("name", language, name, MAX_LIST_NAME),
                    _error("name", language),
                ),
                form_field(
                    label(t("Description"), f"list-description-{language}", t("optional")),
                    _input("description", language, "", MAX_LIST_DESCRIPTION),
                    _error("description", language),
                ),
                form_field(
                    label(t("Join phrase"), f"list-join-{language}"),
                    _input("join", language, join, MAX_LIST_PHRASE),
                    _error("join", language),
                ),
                form_field(
                    label(t("Leave phrase"), f"list-leave-{language}"),
                    _input("leave", language, leave, MAX_LIST_PHRASE),
                    _error("leave", language),
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            spacing="2",
            width="100%",
            padding_bottom="8px",
            class_name="list-language",
        ),
    )


def form_card() -> rx.Component:
    """Add a list, or change the one chosen in the list."""
    return card(
        rx.cond(S.editing_id > 0, t("Change a list"), t("Add a list")),
        "list-plus",
        rx.text(
            t("Citizens join by sending the join phrase (ALTA or JOIN and a word) and leave with the leave phrase."),
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                *[_language_fields(code) for code in LANGUAGES],
                field_error((S.form_error != "") & (S.form_error_field == ""), S.form_error, "list-form-error"),
                form_buttons(S, save_id="save-list"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save,
            key=S.form_key,
            width="100%",
        ),
        aside=rx.cond(S.editing_id > 0, rx.badge(t("Editing a listed one"), color_scheme="amber", variant="soft")),
        id="list-form",
    )


def _line(row: rx.Var[ListRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.name, size="2", weight="medium"), class_name="list-name"),
        rx.table.cell(rx.text(row.phrases, size="1", color_scheme="gray", font_family="ui-monospace, monospace")),
        rx.table.cell(
            rx.text(tn("{n} member", "{n} members", row.members), size="2", color_scheme="gray"),
            class_name="list-members",
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    t("Members"),
                    size="1",
                    variant="soft",
                    color_scheme="teal",
                    on_click=S.choose(row.id),
                    class_name="choose-list",
                ),
                rx.button(t("Edit"), size="1", variant="soft", on_click=S.edit(row.id), class_name="edit-list"),
                rx.button(
                    t("Delete"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_delete(row.id),
                    class_name="delete-list",
                ),
                spacing="2",
                justify="end",
            )
        ),
        class_name="list-row",
        custom_attrs={"data-list-id": row.id},
    )


def list_card() -> rx.Component:
    """Every list of the organisation."""
    return card(
        t("Distribution lists"),
        "list",
        rx.cond(
            S.lists.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(t("List")),
                        rx.table.column_header_cell(t("Join phrases")),
                        rx.table.column_header_cell(t("Members")),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(S.lists, _line)),
                size="2",
                variant="surface",
                width="100%",
                id="lists-list",
            ),
            rx.text(
                t("None yet: add the lists citizens can join (traffic, culture, emergencies)."), size="2", color_scheme="gray"
            ),
        ),
        rx.cond(S.notice != "", rx.text(S.notice, size="2", color_scheme="grass", id="lists-notice")),
    )


def _day(row: rx.Var[DayRow]) -> rx.Component:
    return rx.vstack(
        rx.box(width="10px", height=row.joined_width, background="var(--teal-9)", border_radius="2px"),
        rx.box(width="10px", height=row.left_width, background="var(--red-9)", border_radius="2px"),
        spacing="0",
        height="60px",
        justify="end",
        custom_attrs={"data-joined": row.joined, "data-left": row.left, "title": row.day},
        class_name="growth-day",
    )


def growth_row() -> rx.Component:
    """The chosen list's members now and who joined and left each day of the last 30."""
    return rx.vstack(
        rx.hstack(
            rx.badge(tn("{n} member", "{n} members", S.member_count), size="2", color_scheme="teal", id="list-member-count"),
            rx.text(t("Last 30 days:"), size="2", color_scheme="gray"),
            rx.text(t("{n} joined", n=S.joined_30), size="2", color="var(--teal-11)", id="list-joined"),
            rx.text(t("{n} left", n=S.left_30), size="2", color="var(--red-11)", id="list-left"),
            align="center",
            spacing="3",
        ),
        rx.hstack(rx.foreach(S.growth, _day), spacing="1", align="end", id="list-growth"),
        spacing="2",
        width="100%",
    )


def _member(row: rx.Var[MemberRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.name, size="2"), class_name="member-name"),
        rx.table.cell(rx.text(row.phone, size="2", color_scheme="gray")),
        rx.table.cell(rx.hstack(platform_badge(row.platform), rx.text(row.channel_name, size="1"), align="center", spacing="1")),
        rx.table.cell(rx.text(row.since, size="2", color_scheme="gray")),
        rx.table.cell(rx.text(row.how, size="2", color_scheme="gray"), class_name="member-how"),
        rx.table.cell(
            rx.button(
                t("Remove"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.remove_member(row.subscription_id),
                class_name="remove-member",
            )
        ),
        class_name="member-row",
    )


def _choice(row: rx.Var[ChoiceRow]) -> rx.Component:
    return rx.hstack(
        rx.text(row.name, size="2", weight="medium"),
        rx.text(row.phone, size="2", color_scheme="gray"),
        rx.spacer(),
        rx.button(t("Add"), size="1", variant="soft", on_click=S.add_member(row.id), class_name="add-member"),
        align="center",
        width="100%",
        class_name="citizen-choice",
    )


def import_report() -> rx.Component:
    """What the last import did, or every line it refused (and that nothing changed)."""
    refused = rx.callout.root(
        rx.callout.icon(rx.icon("circle-x")),
        rx.vstack(
            rx.text(
                t("{file} was not imported: nothing changed. Correct these lines and import it again.", file=S.import_file),
                size="2",
            ),
            rx.el.ul(
                rx.foreach(S.import_errors, lambda error: rx.el.li(error, class_name="import-error")),
                style={"margin": "0", "padding_left": "18px", "font_size": "var(--font-size-2)"},
            ),
            spacing="1",
        ),
        color_scheme="red",
        width="100%",
        id="list-import-report",
        role="alert",
    )
    imported = rx.callout.root(
        rx.callout.icon(rx.icon("circle-check")),
        rx.text(
            t(
                "{file} imported: {added} added, {already} already on the list.",
                file=S.import_file,
                added=S.import_added,
                already=S.import_already,
            ),
            size="2",
        ),
        color_scheme="green",
        width="100%",
        id="list-import-report",
    )
    return rx.cond(S.import_done, rx.cond(S.import_errors.length() > 0, refused, imported))


def import_button() -> rx.Component:
    """Choose a CSV of members: imported at once, all or nothing."""
    return csv_upload_button(
        upload_id=IMPORT_UPLOAD_ID,
        importing=S.importing,
        on_drop=S.import_csv(rx.upload_files(upload_id=IMPORT_UPLOAD_ID)),
        columns=t("Columns: platform, identity (the platform's user id, or the phone number on WhatsApp)"),
    )


def members_card() -> rx.Component:
    """The chosen list: its growth, its members page by page, adding one, importing a CSV."""
    return rx.cond(
        S.chosen_id > 0,
        card(
            t("Members of {name}", name=S.chosen_name),
            "users",
            growth_row(),
            rx.hstack(
                rx.input(
                    value=S.search,
                    on_change=S.search_citizens.debounce(300),
                    placeholder=t("Add a citizen: search by name or phone"),
                    id="member-search",
                    width="320px",
                ),
                rx.spacer(),
                import_button(),
                align="center",
                width="100%",
            ),
            rx.vstack(rx.foreach(S.choices, _choice), spacing="1", width="100%", id="citizen-choices"),
            rx.cond(
                S.member_error != "", rx.text(S.member_error, size="2", color="var(--red-11)", id="member-error", role="alert")
            ),
            rx.cond(S.member_notice != "", rx.text(S.member_notice, size="2", color_scheme="grass", id="member-notice")),
            import_report(),
            rx.cond(
                S.members.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(t("Citizen")),
                            rx.table.column_header_cell(t("Phone")),
                            rx.table.column_header_cell(t("Channel")),
                            rx.table.column_header_cell(t("Since")),
                            rx.table.column_header_cell(t("How")),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(S.members, _member)),
                    size="1",
                    variant="surface",
                    width="100%",
                    id="list-members",
                ),
                rx.text(t("Nobody is on this list yet."), size="2", color_scheme="gray"),
            ),
            rx.cond(
                S.members_pages > 1,
                rx.hstack(
                    rx.button(
                        t("Previous"),
                        size="1",
                        variant="soft",
                        disabled=S.members_page <= 1,
                        on_click=S.members_page_to(S.members_page - 1),
                    ),
                    rx.text(t("Page {page} of {pages}", page=S.members_page, pages=S.members_pages), size="2"),
                    rx.button(
                        t("Next"),
                        size="1",
                        variant="soft",
                        disabled=S.members_page >= S.members_pages,
                        on_click=S.members_page_to(S.members_page + 1),
                    ),
                    align="center",
                    spacing="2",
                ),
            ),
            id="list-detail",
        ),
    )


def delete_dialog() -> rx.Component:
    """Deleting a list asks first, saying how many members it has."""
    return delete_row_dialog(
        S,
        rx.fragment(t("Delete the list {name}?", name=S.delete_name)),
        tn(
            "Its {n} member will no longer receive its broadcasts.",
            "Its {n} members will no longer receive its broadcasts.",
            S.delete_members,
        ),
        confirm_id="confirm-delete-list",
    )


def page() -> rx.Component:
    """The distribution lists page."""
    return operator_frame(
        "lists",
        admin_column(
            admin_only(
                page_header(
                    t("Distribution lists"), t("The lists citizens join by message to receive the town hall's broadcasts.")
                ),
                form_card(),
                list_card(),
                members_card(),
                delete_dialog(),
                content_width=CONTENT_WIDTH,
                refused=not_for_you(),
            ),
        ),
    )
