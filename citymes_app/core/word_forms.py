"""Words as the keyword matcher compares them: split, reduced to their base forms, and stripped of filler.

Citizens write "recolliu", "tanqueu", "renovo" where the keyword says "recollida", "tancar", "renovació". A word's
base forms are the word itself (accent-free) and its lemma in each of Catalan, Spanish and English whose dictionary
knows it (simplemma's; a word no dictionary knows is kept as it is, so "verde" never becomes the Catalan "verd").
Two words also meet when one is a longer form of the other ("renov-o" / "renov-acio"): see `share_stem`.

Filler is what carries no topic: the languages' stopwords (the `stop-words` lists) and the courtesies and requests
every message starts with ("bon dia", "necessito saber", "could you tell me"). A listed word that the town's
keywords use distinctively (an English keyword for opening hours says "open") is not filler for that town: the
keyword index decides that (`KeywordIndex.build`), form by form.

How common a word is in everyday language (`zipf`, from wordfreq's word lists) tells how much it can say about a
topic: "casa", "davant", "avui" are in every kind of message; "fanal" or "garatge" are about something.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

from simplemma.strategies import DictionaryLookupStrategy
from simplemma.strategies.dictionaries import TrieDictionaryFactory
from stop_words import get_stop_words
from wordfreq import get_frequency_dict

LANGUAGES = ("ca", "es", "en")
_STOP_WORD_LISTS = {"ca": "catalan", "es": "spanish", "en": "english"}
# Two words share a stem when the shorter (of at least this many letters) is most of the longer's beginning.
STEM_LETTERS = 5
STEM_SHARE = 0.75
STEM_STRETCH = 1.6  # ... and the longer is not much longer ("deixar" is not "deixalleria")

_WORD = re.compile(r"\w+", re.UNICODE)
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")

# Greetings, thanks, question words and the verbs of asking, as lemmas: they start messages of every topic.
COURTESY = frozenset(
    """
    hola bon bona dia dies tarda tardes nit bones adeu gracia gracies merci moltes si plau sisplau favor perdo
    quin quina quins quines quant quanta quants quantes perque
    necessitar voler saber poder preguntar demanar informar informacio dubte consulta cosa
    buen bueno buenas buenos noche noches gracias porfa porfavor perdon necesitar querer consultar duda
    pregunta informacion
    hello hi hey good morning afternoon evening thank thanks please sorry need want know ask wonder question could
    would tell
    """.split()
)
# The days, months and times of day a message is set in: context of every topic ("diumenge", "avui", "al matí"),
# unless the town's keywords use them ("esteu oberts dissabte?").
CALENDAR = frozenset(
    """
    dilluns dimarts dimecres dijous divendres dissabte diumenge avui dema dema ahir mati matins vespre setmana mes
    gener febrer marc abril maig juny juliol agost setembre octubre novembre desembre
    lunes martes miercoles jueves viernes sabado domingo hoy manana ayer semana
    enero febrero marzo mayo junio julio agosto septiembre octubre noviembre diciembre
    monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday morning week month tonight
    january february march april may june july august september october november december
    """.split()
)
# The words that make a message a question ("on", "cuándo", "how"), beside its question marks; "q" and "qt" as typed;
# "saber" and "know" of "voldria saber", "quería saber", "I'd like to know".
QUESTION_WORDS = frozenset(
    """
    on quan com quin quina quins quines quant quanta quants quantes qui q qt qn
    donde cuando como cual cuales cuanto cuanta cuantos cuantas quien
    where when how what which who
    saber know wonder
    """.split()
)

# The words of a complaint or a dispute, as lemmas: a message with one asks an operator to act, not for a keyword's
# information, even when it names a service ("vull fer una reclamació per la piscina", "me han puesto una multa en la
# zona azul"); and the pairs that ask for money back ("com em retorneu els diners?").
COMPLAINT = frozenset(
    """
    reclamacio reclamar queixa queixar desastre vergonya soroll maleducat maleducada lamentable indignat indignada
    reemborsament impresentable multa sancio
    reclamacion queja quejar quejarme verguenza ruido maleducado indignado reembolso sancion
    complaint complain disaster shame noise rude refund already unacceptable penalty
    """.split()
)
COMPLAINT_PAIRS = frozenset({("retornar", "diners"), ("tornar", "diners"), ("devolver", "dinero"), ("money", "back")})

QUESTION_PAIRS = frozenset({("que", "hora"), ("what", "time"), ("que", "horario"), ("que", "dia"), ("quin", "dia")})


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased with their accents (a dictionary needs them), invisible characters gone."""
    folded = text.casefold()
    visible = folded if folded.isascii() else "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return _WORD.findall(unicodedata.normalize("NFC", visible))


