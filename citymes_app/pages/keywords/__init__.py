"""`/admin/keywords`: the keyword editor (administrators) — the list, the form with the answer previewed as the
citizen sees it, "try it", the featured order, CSV import and export, and who changed what and when."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.admin import admin_column, admin_only, page_header
from citymes_app.components.frame import operator_frame
from citymes_app.pages.keywords.csv_import import import_button, import_report
from citymes_app.pages.keywords.form import editor_dialog
from citymes_app.pages.keywords.keyword_list import delete_dialog, keyword_list
from citymes_app.pages.keywords.side_cards import featured_card, history_card, try_card
from citymes_app.state.keywords.editor_state import KeywordEditorState
from citymes_app.state.keywords.list_state import KeywordsState as S
from citymes_app.state.language import t

ROUTE = "/admin/keywords"
TITLE = t("Keywords") + " · CityMes"
ON_LOAD = S.open_editor_page


def header() -> rx.Component:
    """Title and the page's actions."""
    return page_header(
        t("Keywords"),
        t("Automatic answers that work 24 hours a day, in every language the town hall speaks."),
        import_button(),
        rx.button(
            rx.icon("download", size=15),
            t("Export CSV"),
            variant="soft",
            color_scheme="gray",
            on_click=S.export_csv,
            id="keyword-export",
        ),
        rx.button(rx.icon("plus", size=15), t("New keyword"), on_click=KeywordEditorState.new_keyword, id="keyword-new"),
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
