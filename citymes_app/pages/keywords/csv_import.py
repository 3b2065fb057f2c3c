"""Importing a keyword CSV from the editor's header, and the report of what it did or refused."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.admin import csv_upload_button
from citymes_app.state.keywords.import_state import IMPORT_UPLOAD_ID
from citymes_app.state.keywords.import_state import KeywordImportState as S
from citymes_app.state.language import t


def import_button() -> rx.Component:
    """Choose a CSV file: it is imported at once, all or nothing."""
    return csv_upload_button(
        upload_id=IMPORT_UPLOAD_ID,
        importing=S.importing,
        on_drop=S.import_csv(rx.upload_files(upload_id=IMPORT_UPLOAD_ID)),
        columns=t("Columns: keyword, response, language, synonyms, featured (and optionally topic, buttons, link, examples)"),
    )


def import_report() -> rx.Component:
    """What the last import did, or every line it refused (and that nothing changed)."""
    dismiss = rx.icon_button(
        rx.icon("x", size=14), variant="ghost", color_scheme="gray", size="1", on_click=S.dismiss_import, aria_label=t("Hide")
    )
    refused = rx.callout.root(
        rx.callout.icon(rx.icon("circle-x")),
        rx.vstack(
            rx.hstack(
                rx.text(
                    t("{file} was not imported: nothing changed. Correct these lines and import it again.", file=S.import_file),
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
                t("{file} imported:", file=S.import_file),
                " ",
                rx.el.span(
                    t("{created} created, {updated} updated", created=S.import_created, updated=S.import_updated),
                    id="import-counts",
                ),
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
