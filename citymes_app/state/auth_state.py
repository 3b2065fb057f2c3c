"""Signing operators in and out; the guard of the pages that need a signed-in operator.

The session token lives in the browser as the cookie `citymes_session`, which the `/media/...` route of the API
also reads; the server keeps only a hash of it (`core.auth`). Who the operator is, and so which tenant's data a
tab may see, always comes from resolving that cookie on the server, never from the URL.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from contextvars import ContextVar

import reflex as rx
from reflex.event import EventSpec

from citymes_app.core import auth
from citymes_app.core.signin import SignInOutcome
from citymes_app.i18n import LANGUAGES, Words, browser_language, words_for
from citymes_app.models import Role
from citymes_app.runtime import get_runtime
from citymes_app.state import access
from citymes_app.state.language import LanguageState, relabel_events

log = logging.getLogger(__name__)

# The name the API's `/media/{tenant_id}/{name}` route reads (citymes_app/api/routes.py).
SESSION_COOKIE = "citymes_session"
LOGIN_ROUTE = "/login"
HOME_ROUTE = "/inbox"
ADMIN_ROLES = frozenset({Role.ADMIN})
# Who may see the statistics pages (the unanswered-questions report): managers watch them, administrators act on them.
STATISTICS_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


# The session the guard resolved for the event being processed (each event runs in its own task, and the guard sets
# this at the start of every event), so the handler's own checks do not look the same session up again.
_resolved_for_event: ContextVar[tuple[str, auth.SignedInOperator | None] | None] = ContextVar(
    "citymes_resolved_for_event", default=None
)


async def resolve_operator(token: str) -> auth.SignedInOperator | None:
    """The operator behind a session token, or None (signed out, expired, disabled)."""
    resolved = _resolved_for_event.get()
    if resolved is not None and resolved[0] == token:
        return resolved[1]
    return await get_runtime().signin.operator_for(token=token)


async def resolve_for_event(token: str) -> auth.SignedInOperator | None:
    """Resolve `token` for the event being processed; the rest of the event reuses the answer."""
    operator = await get_runtime().signin.operator_for(token=token) if token else None
    _resolved_for_event.set((token, operator))
    return operator


def forget_resolved() -> None:
    """A new event: nothing resolved yet."""
    _resolved_for_event.set(None)


@access.public
class AuthState(rx.State):
    """The signed-in operator of this browser, and the login form's message."""

    session_token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        path="/",
        same_site="lax",
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
    )
    operator_name: str = ""
    tenant_name: str = ""
    operator_role: str = ""
    login_error: str = ""
    signing_in: bool = False

    async def _signed_in(self) -> auth.SignedInOperator | None:
        """The operator behind this browser's cookie (None if signed out or expired); refreshes the names shown."""
        operator = await resolve_operator(self.session_token) if self.session_token else None
        if operator is None:
            self.forget_operator()
        else:
            self.operator_name, self.tenant_name = operator.display_name, operator.tenant_name
            self.operator_role = operator.role
            (await self.get_state(LanguageState)).follow(operator.language)
        return operator

    async def _signed_in_admin(self) -> auth.SignedInOperator | None:
        """The signed-in operator if an administrator, else None (the role is re-read on every call)."""
        operator = await self._signed_in()
        return operator if operator is not None and operator.role == Role.ADMIN else None

    def forget_operator(self) -> None:
        """Stop showing who was signed in (the session ended)."""
        self.operator_name = self.tenant_name = self.operator_role = ""

    @rx.var
    def is_admin(self) -> bool:
        """Whether the signed-in operator administers the organisation (the admin pages and their menu)."""
        return self.operator_role == Role.ADMIN

    @rx.var
    def sees_statistics(self) -> bool:
        """Whether the signed-in operator may see the statistics pages (managers and administrators)."""
        return self.operator_role in STATISTICS_ROLES

    @rx.event
    async def require_operator(self):
        """Page guard: send a signed-out browser to the login page."""
        if await self._signed_in() is None:
            return rx.redirect(LOGIN_ROUTE)

    @rx.event
    async def open_login(self):
        """The login page: the tab forgets every page's data and live link (it may be signing in as someone else); a
        browser that is already signed in goes straight to the inbox."""
        self.signing_in = False
        await access.empty_page_states(self._get_root_state())
        if await self._signed_in() is not None:
            return rx.redirect(HOME_ROUTE)
        language = await self.get_state(LanguageState)
        if not language.language:  # no choice remembered in this browser: its own language if we have it
            language.follow(browser_language(self.router.headers.accept_language))
        return None

    @rx.event
    async def choose_language(self, language: str):
        """The language switch: a signed-in operator's choice is stored (theirs only: the session says whose), and
        this browser remembers it; the tab's texts change at once, and its page states reword what they worded."""
        if language not in LANGUAGES:
            return None
        if self.session_token:
            try:
                operator = await get_runtime().signin.choose_language(token=self.session_token, language=language)
            except auth.AuthError:
                return None
            if operator is None:  # the session ended: the next page guard sends the tab to sign in
                return None
        (await self.get_state(LanguageState)).follow(language)
        self.login_error = ""
        return relabel_events() if self.session_token else None

    async def _words(self) -> Words:
        return words_for((await self.get_state(LanguageState)).lang)

    @rx.event
    async def sign_in(self, form_data: dict[str, str]):
        """Check the credentials; a wrong pair shows a message beside the form."""
        email = (form_data.get("email") or "").strip()
        password = form_data.get("password") or ""
        words = await self._words()
        if not email or not password:
            self.login_error = words.t("Enter your email and your password.")
            return
        self.login_error = ""
        self.signing_in = True
        yield
        try:
            # The address counts failed tries from one place, whichever accounts they name.
            result = await get_runtime().signin.sign_in(email=email, password=password, address=self.router.session.client_ip)
        except Exception as exc:
            log.error("sign-in failed: %s", type(exc).__name__)
            self.signing_in = False
            self.login_error = words.t("Signing in is not possible right now. Try again in a minute.")
            return
        self.signing_in = False
        if result.outcome == SignInOutcome.THROTTLED:
            minutes = result.retry_after_minutes
            self.login_error = words.tn(
                "Too many sign-in attempts. Try again in {n} minute.",
                "Too many sign-in attempts. Try again in {n} minutes.",
                minutes,
            )
            return
        if result.outcome != SignInOutcome.SIGNED_IN:
            self.login_error = words.t("Wrong email or password.")
            return
        log.info("operator %s signed in", result.operator_id)
        self.session_token = result.token
        self.login_error = ""
        yield rx.redirect(HOME_ROUTE)

    @rx.event
    def clear_login_error(self):
        """The person is typing again: hide the old message."""
        self.login_error = ""

    @rx.event
    async def sign_out(self):
        """Forget the session on the server and in the browser."""
        if self.session_token:
            await get_runtime().signin.sign_out(token=self.session_token)
        return await self._forget_session()

    @rx.event
    async def sign_out_everywhere(self):
        """End every session of this operator, in all their browsers; the others land on the login page at their
        next action."""
        if self.session_token:
            operator_id = await get_runtime().signin.sign_out_everywhere(token=self.session_token)
            if operator_id is not None:
                log.info("operator %s signed out everywhere", operator_id)
        return await self._forget_session()

    async def _forget_session(self) -> list[EventSpec]:
        self.session_token = ""
        self.forget_operator()
        await access.empty_page_states(self._get_root_state())
        return [rx.remove_cookie(SESSION_COOKIE, {"path": "/"}), rx.redirect(LOGIN_ROUTE)]


async def signed_in_admin(state: rx.State) -> auth.SignedInOperator | None:
    """The tab's signed-in operator if an administrator (re-read on every call), else None."""
    return await (await state.get_state(AuthState))._signed_in_admin()


async def admin_page_visit(
    state: rx.State, roles: Collection[str] = ADMIN_ROLES
) -> tuple[auth.SignedInOperator | None, EventSpec | None]:
    """Page load of an administration page: the operator if their role is one of ``roles`` (by default
    administrators only), or ``None`` and what to answer instead.

    Signed out: a redirect to the login page. An operator of another role: nothing (the page shows why), after
    ``state`` is reset so that nothing of an earlier session stays in this tab.
    """
    access = await state.get_state(AuthState)
    operator = await access._signed_in()
    if operator is None:
        return None, rx.redirect(LOGIN_ROUTE)
    if operator.role not in roles:
        state.reset()
        return None, None
    return operator, None
