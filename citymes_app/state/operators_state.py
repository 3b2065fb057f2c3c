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
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import admin_page_visit, signed_in_admin
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OperatorRow:
    """One operator as the page lists them."""

    id: int
    name: str
    email: str
    role: str
    active: bool
    last_seen: str  # "24 Nov 2026, 10:00" in the organisation's time, or "—" if no session is kept
    is_you: bool


def _row(listing: OperatorListing, me: SignedInOperator) -> OperatorRow:
    seen = listing.last_seen_at.strftime("%d %b %Y, %H:%M") if listing.last_seen_at else "—"
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
            self.error, self.notice = "Only an administrator can enable and disable operators.", ""
            return
        try:
            changed = await get_runtime().operator_accounts.set_active(by=admin, operator_id=operator_id, active=active)
        except OperatorAccountError as exc:
            self.error, self.notice = sentence(exc), ""
            return
        log.info("operator %s %s operator %s", admin.operator_id, "enabled" if active else "disabled", operator_id)
        self.error = ""
        self.notice = (
            f"{changed.display_name} can sign in again." if active else f"{changed.display_name} is disabled and signed out."
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
            self.reset_error = "Only an administrator can reset passwords."
            return
        try:
            changed = await get_runtime().operator_accounts.reset_password(
                by=admin, operator_id=self.reset_id, password=form_data.get("password") or ""
            )
        except (AuthError, OperatorAccountError) as exc:
            self.reset_error = sentence(exc)
            return
        log.info("operator %s reset the password of operator %s", admin.operator_id, changed.id)
        self.reset_id, self.reset_name, self.reset_error = 0, "", ""
        self.error, self.notice = "", f"{changed.display_name} has a new password and was signed out."
        await self._reload(admin)
