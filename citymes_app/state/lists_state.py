"""Distribution lists (administrators only): the organisation's lists with their words in each of its languages,
created, changed and deleted; for the list chosen, its growth, its members page by page (one removed at a time), a
citizen of the organisation added by name or phone, and members imported from a CSV, all or nothing.

Every handler resolves the session cookie again and calls `core.list_desk.ListDesk`, which acts only for an
administrator, on the administrator's own tenant (another tenant's list, subscription or citizen is "not found"). A
refused form says why beside the field (`state/admin_form.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import reflex as rx

from citymes_app.core.auth import SignedInOperator
from citymes_app.core.lists import ListError, ListTexts
from citymes_app.i18n import N_, Words, words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.admin_form import AdminForm
from citymes_app.state.language import on_language_switch
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)

ONLY_ADMINISTRATORS = N_("Only an administrator can change distribution lists.")
LANGUAGES = ("ca", "es", "en")
FIELDS = ("name", "description", "join", "leave")
IMPORT_UPLOAD_ID = "list-import"
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_TYPED = 400
SOURCES = {
    "keyword": N_("by message"),
    "operator": N_("by an operator"),
    "import": N_("imported"),
    "stop": N_("stop"),
}


@dataclass(frozen=True)
class ListRow:
    """One list as the page lists it."""

    id: int
    name: str
    phrases: str  # "ALTA TRANSIT · ALTA TRAFICO · JOIN TRAFFIC"
    members: int


@dataclass(frozen=True)
class MemberRow:
    """A citizen on the chosen list, on one channel."""

    subscription_id: int
    name: str
    phone: str
    platform: str
    channel_name: str
    since: str
    how: str


@dataclass(frozen=True)
class DayRow:
    """Joins and leaves on one day of the chosen list's growth."""

    day: str
    joined: int
    left: int
    joined_width: str  # a share of the busiest day, as a CSS width ("40%")
    left_width: str


@dataclass(frozen=True)
class ChoiceRow:
    """A citizen found by the search, to add to the chosen list."""

    id: int
    name: str
    phone: str


def _form_values(texts: dict[str, ListTexts] | None = None) -> dict[str, str]:
    values = {f"{field}_{code}": "" for code in LANGUAGES for field in FIELDS}
    for code, given in (texts or {}).items():
        values |= {
            f"name_{code}": given.name,
            f"description_{code}": given.description,
            f"join_{code}": given.join_phrase,
            f"leave_{code}": given.leave_phrase,
        }
    return values


