"""The citizen panel of the open conversation (mixed into `InboxState`): who the citizen is, where they write from,
their earlier conversations, their distribution lists and the operators' private notes on them; writing or taking back
such a note, and adding the citizen to a list or taking them off one.

The panel is drawn from the thread's snapshot (`ThreadSnapshot.citizen`), so it follows the conversation wherever the
thread does: when it opens, and when the live bridge (`state/live.py`) redraws it — also after a colleague's note on
the same citizen, from any of their conversations. The handlers check the signed-in operator and act on the
conversation the tab has open (`selected_id`, set on the server), through the desk, which checks its organisation.
Opening an earlier conversation is `InboxState.select`, which checks it too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import reflex as rx

from citymes_app.core import inbox
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.citizen_profile import CitizenProfile
from citymes_app.core.inbox_desk import ThreadSnapshot
from citymes_app.i18n import N_, Words
from citymes_app.models import utcnow
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import LOGIN_ROUTE
from citymes_app.state.inbox_format import citizen_label, clock_label, split_preview
from citymes_app.state.wording import language_name, sentence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IdentityLine:
    """A platform the citizen writes on: how they are known there and the channels they wrote to."""

    platform: str
    address: str  # a phone number, or a masked platform id ("••••5678")
    is_phone: bool
    channels: str  # "Ajuntament, Bústia" ("" when they were never in a conversation there)


@dataclass(frozen=True)
class EarlierLine:
    """One of the citizen's other conversations."""

    id: int
    platform: str
    channel_name: str
    status: str  # open | pending | snoozed | resolved
    opened_label: str  # "Opened 3 Mar 2026"
    last_label: str  # "14:05", "Yesterday", "12 Mar"
    preview_icon: str
    preview: str  # the kind ("Photo", translated) and the text or caption


@dataclass(frozen=True)
class CitizenNoteLine:
    """A private note on the citizen, ready to draw."""

    id: int
    author: str
    text: str  # shown as text, never as HTML
    time_label: str
    mine: bool  # written by the operator of this tab: they may delete it


@dataclass(frozen=True)
class SubscriptionLine:
    """One of the citizen's list subscriptions: the list's name in the operator's language, on which channel, since
    when and how."""

    id: int
    list_name: str
    platform: str
    channel_name: str
    since: str  # "3 Mar 2026"
    how: str  # "by message", "by an operator", "imported"


@dataclass(frozen=True)
class ListOption:
    """A list of the organisation the operator can add the citizen to."""

    id: str  # as the picker sends it back
    name: str


@dataclass(frozen=True)
class CitizenCard:
    """Everything the citizen panel shows, worded in the operator's language."""

    name: str = ""
    initials: str = ""
    phone: str = ""
    language: str = ""  # "Català", or ""
    first_seen: str = ""  # "3 Mar 2026"
    unreachable: bool = False
    identities: list[IdentityLine] = field(default_factory=list)
    conversations: str = ""  # "4 conversations"
    earlier: list[EarlierLine] = field(default_factory=list)
    notes: list[CitizenNoteLine] = field(default_factory=list)
    subscriptions: list[SubscriptionLine] = field(default_factory=list)
    list_options: list[ListOption] = field(default_factory=list)


NO_CITIZEN = CitizenCard()

# How a subscription began, as the panel says it.
SUBSCRIPTION_SOURCES = {
    "keyword": N_("by message"),
    "operator": N_("by an operator"),
    "import": N_("imported"),
    "stop": N_("stop"),
}


def _initials(name: str) -> str:
    letters = [word[0] for word in name.split() if word[:1].isalpha()]
    return "".join(letters[:2]).upper() or "#"


