"""Who writes what, and when, in one conversation of the demo history: the citizen's keyword questions and the bot's
answers, questions no keyword answers (texts, photos, videos, places) with the waiting notice, the operator's answers
after a realistic wait in office time, and the resolution — or, near the end of the history, a conversation still
waiting or still open.

A conversation is written to a length (how many messages it has), so the history has exactly the messages asked
for. Instants are whole seconds since the epoch; nothing here touches the database (`demo_history` writes it).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import NamedTuple

from citymes_app import demo_texts
from citymes_app.core.routing import AnswerOutcome
from citymes_app.demo_calendar import DemoCalendar
from citymes_app.models import Author, Direction
from integrations.base import MessageKind

TOWN_CENTRE = (41.5400, 2.4400)  # Mataró
TOWN_RADIUS_KM = 3.5
KM_PER_DEGREE = 111.2
# Places many citizens report from (the centre, the beach front, the station, an industrial estate).
HOTSPOTS = ((41.5405, 2.4445), (41.5340, 2.4520), (41.5375, 2.4470), (41.5520, 2.4300))
OPERATOR_SHARE = 0.3  # conversations in which a citizen ends up waiting for an operator
KEYWORD_PRELUDE = 0.4  # of those, the ones that first asked the bot something


class KeywordLine(NamedTuple):
    """A keyword of the tenant as the history uses it."""

    id: int
    language: str
    spellings: list[str]
    response: str
    pin: tuple[float, float] | None  # the map pin sent with the answer, if any
    personal_codes: bool  # answers `KEYWORD CODE`


class Line(NamedTuple):
    """One message of a conversation."""

    at: int
    direction: str
    author: str
    operator_id: int | None
    kind: str
    text: str
    outcome: str | None = None
    keyword_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None


class Span(NamedTuple):
    """A measured wait: a response (the operator's answer) or a resolution."""

    kind: str  # a ReportingEventKind
    first: bool
    operator_id: int | None
    started: int
    ended: int


@dataclass(frozen=True)
class Cast:
    """Everything a conversation can draw on: the tenant's keywords and operators, its notices, its calendar, and
    the end of the history (nothing happens after it)."""

    keywords: dict[str, list[KeywordLine]]  # by language; "" holds them all
    operators: list[int]
    operator_weights: list[float]
    notices: dict[tuple[str, bool], str]  # (language, office open) → the waiting notice
    calendar: DemoCalendar
    until: int


@dataclass
class Script:
    """One conversation as it happened."""

    start: int
    lines: list[Line] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    assigned: int | None = None
    awaiting_since: int | None = None
    unread: int = 0
    first_response_at: int | None = None
    resolved_at: int | None = None


def lognormal(rng: random.Random, median: float, sigma: float) -> int:
    return max(1, int(rng.lognormvariate(math.log(median), sigma)))


def place(rng: random.Random) -> tuple[float, float]:
    """A place in town: often near a hotspot, otherwise anywhere within `TOWN_RADIUS_KM` of the centre."""
    if rng.random() < 0.6:
        latitude, longitude = rng.choice(HOTSPOTS)
        return round(latitude + rng.gauss(0, 0.002), 6), round(longitude + rng.gauss(0, 0.0027), 6)
    distance, angle = TOWN_RADIUS_KM * math.sqrt(rng.random()), rng.random() * 2 * math.pi
    latitude = TOWN_CENTRE[0] + distance * math.sin(angle) / KM_PER_DEGREE
    longitude = TOWN_CENTRE[1] + distance * math.cos(angle) / (KM_PER_DEGREE * math.cos(math.radians(TOWN_CENTRE[0])))
    return round(latitude, 6), round(longitude, 6)


class Writer:
    """Writes one conversation's script, message by message, never past `cast.until`."""

    def __init__(self, rng: random.Random, cast: Cast, *, start: int, language: str) -> None:
        self.rng, self.cast, self.language = rng, cast, language
        self.script = Script(start)
        self.now = start

    def _at(self, seconds: int) -> int:
        self.now = min(self.now + seconds, self.cast.until)
        return self.now

    def _say(self, line: Line) -> None:
        self.script.lines.append(line)

    def _bot(self, text: str, kind: str = MessageKind.TEXT, where: tuple[float, float] | None = None) -> None:
        latitude, longitude = where or (None, None)
        self._say(Line(self._at(1), Direction.OUTBOUND, Author.BOT, None, kind, text, latitude=latitude, longitude=longitude))

    def keyword_turn(self, answers: int) -> None:
        """The citizen asks the bot something it knows; one or two answers (the text, then its map pin or a link)."""
        rng, language = self.rng, self.language
        keywords = self.cast.keywords.get(language) or self.cast.keywords[""]
        keyword = keywords[demo_texts.ranked(rng, [str(k.id) for k in keywords], skew=0.9)]
        roll = rng.random()
        if roll < 0.04 and language in demo_texts.DID_YOU_MEAN:
            asked, outcome, reply, keyword_id = rng.choice(demo_texts.AMBIGUOUS[language]), AnswerOutcome.AMBIGUOUS, None, None
        elif roll < 0.07:
            asked, outcome, reply, keyword_id = demo_texts.INDEX_ASKS.get(language, "keywords"), AnswerOutcome.INDEX, None, None
        elif roll < 0.12 and keyword.personal_codes:
            asked, outcome, reply, keyword_id = rng.choice(demo_texts.CODE_ASKS), AnswerOutcome.PERSONAL_CODE, None, keyword.id
        else:
            asked, outcome, reply, keyword_id = rng.choice(keyword.spellings), AnswerOutcome.KEYWORD, keyword.response, keyword.id
        self._say(Line(self.now, Direction.INBOUND, Author.CITIZEN, None, MessageKind.TEXT, asked, outcome, keyword_id))
        if reply is None:
            reply = {
                AnswerOutcome.AMBIGUOUS: demo_texts.DID_YOU_MEAN.get(language, ""),
                AnswerOutcome.INDEX: demo_texts.INDEX_ANSWER,
            }.get(outcome, demo_texts.CODE_ANSWER)
        self._bot(reply)
        if answers > 1 and keyword.pin is not None:
            self._bot("", MessageKind.LOCATION, keyword.pin)
        elif answers > 1:
            self._bot(demo_texts.MORE_INFORMATION.get(language, demo_texts.MORE_INFORMATION["ca"]))
        self._at(rng.randint(20, 400))

    def _citizen_waits(self, first: bool) -> None:
        """A message left for an operator: a question, a photo, a video or a place (only a question is text)."""
        rng, language, roll = self.rng, self.language, self.rng.random()
        if roll < 0.6:
            # Later in a conversation, a citizen more often says thanks or adds a detail than asks anew.
            asks = first or rng.random() < 0.3
            text = demo_texts.question(rng, language) if asks else demo_texts.follow_up(rng, language)
            line = Line(self.now, Direction.INBOUND, Author.CITIZEN, None, MessageKind.TEXT, text, AnswerOutcome.OPERATOR)
        elif roll < 0.8:
            caption = rng.choice(demo_texts.PHOTO_CAPTIONS)
            line = Line(self.now, Direction.INBOUND, Author.CITIZEN, None, MessageKind.PHOTO, caption, AnswerOutcome.OPERATOR)
        elif roll < 0.87:
            caption = rng.choice(demo_texts.VIDEO_CAPTIONS)
            line = Line(self.now, Direction.INBOUND, Author.CITIZEN, None, MessageKind.VIDEO, caption, AnswerOutcome.OPERATOR)
        else:
            latitude, longitude = place(rng)
            kind, outcome = MessageKind.LOCATION, AnswerOutcome.OPERATOR
            line = Line(self.now, Direction.INBOUND, Author.CITIZEN, None, kind, "", outcome, None, latitude, longitude)
        self._say(line)
        script = self.script
        if script.awaiting_since is None:
            script.awaiting_since, script.unread = self.now, 0
            notice = self.cast.notices[(self.language, self.cast.calendar.is_open(self.now))]
            self._say(Line(self._at(1), Direction.OUTBOUND, Author.BOT, None, MessageKind.TEXT, notice))
        script.unread += 1

    def _operator(self) -> int:
        script = self.script
        if script.assigned is None or self.rng.random() < 0.1:
            chosen = self.rng.choices(self.cast.operators, weights=self.cast.operator_weights)[0]
            script.assigned = script.assigned or chosen
            return chosen
        return script.assigned

    def wait_turn(self, asked: int, answers: int, budget_after: int) -> bool:
        """The citizen writes `asked` messages and waits; an operator answers with `answers` messages. False when the
        answer would come after the end of the history: the citizen is still waiting, and writes the messages left
        (`answers` + `budget_after`) while waiting."""
        rng, calendar = self.rng, self.cast.calendar
        for n in range(asked):
            if n:
                self._at(rng.randint(15, 120))
            self._citizen_waits(first=not self.script.spans)
        office_open = calendar.is_open(self.now)
        delay = lognormal(rng, 600, 0.9) if office_open else lognormal(rng, 1800, 0.8)
        if rng.random() < 0.05:
            delay *= 6  # the answer needed asking another department
        answer_at = calendar.after_office(self.now, delay)
        if answer_at > self.cast.until:
            for _ in range(answers + budget_after):
                self._at(rng.randint(60, 1800))
                self._citizen_waits(first=False)
            return False
        operator_id = self._operator()
        script = self.script
        waited_since = script.awaiting_since or self.now
        self.now = answer_at
        script.spans.append(Span("response", script.first_response_at is None, operator_id, waited_since, answer_at))
        script.first_response_at = script.first_response_at or answer_at
        script.awaiting_since, script.unread = None, 0
        for n in range(answers):
            at = self.now if not n else self._at(rng.randint(20, 180))
            text = demo_texts.answer(rng, self.language, first=len(script.spans) == 1 and not n)
            self._say(Line(at, Direction.OUTBOUND, Author.OPERATOR, operator_id, MessageKind.TEXT, text))
        return True

    def resolve(self, median: float, operator_id: int | None) -> None:
        """An operator resolves the conversation `median` office seconds (or so) after its last message."""
        at = self.cast.calendar.after_office(self.now, lognormal(self.rng, median, 1.0))
        if at <= self.cast.until:
            self.script.resolved_at = at
            self.script.spans.append(Span("resolution", False, operator_id, self.script.start, at))


def bot_answers(rng: random.Random, budget: int) -> int:
    """One or two bot messages for a keyword turn, leaving no single message over (a turn needs two)."""
    if budget <= 4:
        return {2: 1, 3: 2, 4: 1}[budget]
    return 2 if rng.random() < 0.2 else 1


def wait_plan(rng: random.Random, budget: int) -> list[tuple[int, int]]:
    """(citizen messages, operator messages) of each wait, using exactly `budget` (≥ 3) messages: each wait costs
    its messages plus one waiting notice."""
    plan = []
    while budget:
        asked = 1 + (rng.random() < 0.35) + (rng.random() < 0.15)
        answers = 1 + (rng.random() < 0.3)
        left = budget - asked - 1 - answers
        if left < 0:
            asked, answers = budget - 2, 1
        elif left < 3:
            answers += left
        plan.append((asked, answers))
        budget -= plan[-1][0] + 1 + plan[-1][1]
    return plan


def conversation(rng: random.Random, cast: Cast, *, start: int, length: int, language: str, waits: bool) -> Script:
    """One conversation of exactly `length` (≥ 2) messages; `waits` (needs ≥ 3): someone asks for an operator."""
    writer = Writer(rng, cast, start=start, language=language)
    budget = length
    if not waits or length < 3:
        while budget:
            answers = bot_answers(rng, budget)
            writer.keyword_turn(answers)
            budget -= 1 + answers
        # An operator tidies the queue: the bot's answer was enough.
        writer.resolve(7200, rng.choices(cast.operators, weights=cast.operator_weights)[0])
        return writer.script
    if budget >= 5 and rng.random() < KEYWORD_PRELUDE:
        writer.keyword_turn(1)
        budget -= 2
    plan = wait_plan(rng, budget)
    for n, (asked, answers) in enumerate(plan):
        if n:
            writer._at(lognormal(rng, 480, 1.3))
        later = sum(a + 1 + b for a, b in plan[n + 1 :])
        if not writer.wait_turn(asked, answers, later):
            return writer.script
    writer.resolve(900, writer.script.assigned)
    return writer.script
