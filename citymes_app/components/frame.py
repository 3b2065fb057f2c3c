"""The frame of the operators' pages: a sidebar with the navigation, who is signed in, and signing out."""

from __future__ import annotations

import reflex as rx
from reflex.components.core.banner import has_connection_errors  # type: ignore[import-not-found]  # reflex re-exports it lazily

from citymes_app import styles
from citymes_app.i18n import LANGUAGE_NAMES, LANGUAGES
from citymes_app.state.auth_state import AuthState
from citymes_app.state.language import LanguageState, t


def brand(size: str = "5") -> rx.Component:
    """The CityMes mark and name."""
    return rx.hstack(
        rx.center(
            rx.icon("messages-square", size=18, color="white"),
            background="var(--accent-9)",
            border_radius="10px",
            width="32px",
            height="32px",
        ),
        rx.heading("CityMes", size=size, weight="bold", letter_spacing="-0.02em"),
        align="center",
        spacing="2",
    )


def nav_item(label: str | rx.Var[str], icon: str, href: str, *, active: bool = False, external: bool = False) -> rx.Component:
    """One entry of the sidebar's navigation."""
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18),
            rx.text(label, size="2", weight="medium"),
            align="center",
            spacing="3",
            padding_x="12px",
            padding_y="9px",
            border_radius="var(--radius-3)",
            background="var(--accent-a3)" if active else "transparent",
            color="var(--accent-11)" if active else "var(--gray-11)",
            _hover={"background": "var(--accent-a3)" if active else "var(--gray-a3)"},
            width="100%",
        ),
        href=href,
        is_external=external,
        underline="none",
        width="100%",
    )


def language_item(code: str) -> rx.Component:
    """One language of the account menu's switch, ticked when it is the one in use."""
    return rx.menu.item(
        rx.hstack(
            rx.text(LANGUAGE_NAMES[code], lang=code),
            rx.spacer(),
            rx.cond(LanguageState.lang == code, rx.icon("check", size=14)),
            width="100%",
            align="center",
        ),
        on_click=AuthState.choose_language(code),
        id=f"language-{code}",
        custom_attrs={"data-language": code},
    )


def language_switch() -> rx.Component:
    """The language switch of the pages without the account menu (the login page)."""
    return rx.hstack(
        *[
            rx.button(
                LANGUAGE_NAMES[code],
                lang=code,
                size="1",
                variant=rx.cond(LanguageState.lang == code, "soft", "ghost"),
                color_scheme=rx.cond(LanguageState.lang == code, "teal", "gray"),
                on_click=AuthState.choose_language(code),
                id=f"login-language-{code}",
                custom_attrs={"aria-pressed": rx.cond(LanguageState.lang == code, "true", "false")},
            )
            for code in LANGUAGES
        ],
        spacing="2",
        align="center",
        id="language-switch",
    )


def operator_card() -> rx.Component:
    """Who is signed in, for which organisation, and the way out."""
    return rx.hstack(
        rx.avatar(fallback=AuthState.operator_name.to(str)[:1], size="2", radius="full", variant="soft"),
        rx.vstack(
            rx.text(AuthState.operator_name, size="2", weight="medium", id="operator-name", width="100%", style=styles.ONE_LINE),
            rx.text(AuthState.tenant_name, size="1", color_scheme="gray", id="tenant-name", width="100%", style=styles.ONE_LINE),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("log-out", size=16),
                variant="ghost",
                color_scheme="gray",
                on_click=AuthState.sign_out,
                id="sign-out",
                aria_label=t("Sign out"),
            ),
            content=t("Sign out"),
        ),
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis-vertical", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    id="account-menu",
                    aria_label=t("More for your account"),
                ),
            ),
            rx.menu.content(
                rx.text(t("Language"), size="1", weight="medium", color="var(--gray-10)", padding="4px 12px 2px"),
                *[language_item(code) for code in LANGUAGES],
                rx.menu.separator(),
                rx.menu.item(
                    rx.icon("monitor-x", size=14),
                    t("Sign out everywhere"),
                    on_click=AuthState.sign_out_everywhere,
                    id="sign-out-everywhere",
                ),
                side="top",
            ),
        ),
        align="center",
        spacing="3",
        padding="12px",
        border_top=styles.BORDER,
        width="100%",
    )


