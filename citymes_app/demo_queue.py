"""The demo town's live queue: a dozen conversations citizens opened in the last day, so a newcomer's inbox is busy.

Questions an operator must answer (a tax bill, an appointment), complaints with a photo and the place (a street light
out, rubbish left by a container, a pothole), keywords the bot answered followed by a question it could not, one
conversation waiting since yesterday, some taken by the demo's operators, one pending, some labelled, some given to
the town hall's departments, a few unread —
in Catalan and Spanish, one in English, on the town's Telegram bot and WhatsApp number.

Each citizen message goes through the message path (`core.pipeline.receive`, as `core.ingest` stores one), its photo
through the media store, and each operator's answer through `core.inbox.reply`: the rows are the ones a real morning
leaves. Only the time is not the moment of loading: the bot's answers and notices are dated a moment after the
message they answer, with the notice the office's hours gave then, and recorded as already sent (they were sent
then: the outbox has nothing left to send). Times are minutes before `now`; the statistics are recounted after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from citymes_app import demo_pictures
from citymes_app.core import (
    auth,
    citizens,
    departments,
    inbox,
    inbox_states,
    inbox_work,
    labels,
    pipeline,
    routing,
    statistics,
)
from citymes_app.core.media import save_media
from citymes_app.core.routing import AnswerOutcome
from citymes_app.models import (
    Channel,
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Message,
    Operator,
    OutboxItem,
    OutboxStatus,
    Tenant,
    row_id,
)
from citymes_app.models import Citizen as CitizenRecord
from integrations.base import InboundMessage, MessageKind

LAIA = "operator@demo.citymes.local"
PAU = "operator2@demo.citymes.local"
# Platform message ids of the queue's citizen messages (unique per channel, as a platform's are).
MESSAGE_ID_PREFIX = "demo-queue-"
# How long after a citizen's message the bot's answer left.
BOT_DELAY = timedelta(seconds=2)


@dataclass(frozen=True)
class Photo:
    """A picture a citizen sends, drawn by `draw`."""

    draw: Callable[[], bytes]
    filename: str


@dataclass(frozen=True)
class Says:
    """A citizen's message, `minutes` before now: a text, a photo with its caption, or a place (latitude, longitude)."""

    minutes: float
    text: str = ""
    photo: Photo | None = None
    place: tuple[float, float] | None = None

    @property
    def kind(self) -> MessageKind:
        if self.photo is not None:
            return MessageKind.PHOTO
        return MessageKind.LOCATION if self.place is not None else MessageKind.TEXT


@dataclass(frozen=True)
class Answers:
    """An operator's reply (by email), `minutes` before now."""

    minutes: float
    operator: str
    text: str


@dataclass(frozen=True)
class Citizen:
    """Who writes, where: a Telegram chat id, or a WhatsApp number (digits, as WhatsApp writes it)."""

    name: str
    platform: str  # "telegram" or "whatsapp"
    number: str
    language: str | None = None  # what Telegram says of the citizen's app; WhatsApp does not say


@dataclass(frozen=True)
class Queued:
    """One conversation of the queue and how the office left it."""

    citizen: Citizen
    turns: tuple[Says | Answers, ...]
    assignee: str | None = None  # the operator (email) who took it, if not by answering
    state: ConversationStatus = ConversationStatus.OPEN
    labels: tuple[str, ...] = ()
    department: str | None = None  # the department (by name) it was given to, if any
    read: bool = False  # an operator has opened it since its last message


# The town hall's departments (name, what each takes care of), which the queue's conversations are given to.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("Via pública", "Carrers, voreres, enllumenat, senyalització i brigada d'obres"),
    ("Serveis socials", "Atenció social, ajudes i dependència"),
    ("Cultura", "Biblioteques, festes, casals i equipaments culturals"),
    ("Medi ambient", "Residus, deixalleria, parcs i jardins"),
)
VIA_PUBLICA, SERVEIS_SOCIALS, CULTURA, MEDI_AMBIENT = (name for name, _ in DEPARTMENTS)