@lru_cache(maxsize=1)
def _lemmas() -> DictionaryLookupStrategy:
    # A trie on disk (built once per machine, then mapped): ~8 MB for three languages instead of ~170 MB as dicts.
    return DictionaryLookupStrategy(dictionary_factory=TrieDictionaryFactory())


@lru_cache(maxsize=200_000)
def base_forms(word: str) -> frozenset[str]:
    """The accent-free forms `word` (lower-case, accents kept) is compared by: itself and its known lemmas."""
    forms = {strip_accents(word)}
    lemmas = _lemmas()
    for language in LANGUAGES:
        lemma = lemmas.get_lemma(word, language)
        if lemma:
            forms.add(strip_accents(lemma.casefold()))
    return frozenset(forms)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The three languages' stopwords and the courtesies, accent-free."""
    listed = {strip_accents(w.casefold()) for name in _STOP_WORD_LISTS.values() for w in get_stop_words(name)}
    return frozenset(listed | COURTESY)


def asks(text: str) -> bool:
    """Whether `text` is worded as a question: a question mark, a question word ("on", "cuándo", "how") or a question
    of time ("a que hora", "what time")."""
    if "?" in text or "\u00bf" in text:
        return True
    typed = [strip_accents(w) for w in words(text)]
    return any(w in QUESTION_WORDS for w in typed) or any(pair in QUESTION_PAIRS for pair in zip(typed, typed[1:], strict=False))


_NAME = re.compile(r"(?<![.!?\u00bf\u00a1:\n])\s+([A-ZÀ-Ý][a-zà-ÿ·]+)")


def proper_names(text: str) -> frozenset[str]:
    """Words written with a capital inside a sentence (accent-free, lower-case): names of places and people
    ("des de Cerdanyola", "soc Juan García"), which set a message's scene but are no topic of it."""
    return frozenset(strip_accents(m.group(1).casefold()) for m in _NAME.finditer(text))


@lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    table: dict[str, float] = {}
    for language in LANGUAGES:
        for word, frequency in get_frequency_dict(language, wordlist="small").items():
            key = strip_accents(word)
            table[key] = max(table.get(key, 0.0), math.log10(frequency * 1e9))
    return table


def zipf(word: str) -> float:
    """How common `word` (accent-free) is in everyday Catalan, Spanish or English, the most of the three: its Zipf
    frequency in wordfreq's lists (7 for "els", about 5.5 for "casa" or "davant", 3.5 for "garatge", 0 when unlisted)."""
    return _zipf_table().get(word, 0.0)


def share_stem(a: str, b: str) -> bool:
    """'renovo' / 'renovacio', 'recolliu' / 'recollida': one word (as typed) begins with most of the other."""
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) < STEM_LETTERS + 1:
        return False
    common = 0
    for x, y in zip(shorter, longer, strict=False):
        if x != y:
            break
        common += 1
    return common >= STEM_LETTERS and common >= STEM_SHARE * len(shorter) and len(longer) <= STEM_STRETCH * len(shorter)


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces: what citizens type is compared so."""
    no_accents = strip_accents(text.casefold())
    no_invisible = no_accents if no_accents.isascii() else "".join(ch for ch in no_accents if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", no_invisible)).strip()


def allowed_typos(length: int) -> int:
    """How many typos a word of `length` letters tolerates: none below 6, one up to 8, two from 9."""
    if length < 6:
        return 0
    if length < 9:
        return 1
    return 2


def bm25_idf(documents: int, containing: int) -> float:
    """BM25's inverse document frequency (the Lucene form, never negative)."""
    return math.log(1 + (documents - containing + 0.5) / (containing + 0.5))


def prepare() -> None:
    """Build the dictionaries' tries on disk now (a few seconds, once per machine), not on a citizen's first message."""
    for language in LANGUAGES:
        _lemmas().get_lemma("hola", language)
    zipf("hola")


if __name__ == "__main__":  # `make install` runs it
    prepare()