def admin_nav(active: str) -> rx.Component:
    """The administration pages, shown to administrators only (the pages check the role again)."""
    return rx.vstack(
        rx.text(t("Administration"), size="1", weight="medium", color="var(--gray-9)", padding="14px 12px 4px"),
        nav_item(t("Keywords"), "book-open-text", "/admin/keywords", active=active == "keywords"),
        nav_item(t("Canned responses"), "message-square-quote", "/admin/canned-responses", active=active == "canned"),
        nav_item(t("Labels"), "tags", "/admin/labels", active=active == "labels"),
        nav_item(t("Departments"), "building-2", "/admin/departments", active=active == "departments"),
        nav_item(t("Distribution lists"), "list", "/admin/lists", active=active == "lists"),
        nav_item(t("Office hours"), "calendar-clock", "/admin/hours", active=active == "hours"),
        nav_item(t("Channels"), "radio-tower", "/admin/channels", active=active == "channels"),
        nav_item(t("Operators"), "users", "/admin/operators", active=active == "operators"),
        spacing="1",
        padding_x="10px",
        width="100%",
        id="admin-nav",
    )


def reports_nav(active: str) -> rx.Component:
    """The statistics pages, shown to managers and administrators (the pages check the role again)."""
    return rx.vstack(
        rx.text(t("Reports"), size="1", weight="medium", color="var(--gray-9)", padding="14px 12px 4px"),
        nav_item(t("Statistics"), "chart-no-axes-combined", "/statistics", active=active == "statistics"),
        nav_item(t("Unanswered questions"), "message-circle-question", "/admin/unmatched", active=active == "unmatched"),
        spacing="1",
        padding_x="10px",
        width="100%",
        id="reports-nav",
    )


def sidebar(active: str) -> rx.Component:
    """The left column of every operator page."""
    return rx.vstack(
        rx.box(brand(), padding="20px 16px 12px"),
        rx.vstack(
            nav_item(t("Inbox"), "inbox", "/inbox", active=active == "inbox"),
            nav_item(t("Citizen phone"), "smartphone", "/citizen", external=True),
            spacing="1",
            padding_x="10px",
            width="100%",
        ),
        rx.cond(AuthState.is_admin, admin_nav(active)),
        rx.cond(AuthState.sees_statistics, reports_nav(active)),
        rx.spacer(),
        operator_card(),
        width=styles.SIDEBAR_WIDTH,
        min_width=styles.SIDEBAR_WIDTH,
        height="100vh",
        background="var(--gray-1)",
        border_right=styles.BORDER,
        spacing="2",
    )


def connection_lost() -> rx.Component:
    """Shown while the page cannot reach the server (network down, laptop asleep, backend restarting): the page keeps
    trying by itself and catches up on everything missed when it is back, with no reload."""
    return rx.cond(
        has_connection_errors,
        rx.callout(
            t("Connection lost. Reconnecting… Everything that arrives meanwhile will show when we are back."),
            icon="wifi-off",
            color_scheme="amber",
            variant="surface",
            size="1",
            id="connection-lost",
            role="status",
            position="fixed",
            top="12px",
            left="50%",
            transform="translateX(-50%)",
            z_index="1000",
            box_shadow="var(--shadow-4)",
        ),
    )


def operator_frame(active: str, *content: rx.Component) -> rx.Component:
    """A signed-in page: the sidebar, then the page's own columns."""
    return rx.hstack(
        connection_lost(),
        sidebar(active),
        *content,
        spacing="0",
        width="100%",
        height="100vh",
        overflow="hidden",
        background=styles.PAGE_BACKGROUND,
    )
