"""An organisation's distribution lists ("Trànsit", "Cultura", "Emergències") and who is on them.

A list has, in each of the organisation's languages, a name, a description and the phrases citizens write to join and
leave it (`ALTA TRANSIT` / `BAIXA TRANSIT`, `ALTA TRAFICO` / `BAJA TRAFICO`, `JOIN TRAFFIC` / `LEAVE TRAFFIC`). A join
phrase starts with a join word (`ALTA`, `JOIN`) and a leave phrase with a leave word (`BAIXA`, `BAJA`, `LEAVE`): that
is what lets the message path tell a list command from any other text by its first word, without a query
(`might_be_command`). Phrases are unique in the organisation as citizens type them (`matching.normalize`: case and
accents do not count).

Consent is per citizen, list and channel (a WhatsApp broadcast goes only to the numbers consent was recorded for): a
`ListSubscription` row is the current state, and every change appends a `ListConsent` row saying when and how
(keyword, operator, import, stop) and which operator; a list's growth is counted from those. Another organisation's
list or citizen is refused as not found. These functions work inside a session the caller commits
(`core.list_desk.ListDesk`, the message path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import delete, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from citymes_app.core.csvfiles import header_problems, open_csv
from citymes_app.core.matching import normalize
from citymes_app.core.phrases import FieldError, Phrase
from citymes_app.models import (
    MAX_LIST_DESCRIPTION,
    MAX_LIST_NAME,
    MAX_LIST_PHRASE,
    Channel,
    Citizen,
    CitizenIdentity,
    ConsentAction,
    ConsentSource,
    Conversation,
    DistributionList,
    Keyword,
    ListConsent,
    ListPhrase,
    ListSubscription,
    ListWording,
    Tenant,
    folded,
    row_id,
    utcnow,
)

# The first word of a join / leave phrase, in any of our languages.
JOIN_WORDS = frozenset({"alta", "join"})
LEAVE_WORDS = frozenset({"baixa", "baja", "leave"})
# Leaving every list, and asking for the lists: the language each is written in (None: any).
LEAVE_ALL: dict[str, str | None] = {"baixa tot": "ca", "baixa totes": "ca", "baja todo": "es", "baja todas": "es"}
LEAVE_ALL |= {"leave all": "en", "stop": None}
LISTS_COMMANDS: dict[str, str] = {"llistes": "ca", "listas": "es", "lists": "en"}
# What a join / leave word says about the language it was written in (`alta` is both Catalan and Spanish).
PREFIX_LANGUAGES: dict[str, tuple[str, ...]] = {
    "alta": ("ca", "es"),
    "baixa": ("ca",),
    "baja": ("es",),
    "join": ("en",),
    "leave": ("en",),
}
COMMAND_FIRST_WORDS = frozenset({*JOIN_WORDS, *LEAVE_WORDS, *LISTS_COMMANDS, *(phrase.split()[0] for phrase in LEAVE_ALL)})
MEMBERS_PAGE_SIZE = 25
GROWTH_DAYS = 30
CSV_COLUMNS = ["platform", "identity"]
PLATFORMS = ("telegram", "whatsapp")
PHONE_PLATFORM = "whatsapp"  # the platform that knows citizens by their phone number


class ListError(FieldError):
    """A list that cannot be saved, or a member who cannot be added; `field` ("name_ca", "join_es", "" ...) says where
    to show it."""


@dataclass(frozen=True)
class ListTexts:
    """A list's words in one language."""

    language: str
    name: str
    description: str = ""
    join_phrase: str = ""
    leave_phrase: str = ""


@dataclass(frozen=True)
class ListOverview:
    """A list as its administrators' page shows it: its words per language and how many citizens are on it."""

    id: int
    name: str  # in the language asked for (else the first one it has)
    texts: dict[str, ListTexts]
    members: int


@dataclass(frozen=True)
class ListChange:
    """What a save or a deletion did: the list's id and name, and the conversations of the citizens who were on it
    (their panels show their lists)."""

    id: int
    name: str
    citizen_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Member:
    """A citizen on a list, on one channel."""

    subscription_id: int
    citizen_id: int
    name: str
    phone: str
    platform: str
    channel_name: str
    since: datetime  # UTC
    source: ConsentSource


