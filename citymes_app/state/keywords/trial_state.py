"""The editor's "try it" box: what the real matcher would answer to a sentence (nothing is sent or recorded)."""

from __future__ import annotations

import reflex as rx

from citymes_app.i18n import words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import signed_in_admin
from citymes_app.state.keywords import display
from citymes_app.state.keywords.display import Trial
from citymes_app.state.keywords.list_state import KeywordsState


class KeywordTrialState(KeywordsState):
    """The "try it" box of one administrator's keyword editor tab."""

    trial_text: str = ""
    trial: Trial = Trial()
    trying: bool = False

    def leave(self) -> None:
        self.trying = False

    @rx.event
    def set_trial_text(self, value: str):
        """The sentence to try."""
        self.trial_text = value[:500]

    @rx.event
    async def try_sentence(self, form_data: dict[str, str]):
        """Run the real matcher on the sentence (nothing is sent or recorded)."""
        text = (form_data.get("sentence") or self.trial_text).strip()
        operator = await signed_in_admin(self)
        if operator is None or not text:
            return
        self.trial_text, self.trying = text, True
        yield
        try:
            found = await get_runtime().keyword_desk.try_sentence(by=operator, text=text)
            self.trial = display.trial(text, found, words_for(operator.language))
        finally:
            self.trying = False
