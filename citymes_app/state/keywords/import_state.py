"""Importing a keyword CSV from the editor: everything or nothing, with each refused line and why."""

from __future__ import annotations

import reflex as rx

from citymes_app.i18n import words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import signed_in_admin
from citymes_app.state.keywords.list_state import KeywordsState
from citymes_app.state.wording import sentence

IMPORT_UPLOAD_ID = "keyword-import"
MAX_CSV_BYTES = 5 * 1024 * 1024


class KeywordImportState(KeywordsState):
    """The CSV import of one administrator's keyword editor tab, and its report."""

    import_done: bool = False
    import_file: str = ""
    import_created: int = 0
    import_updated: int = 0
    import_errors: list[str] = []
    importing: bool = False

    def leave(self) -> None:
        self.importing = False

    @rx.event
    async def import_csv(self, files: list[rx.UploadFile]):
        """Import a keyword CSV: everything or nothing, with each refused line and the reason."""
        operator = await signed_in_admin(self)
        if operator is None:
            return
        words = words_for(operator.language)
        for upload in files[:1]:
            data = await upload.read()
            self.import_file = (upload.name or "keywords.csv").rsplit("/", 1)[-1]
            self.import_done, self.import_created, self.import_updated = True, 0, 0
            if len(data) > MAX_CSV_BYTES:
                self.import_errors = [words.t("The file is larger than {n} MB.", n=MAX_CSV_BYTES // (1024 * 1024))]
                return
            try:
                content = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.import_errors = [words.t("The file is not UTF-8 text: save it as “CSV UTF-8” and try again.")]
                return
            self.importing = True
            yield
            try:
                report = await get_runtime().keyword_desk.import_csv(by=operator, content=content)
            finally:
                self.importing = False
            self.import_errors = [sentence(error, words) for error in report.errors]
            self.import_created, self.import_updated = report.created, report.updated
            await self._reload(operator)

    @rx.event
    def dismiss_import(self):
        """Hide the import report."""
        self.import_done, self.import_errors = False, []