@dataclass(frozen=True)
class MembersPage:
    """One page of a list's members, newest first, and how many there are in all."""

    total: int
    page: int
    pages: int
    members: list[Member]


@dataclass(frozen=True)
class DayGrowth:
    """Who joined and left a list on one day (the organisation's day)."""

    day: date
    joined: int
    left: int


@dataclass(frozen=True)
class ListGrowth:
    """A list's members now and its joins and leaves per day over the last `GROWTH_DAYS` days, oldest first."""

    members: int
    days: list[DayGrowth]


@dataclass(frozen=True)
class CitizenSubscription:
    """One of a citizen's subscriptions, as the inbox's citizen panel shows it."""

    subscription_id: int
    list_id: int
    platform: str
    channel_name: str
    since: datetime  # UTC
    source: ConsentSource
    operator_id: int | None


@dataclass(frozen=True)
class ListNames:
    """A list's name in each of the languages it has."""

    id: int
    names: dict[str, str]

    def name(self, language: str | None) -> str:
        """Its name in `language`, else in the first language it has."""
        if language and language in self.names:
            return self.names[language]
        return next(iter(self.names.values()), "")


@dataclass(frozen=True)
class CitizenChoice:
    """A citizen an administrator can add to a list."""

    id: int
    name: str
    phone: str


@dataclass(frozen=True)
class MemberImportReport:
    """What an import did, or every line it refused (nothing is imported then): phrases, worded by the interface."""

    added: int
    already: int
    errors: list[Phrase] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def tenant_languages(tenant: Tenant) -> list[str]:
    """The organisation's languages, its first one first."""
    return [code for code in tenant.languages.split(",") if code]


def _wordings(session: Session, *, tenant_id: int, list_ids: Sequence[int] | None = None) -> dict[int, dict[str, ListWording]]:
    query = select(ListWording).where(ListWording.tenant_id == tenant_id)
    if list_ids is not None:
        query = query.where(col(ListWording.list_id).in_(list_ids))
    found: dict[int, dict[str, ListWording]] = {}
    for wording in session.exec(query.order_by(col(ListWording.id))):
        found.setdefault(wording.list_id, {})[wording.language] = wording
    return found


def _name_in(wordings: Mapping[str, ListWording], language: str | None) -> str:
    if language and language in wordings:
        return wordings[language].name
    return next(iter(wordings.values())).name if wordings else ""


def list_names(session: Session, *, tenant_id: int, language: str | None) -> dict[int, str]:
    """The organisation's lists by id, with their names in `language` (else in the first language they have)."""
    return {list_id: _name_in(w, language) for list_id, w in _wordings(session, tenant_id=tenant_id).items()}


def _member_counts(session: Session, *, tenant_id: int) -> dict[int, int]:
    rows = session.exec(
        select(ListSubscription.list_id, func.count(func.distinct(ListSubscription.citizen_id)))
        .where(ListSubscription.tenant_id == tenant_id)
        .group_by(col(ListSubscription.list_id))
    ).all()
    return {list_id: int(n) for list_id, n in rows}


def list_overviews(session: Session, *, tenant_id: int, language: str | None) -> list[ListOverview]:
    """The organisation's lists by name in `language`, each with its words and number of members (citizens)."""
    counts = _member_counts(session, tenant_id=tenant_id)
    overviews = [
        ListOverview(
            list_id,
            _name_in(wordings, language),
            {code: ListTexts(code, w.name, w.description, w.join_phrase, w.leave_phrase) for code, w in wordings.items()},
            counts.get(list_id, 0),
        )
        for list_id, wordings in _wordings(session, tenant_id=tenant_id).items()
    ]
    return sorted(overviews, key=lambda o: (o.name.casefold(), o.id))


def _own_list(session: Session, *, tenant_id: int, list_id: object) -> DistributionList:
    found = session.get(DistributionList, list_id) if type(list_id) is int else None
    if found is None or found.tenant_id != tenant_id:  # another organisation's: as if missing
        raise ListError("", "this list does not exist")
    return found


