"""`/admin/hours`: office hours (administrators) — the weekly schedule, open now or when next, the year's
holidays (public and local), and the automatic waiting notices per language."""

from __future__ import annotations

import reflex as rx

from citymes_app import styles
from citymes_app.components.admin import Text, admin_column, admin_only, page_header
from citymes_app.components.frame import operator_frame
from citymes_app.pages.office_hours.holidays import holidays_card
from citymes_app.pages.office_hours.notices import notices_card
from citymes_app.pages.office_hours.schedule import schedule_card
from citymes_app.state.hours_state import HoursState as S
from citymes_app.state.language import t

ROUTE = "/admin/hours"
TITLE = t("Office hours") + " · CityMes"
ON_LOAD = S.open_hours_page


def _fact(icon: str, title: Text, value: rx.Component, **props) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(icon, size=18, color="var(--accent-11)"),
            width="36px",
            height="36px",
            border_radius="10px",
            background="var(--accent-a3)",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(title, size="1", color_scheme="gray"),
            value,
            spacing="0",
            min_width="0",
        ),
        align="center",
        spacing="3",
        padding="14px 18px",
        background=styles.PANEL_BACKGROUND,
        border=styles.BORDER,
        border_radius="var(--radius-4)",
        flex="1",
        min_width="0",
        **props,
    )


def status_strip() -> rx.Component:
    """Whether operators are at work now, when they are next, and on which clock."""
    open_badge = rx.hstack(
        rx.box(width="8px", height="8px", border_radius="50%", background="var(--green-9)"),
        rx.text(t("Open now"), size="3", weight="bold", color="var(--green-11)"),
        align="center",
        spacing="2",
    )
    closed_badge = rx.hstack(
        rx.box(width="8px", height="8px", border_radius="50%", background="var(--red-9)"),
        rx.text(t("Closed now"), size="3", weight="bold", color="var(--red-11)"),
        rx.cond(S.closed_because != "", rx.text(S.closed_because, size="2", color_scheme="gray")),
        align="center",
        spacing="2",
    )
    return rx.hstack(
        _fact("door-open", t("Operators"), rx.cond(S.open_now, open_badge, closed_badge), id="open-now"),
        _fact(
            "calendar-clock",
            t("Next opening"),
            rx.text(rx.cond(S.next_opening != "", S.next_opening, t("Not in the next two months")), size="3", weight="medium"),
            id="next-opening",
        ),
        _fact(
            "globe",
            t("Clock and public holidays"),
            rx.text(S.timezone, " · ", S.region, size="3", weight="medium"),
        ),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    """The office-hours page."""
    return operator_frame(
        "hours",
        admin_column(
            admin_only(
                page_header(
                    t("Office hours"),
                    t("When operators answer, the days the office is closed, and what citizens hear meanwhile."),
                ),
                status_strip(),
                rx.flex(
                    rx.vstack(schedule_card(), notices_card(), spacing="5", flex="1", min_width="0"),
                    rx.vstack(holidays_card(), spacing="5", width="440px", flex_shrink="0"),
                    gap="20px",
                    align="start",
                    width="100%",
                ),
            ),
        ),
    )