STREET_LIGHT = Photo(demo_pictures.street_light_out, "fanal.png")
RUBBISH = Photo(demo_pictures.rubbish_by_container, "contenidor.png")
POTHOLE = Photo(demo_pictures.pothole, "clot.png")

# Operators answer on Telegram here: a WhatsApp reply is checked against the 24-hour window on the wall clock, which
# the tests' stopped clock (`core.clock`) would put days away.
QUEUE: tuple[Queued, ...] = (
    Queued(
        Citizen("Montse Puig", "telegram", "7100000101", "ca"),
        (
            Says(
                22 * 60 + 10,
                "Bon dia, m'ha arribat el rebut de l'IBI i l'import és gairebé el doble que l'any passat. "
                "M'ho podeu revisar, si us plau?",
            ),
            Says(22 * 60 + 8, "És el pis del carrer de la Riera, 14, 2n 1a. El rebut està a nom de Josep Puig, el meu pare."),
        ),
    ),
    Queued(
        Citizen("Joan Ferrer", "whatsapp", "34655123401"),
        (
            Says(
                96,
                "Bona nit. El fanal de davant de casa fa tres nits que no s'encén i el carrer queda completament a les fosques.",
                photo=STREET_LIGHT,
            ),
            Says(95, place=(41.54123, 2.44187)),
            Says(94, "És a la cantonada del carrer de Sant Josep amb la Riera. Hi passa molta canalla per anar a l'escola."),
        ),
        labels=("Enllumenat",),
        department=VIA_PUBLICA,
    ),
    Queued(
        Citizen("Lucía Fernández", "telegram", "7100000102", "es"),
        (
            Says(
                42,
                "Llevan tres días dejando bolsas y una silla al lado del contenedor de la calle Mayor. Huele fatal.",
                photo=RUBBISH,
            ),
            Says(41, place=(41.53962, 2.44475)),
            Answers(
                31,
                LAIA,
                "Gracias por avisarnos, Lucía. Hemos pasado el aviso a la brigada de limpieza para que lo recojan.",
            ),
            Says(12, "¿Sabéis más o menos cuándo pasarán? Hay niños jugando al lado."),
        ),
    ),
    Queued(
        Citizen("Ramon Vidal", "telegram", "7100000107", "ca"),
        (
            Says(
                185,
                "Hi ha un clot enorme a la calçada del passeig Marítim, davant del número 30. "
                "Aquest matí un cotxe hi ha rebentat una roda.",
                photo=POTHOLE,
            ),
            Says(184, place=(41.53421, 2.45214)),
            Answers(
                152,
                PAU,
                "Gràcies, Ramon. Hem avisat la brigada de via pública: hi passaran a senyalitzar-lo avui i a arreglar-lo "
                "aquesta setmana. Us escriurem quan estigui fet.",
            ),
        ),
        state=ConversationStatus.PENDING,
        labels=("Via pública",),
        department=VIA_PUBLICA,
    ),
    Queued(
        Citizen("Laura Soler", "telegram", "7100000103", "ca"),
        (
            Says(58, "HORARIS"),
            Says(56, "I la biblioteca del barri de Cerdanyola obre els dissabtes al matí? Hi vull portar la meva filla."),
        ),
        department=CULTURA,
    ),
    Queued(
        Citizen("Antonio Ruiz", "whatsapp", "34655123403"),
        (
            Says(77, "PUNTO LIMPIO"),
            Says(74, "¿Y aceptan pintura y aceite de coche? Tengo unos cuantos botes en el garaje."),
        ),
        assignee=PAU,
        read=True,
        department=MEDI_AMBIENT,
    ),
    Queued(
        Citizen("Gemma Roca", "telegram", "7100000104", "ca"),
        (
            Says(
                27,
                "Hola! Voldria demanar hora amb la treballadora social aquesta setmana. Per telèfon no ho he aconseguit, "
                "sempre comunica.",
            ),
        ),
        department=SERVEIS_SOCIALS,
    ),
    Queued(
        Citizen("Emma Wilson", "whatsapp", "447700900123"),
        (
            Says(
                68,
                "Hi! I have just moved to Vilademo with my dog. Do I need to register him with the town hall, "
                "and how do I do it?",
            ),
        ),
        assignee=PAU,
        read=True,
    ),
    Queued(
        Citizen("Miguel Ángel Torres", "telegram", "7100000105", "es"),
        (
            Says(
                5 * 60 + 20,
                "Buenas tardes, ¿hasta qué día se puede pagar la tasa de basuras sin recargo? No encuentro la carta.",
            ),
            Answers(
                4 * 60 + 55,
                LAIA,
                "Buenas tardes, Miguel Ángel. El periodo voluntario termina el 20 de diciembre; puede pagarla en "
                "cualquier oficina bancaria o en la sede electrónica con el código del recibo.",
            ),
        ),
    ),
    Queued(
        Citizen("Xavier Mas", "telegram", "7100000106", "ca"),
        (
            Says(36, "TRAMIT AB1234"),
            Says(33, "Quant temps sol trigar la revisió tècnica? Volia començar les obres de la cuina al gener."),
        ),
    ),
    Queued(
        Citizen("Pilar Costa", "whatsapp", "34655123404"),
        (
            Says(16, "Una branca grossa d'un pi ha caigut al camí del parc Central i no es pot passar amb el cotxet."),
            Says(15, place=(41.54588, 2.43762)),
        ),
        department=MEDI_AMBIENT,
    ),
    Queued(
        Citizen("Rocío Martín", "whatsapp", "34655123405"),
        (Says(4, "Hola, ¿el mercado municipal abre el día 8, que es festivo? Gracias."),),
    ),
)