def citizen_card(profile: CitizenProfile, *, tz: ZoneInfo, me: int, words: Words, now: datetime | None = None) -> CitizenCard:
    """The panel of a citizen as `me` (an operator id) sees it, on the organisation's clock."""
    now = now or utcnow()

    def day(moment: datetime, skeleton: str = "yMMMd") -> str:
        return words.day(moment.astimezone(tz).date(), skeleton)

    def preview(stored: str) -> tuple[str, str]:
        icon, kind, text = split_preview(stored)
        return icon, " ".join(filter(None, [words.translate(kind) if kind else "", text]))

    name = citizen_label(profile.name, profile.citizen_id, words)
    names = {listed.id: listed.name(words.language) for listed in profile.organisation_lists}
    return CitizenCard(
        name=name,
        initials=_initials(profile.name),
        phone=profile.phone,
        language=language_name(profile.language) if profile.language else "",
        first_seen=day(profile.first_seen),
        unreachable=profile.unreachable,
        identities=[
            IdentityLine(i.platform, i.address, i.is_phone, ", ".join(c or words.t("Unnamed channel") for c in i.channels))
            for i in profile.identities
        ],
        conversations=words.tn("{n} conversation", "{n} conversations", profile.conversation_count),
        earlier=[
            EarlierLine(
                id=c.id,
                platform=c.platform,
                channel_name=c.channel_name,
                status=c.status.value,
                opened_label=words.t("Opened {day}", day=day(c.opened_at, "yMd")),  # short: beside its state
                last_label=clock_label(c.last_message_at, tz=tz, now=now, words=words),
                preview_icon=preview(c.preview)[0],
                preview=preview(c.preview)[1],
            )
            for c in profile.earlier
        ],
        notes=[
            CitizenNoteLine(
                id=n.id,
                author=n.operator_name or words.t("Operator"),
                text=n.text,
                time_label=clock_label(n.created_at, tz=tz, now=now, words=words, with_time=True),
                mine=n.operator_id == me,
            )
            for n in profile.notes
        ],
        subscriptions=[
            SubscriptionLine(
                id=s.subscription_id,
                list_name=names.get(s.list_id, ""),
                platform=s.platform,
                channel_name=s.channel_name or words.t("Unnamed channel"),
                since=day(s.since),
                how=words.translate(SUBSCRIPTION_SOURCES.get(s.source, s.source)),
            )
            for s in profile.subscriptions
        ],
        list_options=sorted(
            (ListOption(str(list_id), name) for list_id, name in names.items()), key=lambda option: option.name.casefold()
        ),
    )