def _clean(value: object) -> str:
    return " ".join((value if type(value) is str else "").split())


def _check_phrase(phrase: str, *, language: str, joining: bool) -> str:
    where = f"{'join' if joining else 'leave'}_{language}"
    key = normalize(phrase)
    words = key.split()
    if not words and joining:
        raise ListError(where, "write the phrase citizens send to join")
    if not words:
        raise ListError(where, "write the phrase citizens send to leave")
    if len(phrase) > MAX_LIST_PHRASE:
        raise ListError(where, "a phrase has at most {limit} characters", limit=MAX_LIST_PHRASE)
    allowed = JOIN_WORDS if joining else LEAVE_WORDS
    if words[0] not in allowed or len(words) < 2:
        if joining:
            raise ListError(where, "a join phrase is ALTA or JOIN followed by the list's word (ALTA TRANSIT)")
        raise ListError(where, "a leave phrase is BAIXA, BAJA or LEAVE followed by the list's word (BAIXA TRANSIT)")
    if key in LEAVE_ALL:
        raise ListError(where, "{phrase} leaves every list: choose another phrase", phrase=phrase)
    return key


def _checked_texts(tenant: Tenant, texts: Mapping[str, ListTexts]) -> list[tuple[ListTexts, str, str]]:
    """The texts of every language of the organisation, tidied, with their phrases' keys; `ListError` names the first
    field at fault."""
    checked: list[tuple[ListTexts, str, str]] = []
    keys: dict[str, str] = {}
    for language in tenant_languages(tenant):
        received: object = texts.get(language)
        given = received if isinstance(received, ListTexts) else ListTexts(language, "")
        name, description = _clean(given.name), _clean(given.description)
        join, leave = _clean(given.join_phrase).upper(), _clean(given.leave_phrase).upper()
        name_field, description_field = "name_" + language, "description_" + language
        if not name:
            raise ListError(name_field, "write the list's name")
        if len(name) > MAX_LIST_NAME:
            raise ListError(name_field, "a list's name has at most {limit} characters", limit=MAX_LIST_NAME)
        if len(description) > MAX_LIST_DESCRIPTION:
            raise ListError(description_field, "a list's description has at most {limit} characters", limit=MAX_LIST_DESCRIPTION)
        join_key = _check_phrase(join, language=language, joining=True)
        leave_key = _check_phrase(leave, language=language, joining=False)
        for key, where, phrase in ((join_key, f"join_{language}", join), (leave_key, f"leave_{language}", leave)):
            # The same phrase in two languages of one list is fine for joining ("ALTA" is Catalan and Spanish) only if
            # it does the same thing.
            if keys.get(key, where.split("_")[0]) != where.split("_")[0]:
                raise ListError(where, "{phrase} is already used by this list to do the opposite", phrase=phrase)
            keys[key] = where.split("_")[0]
        checked.append((ListTexts(language, name, description, join, leave), join_key, leave_key))
    return checked


def _check_phrases_free(session: Session, *, tenant_id: int, list_id: int | None, checked) -> None:  # noqa: ANN001
    for texts, join_key, leave_key in checked:
        for key, where, phrase in (
            (join_key, f"join_{texts.language}", texts.join_phrase),
            (leave_key, f"leave_{texts.language}", texts.leave_phrase),
        ):
            taken = session.exec(
                select(ListWording).where(
                    ListWording.tenant_id == tenant_id,
                    or_(col(ListWording.join_key) == key, col(ListWording.leave_key) == key),
                    col(ListWording.list_id) != (list_id or 0),
                )
            ).first()
            if taken is not None:
                raise ListError(where, "{phrase} is already used by the list {name}", phrase=phrase, name=taken.name)
            keyword = session.exec(
                select(Keyword.keyword).where(Keyword.tenant_id == tenant_id, Keyword.normalized == key)
            ).first()
            if keyword is not None:  # the list would answer instead of the keyword
                raise ListError(where, "{phrase} is already a keyword ({keyword})", phrase=phrase, keyword=keyword)


