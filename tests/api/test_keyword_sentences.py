"""Questions as citizens write them, through the real path (simulator → webhook → matcher → outbox → phone): whole
sentences, a specific keyword beside a general one, a place named in the other language, other forms of a word —
and a message that only mentions a keyword's word while saying something else goes to an operator."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from citymes_app.models import Tenant
from citymes_app.runtime import Runtime
from tests.api.test_keywords_path import answers_to
from tests.helpers import IN_HOURS_NOTICE, Town, replace_keywords

RENT_AID = "L'ajut al lloguer es demana a l'OAC amb el contracte i els rebuts. Documentació: seu electrònica."
HOURS = "L'OAC obre de dilluns a divendres de 8 a 19 h."
MARKET = "El Mercat Central obre de dilluns a dissabte de 7 a 14 h."
MARKET_ES = "El Mercado Central abre de lunes a sábado de 7 a 14 h."
BULKY = "Recollim mobles i trastos vells el dijous: truqueu al 010 per demanar-ho."
ID_CARD = "Per renovar el DNI, demaneu cita prèvia a la comissaria de la Policia Nacional."
BUS = "Horaris i línies del bus urbà: www.vila.cat/bus."

# A town's keywords as an administrator writes them: Catalan and Spanish, with synonyms and example questions. The
# Spanish market keyword lists the Catalan name as a synonym and has no topic in common with the Catalan one.
TOWN_KEYWORDS = f"""keyword,response,language,synonyms,featured,topic,examples
AJUT LLOGUER,"{RENT_AID}",ca,ajuda lloguer,false,rent-aid,com demano l'ajut del lloguer
HORARIS,"{HOURS}",ca,horari,true,hours,quan tanca l'oficina|a quina hora obre l'OAC
MERCAT,"{MARKET}",ca,mercat central,false,,a quina hora obre el mercat|quin horari fa el mercat
MERCADO,"{MARKET_ES}",es,mercat|mercado central,false,,
RECOLLIDA MOBLES,"{BULKY}",ca,trastos|mobles vells,false,bulky,quan passeu a recollir els trastos
RENOVACIÓ DNI,"{ID_CARD}",ca,dni,false,id-card,on puc fer la renovació del DNI
BUS,"{BUS}",ca,autobus,false,bus,a quina hora passa el bus|quines línies de bus hi ha
"""


@pytest.fixture
async def sentence_town(runtime: Runtime, town: Town, dispatcher: None) -> Town:
    with Session(runtime.engine) as session:
        replace_keywords(session, session.get_one(Tenant, town.tenant_id), TOWN_KEYWORDS)
        session.commit()
    return town


async def test_a_long_sentence_with_greetings_gets_the_keyword_it_asks_about(sentence_town: Town) -> None:
    text = "Bon dia, necessito saber on he de portar la documentació per a l'ajut del lloguer"
    [answer] = await answers_to(sentence_town, 2001, text)
    assert answer["text"] == RENT_AID


async def test_the_specific_keyword_wins_over_the_general_one(sentence_town: Town) -> None:
    [answer] = await answers_to(sentence_town, 2002, "horari del mercat")
    assert answer["text"] == MARKET


async def test_a_place_named_in_the_other_language_is_answered_in_the_citizens(sentence_town: Town) -> None:
    [catalan] = await answers_to(sentence_town, 2003, "Mercat")
    assert catalan["text"] == MARKET
    [spanish] = await answers_to(sentence_town, 2004, "mercado central")
    assert spanish["text"] == MARKET_ES


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("quan recolliu els mobles vells?", BULKY),
        ("hola, renovo el dni aquí?", ID_CARD),
        ("a quina hora tanqueu?", HOURS),
    ],
)
async def test_other_forms_of_a_keywords_words_are_understood(sentence_town: Town, text: str, answer: str) -> None:
    [reply] = await answers_to(sentence_town, 2010 + len(text), text)
    assert reply["text"] == answer


async def test_a_message_that_only_mentions_a_keywords_word_goes_to_an_operator(sentence_town: Town) -> None:
    text = "el conductor del bus m'ha cridat de males maneres i vull posar una queixa"
    [notice] = await answers_to(sentence_town, 2005, text)
    assert notice["text"] == IN_HOURS_NOTICE