class CitizenPanel(rx.State, mixin=True):
    """The panel's contents, whether it is shown, and the note being written; needs the tab's `selected_id`,
    `_operator()`, `_words()` and `me_id` (the signed-in operator, from `ConversationWork`)."""

    if TYPE_CHECKING:  # provided by the state this is mixed into (`InboxState`)
        selected_id: int
        me_id: int

        async def _operator(self) -> SignedInOperator | None: ...

        def _words(self) -> Words: ...

    citizen: CitizenCard = NO_CITIZEN
    citizen_panel_open: bool = True  # the operator may fold it away for a wider thread; it stays so for the tab
    citizen_note_draft: str = ""
    citizen_note_error: str = ""
    saving_citizen_note: bool = False
    editing_citizen_note_id: int = 0  # one of the operator's own notes, being changed in the note box (0: a new one)
    citizen_list_error: str = ""

    def _show_citizen(self, snapshot: ThreadSnapshot) -> None:
        if snapshot.citizen is None:
            self.citizen = NO_CITIZEN
            return
        self.citizen = citizen_card(snapshot.citizen, tz=snapshot.timezone, me=self.me_id, words=self._words())

    def _forget_citizen(self) -> None:
        self.citizen, self.citizen_note_draft, self.citizen_note_error, self.saving_citizen_note = NO_CITIZEN, "", "", False
        self.editing_citizen_note_id, self.citizen_list_error = 0, ""

    @rx.event
    def toggle_citizen_panel(self):
        """Show or fold away the citizen panel."""
        self.citizen_panel_open = not self.citizen_panel_open

    @rx.event
    def set_citizen_note_draft(self, value: str):
        """The citizen note box changed."""
        if type(value) is not str:  # a raw client may send anything
            return
        self.citizen_note_draft = value
        if self.citizen_note_error:
            self.citizen_note_error = ""

    @rx.event
    def edit_citizen_note(self, note_id: int):
        """Bring one of the operator's own notes into the note box to change it (the desk checks it is theirs)."""
        if type(note_id) is not int:  # a raw client may send anything
            return
        note = next((n for n in self.citizen.notes if n.id == note_id and n.mine), None)
        if note is None:
            return
        self.editing_citizen_note_id, self.citizen_note_draft, self.citizen_note_error = note_id, note.text, ""

    @rx.event
    def cancel_citizen_note_edit(self):
        """Leave the note being changed as it was."""
        self.editing_citizen_note_id, self.citizen_note_draft, self.citizen_note_error = 0, "", ""

    @rx.event
    async def save_citizen_note(self, form_data: dict[str, Any]):
        """Save the note in the box on the open conversation's citizen (or the changed text of the operator's note being
        edited); every tab showing that citizen sees it."""
        if self.saving_citizen_note or not self.selected_id:
            return
        received: Any = form_data  # a raw client may send anything
        written = received.get("citizen_note", self.citizen_note_draft) if isinstance(received, dict) else ""
        text = written if isinstance(written, str) else ""
        operator = await self._operator()
        if operator is None:
            yield rx.redirect(LOGIN_ROUTE)
            return
        self.saving_citizen_note = True
        yield
        try:
            if self.editing_citizen_note_id:
                await get_runtime().inbox.edit_citizen_note(operator=operator, note_id=self.editing_citizen_note_id, text=text)
            else:
                await get_runtime().inbox.add_citizen_note(operator=operator, conversation_id=self.selected_id, text=text)
        except inbox.InboxError as exc:
            self.citizen_note_error, self.citizen_note_draft = sentence(exc, self._words()), text
            return
        except Exception as exc:
            log.error("a note on the citizen of conversation %s could not be saved: %s", self.selected_id, type(exc).__name__)
            self.citizen_note_error = self._words().t("The note could not be saved. Try again in a moment.")
            self.citizen_note_draft = text
            return
        finally:
            self.saving_citizen_note = False
        self.citizen_note_draft, self.citizen_note_error, self.editing_citizen_note_id = "", "", 0

    @rx.event
    async def delete_citizen_note(self, note_id: int):
        """Take back one of the operator's own notes on the citizen."""
        if type(note_id) is not int or not self.selected_id:  # a raw client may send anything
            return
        operator = await self._operator()
        if operator is None:
            yield rx.redirect(LOGIN_ROUTE)
            return
        try:
            await get_runtime().inbox.delete_citizen_note(operator=operator, note_id=note_id)
        except inbox.InboxError as exc:
            self.citizen_note_error = sentence(exc, self._words())

    @rx.event
    async def add_citizen_to_list(self, list_id: str):
        """Put the open conversation's citizen on a list, on this conversation's channel; every tab showing them sees
        it."""
        chosen = int(list_id) if type(list_id) is str and list_id.isdigit() else 0  # a raw client may send anything
        if not chosen or not self.selected_id:
            return
        await self._change_lists(
            lambda operator: get_runtime().inbox.add_to_list(operator=operator, conversation_id=self.selected_id, list_id=chosen)
        )

    @rx.event
    async def remove_citizen_subscription(self, subscription_id: int):
        """Take one of the citizen's subscriptions away."""
        if type(subscription_id) is not int or not self.selected_id:  # a raw client may send anything
            return
        await self._change_lists(
            lambda operator: get_runtime().inbox.remove_from_list(
                operator=operator, conversation_id=self.selected_id, subscription_id=subscription_id
            )
        )

    async def _change_lists(self, change) -> None:  # noqa: ANN001
        operator = await self._operator()
        if operator is None:
            return
        self.citizen_list_error = ""
        try:
            await change(operator)
        except inbox.InboxError as exc:
            self.citizen_list_error = sentence(exc, self._words())
        except Exception as exc:
            log.error("the lists of the citizen of conversation %s could not change: %s", self.selected_id, type(exc).__name__)
            self.citizen_list_error = self._words().t("The lists could not be changed. Try again in a moment.")