def save_list(session: Session, *, tenant: Tenant, list_id: int | None, texts: Mapping[str, ListTexts]) -> ListChange:
    """Create a list of the organisation (`list_id` None) or change one of its own, with its words in every one of the
    organisation's languages; `ListError` names the field at fault."""
    tenant_id = row_id(tenant)
    existing = None if list_id is None else _own_list(session, tenant_id=tenant_id, list_id=list_id)
    checked = _checked_texts(tenant, texts)
    _check_phrases_free(session, tenant_id=tenant_id, list_id=list_id, checked=checked)
    distribution_list = existing or DistributionList(tenant_id=tenant_id)
    session.add(distribution_list)
    session.flush()
    saved_id = row_id(distribution_list)
    current = _wordings(session, tenant_id=tenant_id, list_ids=[saved_id]).get(saved_id, {})
    # The list's phrases are written again: cleared first, so a phrase moving between languages never collides.
    session.exec(delete(ListPhrase).where(col(ListPhrase.list_id) == saved_id))
    session.flush()
    phrases = {key: True for _, key, _ in checked} | {key: False for _, _, key in checked}
    session.add_all(ListPhrase(tenant_id=tenant_id, list_id=saved_id, phrase_key=key, joining=j) for key, j in phrases.items())
    try:
        session.flush()
    except IntegrityError as exc:  # another administrator saved one of these phrases for another list just now
        raise ListError("", "one of these phrases was just given to another list: look at the lists and save again") from exc
    for texts_in, join_key, leave_key in checked:
        kept: ListWording | None = current.pop(texts_in.language, None)
        wording = (
            kept
            if kept is not None
            else ListWording(
                tenant_id=tenant_id,
                list_id=saved_id,
                language=texts_in.language,
                name="",
                join_phrase="",
                leave_phrase="",
                join_key="",
                leave_key="",
            )
        )
        wording.name, wording.description = texts_in.name, texts_in.description
        wording.join_phrase, wording.leave_phrase = texts_in.join_phrase, texts_in.leave_phrase
        wording.join_key, wording.leave_key = join_key, leave_key
        session.add(wording)
    for stale in current.values():  # a language the organisation no longer offers
        session.delete(stale)
    session.flush()
    return ListChange(saved_id, checked[0][0].name, _citizens_on(session, list_id=saved_id))


def _citizens_on(session: Session, *, list_id: int) -> tuple[int, ...]:
    rows = session.exec(select(ListSubscription.citizen_id).where(ListSubscription.list_id == list_id).distinct()).all()
    return tuple(sorted(rows))


def delete_list(session: Session, *, tenant: Tenant, list_id: int) -> ListChange:
    """Delete one of the organisation's lists, its subscriptions and their history."""
    tenant_id = row_id(tenant)
    distribution_list = _own_list(session, tenant_id=tenant_id, list_id=list_id)
    wordings = _wordings(session, tenant_id=tenant_id, list_ids=[list_id]).get(list_id, {})
    change = ListChange(list_id, _name_in(wordings, tenant_languages(tenant)[0]), _citizens_on(session, list_id=list_id))
    for table in (ListConsent, ListSubscription, ListPhrase, ListWording):
        session.exec(delete(table).where(col(table.list_id) == list_id))
    session.delete(distribution_list)
    session.flush()
    return change


def _record(
    session: Session,
    *,
    subscription: ListSubscription,
    action: ConsentAction,
    source: ConsentSource,
    operator_id: int | None,
    at: datetime,
) -> None:
    session.add(
        ListConsent(
            tenant_id=subscription.tenant_id,
            list_id=subscription.list_id,
            citizen_id=subscription.citizen_id,
            channel_id=subscription.channel_id,
            action=action,
            source=source,
            operator_id=operator_id,
            at=at,
        )
    )


def _own_citizen(session: Session, *, tenant_id: int, citizen_id: object) -> Citizen:
    citizen = session.get(Citizen, citizen_id) if type(citizen_id) is int else None
    if citizen is None or citizen.tenant_id != tenant_id:
        raise ListError("citizen", "this citizen does not exist")
    return citizen


def _own_channel(session: Session, *, tenant_id: int, channel_id: object) -> Channel:
    channel = session.get(Channel, channel_id) if type(channel_id) is int else None
    if channel is None or channel.tenant_id != tenant_id:
        raise ListError("channel", "this channel does not exist")
    return channel