class ListsState(AdminForm, rx.State):
    """The distribution lists page of one administrator's tab (the form's handling: `state/admin_form.py`)."""

    languages: list[str] = []
    lists: list[ListRow] = []
    # The form: a new list (`editing_id` 0) or the one being edited; `form_key` changes to redraw its inputs.
    form_values: dict[str, str] = _form_values()
    form_key: int = 0
    delete_name: str = ""
    delete_members: int = 0
    # The list chosen for its members and growth (0: none).
    chosen_id: int = 0
    chosen_name: str = ""
    members: list[MemberRow] = []
    members_total: int = 0
    members_page: int = 1
    members_pages: int = 1
    member_count: int = 0
    growth: list[DayRow] = []
    joined_30: int = 0
    left_30: int = 0
    search: str = ""
    choices: list[ChoiceRow] = []
    member_notice: str = ""
    member_error: str = ""
    # The CSV import's report.
    import_done: bool = False
    import_file: str = ""
    import_added: int = 0
    import_already: int = 0
    import_errors: list[str] = []
    importing: bool = False

    def _only_administrators(self) -> str:
        return ONLY_ADMINISTRATORS

    async def _reload(self, admin: SignedInOperator) -> None:
        desk = get_runtime().list_desk
        self.languages = [code for code in await desk.languages(by=admin) if code in LANGUAGES]
        overviews = await desk.overviews(by=admin)
        self.lists = [ListRow(o.id, o.name, " · ".join(t.join_phrase for t in o.texts.values()), o.members) for o in overviews]
        if self.chosen_id and all(row.id != self.chosen_id for row in self.lists):
            self._forget_chosen()
        if self.chosen_id:
            await self._read_chosen(admin)

    def _forget_fields(self) -> None:
        self.form_values, self.form_key = _form_values(), self.form_key + 1

    def _forget_delete(self) -> None:
        self.delete_name, self.delete_members = "", 0

    def _forget_chosen(self) -> None:
        self.chosen_id, self.chosen_name, self.members, self.members_total, self.growth = 0, "", [], 0, []
        self.members_page = self.members_pages = 1
        self.member_count = self.joined_30 = self.left_30 = 0
        self.search, self.choices, self.member_notice, self.member_error = "", [], "", ""
        self.import_done, self.import_errors = False, []

    async def _read_chosen(self, admin: SignedInOperator) -> None:
        desk, words = get_runtime().list_desk, words_for(admin.language)
        page = await desk.members(by=admin, list_id=self.chosen_id, page=self.members_page)
        self.members_total, self.members_page, self.members_pages = page.total, page.page, page.pages
        self.members = [
            MemberRow(
                m.subscription_id,
                m.name or words.t("Citizen {id}", id=m.citizen_id),
                m.phone,
                m.platform,
                m.channel_name,
                words.day(m.since.date()),
                words.translate(SOURCES.get(m.source, m.source)),
            )
            for m in page.members
        ]
        growth = await desk.growth(by=admin, list_id=self.chosen_id)
        busiest = max([max(d.joined, d.left) for d in growth.days] + [1])
        self.member_count = growth.members
        self.joined_30, self.left_30 = sum(d.joined for d in growth.days), sum(d.left for d in growth.days)
        self.growth = [
            DayRow(words.day(d.day, "MMMd"), d.joined, d.left, f"{100 * d.joined // busiest}%", f"{100 * d.left // busiest}%")
            for d in growth.days
        ]

    @rx.event
    async def open_lists_page(self):
        """Page load: only an administrator gets the page (others see why); load the organisation's lists."""
        self._forget_chosen()
        return await self._visit()

    @rx.event
    async def edit(self, list_id: int):
        """Put a listed list in the form."""
        if (admin := await self._admin()) is None or type(list_id) is not int:
            return
        chosen = next((o for o in await get_runtime().list_desk.overviews(by=admin) if o.id == list_id), None)
        if chosen is not None:
            self.editing_id, self.form_values = chosen.id, _form_values(chosen.texts)
            self.form_key += 1
            self.form_error, self.form_error_field, self.notice = "", "", ""

    @rx.event
    async def save(self, form_data: dict[str, str]):
        """Add or change the list in the form; a refusal shows beside the field to correct."""
        if (admin := await self._admin()) is None or self.saving:
            return
        received = form_data if type(form_data) is dict else {}
        self.form_values = {
            key: str(received.get(key, ""))[:MAX_TYPED] if type(received.get(key, "")) is str else "" for key in _form_values()
        }
        self.saving, self.notice = True, ""
        yield
        texts = {
            code: ListTexts(
                code,
                self.form_values[f"name_{code}"],
                self.form_values[f"description_{code}"],
                self.form_values[f"join_{code}"],
                self.form_values[f"leave_{code}"],
            )
            for code in LANGUAGES
        }
        saved = await self._attempt(admin, get_runtime().list_desk.save(by=admin, list_id=self.editing_id or None, texts=texts))
        if saved is None:
            return
        log.info("operator %s saved list %s", admin.operator_id, saved.id)
        words, edited = words_for(admin.language), bool(self.editing_id)
        self._clear_form()
        await self._reload(admin)
        name = next((row.name for row in self.lists if row.id == saved.id), saved.name)  # in the administrator's language
        self.notice = words.t("List {name} saved.", name=name) if edited else words.t("List {name} added.", name=name)

    @rx.event
    def ask_delete(self, list_id: int):
        """Deleting asks first (the dialog says how many members it has)."""
        chosen = next((row for row in self.lists if row.id == list_id), None)
        if chosen is not None:
            self.delete_id, self.delete_name, self.delete_members = chosen.id, chosen.name, chosen.members

    @rx.event
    async def confirm_delete(self):
        """Delete the list asked about, with its subscriptions."""
        list_id = self._take_delete()
        if not list_id or (admin := await self._admin()) is None:
            return
        name = next((row.name for row in self.lists if row.id == list_id), "")
        change = await self._attempt(admin, get_runtime().list_desk.delete(by=admin, list_id=list_id), in_form=False)
        if change is None:
            return
        log.info("operator %s deleted list %s", admin.operator_id, list_id)
        self._deleted(list_id)
        if self.chosen_id == list_id:
            self._forget_chosen()
        self.notice = words_for(admin.language).t("List {name} deleted.", name=name or change.name)
        await self._reload(admin)

    # --- The chosen list: members, growth, adding and importing ---------------------------------------------------

    @rx.event
    async def choose(self, list_id: int):
        """Show a list's members and growth."""
        if (admin := await self._admin()) is None or type(list_id) is not int:
            return
        chosen = next((row for row in self.lists if row.id == list_id), None)
        if chosen is None:
            return
        self._forget_chosen()
        self.chosen_id, self.chosen_name = chosen.id, chosen.name
        try:
            await self._read_chosen(admin)
        except ListError as exc:
            self._forget_chosen()
            self.form_error, self.form_error_field = sentence(exc, words_for(admin.language)), ""

    @rx.event
    async def members_page_to(self, page: int):
        """Another page of the chosen list's members."""
        if (admin := await self._admin()) is None or type(page) is not int or not self.chosen_id:
            return
        self.members_page = max(1, min(page, self.members_pages))
        try:
            await self._read_chosen(admin)
        except ListError:  # deleted meanwhile in another tab
            self._forget_chosen()

    @rx.event
    async def remove_member(self, subscription_id: int):
        """Take one member off the chosen list."""
        if (admin := await self._admin()) is None or type(subscription_id) is not int or not self.chosen_id:
            return
        self.member_notice, self.member_error = "", ""
        words = words_for(admin.language)
        try:
            await get_runtime().list_desk.remove_member(by=admin, subscription_id=subscription_id)
        except ListError as exc:
            self.member_error = sentence(exc, words)
        else:
            self.member_notice = words.t("The citizen was taken off the list.")
        await self._reload(admin)

    @rx.event
    async def search_citizens(self, value: str):
        """The search for a citizen to add (name or phone)."""
        if (admin := await self._admin()) is None or type(value) is not str:
            return
        self.search = value[:100]
        found = await get_runtime().list_desk.citizen_choices(by=admin, search=self.search) if self.search.strip() else []
        self.choices = [ChoiceRow(c.id, c.name or words_for(admin.language).t("Citizen {id}", id=c.id), c.phone) for c in found]

    @rx.event
    async def add_member(self, citizen_id: int):
        """Put a citizen found by the search on the chosen list (on the channel they last wrote to)."""
        if (admin := await self._admin()) is None or type(citizen_id) is not int or not self.chosen_id:
            return
        self.member_notice, self.member_error = "", ""
        words: Words = words_for(admin.language)
        try:
            added = await get_runtime().list_desk.add_member(by=admin, list_id=self.chosen_id, citizen_id=citizen_id)
        except ListError as exc:
            self.member_error = sentence(exc, words)
            return
        self.member_notice = (
            words.t("The citizen was added to the list.") if added else words.t("The citizen is already on the list.")
        )
        self.search, self.choices = "", []
        await self._reload(admin)

    @rx.event
    async def import_csv(self, files: list[rx.UploadFile]):
        """Import members from a `platform,identity` CSV: everything or nothing, with each refused line and why."""
        if (admin := await self._admin()) is None or not self.chosen_id:
            return
        words = words_for(admin.language)
        for upload in files[:1]:
            data = await upload.read()
            self.import_file = (upload.name or "members.csv").rsplit("/", 1)[-1]
            self.import_done, self.import_added, self.import_already, self.import_errors = True, 0, 0, []
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
                report = await get_runtime().list_desk.import_csv(by=admin, list_id=self.chosen_id, content=content)
            except ListError as exc:
                self.import_errors = [sentence(exc, words)]
                return
            finally:
                self.importing = False
            self.import_errors = [sentence(error, words) for error in report.errors]
            self.import_added, self.import_already = report.added, report.already
            await self._reload(admin)

    @rx.event
    def dismiss_import(self):
        """Hide the import report."""
        self.import_done, self.import_errors = False, []

    @rx.event
    async def relabel(self):
        """The administrator switched language: without the messages worded before."""
        await self._relabel(bool(self.lists))


on_language_switch(ListsState.relabel)
