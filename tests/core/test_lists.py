"""Distribution lists: created with their words in each of the organisation's languages (phrases unique whatever the
case and accents, refused beside the field), joined and left with the consent recorded per channel, left all at once,
listed with their members page by page and their growth per day; a CSV of members imported whole or refused whole with
each bad line named; another organisation's list is not found; the desk acts for administrators only."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from citymes_app import demo
from citymes_app.core import auth, citizens, keywords, lists, routing, tenants, text_intake
from citymes_app.core.administration import NotAnAdministrator
from citymes_app.core.list_desk import ListDesk
from citymes_app.core.lists import ListError, ListTexts
from citymes_app.core.routing import AnswerOutcome
from citymes_app.models import (
    Citizen,
    CitizenIdentity,
    ConsentSource,
    Conversation,
    ListConsent,
    ListPhrase,
    ListSubscription,
    Message,
    Role,
    Tenant,
    row_id,
    utcnow,
)
from integrations.base import InboundMessage, MessageKind

TRAFFIC = {
    "ca": ListTexts("ca", "Trànsit", "Talls i obres", "ALTA TRANSIT", "BAIXA TRANSIT"),
    "es": ListTexts("es", "Tráfico", "Cortes y obras", "ALTA TRAFICO", "BAJA TRAFICO"),
    "en": ListTexts("en", "Traffic", "Closures and works", "JOIN TRAFFIC", "LEAVE TRAFFIC"),
}
CULTURE = {
    "ca": ListTexts("ca", "Cultura", "", "ALTA CULTURA", "BAIXA CULTURA"),
    "es": ListTexts("es", "Cultura", "", "ALTA CULTURA ES", "BAJA CULTURA"),
    "en": ListTexts("en", "Culture", "", "JOIN CULTURE", "LEAVE CULTURE"),
}


def _town(session: Session) -> dict:
    """Two organisations in Catalan, Spanish and English, each with a Telegram bot, a WhatsApp number, two citizens who
    wrote, an administrator and an operator."""
    found: dict = {}
    for slug in ("vila", "altra"):
        tenant = tenants.add_tenant(session, slug=slug, name=slug, languages="ca,es,en")
        telegram = tenants.add_channel(session, tenant=tenant, platform="telegram", credentials={}, name="Bot")
        whatsapp = tenants.add_channel(session, tenant=tenant, platform="whatsapp", credentials={}, name="WhatsApp")
        admin = auth.add_operator(session, tenant=tenant, email=f"admin@{slug}.test", password="a-long-password", role=Role.ADMIN)
        operator = auth.add_operator(session, tenant=tenant, email=f"op@{slug}.test", password="a-long-password")
        session.flush()
        found[slug] = tenant
        found[f"{slug}-telegram"], found[f"{slug}-whatsapp"] = row_id(telegram), row_id(whatsapp)
        found[f"{slug}-admin"] = auth.signed_in(session, operator=admin)
        found[f"{slug}-operator"] = auth.signed_in(session, operator=operator)
        for n, (channel, platform, identity, phone) in enumerate(
            ((telegram, "telegram", "1001", None), (whatsapp, "whatsapp", "34600111222", "+34600111222"))
        ):
            citizen = Citizen(tenant_id=row_id(tenant), display_name=f"Veí {n}", phone=phone)
            session.add(citizen)
            session.flush()
            session.add(
                CitizenIdentity(
                    tenant_id=row_id(tenant), citizen_id=row_id(citizen), platform=platform, platform_user_id=identity
                )
            )
            session.add(
                Conversation(tenant_id=row_id(tenant), citizen_id=row_id(citizen), channel_id=row_id(channel), address=identity)
            )
            found[f"{slug}-citizen{n}"] = row_id(citizen)
    session.commit()
    return found


def _save(session: Session, tenant: Tenant, texts: dict = TRAFFIC, list_id: int | None = None) -> int:
    change = lists.save_list(session, tenant=tenant, list_id=list_id, texts=texts)
    session.commit()
    return change.id


def test_a_list_is_saved_with_its_words_in_each_language(session: Session) -> None:
    town = _town(session)
    list_id = _save(session, town["vila"])
    [overview] = lists.list_overviews(session, tenant_id=row_id(town["vila"]), language="es")
    assert (overview.id, overview.name, overview.members) == (list_id, "Tráfico", 0)
    assert overview.texts["ca"].join_phrase == "ALTA TRANSIT"
    assert overview.texts["en"].leave_phrase == "LEAVE TRAFFIC"


@pytest.mark.parametrize(
    ("language", "changed", "field"),
    [
        ("ca", {"name": ""}, "name_ca"),
        ("es", {"join_phrase": "SUBSCRIBE TRAFICO"}, "join_es"),
        ("en", {"leave_phrase": "LEAVE"}, "leave_en"),
        ("ca", {"leave_phrase": "baixa tot"}, "leave_ca"),
        ("en", {"name": "x" * 61}, "name_en"),
    ],
)
def test_a_bad_list_is_refused_beside_the_field(session: Session, language: str, changed: dict, field: str) -> None:
    town = _town(session)
    texts = dict(TRAFFIC)
    texts[language] = ListTexts(**{**TRAFFIC[language].__dict__, **changed})
    with pytest.raises(ListError) as refused:
        lists.save_list(session, tenant=town["vila"], list_id=None, texts=texts)
    assert refused.value.field == field


def test_phrases_are_unique_in_the_organisation_whatever_the_case_and_accents(session: Session) -> None:
    town = _town(session)
    _save(session, town["vila"])
    texts = dict(CULTURE)
    texts["es"] = ListTexts("es", "Cultura", "", "Alta Tràfico", "BAJA CULTURA")
    with pytest.raises(ListError) as refused:
        lists.save_list(session, tenant=town["vila"], list_id=None, texts=texts)
    assert refused.value.field == "join_es"
    assert "Trànsit" in str(refused.value) or "Tráfico" in str(refused.value)
    session.rollback()
    # Another organisation may use the same phrases.
    _save(session, town["altra"])


def test_a_list_keeps_its_own_phrases_when_changed(session: Session) -> None:
    town = _town(session)
    list_id = _save(session, town["vila"])
    texts = dict(TRAFFIC)
    texts["ca"] = ListTexts("ca", "Trànsit i obres", "", "ALTA TRANSIT", "BAIXA TRANSIT")
    _save(session, town["vila"], texts, list_id)
    [overview] = lists.list_overviews(session, tenant_id=row_id(town["vila"]), language="ca")
    assert overview.name == "Trànsit i obres"


def test_joining_and_leaving_records_consent_per_channel(session: Session) -> None:
    town = _town(session)
    tenant_id = row_id(town["vila"])
    list_id = _save(session, town["vila"])
    citizen = town["vila-citizen1"]
    joined = dict(tenant_id=tenant_id, list_id=list_id, citizen_id=citizen, source=ConsentSource.KEYWORD)
    assert lists.subscribe(session, channel_id=town["vila-whatsapp"], **joined)
    assert not lists.subscribe(session, channel_id=town["vila-whatsapp"], **joined)  # already on it
    assert lists.subscribe(session, channel_id=town["vila-telegram"], **joined)
    assert lists.unsubscribe(session, channel_id=town["vila-telegram"], **joined)
    assert not lists.unsubscribe(session, channel_id=town["vila-telegram"], **joined)
    session.commit()
    channels = session.exec(select(ListSubscription.channel_id).where(ListSubscription.citizen_id == citizen)).all()
    assert channels == [town["vila-whatsapp"]]
    history = session.exec(select(ListConsent.action, ListConsent.channel_id).order_by(col(ListConsent.id))).all()
    assert history == [
        ("joined", town["vila-whatsapp"]),
        ("joined", town["vila-telegram"]),
        ("left", town["vila-telegram"]),
    ]


def test_leaving_everything_ends_every_subscription(session: Session) -> None:
    town = _town(session)
    tenant_id = row_id(town["vila"])
    traffic, culture = _save(session, town["vila"]), _save(session, town["vila"], CULTURE)
    citizen = town["vila-citizen0"]
    for list_id in (traffic, culture):
        lists.subscribe(
            session,
            tenant_id=tenant_id,
            list_id=list_id,
            citizen_id=citizen,
            channel_id=town["vila-telegram"],
            source=ConsentSource.KEYWORD,
        )
    assert lists.leave_everything(session, tenant_id=tenant_id, citizen_id=citizen) == 2
    assert lists.citizen_subscriptions(session, tenant_id=tenant_id, citizen_id=citizen) == []
    sources = session.exec(select(ListConsent.source).where(ListConsent.action == "left")).all()
    assert sources == ["stop", "stop"]


def test_another_organisations_list_or_citizen_is_not_found(session: Session) -> None:
    town = _town(session)
    theirs = _save(session, town["altra"])
    with pytest.raises(ListError, match="does not exist"):
        lists.subscribe(
            session,
            tenant_id=row_id(town["vila"]),
            list_id=theirs,
            citizen_id=town["vila-citizen0"],
            channel_id=town["vila-telegram"],
            source=ConsentSource.OPERATOR,
        )
    mine = _save(session, town["vila"])
    with pytest.raises(ListError, match="does not exist"):
        lists.add_member(
            session,
            tenant_id=row_id(town["vila"]),
            list_id=mine,
            citizen_id=town["altra-citizen0"],
            channel_id=None,
            operator_id=None,
        )
    for read in (lists.members, lambda s, **k: lists.delete_list(s, tenant=town["vila"], list_id=k["list_id"])):
        with pytest.raises(ListError, match="does not exist"):
            read(session, tenant_id=row_id(town["vila"]), list_id=theirs)


def test_members_are_paged_newest_first_and_growth_counts_each_day(session: Session) -> None:
    town = _town(session)
    tenant = town["vila"]
    list_id = _save(session, tenant)
    now = utcnow()
    for n in range(3):
        citizen = Citizen(tenant_id=row_id(tenant), display_name=f"Nou {n}")
        session.add(citizen)
        session.flush()
        lists.subscribe(
            session,
            tenant_id=row_id(tenant),
            list_id=list_id,
            citizen_id=row_id(citizen),
            channel_id=town["vila-telegram"],
            source=ConsentSource.IMPORT,
            at=now - timedelta(days=2 - n),
        )
    lists.unsubscribe(
        session,
        tenant_id=row_id(tenant),
        list_id=list_id,
        citizen_id=row_id(citizen),
        channel_id=None,
        source=ConsentSource.KEYWORD,
    )
    session.commit()
    first = lists.members(session, tenant_id=row_id(tenant), list_id=list_id, page=1, page_size=1)
    assert (first.total, first.pages, [m.name for m in first.members]) == (2, 2, ["Nou 1"])
    second = lists.members(session, tenant_id=row_id(tenant), list_id=list_id, page=2, page_size=1)
    assert [m.name for m in second.members] == ["Nou 0"]
    growth = lists.growth(session, tenant=tenant, list_id=list_id)
    assert growth.members == 2
    assert len(growth.days) == lists.GROWTH_DAYS
    assert sum(d.joined for d in growth.days) == 3
    assert sum(d.left for d in growth.days) == 1
    assert growth.days[-1].left == 1


def test_a_csv_with_a_bad_line_is_refused_whole_naming_each_line(session: Session) -> None:
    town = _town(session)
    tenant = town["vila"]
    list_id = _save(session, tenant)
    content = (
        "platform,identity\ntelegram,1001\nwhatsapp,+34 600 11 12 22\nsignal,55\nwhatsapp,12\ntelegram,999999\ntelegram,1001\n"
    )
    report = lists.import_members_csv(session, tenant=tenant, list_id=list_id, content=content)
    assert not report.ok
    assert [str(e) for e in report.errors] == [
        "line 4: unknown platform 'signal' (telegram or whatsapp)",
        "line 5: not a valid international phone number (e.g. +34600111222)",
        "line 6: no citizen of the organisation is known by this identity",
        "line 7: the same citizen as line 2",
    ]
    session.rollback()
    assert lists.members(session, tenant_id=row_id(tenant), list_id=list_id).total == 0
    good = lists.import_members_csv(
        session, tenant=tenant, list_id=list_id, content="platform,identity\ntelegram,1001\nwhatsapp,+34600111222\n"
    )
    assert (good.ok, good.added, good.already) == (True, 2, 0)
    session.commit()
    page = lists.members(session, tenant_id=row_id(tenant), list_id=list_id)
    assert sorted((m.platform, m.source) for m in page.members) == [("telegram", "import"), ("whatsapp", "import")]


def test_a_csv_does_not_find_another_organisations_citizens(session: Session) -> None:
    town = _town(session)
    list_id = _save(session, town["vila"])
    # The other organisation's Telegram citizen has id 1001 too; add one only they know.
    session.add(
        CitizenIdentity(
            tenant_id=row_id(town["altra"]), citizen_id=town["altra-citizen0"], platform="telegram", platform_user_id="777"
        )
    )
    session.commit()
    report = lists.import_members_csv(session, tenant=town["vila"], list_id=list_id, content="platform,identity\ntelegram,777\n")
    assert [str(e) for e in report.errors] == ["line 2: no citizen of the organisation is known by this identity"]


def test_list_commands_are_told_apart_by_their_first_word(session: Session) -> None:
    town = _town(session)
    tenant_id = row_id(town["vila"])
    list_id = _save(session, town["vila"])
    assert not lists.might_be_command("horaris biblioteca")
    read = lambda text: lists.read_command(session, tenant_id=tenant_id, normalized=text)  # noqa: E731
    assert read("horaris") is None
    assert read("alta transit") == lists.ListCommand("join", "ca", list_id, "Trànsit", "BAIXA TRANSIT")
    assert read("leave traffic") == lists.ListCommand("leave", "en", list_id, "Traffic", "LEAVE TRAFFIC")
    assert read("stop") == lists.ListCommand("leave_all", None)
    assert read("baja todo") == lists.ListCommand("leave_all", "es")
    assert read("llistes") == lists.ListCommand("lists", "ca")
    assert read("alta piscina") == lists.ListCommand("unknown", None)
    assert read("leave piscina") == lists.ListCommand("unknown", "en")
    assert read("alta") is None


def test_the_desk_is_for_administrators_of_the_organisation(engine: Engine) -> None:
    with Session(engine) as session:
        town = _town(session)
        theirs = _save(session, town["altra"])
    desk = ListDesk(engine=engine)
    with pytest.raises(NotAnAdministrator):
        asyncio.run(desk.save(by=town["vila-operator"], list_id=None, texts=TRAFFIC))
    with pytest.raises(NotAnAdministrator):
        asyncio.run(desk.overviews(by=town["vila-operator"]))
    with pytest.raises(ListError):
        asyncio.run(desk.members(by=town["vila-admin"], list_id=theirs))
    with pytest.raises(ListError):
        asyncio.run(desk.import_csv(by=town["vila-admin"], list_id=theirs, content="platform,identity\ntelegram,1001\n"))
    saved = asyncio.run(desk.save(by=town["vila-admin"], list_id=None, texts=TRAFFIC))
    assert asyncio.run(desk.add_member(by=town["vila-admin"], list_id=saved.id, citizen_id=town["vila-citizen1"]))
    page = asyncio.run(desk.members(by=town["vila-admin"], list_id=saved.id))
    assert [(m.platform, m.source) for m in page.members] == [("whatsapp", "operator")]
    asyncio.run(desk.remove_member(by=town["vila-admin"], subscription_id=page.members[0].subscription_id))
    assert asyncio.run(desk.members(by=town["vila-admin"], list_id=saved.id)).total == 0
    with pytest.raises(ListError):
        asyncio.run(desk.remove_member(by=town["altra-admin"], subscription_id=page.members[0].subscription_id))


def test_the_keyword_editors_trial_says_a_list_phrase_is_a_list_command(session: Session) -> None:
    town = _town(session)
    _save(session, town["vila"])
    assert routing.explain(session, tenant=town["vila"], text="Baixa Trànsit").outcome == AnswerOutcome.LIST
    assert routing.explain(session, tenant=town["vila"], text="ALTA PISCINA").outcome == AnswerOutcome.LIST
    assert routing.explain(session, tenant=town["vila"], text="quan obre la piscina").outcome == AnswerOutcome.OPERATOR


def test_linking_two_records_of_a_citizen_keeps_one_subscription_per_list_and_channel(session: Session) -> None:
    town = _town(session)
    tenant_id = row_id(town["vila"])
    traffic, culture = _save(session, town["vila"]), _save(session, town["vila"], CULTURE)
    first, second = town["vila-citizen0"], town["vila-citizen1"]
    earlier = utcnow() - timedelta(days=3)
    joins = (
        (first, traffic, utcnow()),
        (second, traffic, earlier),
        (second, culture, earlier),
    )
    for citizen, list_id, at in joins:
        lists.subscribe(
            session,
            tenant_id=tenant_id,
            list_id=list_id,
            citizen_id=citizen,
            channel_id=town["vila-telegram"],
            source=ConsentSource.KEYWORD,
            at=at,
        )
    citizens.link_citizens(session, tenant_id=tenant_id, keep_id=first, merge_id=second)
    session.commit()
    kept = lists.citizen_subscriptions(session, tenant_id=tenant_id, citizen_id=first)
    assert sorted(s.list_id for s in kept) == sorted([traffic, culture])
    assert all(s.since < utcnow() - timedelta(days=2) for s in kept)  # the older consent is the one kept


def test_the_demo_town_has_lists_with_members_joined_over_the_last_weeks(session: Session, tmp_path: Path) -> None:
    demo.load_demo(session, media_dir=tmp_path)
    session.commit()
    tenant = tenants.require_tenant(session, slug=demo.DEMO_SLUG)
    overviews = lists.list_overviews(session, tenant_id=row_id(tenant), language="ca")
    assert [o.name for o in overviews] == ["Cultura", "Emergències", "Trànsit"]
    assert all(o.members > 0 for o in overviews)
    growth = lists.growth(session, tenant=tenant, list_id=overviews[0].id)
    assert sum(d.joined for d in growth.days) == growth.members
    demo.load_demo(session, media_dir=tmp_path)  # again: nothing added twice
    assert len(lists.list_overviews(session, tenant_id=row_id(tenant), language="ca")) == 3


@pytest.mark.parametrize("text", ["Alta Trànsit", "STOP!", "llistes", "join swimming", "baixa tot"])
def test_the_fast_path_hands_list_commands_to_the_full_path(session: Session, text: str) -> None:
    town = _town(session)
    _save(session, town["vila"])
    inbound = InboundMessage(
        platform_message_id="m-1", sender_id="1001", address="1001", kind=MessageKind.TEXT, text=text, sent_at=utcnow()
    )
    channel = text_intake.channel_ref(session, town["vila-telegram"])
    assert text_intake.receive_text(session, channel=channel, inbound=inbound) is None
    assert session.exec(select(Message)).all() == []


def test_the_fast_path_asks_nothing_of_the_lists_for_other_texts(session: Session) -> None:
    town = _town(session)
    _save(session, town["vila"])
    statements: list[str] = []
    engine = session.get_bind()

    def seen(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        inbound = InboundMessage(
            platform_message_id="m-2",
            sender_id="1001",
            address="1001",
            kind=MessageKind.TEXT,
            text="Quan obre la piscina?",
            sent_at=utcnow(),
        )
        received = text_intake.receive_text(
            session, channel=text_intake.channel_ref(session, town["vila-telegram"]), inbound=inbound
        )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert received is not None
    assert statements and not [s for s in statements if "list_wording" in s or "list_subscription" in s]


def test_a_phrase_that_is_already_a_keyword_is_refused(session: Session) -> None:
    town = _town(session)
    keywords.create_keyword(
        session, tenant=town["vila"], form=keywords.KeywordForm(keyword="Alta Trànsit", response="Ja hi sou.", language="ca")
    )
    with pytest.raises(ListError, match="already a keyword") as refused:
        lists.save_list(session, tenant=town["vila"], list_id=None, texts=TRAFFIC)
    assert refused.value.field == "join_ca"


def test_two_languages_of_a_list_may_share_a_phrase_read_in_the_citizens_language(session: Session) -> None:
    town = _town(session)
    tenant_id = row_id(town["vila"])
    shared = dict(CULTURE)
    shared["es"] = ListTexts("es", "Cultura (es)", "", "Alta Cultura", "BAJA CULTURA")
    list_id = _save(session, town["vila"], shared)
    read = lambda language: lists.read_command(session, tenant_id=tenant_id, normalized="alta cultura", language=language)  # noqa: E731
    assert read("es") == lists.ListCommand("join", "es", list_id, "Cultura (es)", "BAJA CULTURA")
    assert read("ca") == lists.ListCommand("join", "ca", list_id, "Cultura", "BAIXA CULTURA")
    assert read(None) is not None and read(None).language == "ca"  # type: ignore[union-attr]
    _save(session, town["vila"], shared, list_id)  # saved again unchanged: its own phrases are no conflict
    other = dict(TRAFFIC)
    other["es"] = ListTexts("es", "Tráfico", "", "ALTA CULTURA", "BAJA TRAFICO")
    with pytest.raises(ListError, match="already used by the list"):
        lists.save_list(session, tenant=town["vila"], list_id=None, texts=other)


def test_a_phrase_taken_by_another_list_at_the_same_moment_is_refused_not_a_crash(session: Session) -> None:
    town = _town(session)
    other = _save(session, town["vila"], CULTURE)
    # What a second administrator's save, committed between this one's check and its write, leaves behind.
    session.add(ListPhrase(tenant_id=row_id(town["vila"]), list_id=other, phrase_key="alta transit", joining=True))
    session.commit()
    with pytest.raises(ListError, match="just given to another list"):
        lists.save_list(session, tenant=town["vila"], list_id=None, texts=TRAFFIC)
