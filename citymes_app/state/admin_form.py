"""What the administration pages with a form share (mixed into their states): the form's refusal shown beside the
field it names, the notice after a change, the "saving" flag, deleting after a confirmation, and the administrator
check on every event (a tab that is no longer an administrator's is told so in its language).

A page's state keeps its own fields and rows, and says how to reload its list (`_reload`), which message refuses a
tab that is not an administrator's (`_only_administrators`, a msgid) and which of its fields to empty (`_forget_fields`,
`_forget_delete`). Its events call `_admin()` first and pass the desk's call to `_attempt()`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import reflex as rx

from citymes_app.core.administration import NotAnAdministrator
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.phrases import FieldError
from citymes_app.core.tenants import TenantError
from citymes_app.i18n import words_for
from citymes_app.state.auth_state import admin_page_visit, signed_in_admin
from citymes_app.state.wording import sentence, tab_words

T = TypeVar("T")


class AdminForm(rx.State, mixin=True):
    """An administration page's form and confirmation, on the server."""

    notice: str = ""
    # The row being edited (0: none, or a new one) and why the form was refused.
    editing_id: int = 0
    form_error: str = ""
    form_error_field: str = ""  # the field named by the refusal; "" for the page or form as a whole
    saving: bool = False
    # Deleting asks first: the row asked about (0: none).
    delete_id: int = 0

    def _only_administrators(self) -> str:
        """The msgid that tells a tab which is not an administrator's why nothing changed (each page's own)."""
        raise NotImplementedError

    async def _reload(self, admin: SignedInOperator) -> None:
        """Read the page's list again (each page's own)."""
        raise NotImplementedError

    def _forget_fields(self) -> None:
        """Empty the page's own form fields (each page's own)."""

    def _forget_delete(self) -> None:
        """Forget what the confirmation names (each page's own)."""

    def _clear_form(self) -> None:
        self.editing_id, self.form_error, self.form_error_field = 0, "", ""
        self._forget_fields()

    def _clear_error(self, field_name: str) -> None:
        """The person is correcting `field_name`: its refusal (or the form's) and the last notice go."""
        self.notice = ""
        if self.form_error_field in (field_name, ""):
            self.form_error, self.form_error_field = "", ""

    async def _refuse(self) -> None:
        """A tab that is no longer an administrator's: say so in its language."""
        self.form_error, self.form_error_field = (await tab_words(self)).translate(self._only_administrators()), ""

    async def _admin(self) -> SignedInOperator | None:
        """The signed-in administrator, checked again for this event; None (and the tab told why) otherwise."""
        admin = await signed_in_admin(self)
        if admin is None:
            await self._refuse()
        return admin

    async def _visit(self):  # noqa: ANN202
        """Page load: only an administrator gets the page (others see why); an empty form, the list read."""
        admin, instead = await admin_page_visit(self)
        if admin is None:
            return instead
        self._clear_form()
        self.notice, self.saving, self.delete_id = "", False, 0
        self._forget_delete()
        await self._reload(admin)
        return None

    async def _attempt(self, admin: SignedInOperator, change: Awaitable[T], *, in_form: bool = True) -> T | None:
        """Await the desk's `change`; a refusal shows beside the field it names (`in_form`), or for the page as a whole.
        None when it was refused (every change returns something)."""
        words = words_for(admin.language)
        try:
            return await change
        except FieldError as exc:
            self.form_error, self.form_error_field = sentence(exc, words), exc.field if in_form else ""
        except (TenantError, NotAnAdministrator) as exc:
            self.form_error, self.form_error_field = sentence(exc, words), ""
        finally:
            self.saving = False
        return None

    def _start_saving(self, form_data: object, fields: dict[str, str]) -> bool:
        """Whether a save may start now (not while one is under way); takes the fields as submitted (`fields`: the
        form's field name → this state's variable): a key pressed just before may not have reached us yet."""
        if self.saving:
            return False
        if type(form_data) is dict:
            for submitted, variable in fields.items():
                setattr(self, variable, str(form_data.get(submitted, getattr(self, variable))))
        self.saving, self.notice = True, ""
        return True

    def _take_delete(self) -> int:
        """The row the confirmation asked about (0: none), forgotten."""
        chosen = self.delete_id
        self.delete_id = 0
        self._forget_delete()
        return chosen

    def _deleted(self, row_id: int) -> None:
        if self.editing_id == row_id:
            self._clear_form()

    @rx.event
    def cancel_edit(self):
        """Leave the form as it was before editing."""
        self._clear_form()

    @rx.event
    def set_delete_dialog(self, value: bool):
        """The confirmation was dismissed."""
        if not value:
            self.delete_id = 0
            self._forget_delete()

    async def _relabel(self, listed: bool) -> None:
        """The administrator switched language: the list again (if the page was read), without the messages worded
        before."""
        admin = await signed_in_admin(self)
        if admin is not None and listed:
            self.notice, self.form_error, self.form_error_field = "", "", ""
            await self._reload(admin)
