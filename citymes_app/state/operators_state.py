"""Operators (administrators only): the organisation's operators, resetting a password, disabling and enabling.

Every handler resolves the session cookie again and passes the administrator to `core.operators.OperatorAccounts`,
which refuses anyone but an administrator of the target operator's own tenant. Both changes end the operator's
sessions, so their open tabs land on the login page at their next action.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import reflex as rx

from citymes_app.core.auth import AuthError, SignedInOperator
from citymes_app.core.operators import OperatorAccountError, OperatorListing
from citymes_app.i18n import N_, words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import admin_page_visit, signed_in_admin
from citymes_app.state.language import on_language_switch
from citymes_app.state.wording import sentence, tab_words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OperatorRow:
    """One operator as the page lists them."""

    id: int
    name: str
    email: str
    role: str  # its msgid: one of ROLES
    active: bool
    last_seen: str  # "24 de nov. 2026, 10:00" in the administrator's language, or "—" if no session is kept
    is_you: bool


# The roles as the page names them (the role's value is the msgid the badge looks up).
ROLES = (N_("operator"), N_("manager"), N_("admin"))


def _row(listing: OperatorListing, me: SignedInOperator) -> OperatorRow:
    seen = words_for(me.language).moment(listing.last_seen_at) if listing.last_seen_at else "—"
    return OperatorRow(
        listing.id, listing.display_name, listing.email, listing.role.value, listing.active, seen, listing.id == me.operator_id
    )


class OperatorsState(rx.State):
    """The operators page of one administrator's tab."""

    operators: list[OperatorRow] = []
    notice: str = ""
    error: str = ""
    # The reset-password dialog.
    reset_id: int = 0
    reset_name: str = ""
    reset_error: str = ""

    async def _reload(self, admin: SignedInOperator) -> None:
        listings = await get_runtime().operator_accounts.list(by=admin)
        self.operators = [_row(listing, admin) for listing in listings]

    @rx.event
    async def open_operators_page(self):
        """Page load: only an administrator gets the page (others see why); load the tenant's operators."""
        admin, instead = await admin_page_visit(self)
        if admin is None:
            return instead
        self.notice, self.error = "", ""
        self.reset_id, self.reset_name, self.reset_error = 0, "", ""
        await self._reload(admin)

    @rx.event
    async def set_active(self, operator_id: int, active: bool):
        """Enable or disable an operator; disabling ends all their sessions."""
        admin = await signed_in_admin(self)
        if admin is None:
            words = await tab_words(self)
            self.error, self.notice = words.t("Only an administrator can enable and disable operators."), ""
            return
        words = words_for(admin.language)
        try:
            changed = await get_runtime().operator_accounts.set_active(by=admin, operator_id=operator_id, active=active)
        except OperatorAccountError as exc:
            self.error, self.notice = sentence(exc, words), ""
            return
        log.info("operator %s %s operator %s", admin.operator_id, "enabled" if active else "disabled", operator_id)
        self.error = ""
        self.notice = (
            words.t("{name} can sign in again.", name=changed.display_name)
            if active
            else words.t("{name} is disabled and signed out.", name=changed.display_name)
        )
        await self._reload(admin)

    @rx.event
    def open_reset(self, operator_id: int, name: str):
        """Ask for the new password of an operator."""
        self.reset_id, self.reset_name, self.reset_error = operator_id, name, ""

    @rx.event
    def set_reset_dialog(self, value: bool):
        """The dialog was dismissed."""
        if not value:
            self.reset_id, self.reset_name, self.reset_error = 0, "", ""

    @rx.event
    def clear_reset_error(self):
        """The administrator is typing again."""
        self.reset_error = ""

    @rx.event
    async def reset_password(self, form_data: dict[str, str]):
        """Give the operator the password typed; a refusal shows beside the field."""
        admin = await signed_in_admin(self)
        if admin is None:
            self.reset_error = (await tab_words(self)).t("Only an administrator can reset passwords.")
            return
        words = words_for(admin.language)
        try:
            changed = await get_runtime().operator_accounts.reset_password(
                by=admin, operator_id=self.reset_id, password=form_data.get("password") or ""
            )
        except (AuthError, OperatorAccountError) as exc:
            self.reset_error = sentence(exc, words)
            return
        log.info("operator %s reset the password of operator %s", admin.operator_id, changed.id)
        self.reset_id, self.reset_name, self.reset_error = 0, "", ""
        self.error, self.notice = "", words.t("{name} has a new password and was signed out.", name=changed.display_name)
        await self._reload(admin)

    @rx.event
    async def relabel(self):
        """The administrator switched language: the list's dates again, without the notices worded before."""
        admin = await signed_in_admin(self)
        if admin is not None and self.operators:
            self.notice, self.error, self.reset_error = "", "", ""
            await self._reload(admin)


on_language_switch(OperatorsState.relabel)
