"""The template picker of the inbox's reply box: the approved templates of the open conversation's channel, the one
being filled in, its preview, and sending it when the free-form window is closed (mixed into `InboxState`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import reflex as rx

from citymes_app.core import inbox, templates
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.inbox_display import TemplateOption
from citymes_app.core.inbox_work import ConversationMoved
from citymes_app.i18n import Words
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)


class TemplatePicker(rx.State, mixin=True):
    """Choosing, filling in and sending an approved template; needs the tab's `selected_id` and `_operator()`."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int
        selected_citizen_id: int
        _tenant_id: int
        _seen_version: int

        async def _operator(self) -> SignedInOperator | None: ...

        def _moved_again(self, exc: ConversationMoved) -> str: ...

        def _words(self) -> Words: ...

    # The approved templates of the open conversation's channel, and the one being filled in.
    templates: list[TemplateOption] = []
    template_id: str = ""
    template_params: list[str] = []
    template_error: str = ""
    sending_template: bool = False

    @rx.var
    def template_labels(self) -> list[str]:
        """The placeholders of the chosen template, one input each: "{{1}}", "{{2}}"..."""
        chosen = next((t for t in self.templates if t.id == self.template_id), None)
        return [f"{{{{{n}}}}}" for n in range(1, chosen.parameter_count + 1)] if chosen else []

    @rx.var
    def template_preview(self) -> str:
        """The chosen template as the citizen will read it (unfilled placeholders stay visible)."""
        chosen = next((t for t in self.templates if t.id == self.template_id), None)
        if chosen is None:
            return ""
        params = [p.strip() or f"{{{{{n}}}}}" for n, p in enumerate(self.template_params, start=1)]
        return templates.render(chosen.body, params)

    def _choose_template(self, template_id: str) -> None:
        chosen = next((t for t in self.templates if t.id == template_id), None)
        self.template_id = chosen.id if chosen else ""
        self.template_params = [""] * (chosen.parameter_count if chosen else 0)
        self.template_error = ""

    @rx.event
    def choose_template(self, template_id: str):
        """Pick another approved template (its parameters start empty)."""
        self._choose_template(template_id)

    @rx.event
    def set_template_param(self, index: int, value: str):
        """One of the template's parameters changed."""
        params = list(self.template_params)
        if 0 <= index < len(params):
            params[index] = value
            self.template_params = params
        self.template_error = ""

    @rx.event
    async def send_template(self, form_data: dict[str, str]):
        """Put the chosen template, filled in, in the outbox; a refusal shows beside the form."""
        if self.sending_template or not self.selected_id:
            return
        chosen = next((t for t in self.templates if t.id == self.template_id), None)
        if chosen is None:
            self.template_error = self._words().t("Choose a template first.")
            return
        operator = await self._operator()
        if operator is None:
            yield rx.redirect(LOGIN_ROUTE)
            return
        self.sending_template = True
        yield
        try:
            await get_runtime().inbox.send_template(
                operator=operator,
                conversation_id=self.selected_id,
                name=chosen.name,
                language=chosen.language,
                params=list(self.template_params),
                seen_version=self._seen_version,
            )
        except ConversationMoved as exc:
            self.template_error = self._moved_again(exc)
            return
        except inbox.InboxError as exc:
            self.template_error = sentence(exc, self._words())
            return
        except Exception as exc:
            log.error("template to conversation %s failed: %s", self.selected_id, type(exc).__name__)
            self.template_error = self._words().t("The template could not be saved. Try again in a moment.")
            return
        finally:
            self.sending_template = False
        self._choose_template(chosen.id)
