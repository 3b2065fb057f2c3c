"""What the demo town's citizens and operators say in the generated history: questions no keyword answers (asked
again and again in a few spellings, so the unanswered-questions report groups them), follow-ups, operators'
answers, captions of photos and videos, and made-up names. Catalan and Spanish, the languages of the town's
citizens; English only through the keywords.

Every name and number here is invented.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from functools import cache

# Questions no keyword answers, most asked first. Each is written as citizens type it in a few ways; the variants
# that differ only in case, accents or punctuation are grouped by the report as one question.
QUESTIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "ca": (
        ("Quan passa la neteja pel meu carrer?", "quan passa la neteja pel meu carrer", "Quan passa la neteja pel meu carrer??"),
        ("On puc aparcar la bicicleta a prop de l'estació?", "on puc aparcar la bicicleta a prop de l'estacio"),
        ("Hi ha un fanal apagat davant de casa", "hi ha un fanal apagat davant de casa!"),
        ("Com demano una plaça a l'escola bressol?", "com demano una plaça a l'escola bressol"),
        ("Quan es paga l'IBI aquest any?", "quan es paga l'ibi aquest any", "Bon dia, quan es paga l'IBI aquest any?"),
        ("Tinc una multa d'aparcament, com la recorro?", "tinc una multa d'aparcament com la recorro"),
        ("Els contenidors del meu carrer estan plens", "els contenidors del meu carrer estan plens!!"),
        ("Puc fer la inscripció a les activitats d'estiu per aquí?", "puc fer la inscripcio a les activitats d'estiu per aqui"),
        ("Hi ha soroll cada nit al bar de sota casa", "hi ha soroll cada nit al bar de sota casa"),
        ("Com em faig voluntari de la festa major?", "com em faig voluntari de la festa major"),
        ("On es recull la targeta del bus per a gent gran?", "on es recull la targeta del bus per a gent gran"),
        ("Quins papers necessito per a la llicència d'obres?", "quins papers necessito per a la llicencia d'obres"),
        ("El parc infantil té un gronxador trencat", "el parc infantil te un gronxador trencat"),
        ("Es pot anar a la platja amb gos?", "es pot anar a la platja amb gos"),
        ("Quan obren la piscina municipal?", "quan obren la piscina municipal"),
    ),
    "es": (
        (
            "¿Cuándo pasa la limpieza por mi calle?",
            "cuando pasa la limpieza por mi calle",
            "Cuándo pasa la limpieza por mi calle?",
        ),
        ("Hay una farola apagada delante de mi casa", "hay una farola apagada delante de mi casa"),
        ("¿Cómo pido cita para el DNI?", "como pido cita para el dni", "Buenos días, ¿cómo pido cita para el DNI?"),
        ("Tengo una multa de aparcamiento, ¿cómo la recurro?", "tengo una multa de aparcamiento como la recurro"),
        ("¿Cuándo se paga el IBI este año?", "cuando se paga el ibi este año"),
        ("Los contenedores de mi calle están llenos", "los contenedores de mi calle estan llenos!!"),
        ("¿Dónde puedo dejar un colchón viejo?", "donde puedo dejar un colchon viejo"),
        ("Hay ruido todas las noches en el bar de abajo", "hay ruido todas las noches en el bar de abajo"),
        ("¿Puedo apuntarme a los cursos de catalán?", "puedo apuntarme a los cursos de catalan"),
        ("¿Dónde se recoge la tarjeta de bus para mayores?", "donde se recoge la tarjeta de bus para mayores"),
        ("Hay un bache enorme en la calle", "hay un bache enorme en la calle"),
        ("¿Se puede ir a la playa con perro?", "se puede ir a la playa con perro"),
    ),
}
# What citizens write after an operator's answer (each starts a new wait for an operator).
FOLLOW_UPS = {
    "ca": (
        "Moltes gràcies!",
        "D'acord, i on és exactament?",
        "Us envio una foto perquè ho veieu",
        "Encara no ho han arreglat",
        "I ho puc fer per internet?",
        "Perfecte, gràcies",
        "Quants dies triguen?",
        "Ja hi he anat i estava tancat",
    ),
    "es": (
        "¡Muchas gracias!",
        "Vale, ¿y dónde está exactamente?",
        "Les envío una foto para que lo vean",
        "Todavía no lo han arreglado",
        "¿Y lo puedo hacer por internet?",
        "Perfecto, gracias",
        "¿Cuántos días tardan?",
    ),
}
ANSWERS = {
    "ca": (
        "Bon dia! Ho passem al departament corresponent i us direm alguna cosa.",
        "Gràcies per avisar. Hem obert una incidència i la brigada hi passarà aquesta setmana.",
        "Ho podeu tramitar a la seu electrònica o a l'OAC, amb cita prèvia.",
        "Us hem enviat la informació per correu. Si us cal res més, digueu-nos.",
        "Hem consultat l'expedient: està en tràmit. Us avisarem quan estigui resolt.",
        "Ja ho hem comunicat a la Policia Local.",
    ),
    "es": (
        "¡Buenos días! Lo pasamos al departamento correspondiente y le diremos algo.",
        "Gracias por avisar. Hemos abierto una incidencia y la brigada pasará esta semana.",
        "Lo puede tramitar en la sede electrónica o en la OAC, con cita previa.",
        "Le hemos enviado la información por correo. Si necesita algo más, díganos.",
        "Ya lo hemos comunicado a la Policía Local.",
    ),
}
ANSWERS_AGAIN = {
    "ca": ("De res! Bon dia.", "Sí, de 8 a 19 h.", "Us hi esperem.", "Ho revisem i us diem alguna cosa."),
    "es": ("¡De nada! Buen día.", "Sí, de 8 a 19 h.", "Le esperamos.", "Lo revisamos y le decimos algo."),
}
PHOTO_CAPTIONS = (
    "Fanal espatllat al carrer de la Riera",
    "Contenidor cremat",
    "Pintades a la paret de l'escola",
    "Farola rota en la calle Sant Josep",
    "Arbre caigut al parc",
    "",
)
VIDEO_CAPTIONS = ("Fuita d'aigua a la vorera", "Ruido del bar a las 2 de la madrugada", "")
LOCATION_WORDS = {"ca": "Aquí és on és", "es": "Está aquí"}
AMBIGUOUS = {"ca": ("certificat", "informació"), "es": ("certificado", "información")}
CODE_ASKS = ("TRAMIT AB1234", "tramit cd5678", "TRAMITE AB1234", "tramit XY0000")
CODE_ANSWER = "Expedient en tràmit: us avisarem quan estigui resolt."
INDEX_ASKS = {"ca": "paraules clau", "es": "palabras clave", "en": "keywords"}
INDEX_ANSWER = "Paraules clau: HORARIS, DEIXALLERIA, PADRO, TRAMIT"
MORE_INFORMATION = {
    "ca": "Més informació a la seu electrònica: https://seu.vilademo.cat",
    "es": "Más información en la sede electrónica: https://seu.vilademo.cat",
    "en": "More at the town hall's website: https://seu.vilademo.cat",
}
DID_YOU_MEAN = {"ca": "Voleu dir HORARIS o DEIXALLERIA?", "es": "¿Quiere decir HORARIOS o PUNTO LIMPIO?"}

FIRST_NAMES = (
    "Jordi", "Montse", "Núria", "Marc", "Laia", "Pere", "Marta", "Josep", "Anna", "Carles", "Mireia", "Sergi",
    "Lucía", "Javier", "Carmen", "Ahmed", "Fatima", "Wei", "Andreea", "Pau", "Roser", "Albert", "Clara", "Xavier",
)  # fmt: skip
SURNAMES = (
    "Puig", "Vila", "Soler", "Ferrer", "Roca", "Font", "Serra", "Martínez", "García", "López", "Sala", "Pujol",
    "Casas", "Riera", "Torres", "Navarro", "El Amrani", "Chen", "Popescu", "Bosch",
)  # fmt: skip


def ranked(rng: random.Random, options: Sequence[str] | Sequence[tuple[str, ...]], skew: float = 1.2) -> int:
    """An index into `options`, the first ones much more often (Zipf-like: the top question tops the report)."""
    return bisect.bisect_left(_cumulative(len(options), skew), rng.random() * _cumulative(len(options), skew)[-1])


@cache
def _cumulative(count: int, skew: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** skew for rank in range(count)))


def question(rng: random.Random, language: str) -> str:
    """A question no keyword answers, in one of the ways citizens spell it."""
    asked = QUESTIONS.get(language) or QUESTIONS["ca"]
    return rng.choice(asked[ranked(rng, asked)])


def follow_up(rng: random.Random, language: str) -> str:
    return rng.choice(FOLLOW_UPS.get(language) or FOLLOW_UPS["ca"])


def answer(rng: random.Random, language: str, *, first: bool) -> str:
    """An operator's message: an answer to a question, or a shorter one later in the conversation."""
    return rng.choice((ANSWERS if first else ANSWERS_AGAIN).get(language) or ANSWERS["ca"])


def citizen_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def keyword_spellings(keyword: str, synonyms: str, examples: str) -> list[str]:
    """How citizens write a keyword: as written, lower-case, with a question mark, its synonyms and examples."""
    spellings = [keyword, keyword.lower(), keyword.capitalize() + "?"]
    spellings += [s.strip() for s in (synonyms + "|" + examples).split("|") if s.strip()]
    return spellings
