"""The operators' live inbox.

Two states:

* `InboxShared` (`state/inbox_shared.py`) — one instance per tenant: the queue summary with its version and who is
  here (which colleague has which conversation open, writing or not). The bridge (`state/live.py`) rewrites the queue
  after inbox events and Reflex fans it out to every linked tab.
* `InboxState` — per tab: which conversation is open, its thread and its free-form window (written when it opens and
  by the bridge when that conversation changes — never because another conversation did), the reply or template
  being written and the reason it was refused, and linking the citizen with another record.

Every action is one call to the inbox's use cases (`core.inbox_desk.InboxDesk`, on the runtime), which commits and
tells the other tabs. The tenant always comes from the signed-in session (`AuthState`), never from the URL.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator, session_digest
from citymes_app.core.departments import DepartmentInfo
from citymes_app.core.inbox_desk import InboxDesk, ThreadSnapshot
from citymes_app.core.inbox_queue import MIN_SEARCH_LENGTH
from citymes_app.core.inbox_work import ConversationMoved
from citymes_app.core.labels import LabelInfo
from citymes_app.i18n import DEFAULT_LANGUAGE, Words, words_for
from citymes_app.models import ConversationStatus, utcnow
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE, AuthState
from citymes_app.state.citizen_link import CitizenLinking
from citymes_app.state.inbox_attachments import AttachmentSender
from citymes_app.state.inbox_canned import CannedPicker, unfilled_warning
from citymes_app.state.inbox_citizen import CitizenPanel
from citymes_app.state.inbox_departments import ConversationDepartments
from citymes_app.state.inbox_filters import QueueFilters, filtered
from citymes_app.state.inbox_format import (
    NO_WINDOW,
    Bubble,
    QueueLine,
    QueueNotices,
    WindowView,
    bubble,
    citizen_label,
    conversation_title,
    queue_notices,
    thread_bubbles,
    window_view,
)
from citymes_app.state.inbox_notes import ConversationNotes
from citymes_app.state.inbox_presence import ConversationPresence
from citymes_app.state.inbox_shared import InboxShared, inbox_token, load_queue
from citymes_app.state.inbox_states import ConversationStates
from citymes_app.state.inbox_templates import TemplatePicker
from citymes_app.state.inbox_work import ConversationWork
from citymes_app.state.language import on_language_switch
from citymes_app.state.wording import sentence

log = logging.getLogger(__name__)


def _desk() -> InboxDesk:
    return get_runtime().inbox


class InboxState(
    CannedPicker,
    TemplatePicker,
    ConversationWork,
    ConversationDepartments,
    ConversationStates,
    ConversationNotes,
    ConversationPresence,
    CitizenPanel,
    AttachmentSender,
    QueueFilters,
    CitizenLinking,
    rx.State,
):
    """One operator tab: the open conversation and the reply box."""

    selected_id: int = 0
    # The open conversation, remembered by the tab (its session storage): after a backend restart the tab's state is
    # new, and the page opens it again on reconnecting. Untrusted like any input: the desk checks its organisation.
    remembered_conversation: str = rx.SessionStorage("", name="citymes_open_conversation")
    selected_title: str = ""
    selected_platform: str = ""
    selected_citizen_id: int = 0
    selected_citizen_name: str = ""
    selected_channel_name: str = ""
    # The open conversation's messages and free-form window, as they were when it opened or last changed.
    thread: list[Bubble] = []
    reply_window: WindowView = NO_WINDOW
    draft: str = ""
    reply_error: str = ""
    sending: bool = False
    _tenant_id: int = 0
    # The signed-in operator's language, for what this state words on the server (also when the bridge redraws).
    _language: str = DEFAULT_LANGUAGE

    def _words(self) -> Words:
        return words_for(self._language)

    @rx.var
    async def selected_in_queue(self) -> bool:
        """Whether the open conversation is still open (another operator may have resolved it)."""
        shared = await self.get_state(InboxShared)
        return any(line.id == self.selected_id for line in shared.queue)

    @rx.var
    async def visible_queue(self) -> list[QueueLine]:
        """The queue as this tab's filters show it (`state/inbox_filters.py`): the live queue, or while searching or
        showing resolved conversations the lines read for this tab."""
        shared = await self.get_state(InboxShared)
        searching = len(self.search.strip()) >= MIN_SEARCH_LENGTH
        lines = self.found if searching or self.state_filter == "resolved" else shared.queue
        return filtered(
            lines,
            view=self.queue_view,
            me=self.me_id,
            channel=self.channel_filter,
            state="any" if searching and self.state_filter == "active" else self.state_filter,
            label=self.label_filter,
            department=self.department_filter,
            sort=self.sort_by,
        )

    @rx.var
    async def waiting_count(self) -> int:
        """How many conversations wait for an operator."""
        shared = await self.get_state(InboxShared)
        return sum(1 for line in shared.queue if line.awaiting_operator and line.status != ConversationStatus.SNOOZED)

    @rx.var
    async def unread_total(self) -> int:
        """How many citizen messages no operator has read yet, over the live queue (the tab's title shows it)."""
        shared = await self.get_state(InboxShared)
        return sum(line.unread_count for line in shared.queue if line.status != ConversationStatus.SNOOZED)

    @rx.var
    async def notice_queue(self) -> QueueNotices:
        """The whole live queue, whatever this tab's filters show, as the notifier compares it (new messages and
        assignments become toasts, a sound, a browser notification: `components/inbox_notifier.py`)."""
        shared = await self.get_state(InboxShared)
        return queue_notices(shared.queue, version=shared.version)

    async def _operator(self) -> SignedInOperator | None:
        """The signed-in operator, or None if signed out or now signed in for another tenant than this tab shows
        (the login page then unlinks the tab and sends it back to the right inbox)."""
        auth = await self.get_state(AuthState)
        operator = await auth._signed_in()
        if operator is not None and self._tenant_id and operator.tenant_id != self._tenant_id:
            return None
        if operator is not None:
            self._language = operator.language
        return operator

    # --- What the bridge writes (state/live.py) -------------------------------------------------------------

    async def load_catalogs(self, tenant_id: int) -> None:
        """The organisation's labels and departments as they are now, for the menus and filters (on load)."""
        await self._load_labels(tenant_id)
        await self._load_departments(tenant_id)

    def show_catalogs(self, labels: list[LabelInfo], departments: list[DepartmentInfo]) -> None:
        """The organisation's labels and departments, read once by the bridge for all its tabs after an administrator
        changed one."""
        self._show_labels(labels)
        self._show_departments(departments)

    def show_thread(self, snapshot: ThreadSnapshot) -> None:
        """Draw the open conversation as it is now: its header, its bubbles, its window."""
        header, words = snapshot.header, self._words()
        self.selected_title = conversation_title(header, words)
        self.selected_citizen_id = header.citizen_id
        self.selected_citizen_name = citizen_label(header.citizen_name, header.citizen_id, words)
        self.selected_platform, self.selected_channel_name = header.platform, header.channel_name
        self.thread = thread_bubbles(snapshot, words=words)
        self.reply_window = window_view(snapshot.window, tz=snapshot.timezone, words=words)
        self._show_assignee(snapshot)
        self._show_department(snapshot)
        self._show_state(snapshot)
        self._show_citizen(snapshot)

    def show_statuses(self, messages: list[inbox.ThreadMessage], tz: ZoneInfo) -> None:
        """Redraw only the bubbles of these messages (their delivery status changed)."""
        changed = {m.id: m for m in messages}
        if not any(b.id in changed and not b.note for b in self.thread):
            return
        now, words = utcnow(), self._words()
        self.thread = [
            bubble(changed[b.id], citizen_name=self.selected_citizen_name, tz=tz, now=now, words=words)
            if b.id in changed and not b.note
            else b
            for b in self.thread
        ]

    async def _note_reading(self, reading: bool) -> None:
        """Tell the shared inbox whether this tab reads its own lines (then the bridge refreshes them)."""
        shared = await self.get_state(InboxShared)
        client = self.router.session.client_token
        if reading != (client in shared._reading):
            shared._reading = (shared._reading | {client}) if reading else (shared._reading - {client})

    # --- Events ---------------------------------------------------------------------------------------------

    @rx.event
    async def open_inbox(self):
        """Page load: check the session, then link this tab to its tenant's shared inbox."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        self._tenant_id = operator.tenant_id
        self.sending = False
        auth_state = await self.get_state(AuthState)
        shared = await self.get_state(InboxShared)
        linked = await shared._link_to(inbox_token(operator.tenant_id))
        linked._viewers = {**linked._viewers, self.router.session.client_token: session_digest(auth_state.session_token)}
        if linked.version == 0 or linked._stale:  # nothing written since the server started, or changed unseen
            linked.queue = await load_queue(operator.tenant_id)
            linked.version += 1
            linked._stale = False
        await self._load_canned(operator)
        await self._load_colleagues(operator)
        await self._here(operator, linked)
        await self.load_catalogs(operator.tenant_id)
        await self._load_channels(operator)
        await self.read_lines(operator.tenant_id)
        if not self.selected_id and self.remembered_conversation.isdigit():  # the tab had one open before a restart
            return InboxState.select(int(self.remembered_conversation))  # type: ignore[operator]
        if self.selected_id:  # back on the page with a conversation open: show it as it is now
            try:
                snapshot = await _desk().thread(tenant_id=operator.tenant_id, conversation_id=self.selected_id)
                self.show_thread(snapshot)
                self._seen_version = snapshot.header.version
            except inbox.InboxError:
                self._forget_conversation()

    def _forget_conversation(self) -> None:
        self.selected_id, self.selected_title, self.draft, self.reply_error = 0, "", "", ""
        self.remembered_conversation = ""
        self.canned_notice = ""
        self.selected_platform, self.selected_citizen_id, self.selected_citizen_name = "", 0, ""
        self.selected_channel_name = ""
        self.thread, self.reply_window = [], NO_WINDOW
        self.templates, self.template_id, self.template_params, self.template_error = [], "", [], ""
        self._reset_link()
        self._forget_work()
        self._forget_department()
        self._forget_states()
        self._forget_notes()
        self._forget_citizen()
        self.link_notice = ""
        self._typing = False

    @rx.event
    async def select(self, conversation_id: int):
        """Open a conversation and mark it read (every tab's unread badge updates)."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if conversation_id != self.selected_id:
            self._forget_conversation()
        try:
            opened = await _desk().open_conversation(tenant_id=operator.tenant_id, conversation_id=conversation_id)
        except inbox.InboxError:
            self._forget_conversation()
            await self._tell_where()
            return
        self.selected_id, self.remembered_conversation = conversation_id, str(conversation_id)
        self.show_thread(opened.thread)
        self._seen_version = opened.thread.header.version
        if opened.templates != self.templates:
            self.templates = opened.templates
            self._choose_template(opened.templates[0].id if opened.templates else "")
        await self._tell_where()

    @rx.event
    async def close_conversation(self):
        """Back to the empty thread panel."""
        self._forget_conversation()
        await self._tell_where()

    @rx.event
    async def set_draft(self, value: str):
        """The reply box changed."""
        before, self.draft = self.draft, value
        if self.reply_error:
            self.reply_error = ""
        await self._canned_draft_changed(before, value)
        await self._writing(bool(value.strip()))

    @rx.event
    async def send_reply(self, form_data: dict[str, str]):
        """Put the reply in the outbox (the desk wakes the dispatcher and tells every tab)."""
        text = form_data.get("reply", self.draft) or ""
        if self.sending or not self.selected_id:
            return
        operator = await self._operator()
        if operator is None:
            yield rx.redirect(LOGIN_ROUTE)
            return
        if await self._canned_instead_of_sending(operator, text):
            return
        if refusal := unfilled_warning(text, self._words()):
            self.reply_error, self.draft, self.canned_notice = refusal, text, ""  # said once, as the refusal
            return
        self.sending = True
        yield
        await self._deliver_reply(operator, text)

    @rx.event
    async def send_anyway(self):
        """The operator confirmed the question: send the reply in the box although someone else took or resolved the
        conversation (against the version the question showed: a newer change asks again)."""
        operator = await self._operator()
        if operator is None:
            yield rx.redirect(LOGIN_ROUTE)
            return
        if self.sending or not self.selected_id or not self._confirmed():
            return
        self.sending = True
        yield
        await self._deliver_reply(operator, self.draft)

    async def _deliver_reply(self, operator: SignedInOperator, text: str) -> None:
        try:
            await _desk().reply(operator=operator, conversation_id=self.selected_id, text=text, seen_version=self._seen_version)
        except ConversationMoved as exc:
            self._moved(exc)
            self.draft = text
            return
        except inbox.InboxError as exc:
            self.reply_error, self.draft = sentence(exc, self._words()), text
            return
        except Exception as exc:
            log.error("reply to conversation %s failed: %s", self.selected_id, type(exc).__name__)
            self.reply_error, self.draft = self._words().t("The reply could not be saved. Try again in a moment."), text
            return
        finally:
            self.sending = False
        self.draft, self.reply_error, self.canned_notice = "", "", ""
        await self._writing(False)

    @rx.event
    async def resolve_selected(self):
        """Close the open conversation; the citizen's next message opens a new one."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return
        try:
            await _desk().resolve(operator=operator, conversation_id=self.selected_id)
        except inbox.InboxError as exc:
            self.reply_error = sentence(exc, self._words())
            return
        self._forget_conversation()
        await self._tell_where()

    @rx.event
    async def export_selected(self):
        """Download the open conversation, every message and note, as CSV (column titles in the operator's words)."""
        operator = await self._operator()
        if operator is None:
            return rx.redirect(LOGIN_ROUTE)
        if not self.selected_id:
            return None
        words = self._words()
        try:
            content = await _desk().export_csv(operator=operator, conversation_id=self.selected_id, words=words)
        except inbox.InboxError as exc:
            return rx.toast.error(sentence(exc, words))
        today = utcnow().astimezone(await _desk().timezone(tenant_id=operator.tenant_id)).date()
        filename = f"conversation-{self.selected_id}-{today.isoformat()}.csv"
        return rx.download(data=content, filename=filename, mime_type="text/csv")

    @rx.event
    async def relabel(self):
        """The operator switched language: reword what the server worded (the open thread, the window, notices)."""
        operator = await self._operator()
        if operator is None:
            return
        self.reply_error = self.canned_notice = self.template_error = self.link_error = self.link_notice = ""
        self.note_error = self.citizen_note_error = ""
        if self.selected_id:
            try:
                self.show_thread(await _desk().thread(tenant_id=operator.tenant_id, conversation_id=self.selected_id))
            except inbox.InboxError:
                self._forget_conversation()


on_language_switch(InboxState.relabel)
