"""The demo town's live queue: loaded with the town, varied as a real morning's (questions, complaints with a photo
and the place, keyword answers followed by a question the bot could not answer, one waiting since yesterday, some
taken, one pending, labelled ones, some with the town hall's departments, unread ones), served and counted as real
messages are; loaded once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from citymes_app import demo
from citymes_app.core import clock, inbox_queue, statistics, tenants
from citymes_app.core.media import guess_mime, tenant_media_file
from citymes_app.core.routing import AnswerOutcome
from citymes_app.models import Author, Conversation, ConversationStatus, Direction, Message, OutboxItem, OutboxStatus, row_id
from integrations.base import MessageKind


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def town(session: Session, media_dir: Path) -> int:
    """The demo town, loaded the first time (with its queue); its tenant id."""
    assert demo.load_demo(session, media_dir=media_dir).created
    session.commit()
    return row_id(tenants.require_tenant(session, slug=demo.DEMO_SLUG))


def messages(session: Session, tenant_id: int) -> list[Message]:
    return list(session.exec(select(Message).where(Message.tenant_id == tenant_id).order_by(col(Message.id))))


def test_the_demo_inbox_starts_with_a_varied_queue_of_a_dozen_citizens(session: Session, town: int) -> None:
    lines = inbox_queue.queue(session, tenant_id=town)
    assert 10 <= len(lines) <= 14
    assert Counter(line.status for line in lines) == {ConversationStatus.OPEN: len(lines) - 1, ConversationStatus.PENDING: 1}
    waiting = [line for line in lines if line.awaiting_operator]
    assert len(waiting) >= 8
    assert lines[: len(waiting)] == waiting  # the waiting ones first
    assert Counter(line.assignee_name for line in lines if line.assignee_id) == {"Laia (operator)": 2, "Pau (operator)": 3}
    assert sum(1 for line in lines if line.labels) >= 1
    assert Counter(line.department_name for line in lines if line.department_id) == {
        "Via pública": 2,
        "Medi ambient": 2,
        "Cultura": 1,
        "Serveis socials": 1,
    }
    assert sum(1 for line in lines if line.unread_count) >= 3
    assert {line.platform for line in lines} == {"telegram", "whatsapp"}
    names = {line.citizen_name for line in lines}
    assert len(names) == len(lines) and "" not in names


def test_one_citizen_has_waited_since_yesterday(session: Session, town: int) -> None:
    now = clock.now()
    lines = inbox_queue.queue(session, tenant_id=town)
    longest = min((line for line in lines if line.awaiting_since is not None), key=lambda line: line.awaiting_since or now)
    assert longest.awaiting_since is not None
    assert timedelta(hours=20) <= now - longest.awaiting_since < timedelta(hours=30)
    assert now - longest.last_message_at >= timedelta(hours=20)  # nobody has answered since
    for line in lines:
        assert line.last_message_at <= now


def test_complaints_come_with_a_photo_the_media_store_serves_and_the_place(session: Session, town: int, media_dir: Path) -> None:
    written = messages(session, town)
    photos = [m for m in written if m.kind == MessageKind.PHOTO]
    assert len(photos) >= 3
    for photo in photos:
        assert photo.direction == Direction.INBOUND and photo.text, "a citizen's photo, with a caption"
        assert photo.media_path is not None and photo.media_path.startswith(f"{town}/")
        served = tenant_media_file(media_dir, tenant_id=town, name=photo.media_path.split("/", 1)[1])
        assert served is not None, "the media store serves the photo"
        assert guess_mime(str(served)) == photo.media_mime == "image/png"
        assert served.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and served.stat().st_size > 5_000
    places = [m for m in written if m.kind == MessageKind.LOCATION]
    assert len(places) >= 3
    with_photo = {m.conversation_id for m in photos}
    assert with_photo & {m.conversation_id for m in places}, "a complaint with both a photo and its place"
    for place in places:
        assert place.latitude is not None and place.longitude is not None
        assert abs(place.latitude - 41.54) < 0.05 and abs(place.longitude - 2.44) < 0.05  # in town


def test_the_bot_answered_keywords_and_then_a_question_it_could_not(session: Session, town: int) -> None:
    written = messages(session, town)
    by_conversation: dict[int, list[Message]] = {}
    for message in written:
        by_conversation.setdefault(message.conversation_id, []).append(message)
    asked_after_a_keyword = 0
    for thread in by_conversation.values():
        asked = [m for m in thread if m.direction == Direction.INBOUND]
        if asked[0].outcome in (AnswerOutcome.KEYWORD, AnswerOutcome.PERSONAL_CODE):
            answer = thread[thread.index(asked[0]) + 1]
            assert answer.author == Author.BOT and answer.text and answer.created_at > asked[0].created_at
            asked_after_a_keyword += asked[-1].outcome == AnswerOutcome.OPERATOR
    assert asked_after_a_keyword >= 2
    assert {m.outcome for m in written if m.direction == Direction.INBOUND} >= {
        AnswerOutcome.KEYWORD,
        AnswerOutcome.PERSONAL_CODE,
        AnswerOutcome.OPERATOR,
    }
    languages = Counter(m.text.split()[0] for m in written if m.author == Author.BOT and "operador" in m.text)
    assert len(languages) >= 2, "notices in Catalan and in Spanish"


def test_threads_read_in_order_and_the_outbox_has_nothing_left_to_send(session: Session, town: int) -> None:
    written = messages(session, town)
    for conversation in session.exec(select(Conversation).where(Conversation.tenant_id == town)):
        thread = [m for m in written if m.conversation_id == conversation.id]
        assert [m.created_at for m in thread] == sorted(m.created_at for m in thread)
        assert conversation.last_message_at == thread[-1].created_at
        assert thread[0].direction == Direction.INBOUND
    answers = [m for m in written if m.author == Author.OPERATOR]
    assert {m.operator_id for m in answers} and all(m.sent_at is not None for m in answers)
    assert set(session.exec(select(OutboxItem.status).where(OutboxItem.tenant_id == town))) == {OutboxStatus.SENT}


def test_the_queue_counts_in_the_statistics_as_real_messages_do(session: Session, town: int) -> None:
    kept = statistics.stored_counts(session, tenant_id=town)
    assert kept.daily
    assert kept == statistics.recounted(session, tenant_id=town)


def test_loading_the_demo_again_changes_nothing(session: Session, town: int, media_dir: Path) -> None:
    count = select(func.count()).select_from(Message)
    before = session.exec(count).one()
    files = sorted(media_dir.rglob("*"))
    assert not demo.load_demo(session, media_dir=media_dir).created
    session.commit()
    assert session.exec(count).one() == before
    assert sorted(media_dir.rglob("*")) == files


def test_the_demo_can_be_loaded_without_its_queue(session: Session, media_dir: Path) -> None:
    assert demo.load_demo(session, queue=False, media_dir=media_dir).created
    session.commit()
    assert session.exec(select(func.count()).select_from(Conversation)).one() == 0
    assert not media_dir.exists()