def subscribe(
    session: Session,
    *,
    tenant_id: int,
    list_id: int,
    citizen_id: int,
    channel_id: int,
    source: ConsentSource,
    operator_id: int | None = None,
    at: datetime | None = None,
) -> bool:
    """Put a citizen of the organisation on one of its lists, on one of its channels, with the consent recorded; False
    when they were already on it there (nothing is recorded then)."""
    _own_list(session, tenant_id=tenant_id, list_id=list_id)
    _own_citizen(session, tenant_id=tenant_id, citizen_id=citizen_id)
    _own_channel(session, tenant_id=tenant_id, channel_id=channel_id)
    existing = session.exec(
        select(ListSubscription).where(
            ListSubscription.list_id == list_id,
            ListSubscription.citizen_id == citizen_id,
            ListSubscription.channel_id == channel_id,
        )
    ).first()
    if existing is not None:
        return False
    at = at or utcnow()
    subscription = ListSubscription(
        tenant_id=tenant_id,
        list_id=list_id,
        citizen_id=citizen_id,
        channel_id=channel_id,
        source=source,
        operator_id=operator_id,
        since=at,
    )
    session.add(subscription)
    _record(session, subscription=subscription, action=ConsentAction.JOINED, source=source, operator_id=operator_id, at=at)
    session.flush()
    return True


def _leave(session: Session, subscriptions: Sequence[ListSubscription], *, source: ConsentSource, operator_id: int | None) -> int:
    at = utcnow()
    for subscription in subscriptions:
        _record(session, subscription=subscription, action=ConsentAction.LEFT, source=source, operator_id=operator_id, at=at)
        session.delete(subscription)
    session.flush()
    return len(subscriptions)


def unsubscribe(
    session: Session,
    *,
    tenant_id: int,
    list_id: int,
    citizen_id: int,
    channel_id: int | None,
    source: ConsentSource,
    operator_id: int | None = None,
) -> bool:
    """Take a citizen off a list of the organisation on one channel (`channel_id` None: on every channel), with the
    consent's end recorded; False when they were not on it."""
    _own_list(session, tenant_id=tenant_id, list_id=list_id)
    query = select(ListSubscription).where(
        ListSubscription.tenant_id == tenant_id,
        ListSubscription.list_id == list_id,
        ListSubscription.citizen_id == citizen_id,
    )
    if channel_id is not None:
        query = query.where(ListSubscription.channel_id == channel_id)
    return _leave(session, list(session.exec(query)), source=source, operator_id=operator_id) > 0


def remove_subscription(
    session: Session, *, tenant_id: int, subscription_id: object, source: ConsentSource, operator_id: int | None
) -> ListSubscription:
    """Take one subscription of the organisation away (an administrator or operator removing a member); returns it."""
    subscription = session.get(ListSubscription, subscription_id) if type(subscription_id) is int else None
    if subscription is None or subscription.tenant_id != tenant_id:
        raise ListError("", "this subscription does not exist")
    _leave(session, [subscription], source=source, operator_id=operator_id)
    return subscription


def leave_everything(session: Session, *, tenant_id: int, citizen_id: int) -> int:
    """Take a citizen off every list of the organisation on every channel (STOP, BAIXA TOT); how many subscriptions
    ended."""
    rows = list(
        session.exec(
            select(ListSubscription).where(ListSubscription.tenant_id == tenant_id, ListSubscription.citizen_id == citizen_id)
        )
    )
    return _leave(session, rows, source=ConsentSource.STOP, operator_id=None)


def merge_subscriptions(session: Session, *, keep_id: int, merge_id: int) -> None:
    """Before two records of one citizen are linked: the subscriptions of `merge_id` that `keep_id` also has (same list
    and channel) go, so the one left is the older consent; the rest move over with the record's other rows."""
    kept = {
        (s.list_id, s.channel_id): s for s in session.exec(select(ListSubscription).where(ListSubscription.citizen_id == keep_id))
    }
    for subscription in session.exec(select(ListSubscription).where(ListSubscription.citizen_id == merge_id)).all():
        twin = kept.get((subscription.list_id, subscription.channel_id))
        if twin is None:
            continue
        if subscription.since < twin.since:
            twin.since, twin.source, twin.operator_id = subscription.since, subscription.source, subscription.operator_id
            session.add(twin)
        session.delete(subscription)
    session.flush()


