"""Automatic answers, decided in this order for a citizen's text:

1. an index command (`PARAULES CLAU`, `PALABRAS CLAVE`, `KEYWORDS`, with `TOTES`/`TODAS`/`ALL [page]`);
2. a distribution list's command (`core.lists`): a list's join or leave phrase, `BAIXA TOT` / `BAJA TODO` /
   `LEAVE ALL` / `STOP`, `LLISTES` / `LISTAS` / `LISTS`;
3. a personal code (`KEYWORD CODE`);
4. a keyword (exact, inside a short sentence, or with a small typo);
5. a join or leave word followed by no list of the organisation (and no keyword): the lists, saying that one does not
   exist;
6. "did you mean A or B?" when a few keywords fit equally;
and otherwise the conversation waits for an operator, with one notice per wait (in hours: an operator will answer;
out of hours or on a holiday: when the office opens again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from citymes_app.core import codes, hours, keywords, lists, outbox, replies
from citymes_app.core.codes import CodeStatus
from citymes_app.core.db import batch_memo
from citymes_app.core.matching import Candidate, MatchStatus, normalize
from citymes_app.core.media import guess_mime
from citymes_app.core.phrases import Phrase
from citymes_app.models import Author, Citizen, ConsentSource, Conversation, Keyword, Tenant, UnmatchedQuery, row_id
from integrations.base import MessageKind

INDEX_COMMANDS = {
    "paraules clau": "ca",
    "paraula clau": "ca",
    "palabras clave": "es",
    "palabra clave": "es",
    "keywords": "en",
    "keyword": "en",
}
ALL_WORDS = {"totes", "tots", "todas", "todos", "all"}
# Listing pages stay well under the smallest platform limit (WhatsApp and Telegram: 4,096 characters).
PAGE_CHARACTERS = 3500
MAX_MENU_BUTTONS = 10


@dataclass
class Routed:
    """What routing did: the replies it enqueued, and whether they answered the citizen (else an operator will)."""

    reply_ids: list[int] = field(default_factory=list)
    answered: bool = False
    outcome: AnswerOutcome | None = None  # None: it waits for an operator
    keyword_id: int | None = None  # the keyword that answered

    def decided(self, outcome: AnswerOutcome, keyword_id: int | None = None) -> Routed:
        """Answered automatically, this way."""
        self.answered, self.outcome, self.keyword_id = True, outcome, keyword_id
        return self


@dataclass(frozen=True)
class BotReply:
    """One message the bot sends back."""

    text: str = ""
    kind: MessageKind = MessageKind.TEXT
    buttons: tuple[str, ...] = ()
    media_path: str | None = None
    media_mime: str | None = None
    media_filename: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def _send(session: Session, conversation: Conversation, routed: Routed, reply: BotReply) -> None:
    message = outbox.enqueue(
        session,
        conversation=conversation,
        author=Author.BOT,
        text=reply.text,
        kind=reply.kind,
        buttons=list(reply.buttons),
        media_path=reply.media_path,
        media_mime=reply.media_mime,
        media_filename=reply.media_filename,
        latitude=reply.latitude,
        longitude=reply.longitude,
    )
    routed.reply_ids.append(row_id(message))


def _say(session: Session, conversation: Conversation, routed: Routed, text: str, buttons: Sequence[str] = ()) -> None:
    _send(session, conversation, routed, BotReply(text=text, buttons=tuple(buttons)[:MAX_MENU_BUTTONS]))


def index_command(normalized: str) -> tuple[str, bool, int] | None:
    """(language, list all?, page) if the text asks for the keyword index."""
    for command, language in INDEX_COMMANDS.items():
        rest: list[str] | None = None
        if normalized == command or normalized.startswith(command + " "):
            rest = normalized[len(command) :].split()
        elif normalized.endswith(" " + command) and normalized[: -len(command) - 1] in ALL_WORDS:
            rest = [normalized[: -len(command) - 1]]  # "all keywords"
        if rest is None:
            continue
        if not rest:
            return language, False, 1
        if rest[0] in ALL_WORDS and len(rest) <= 2:
            page = int(rest[1]) if len(rest) == 2 and rest[1].isdigit() else 1
            return language, True, max(page, 1)
    return None


def _answer_index(session: Session, *, tenant: Tenant, conversation: Conversation, routed: Routed, command) -> None:
    language, list_all, page = command
    language = language if language in tenant.languages.split(",") else replies.language_for(tenant, language)
    if not list_all:
        chosen = keywords.featured(session, tenant_id=row_id(tenant), language=language)
        if not chosen:
            _say(session, conversation, routed, replies.text(tenant, language, "index_empty"))
            return
        lines = [replies.text(tenant, language, "index_header"), *(f"• {k.keyword}" for k in chosen)]
        lines.append(replies.text(tenant, language, "index_footer"))
        _say(session, conversation, routed, "\n".join(lines), [k.keyword for k in chosen])
        return
    names = [k.keyword for k in keywords.all_in_language(session, tenant_id=row_id(tenant), language=language)]
    if not names:
        _say(session, conversation, routed, replies.text(tenant, language, "index_empty"))
        return
    pages: list[list[str]] = [[]]
    for name in names:
        if sum(len(n) + 3 for n in pages[-1]) + len(name) + 3 > PAGE_CHARACTERS:
            pages.append([])
        pages[-1].append(name)
    page = min(page, len(pages))
    lines = [replies.text(tenant, language, "all_header", page=page, pages=len(pages))]
    lines += [f"• {name}" for name in pages[page - 1]]
    if page < len(pages):
        lines.append(replies.text(tenant, language, "all_next", next=page + 1))
    _say(session, conversation, routed, "\n".join(lines))


def keyword_replies(keyword: Keyword) -> list[BotReply]:
    """What a keyword answers: its text (with its link and menu buttons), then its file and its location if it has them."""
    body = keywords.answer_text(keyword)
    buttons = tuple(b for b in keyword.buttons.split("|") if b)[:MAX_MENU_BUTTONS]
    answers = [BotReply(text=body, buttons=buttons)]
    if keyword.media_path:
        mime = guess_mime(keyword.media_path)
        kind = MessageKind.PHOTO if mime.startswith("image/") else MessageKind.DOCUMENT
        answers.append(BotReply(kind=kind, media_path=keyword.media_path, media_mime=mime, media_filename=keyword.media_filename))
    if keyword.latitude is not None and keyword.longitude is not None:
        answers.append(BotReply(kind=MessageKind.LOCATION, latitude=keyword.latitude, longitude=keyword.longitude))
    return answers


def did_you_mean(tenant: Tenant, language: str | None, names: Sequence[str]) -> BotReply:
    """Asking which of a few equally fitting keywords the citizen meant (one button each)."""
    language = replies.language_for(tenant, language)
    options = f" {replies.text(tenant, language, 'or')} ".join(names)
    return BotReply(text=replies.text(tenant, language, "did_you_mean", options=options), buttons=tuple(names)[:MAX_MENU_BUTTONS])


def unmatched_query(tenant_id: int, channel_id: int, normalized: str, asked_at: datetime) -> dict[str, Any]:
    """The record of a question no keyword answered (the unanswered-questions report counts them by the hour they
    were asked)."""
    hour = asked_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return {"tenant_id": tenant_id, "channel_id": channel_id, "normalized": normalized[:300], "hour": hour}


def route_text(
    session: Session,
    *,
    tenant: Tenant,
    conversation: Conversation,
    citizen: Citizen,
    text: str,
    now: datetime,
    asked_at: datetime | None = None,
) -> Routed:
    """Answer `text` (sent `asked_at`, else now) automatically if an index command, personal code or keyword fits."""
    routed = Routed()
    normalized = normalize(text)
    command = index_command(normalized)
    if command is not None:
        citizen.language = command[0]
        _answer_index(session, tenant=tenant, conversation=conversation, routed=routed, command=command)
        return routed.decided(AnswerOutcome.INDEX)
    list_command = lists.read_command(session, tenant_id=row_id(tenant), normalized=normalized, language=citizen.language)
    if list_command is not None and list_command.kind != "unknown":
        _answer_list_command(
            session, tenant=tenant, conversation=conversation, citizen=citizen, routed=routed, command=list_command
        )
        return routed.decided(AnswerOutcome.LIST)
    match = keywords.keyword_index(session, tenant_id=row_id(tenant)).match(text, language=citizen.language)
    if match.entry is not None:  # matched
        keyword = session.get_one(Keyword, match.entry.id)
        citizen.language = keyword.language
        if match.code:
            _answer_code(
                session,
                tenant=tenant,
                conversation=conversation,
                citizen=citizen,
                routed=routed,
                keyword=keyword,
                code=match.code,
                now=now,
            )
            return routed.decided(AnswerOutcome.PERSONAL_CODE, keyword.id)
        for reply in keyword_replies(keyword):
            _send(session, conversation, routed, reply)
        return routed.decided(AnswerOutcome.KEYWORD, keyword.id)
    if list_command is not None:  # a join / leave word and no list of that name, nor a keyword
        _answer_list_command(
            session, tenant=tenant, conversation=conversation, citizen=citizen, routed=routed, command=list_command
        )
        return routed.decided(AnswerOutcome.LIST)
    if match.status == MatchStatus.AMBIGUOUS:
        _send(session, conversation, routed, did_you_mean(tenant, citizen.language, [e.keyword for e in match.entries]))
        return routed.decided(AnswerOutcome.AMBIGUOUS)
    if normalized:
        session.add(UnmatchedQuery(**unmatched_query(row_id(tenant), conversation.channel_id, normalized, asked_at or now)))
    return routed


def _answer_list_command(
    session: Session,
    *,
    tenant: Tenant,
    conversation: Conversation,
    citizen: Citizen,
    routed: Routed,
    command: lists.ListCommand,
) -> None:
    """Join, leave, leave everything, or list the lists — confirmed in the language of the phrase used (else the
    citizen's), on the channel written from."""
    language = replies.language_for(tenant, command.language or citizen.language)
    if command.language is not None:
        citizen.language = language
    tenant_id, citizen_id, channel_id = row_id(tenant), row_id(citizen), conversation.channel_id

    def say(key: str, **values: object) -> None:
        _say(session, conversation, routed, replies.text(tenant, language, key, **values))

    if command.kind in ("join", "leave") and command.list_id is not None:
        if command.kind == "join":
            joined = lists.subscribe(
                session,
                tenant_id=tenant_id,
                list_id=command.list_id,
                citizen_id=citizen_id,
                channel_id=channel_id,
                source=ConsentSource.KEYWORD,
            )
            say("list_joined" if joined else "list_already_joined", name=command.list_name, leave=command.leave_phrase)
            return
        left = lists.unsubscribe(
            session,
            tenant_id=tenant_id,
            list_id=command.list_id,
            citizen_id=citizen_id,
            channel_id=channel_id,
            source=ConsentSource.KEYWORD,
        )
        say("list_left" if left else "list_not_joined", name=command.list_name)
        return
    if command.kind == "leave_all":
        count = lists.leave_everything(session, tenant_id=tenant_id, citizen_id=citizen_id)
        say("list_left_all" if count else "list_left_none", count=count)
        return
    lines = [replies.text(tenant, language, "list_unknown")] if command.kind == "unknown" else []
    shown = lists.lists_for_citizen(session, tenant_id=tenant_id, citizen_id=citizen_id, channel_id=channel_id, language=language)
    if not shown:
        lines.append(replies.text(tenant, language, "lists_empty"))
    else:
        lines.append(replies.text(tenant, language, "lists_header"))
        for line in shown:
            key = "lists_line_mine" if line.subscribed else "lists_line"
            lines.append(replies.text(tenant, language, key, name=line.name, join=line.join_phrase, leave=line.leave_phrase))
        lines.append(replies.text(tenant, language, "lists_footer"))
    _say(session, conversation, routed, "\n".join(lines))


def _answer_code(
    session: Session,
    *,
    tenant: Tenant,
    conversation: Conversation,
    citizen: Citizen,
    routed: Routed,
    keyword: Keyword,
    code: str,
    now: datetime,
) -> None:
    outcome = codes.answer_code(session, keyword=keyword, citizen=citizen, code=code, now=now)
    language = replies.language_for(tenant, keyword.language)
    if outcome.status == CodeStatus.ANSWERED:
        _say(session, conversation, routed, outcome.response)
    elif outcome.status == CodeStatus.OTHER_PHONE:
        _say(session, conversation, routed, replies.text(tenant, language, "code_other_phone"))
    elif outcome.status == CodeStatus.LOCKED:
        _say(session, conversation, routed, replies.text(tenant, language, "code_locked"))
    else:
        _say(session, conversation, routed, replies.text(tenant, language, "code_wrong", keyword=keyword.keyword))


def confirm_own_contact(session: Session, *, tenant: Tenant, conversation: Conversation, citizen: Citizen) -> Routed:
    """A citizen shared their own contact (to unlock a personal code): thank them; no operator is needed."""
    routed = Routed().decided(AnswerOutcome.CONTACT)
    _say(session, conversation, routed, replies.text(tenant, replies.language_for(tenant, citizen.language), "contact_saved"))
    return routed


def notify_waiting(
    session: Session, *, tenant: Tenant, conversation: Conversation, citizen: Citizen, routed: Routed, now: datetime
) -> None:
    """Tell the citizen, once per wait, that an operator will answer — or when the office opens again."""
    if conversation.waiting_notice_sent:
        return
    _say(session, conversation, routed, waiting_notice(session, tenant=tenant, language=citizen.language, now=now))
    conversation.waiting_notice_sent = True


def waiting_notice(session: Session, *, tenant: Tenant, language: str | None, now: datetime) -> str:
    """What a citizen waiting for an operator is told: an operator will answer, or when the office opens again.

    Office hours change on the minute, so within a batch the notice is worked out once per tenant, language and minute.
    """
    minute = now.replace(second=0, microsecond=0)
    return batch_memo(
        session, ("waiting-notice", tenant.id, language, minute), lambda: _waiting_notice(session, tenant, language, now)
    )


def _waiting_notice(session: Session, tenant: Tenant, language: str | None, now: datetime) -> str:
    language = replies.language_for(tenant, language)
    if hours.is_open(session, tenant=tenant, at=now):
        return replies.text(tenant, language, "in_hours")
    opening = hours.next_opening(session, tenant=tenant, at=now)
    if opening is None:
        return replies.text(tenant, language, "out_of_hours_unknown")
    return replies.text(tenant, language, "out_of_hours", next_opening=hours.describe_opening(opening, language=language))


class AnswerOutcome(StrEnum):
    """Which step of routing answers a citizen's text."""

    INDEX = "index"  # the keyword index command
    KEYWORD = "keyword"
    PERSONAL_CODE = "personal_code"
    AMBIGUOUS = "ambiguous"  # "did you mean A or B?"
    CONTACT = "contact"  # a citizen shared their own contact: thanked
    LIST = "list"  # a distribution list's command: joined, left, or the lists shown
    OPERATOR = "operator"  # nothing fits: it waits for an operator

    @property
    def automatic(self) -> bool:
        """Answered without a person (a "did you mean" asks back: it is not an answer)."""
        return self in (
            AnswerOutcome.INDEX,
            AnswerOutcome.KEYWORD,
            AnswerOutcome.PERSONAL_CODE,
            AnswerOutcome.CONTACT,
            AnswerOutcome.LIST,
        )


@dataclass(frozen=True)
class Explanation:
    """What would answer a text, and why — the keyword editor's "try it" box (nothing is sent or recorded)."""

    outcome: AnswerOutcome
    why: Phrase  # the reason, a template the interface words in each language
    keyword: str = ""
    keyword_id: int | None = None  # the keyword that answers (keyword and personal_code outcomes)
    language: str = ""
    answer: str = ""
    buttons: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()  # what the matcher weighed, best first (none for an index command)

    @property
    def reason(self) -> str:
        """Why, in English."""
        return str(self.why)


def explain(session: Session, *, tenant: Tenant, text: str, language: str | None = None) -> Explanation:
    """Run the real matcher on `text` without side effects."""
    normalized = normalize(text)
    command = index_command(normalized)
    if command is not None:
        names = tuple(k.keyword for k in keywords.featured(session, tenant_id=row_id(tenant), language=command[0]))
        what = Phrase("the full keyword list") if command[1] else Phrase("the featured keywords")
        return Explanation(
            AnswerOutcome.INDEX,
            Phrase("an index command: answers with {what}", {"what": what}),
            language=command[0],
            buttons=names,
        )
    list_command = lists.read_command(session, tenant_id=row_id(tenant), normalized=normalized, language=language)
    list_explanation = Explanation(
        AnswerOutcome.LIST,
        Phrase("a distribution list's command: the citizen joins or leaves a list, or is shown the lists"),
        language=(list_command.language or "") if list_command is not None else "",
    )
    if list_command is not None and list_command.kind != "unknown":
        return list_explanation
    match = keywords.keyword_index(session, tenant_id=row_id(tenant)).match(text, language=language)
    if match.entry is None and list_command is not None:
        return list_explanation
    if match.entry is not None:  # matched
        keyword = session.get_one(Keyword, match.entry.id)
        if match.code:
            return Explanation(
                AnswerOutcome.PERSONAL_CODE,
                Phrase("{reason}: the personal answer for that code (or a polite refusal) is sent", {"reason": match.why}),
                keyword.keyword,
                keyword.id,
                keyword.language,
                candidates=match.candidates,
            )
        answer = keyword_replies(keyword)[0]
        return Explanation(
            AnswerOutcome.KEYWORD,
            match.why,
            keyword.keyword,
            keyword.id,
            keyword.language,
            answer.text,
            answer.buttons,
            match.candidates,
        )
    if match.status == MatchStatus.AMBIGUOUS:
        names = tuple(e.keyword for e in match.entries)
        return Explanation(
            AnswerOutcome.AMBIGUOUS,
            Phrase("{reason}: the citizen is asked which one", {"reason": match.why}),
            buttons=names,
            candidates=match.candidates,
        )
    return Explanation(
        AnswerOutcome.OPERATOR,
        Phrase("{reason}: the message waits for an operator", {"reason": match.why}),
        candidates=match.candidates,
    )
