"""The demo town: a tenant, operators, a Telegram bot on the local simulator, and keywords in three languages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from citymes_app.core import auth, keywords, tenants
from citymes_app.models import ChannelMode

DEMO_SLUG = "demo"
DEMO_TOKEN = "700000001:demo-citymes-town-hall-bot"
DEMO_SECRET = "demo-webhook-secret"
DEMO_PASSWORD = "citymes-demo"
DEMO_OPERATORS = [
    ("operator@demo.citymes.local", "operator", "Laia (operator)"),
    ("operator2@demo.citymes.local", "operator", "Pau (operator)"),
    ("manager@demo.citymes.local", "manager", "Marta (manager)"),
    ("admin@demo.citymes.local", "admin", "Jordi (admin)"),
]
DEMO_KEYWORDS_CSV = """keyword,response,language,synonyms,featured
HORARIS,"L'Oficina d'Atenció Ciutadana obre de dilluns a divendres de 8 a 19 h. Biblioteques: de 10 a 20 h.",ca,horari|horaris oac,true
HORARIOS,"La Oficina de Atención Ciudadana abre de lunes a viernes de 8 a 19 h. Bibliotecas: de 10 a 20 h.",es,horario,true
OPENING HOURS,"The Citizen Service Office is open Monday to Friday, 8:00 to 19:00. Libraries: 10:00 to 20:00.",en,hours,true
DEIXALLERIA,"La deixalleria municipal obre de dimarts a dissabte de 9 a 14 h i de 16 a 19 h. Recollida de mobles: truqueu al 010.",ca,punt verd,true
PUNTO LIMPIO,"El punto limpio abre de martes a sábado de 9 a 14 h y de 16 a 19 h. Recogida de muebles: llame al 010.",es,deixalleria,true
PADRO,"Per al certificat d'empadronament, demaneu cita a la seu electrònica o veniu a l'OAC amb el DNI/NIE.",ca,empadronament,false
PADRON,"Para el certificado de empadronamiento, pida cita en la sede electrónica o venga a la OAC con el DNI/NIE.",es,empadronamiento,false
"""


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    tenant_slug: str
    channel_id: int | None


def load_demo(session: Session, *, telegram_mode: str = ChannelMode.WEBHOOK) -> DemoSummary:
    """Create the demo tenant if it does not exist yet (idempotent)."""
    existing = tenants.get_tenant(session, slug=DEMO_SLUG)
    if existing is not None:
        channels = tenants.list_channels(session, tenant_id=existing.id)
        return DemoSummary(False, DEMO_SLUG, channels[0].id if channels else None)
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
    report = keywords.import_keywords_csv(session, tenant=tenant, content=DEMO_KEYWORDS_CSV)
    if not report.ok:
        raise RuntimeError("; ".join(report.errors))
    return DemoSummary(True, DEMO_SLUG, channel.id)
