"""The demo town: a tenant, operators, a Telegram bot and a WhatsApp number on the local simulator, keywords in
three languages, and a live queue of citizens waiting (`demo_queue`)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from citymes_app import demo_queue
from citymes_app.core import auth, canned_responses, clock, codes, keywords, lists, templates, tenants
from citymes_app.core.config import load_settings
from citymes_app.models import Channel, ChannelMode, ConsentSource, Conversation, Tenant, row_id

DEMO_SLUG = "demo"
DEMO_TOKEN = "700000001:demo-citymes-town-hall-bot"
DEMO_SECRET = "demo-webhook-secret"
DEMO_PASSWORD = "citymes-demo"
# The demo's WhatsApp Business number on the simulator (`channel connect-simulator` registers it there).
DEMO_WHATSAPP_NAME = "WhatsApp +34 600 000 000"
DEMO_WHATSAPP_DISPLAY_NUMBER = "34600000000"
DEMO_WHATSAPP_CREDENTIALS = {
    "phone_number_id": "600000000",
    "access_token": "EAAGdemoCityMesTownHallAccessToken",
    "app_secret": "demo-whatsapp-app-secret",
    "verify_token": "demo-whatsapp-verify-token",
}
# Approved on the platform's side in real life; recorded here (and in the simulator) for the 24-hour window.
DEMO_TEMPLATES = [
    ("seguiment", "ca", "Hola {{1}}, us escrivim de l'Ajuntament sobre la vostra consulta. Podeu respondre aquest missatge."),
    ("seguiment", "es", "Hola {{1}}, le escribimos del Ayuntamiento sobre su consulta. Puede responder a este mensaje."),
    ("seguiment", "en", "Hello {{1}}, the Town Hall is writing to you about your enquiry. You can reply to this message."),
]
# What the office's operators write most, in Catalan and Spanish; `{name}` and `{operator}` are filled in when inserted.
DEMO_CANNED_RESPONSES = [
    ("hola", "Bon dia {name}, sóc {operator}, de l'Ajuntament. En què us puc ajudar?"),
    ("hola-es", "Buenos días {name}, soy {operator}, del Ayuntamiento. ¿En qué le puedo ayudar?"),
    ("gracies", "Gràcies per escriure'ns, {name}. Si necessiteu res més, som aquí de dilluns a divendres de 8 a 19 h."),
    ("gracias", "Gracias por escribirnos, {name}. Si necesita algo más, estamos aquí de lunes a viernes de 8 a 19 h."),
    ("cita", "Podeu demanar cita prèvia a la seu electrònica o trucant al 010. Porteu el DNI o NIE el dia de la cita."),
    ("brigada", "Hem avisat la brigada municipal, {name}. Us escriurem quan estigui arreglat."),
]
DEMO_OPERATORS = [
    ("operator@demo.citymes.local", "operator", "Laia (operator)"),
    ("operator2@demo.citymes.local", "operator", "Pau (operator)"),
    ("manager@demo.citymes.local", "manager", "Marta (manager)"),
    ("admin@demo.citymes.local", "admin", "Jordi (admin)"),
]
DEMO_KEYWORDS_CSV = """keyword,response,language,synonyms,featured,topic,buttons
HORARIS,"L'Oficina d'Atenció Ciutadana obre de dilluns a divendres de 8 a 19 h. Biblioteques: de 10 a 20 h.",ca,horari|horaris oac,true,hours,DEIXALLERIA|PADRO
HORARIOS,"La Oficina de Atención Ciudadana abre de lunes a viernes de 8 a 19 h. Bibliotecas: de 10 a 20 h.",es,horario,true,hours,PUNTO LIMPIO|PADRON
OPENING HOURS,"The Citizen Service Office is open Monday to Friday, 8:00 to 19:00. Libraries: 10:00 to 20:00.",en,hours,true,hours,
DEIXALLERIA,"La deixalleria municipal obre de dimarts a dissabte de 9 a 14 h i de 16 a 19 h. Recollida de mobles: truqueu al 010.",ca,punt verd,true,recycling,HORARIS
PUNTO LIMPIO,"El punto limpio abre de martes a sábado de 9 a 14 h y de 16 a 19 h. Recogida de muebles: llame al 010.",es,,true,recycling,HORARIOS
PADRO,"Per al certificat d'empadronament, demaneu cita a la seu electrònica o veniu a l'OAC amb el DNI/NIE.",ca,empadronament,false,census,
PADRON,"Para el certificado de empadronamiento, pida cita en la sede electrónica o venga a la OAC con el DNI/NIE.",es,empadronamiento,false,census,
TRAMIT,"Escriviu TRAMIT i el codi del vostre expedient (per exemple: TRAMIT AB1234) per saber com va.",ca,expedient,true,procedure,
TRAMITE,"Escriba TRAMITE y el código de su expediente (por ejemplo: TRAMITE AB1234) para saber cómo va.",es,expediente,true,procedure,
"""
DEMO_CODES_CSV = """code,response,phone
AB1234,"Expedient AB1234 (llicència d'obres menors): en revisió tècnica des del 18/11. Us avisarem quan estigui resolt.",
CD5678,"Expedient CD5678 (ajut al lloguer): aprovat el 20/11. L'import s'ingressarà en 15 dies.",
"""


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    tenant_slug: str
    channel_id: int | None  # the Telegram bot (the first channel)
    whatsapp_channel_id: int | None = None


def _whatsapp_number(session: Session, *, tenant: Tenant) -> Channel:
    """The demo's WhatsApp number and its templates, added if missing (so older demo databases gain them too)."""
    number_id = DEMO_WHATSAPP_CREDENTIALS["phone_number_id"]
    channel = next(
        (
            c
            for c in tenants.list_channels(session, tenant_id=tenant.id)
            if c.platform == "whatsapp" and c.credentials.get("phone_number_id") == number_id
        ),
        None,
    )
    if channel is None:
        channel = tenants.add_channel(
            session, tenant=tenant, platform="whatsapp", credentials=dict(DEMO_WHATSAPP_CREDENTIALS), name=DEMO_WHATSAPP_NAME
        )
    recorded = {(t.name, t.language) for t in templates.list_templates(session, channel_id=row_id(channel))}
    for name, language, body in DEMO_TEMPLATES:
        if (name, language) not in recorded:
            templates.add_template(session, channel=channel, name=name, language=language, body=body)
    return channel