def members(session: Session, *, tenant_id: int, list_id: int, page: int = 1, page_size: int = MEMBERS_PAGE_SIZE) -> MembersPage:
    """One page of a list's members (one line per citizen and channel), newest first."""
    _own_list(session, tenant_id=tenant_id, list_id=list_id)
    where = (ListSubscription.tenant_id == tenant_id, ListSubscription.list_id == list_id)
    total = int(session.exec(select(func.count()).select_from(ListSubscription).where(*where)).one())
    pages = max(1, -(-total // page_size))
    page = min(max(page if type(page) is int else 1, 1), pages)
    rows = session.exec(
        select(ListSubscription, Citizen, Channel)
        .join(Citizen, col(Citizen.id) == ListSubscription.citizen_id)
        .join(Channel, col(Channel.id) == ListSubscription.channel_id)
        .where(*where)
        .order_by(col(ListSubscription.since).desc(), col(ListSubscription.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return MembersPage(
        total,
        page,
        pages,
        [
            Member(
                row_id(s), row_id(c), c.display_name, c.phone or "", ch.platform, ch.name or "", s.since, ConsentSource(s.source)
            )
            for s, c, ch in rows
        ],
    )


def growth(session: Session, *, tenant: Tenant, list_id: int, today: date | None = None) -> ListGrowth:
    """A list's members now (citizens) and who joined and left it each day of the last `GROWTH_DAYS` days (the
    organisation's days), counted from the consent history."""
    tenant_id = row_id(tenant)
    _own_list(session, tenant_id=tenant_id, list_id=list_id)
    zone = ZoneInfo(tenant.timezone)
    today = today or utcnow().astimezone(zone).date()
    first = today - timedelta(days=GROWTH_DAYS - 1)
    start = datetime.combine(first, datetime.min.time(), zone)
    joined: dict[date, int] = {}
    left: dict[date, int] = {}
    for action, at in session.exec(
        select(ListConsent.action, ListConsent.at).where(
            ListConsent.tenant_id == tenant_id, ListConsent.list_id == list_id, col(ListConsent.at) >= start
        )
    ):
        day = at.astimezone(zone).date()
        counter = joined if action == ConsentAction.JOINED else left
        counter[day] = counter.get(day, 0) + 1
    count = _member_counts(session, tenant_id=tenant_id).get(list_id, 0)
    days = [first + timedelta(days=n) for n in range(GROWTH_DAYS)]
    return ListGrowth(count, [DayGrowth(day, joined.get(day, 0), left.get(day, 0)) for day in days])


def list_names_by_language(session: Session, *, tenant_id: int) -> list[ListNames]:
    """Every list of the organisation with its name in each language it has (the inbox words them per operator)."""
    return [
        ListNames(list_id, {code: w.name for code, w in wordings.items()})
        for list_id, wordings in _wordings(session, tenant_id=tenant_id).items()
    ]


def citizen_subscriptions(session: Session, *, tenant_id: int, citizen_id: int) -> list[CitizenSubscription]:
    """A citizen's subscriptions (one per list and channel), oldest first."""
    rows = session.exec(
        select(ListSubscription, Channel)
        .join(Channel, col(Channel.id) == ListSubscription.channel_id)
        .where(ListSubscription.tenant_id == tenant_id, ListSubscription.citizen_id == citizen_id)
        .order_by(col(ListSubscription.since), col(ListSubscription.id))
    ).all()
    return [
        CitizenSubscription(row_id(s), s.list_id, ch.platform, ch.name or "", s.since, ConsentSource(s.source), s.operator_id)
        for s, ch in rows
    ]


def citizen_choices(session: Session, *, tenant_id: int, search: str, limit: int = 10) -> list[CitizenChoice]:
    """The organisation's citizens whose name or phone has `search` in it (case and accents folded), by name."""
    words = folded(_clean(search))
    if not words:
        return []
    digits = "".join(ch for ch in words if ch.isdigit())
    match = col(Citizen.search_name).contains(words)
    if digits and len(digits) >= 3:
        match = or_(match, col(Citizen.phone).contains(digits))
    rows = session.exec(
        select(Citizen)
        .where(Citizen.tenant_id == tenant_id, match)
        .order_by(col(Citizen.search_name), col(Citizen.id))
        .limit(limit)
    )
    return [CitizenChoice(row_id(c), c.display_name, c.phone or "") for c in rows]


def last_channel(session: Session, *, tenant_id: int, citizen_id: int, platform: str | None = None) -> int | None:
    """The channel the citizen last wrote to (on `platform`, if given): where a subscription made for them goes."""
    query = (
        select(Conversation.channel_id)
        .join(Channel, col(Channel.id) == Conversation.channel_id)
        .where(Conversation.tenant_id == tenant_id, Conversation.citizen_id == citizen_id)
    )
    if platform is not None:
        query = query.where(Channel.platform == platform)
    return session.exec(query.order_by(col(Conversation.last_message_at).desc(), col(Conversation.id).desc())).first()


def add_member(
    session: Session, *, tenant_id: int, list_id: int, citizen_id: int, channel_id: int | None, operator_id: int | None
) -> bool:
    """An administrator or operator puts a citizen on a list (on `channel_id`, else the channel they last wrote to);
    False when they were already on it there."""
    _own_citizen(session, tenant_id=tenant_id, citizen_id=citizen_id)
    channel = channel_id if channel_id is not None else last_channel(session, tenant_id=tenant_id, citizen_id=citizen_id)
    if channel is None:
        raise ListError("citizen", "this citizen has never written to the organisation: there is no channel to reach them on")
    return subscribe(
        session,
        tenant_id=tenant_id,
        list_id=list_id,
        citizen_id=citizen_id,
        channel_id=channel,
        source=ConsentSource.OPERATOR,
        operator_id=operator_id,
    )


def _phone_identity(identity: str) -> str | None:
    """A WhatsApp identity (the number without "+") from a phone number as people write it; None if not a number."""
    try:
        parsed = phonenumbers.parse(identity if identity.startswith("+") else "+" + identity, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def import_members_csv(
    session: Session, *, tenant: Tenant, list_id: int, content: str, operator_id: int | None = None
) -> MemberImportReport:
    """Put the citizens of a `platform,identity` CSV on a list (identity: the platform's user id, or the phone number on
    WhatsApp); all lines or, if any is refused, none — the report names every refused line and why."""
    tenant_id = row_id(tenant)
    _own_list(session, tenant_id=tenant_id, list_id=list_id)
    reader, header = open_csv(content if type(content) is str else "")
    problems = header_problems(header, allowed=CSV_COLUMNS, required=CSV_COLUMNS)
    if problems:
        return MemberImportReport(0, 0, problems)
    errors: list[Phrase] = []
    planned: list[tuple[int, int]] = []
    seen: dict[tuple[str, str], int] = {}
    for line_no, raw in enumerate(reader, start=2):
        line = str(line_no)
        if None in raw:
            errors.append(Phrase("line {line}: more values than columns", {"line": line}))
            continue
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        platform, identity = row.get("platform", "").lower(), row.get("identity", "")
        if platform not in PLATFORMS:
            errors.append(
                Phrase("line {line}: unknown platform '{platform}' (telegram or whatsapp)", {"line": line, "platform": platform})
            )
            continue
        if not identity:
            errors.append(Phrase("line {line}: the identity is empty", {"line": line}))
            continue
        if platform == PHONE_PLATFORM:
            number = _phone_identity(identity)
            if number is None:
                errors.append(Phrase("line {line}: not a valid international phone number (e.g. +34600111222)", {"line": line}))
                continue
            identity = number
        key = (platform, identity)
        if key in seen:
            errors.append(Phrase("line {line}: the same citizen as line {first}", {"line": line, "first": str(seen[key])}))
            continue
        seen[key] = line_no
        citizen_id = session.exec(
            select(CitizenIdentity.citizen_id).where(
                CitizenIdentity.tenant_id == tenant_id,
                CitizenIdentity.platform == platform,
                CitizenIdentity.platform_user_id == identity,
            )
        ).first()
        channel_id = (
            None if citizen_id is None else last_channel(session, tenant_id=tenant_id, citizen_id=citizen_id, platform=platform)
        )
        if citizen_id is None or channel_id is None:
            errors.append(Phrase("line {line}: no citizen of the organisation is known by this identity", {"line": line}))
            continue
        planned.append((citizen_id, channel_id))
    if errors:
        return MemberImportReport(0, 0, errors)
    added = already = 0
    for citizen_id, channel_id in planned:
        new = subscribe(
            session,
            tenant_id=tenant_id,
            list_id=list_id,
            citizen_id=citizen_id,
            channel_id=channel_id,
            source=ConsentSource.IMPORT,
            operator_id=operator_id,
        )
        added, already = added + new, already + (not new)
    return MemberImportReport(added, already)


# --- Citizens' commands ---------------------------------------------------------------------------------------------


def might_be_command(normalized: str) -> bool:
    """Whether a (normalized) text can be a list command: its first word is one of the commands' — a set lookup, so the
    message path's fast lane asks no database for the texts that are not."""
    return normalized.partition(" ")[0] in COMMAND_FIRST_WORDS


@dataclass(frozen=True)
class ListCommand:
    """What a citizen's text asks of the lists.

    `kind`: "join" or "leave" (a list's phrase: `list_id`, `language` the phrase's), "leave_all", "lists", or "unknown"
    (a join / leave word followed by no list of the organisation). `language` is None when the command does not say.
    """

    kind: str
    language: str | None
    list_id: int | None = None
    list_name: str = ""
    leave_phrase: str = ""  # the list's, in the language of the phrase used


def read_command(session: Session, *, tenant_id: int, normalized: str, language: str | None = None) -> ListCommand | None:
    """The list command in a normalized text, or None; a phrase two languages of a list share is read in `language`
    (the citizen's) when it is one of them. One query, only for a text that starts like a command."""
    if not might_be_command(normalized):
        return None
    if normalized in LEAVE_ALL:
        return ListCommand("leave_all", LEAVE_ALL[normalized])
    if normalized in LISTS_COMMANDS:
        return ListCommand("lists", LISTS_COMMANDS[normalized])
    first = normalized.partition(" ")[0]
    if first not in PREFIX_LANGUAGES or normalized == first:
        return None
    wordings = session.exec(
        select(ListWording)
        .where(
            ListWording.tenant_id == tenant_id,
            or_(col(ListWording.join_key) == normalized, col(ListWording.leave_key) == normalized),
        )
        .order_by(col(ListWording.id))
    ).all()
    if not wordings:
        languages = PREFIX_LANGUAGES[first]
        return ListCommand("unknown", languages[0] if len(languages) == 1 else None)
    wording = next((w for w in wordings if w.language == language), wordings[0])
    kind = "join" if wording.join_key == normalized else "leave"
    return ListCommand(kind, wording.language, wording.list_id, wording.name, wording.leave_phrase)


@dataclass(frozen=True)
class ListLine:
    """A list as the citizen's `LLISTES` answer shows it."""

    name: str
    description: str
    join_phrase: str
    leave_phrase: str
    subscribed: bool


def lists_for_citizen(session: Session, *, tenant_id: int, citizen_id: int, channel_id: int, language: str) -> list[ListLine]:
    """The organisation's lists in `language` (else their first language), marking those the citizen is on, on this
    channel."""
    mine = set(
        session.exec(
            select(ListSubscription.list_id).where(
                ListSubscription.tenant_id == tenant_id,
                ListSubscription.citizen_id == citizen_id,
                ListSubscription.channel_id == channel_id,
            )
        ).all()
    )
    lines = []
    for list_id, wordings in _wordings(session, tenant_id=tenant_id).items():
        wording = wordings.get(language) or next(iter(wordings.values()))
        lines.append(ListLine(wording.name, wording.description, wording.join_phrase, wording.leave_phrase, list_id in mine))
    return sorted(lines, key=lambda line: line.name.casefold())