class QueueWriter:
    """Writes `QUEUE` into a tenant's records, in the caller's transaction."""

    def __init__(self, session: Session, *, tenant: Tenant, media_dir: Path, now: datetime) -> None:
        self.session, self.tenant, self.media_dir, self.now = session, tenant, media_dir, now
        self.channels: dict[str, Channel] = {}
        for channel in session.exec(select(Channel).where(Channel.tenant_id == row_id(tenant)).order_by(col(Channel.id))):
            self.channels.setdefault(channel.platform, channel)
        operators = session.exec(select(Operator).where(Operator.tenant_id == row_id(tenant)))
        self.staff = {operator.email: auth.signed_in(session, operator=operator) for operator in operators}
        self.departments: dict[str, int] = {}

    def write(self, queue: tuple[Queued, ...] = QUEUE) -> list[int]:
        """The town hall's departments, every conversation of `queue`, then the tenant's statistics recounted; the
        conversations' ids."""
        for name, description in DEPARTMENTS:
            saved = departments.save_department(
                self.session, tenant_id=row_id(self.tenant), department_id=None, name=name, description=description
            )
            self.departments[name] = saved.id
        written = [self._conversation(number, queued) for number, queued in enumerate(queue)]
        statistics.rebuild(self.session, tenant_id=row_id(self.tenant))
        return written

    def _conversation(self, number: int, queued: Queued) -> int:
        conversation_id = 0
        for turn_number, turn in enumerate(queued.turns):
            at = self.now - timedelta(minutes=turn.minutes)
            if isinstance(turn, Says):
                conversation_id = self._citizen_says(queued.citizen, turn, at, f"{MESSAGE_ID_PREFIX}{number}-{turn_number}")
            else:
                message = inbox.reply(
                    self.session, operator=self.staff[turn.operator], conversation_id=conversation_id, text=turn.text, at=at
                )
                self._sent([row_id(message)], at)
        someone = self.staff[queued.assignee or LAIA]
        if queued.assignee is not None:
            inbox_work.assign(self.session, operator=someone, conversation_id=conversation_id, assignee_id=someone.operator_id)
        if queued.state != ConversationStatus.OPEN:
            inbox_states.set_state(self.session, operator=someone, conversation_id=conversation_id, state=queued.state)
        for name in queued.labels:
            labels.add_label(self.session, operator=someone, conversation_id=conversation_id, name=name)
        if queued.department is not None:
            departments.set_department(
                self.session, operator=someone, conversation_id=conversation_id, department_id=self.departments[queued.department]
            )
        if queued.read:
            inbox.mark_read(self.session, tenant_id=row_id(self.tenant), conversation_id=conversation_id)
        return conversation_id

    def _citizen_says(self, citizen: Citizen, says: Says, at: datetime, platform_message_id: str) -> int:
        """One citizen message through the message path; the bot's answers to it dated and sent just after."""
        channel = self.channels[citizen.platform]
        media = None
        if says.photo is not None:
            path = save_media(
                self.media_dir,
                tenant_id=row_id(self.tenant),
                data=says.photo.draw(),
                kind=MessageKind.PHOTO,
                filename=says.photo.filename,
                mime_type="image/png",
            )
            media = pipeline.StoredMedia(path=path, mime_type="image/png", filename=says.photo.filename)
        whatsapp = citizen.platform == "whatsapp"
        latitude, longitude = says.place or (None, None)
        inbound = InboundMessage(
            platform_message_id=platform_message_id,
            sender_id=citizen.number,
            address=citizen.number,
            kind=says.kind,
            sent_at=at,
            sender_name=citizen.name,
            language_code=citizen.language,
            text=says.text,
            latitude=latitude,
            longitude=longitude,
            sender_phone=f"+{citizen.number}" if whatsapp else None,
        )
        result = pipeline.receive(self.session, channel=channel, inbound=inbound, media=media)
        assert result.conversation_id is not None and result.message_id is not None  # a new platform message id
        citizens.link_conversation_citizen(self.session, conversation_id=result.conversation_id)
        message = self.session.get_one(Message, result.message_id)
        if message.outcome == AnswerOutcome.OPERATOR and result.reply_message_ids:
            # The notice of a new wait: what the office's hours said then, not at the moment of loading.
            notice = self.session.get_one(Message, result.reply_message_ids[0])
            conversation = self.session.get_one(Conversation, result.conversation_id)
            language = self.session.get_one(CitizenRecord, conversation.citizen_id).language
            notice.text = routing.waiting_notice(self.session, tenant=self.tenant, language=language, now=at)
        self._sent(result.reply_message_ids, at + BOT_DELAY)
        return result.conversation_id

    def _sent(self, message_ids: list[int], at: datetime) -> None:
        """These outbound messages left at `at` and reached the citizen (read, where the platform tells)."""
        for message_id in message_ids:
            message = self.session.get_one(Message, message_id)
            channel = self.session.get_one(Channel, message.channel_id)
            message.created_at = message.sent_at = at
            message.status = DeliveryStatus.READ if channel.platform == "whatsapp" else DeliveryStatus.SENT
            item = self.session.exec(select(OutboxItem).where(OutboxItem.message_id == message_id)).one()
            item.status, item.sent_at, item.attempts = OutboxStatus.SENT, at, 1
            conversation = self.session.get_one(Conversation, message.conversation_id)
            conversation.last_message_at = at  # written in order: the latest so far
            self.session.add_all([message, item, conversation])
        self.session.flush()


def write_queue(session: Session, *, tenant: Tenant, media_dir: Path, now: datetime) -> list[int]:
    """Write the demo's queue into `tenant` (the demo town: its operators, Telegram bot and WhatsApp number), its
    times `now` and before; the caller commits. The conversations' ids."""
    return QueueWriter(session, tenant=tenant, media_dir=media_dir, now=now).write()