def _canned_responses(session: Session, *, tenant: Tenant) -> None:
    """The demo's canned responses, added when the town has none (so older demo databases gain them too)."""
    if canned_responses.list_canned(session, tenant_id=row_id(tenant)):
        return
    for shortcut, text in DEMO_CANNED_RESPONSES:
        canned_responses.save_canned(session, tenant=tenant, canned_id=None, shortcut=shortcut, text=text)


# The demo's distribution lists: (language, name, description, join phrase, leave phrase) per language.
DEMO_LISTS = [
    (
        ("ca", "Trànsit", "Talls de carrers, obres i mobilitat", "ALTA TRANSIT", "BAIXA TRANSIT"),
        ("es", "Tráfico", "Cortes de calles, obras y movilidad", "ALTA TRAFICO", "BAJA TRAFICO"),
        ("en", "Traffic", "Street closures, works and getting around", "JOIN TRAFFIC", "LEAVE TRAFFIC"),
    ),
    (
        ("ca", "Cultura", "Agenda cultural i festes", "ALTA CULTURA", "BAIXA CULTURA"),
        ("es", "Cultura", "Agenda cultural y fiestas", "ALTA CULTURA ES", "BAJA CULTURA"),
        ("en", "Culture", "What's on and festivities", "JOIN CULTURE", "LEAVE CULTURE"),
    ),
    (
        ("ca", "Emergències", "Avisos de Protecció Civil", "ALTA EMERGENCIES", "BAIXA EMERGENCIES"),
        ("es", "Emergencias", "Avisos de Protección Civil", "ALTA EMERGENCIAS", "BAJA EMERGENCIAS"),
        ("en", "Emergencies", "Civil protection warnings", "JOIN EMERGENCIES", "LEAVE EMERGENCIES"),
    ),
]


def _distribution_lists(session: Session, *, tenant: Tenant) -> None:
    """The demo's lists, added when the town has none, with some of its citizens on them (joined over the last weeks,
    on the channel they write from), so the lists page shows members and growth."""
    tenant_id = row_id(tenant)
    if lists.list_overviews(session, tenant_id=tenant_id, language=None):
        return
    rng = random.Random(7)  # the same demo every time
    conversations = session.exec(
        select(Conversation.citizen_id, Conversation.channel_id)
        .where(Conversation.tenant_id == tenant_id)
        .order_by(col(Conversation.id))
    ).all()
    now = clock.now()
    for wording in DEMO_LISTS:
        texts = {code: lists.ListTexts(code, name, about, join, leave) for code, name, about, join, leave in wording}
        change = lists.save_list(session, tenant=tenant, list_id=None, texts=texts)
        for citizen_id, channel_id in conversations:
            if rng.random() < 0.5:
                lists.subscribe(
                    session,
                    tenant_id=tenant_id,
                    list_id=change.id,
                    citizen_id=citizen_id,
                    channel_id=channel_id,
                    source=ConsentSource.KEYWORD,
                    at=now - timedelta(days=rng.randint(0, 29), minutes=rng.randint(0, 600)),
                )


def load_demo(
    session: Session, *, telegram_mode: str = ChannelMode.WEBHOOK, queue: bool = True, media_dir: Path | None = None
) -> DemoSummary:
    """Create the demo tenant if it does not exist yet (idempotent), with its queue of citizens waiting (`queue`; its
    photos go to `media_dir`, by default the settings' media folder). A demo town already there keeps its records."""
    existing = tenants.get_tenant(session, slug=DEMO_SLUG)
    if existing is not None:
        whatsapp = _whatsapp_number(session, tenant=existing)
        _canned_responses(session, tenant=existing)
        _distribution_lists(session, tenant=existing)
        channels = tenants.list_channels(session, tenant_id=existing.id)
        return DemoSummary(False, DEMO_SLUG, channels[0].id if channels else None, whatsapp.id)
    tenant = tenants.add_tenant(session, slug=DEMO_SLUG, name="Ajuntament de Vilademo", languages="ca,es,en")
    for email, role, name in DEMO_OPERATORS:
        auth.add_operator(session, tenant=tenant, email=email, password=DEMO_PASSWORD, role=role, display_name=name)
    channel = tenants.add_channel(
        session,
        tenant=tenant,
        platform="telegram",
        credentials={"token": DEMO_TOKEN, "secret": DEMO_SECRET},
        mode=telegram_mode,
        name="Telegram @vilademo_bot",
    )
    whatsapp = _whatsapp_number(session, tenant=tenant)
    _canned_responses(session, tenant=tenant)
    report = keywords.import_keywords_csv(session, tenant=tenant, content=DEMO_KEYWORDS_CSV)
    if not report.ok:
        raise RuntimeError("; ".join(map(str, report.errors)))
    code_report = codes.import_codes_csv(session, tenant=tenant, keyword_text="TRAMIT", content=DEMO_CODES_CSV)
    if not code_report.ok:
        raise RuntimeError("; ".join(code_report.errors))
    if queue:
        session.flush()
        demo_queue.write_queue(session, tenant=tenant, media_dir=media_dir or load_settings().media_dir, now=clock.now())
        session.flush()
    _distribution_lists(session, tenant=tenant)
    return DemoSummary(True, DEMO_SLUG, channel.id, whatsapp.id)
