"""What the inbox needs besides its rows: map links, and the templates an operator may pick.

Values only (a timezone, a URL, ordered options); the wording of times and windows lives beside the web layer
(`state/inbox_format.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from citymes_app.core import inbox
from citymes_app.models import Citizen, Conversation, Tenant


def osm_link(latitude: float, longitude: float) -> str:
    """An OpenStreetMap page centred on a point, with a marker."""
    lat, lon = f"{latitude:.6f}", f"{longitude:.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


@dataclass(frozen=True)
class TemplateOption:
    """An approved template an operator can pick, with what the picker needs."""

    id: str  # the template's id, as the picker's value
    name: str
    language: str
    label: str  # "seguiment (ca)"
    body: str
    parameter_count: int


def template_options(session: Session, *, tenant_id: int, conversation_id: int) -> list[TemplateOption]:
    """The approved templates of a conversation's channel, those in the citizen's language first."""
    found = inbox.conversation_templates(session, tenant_id=tenant_id, conversation_id=conversation_id)
    conversation = session.get_one(Conversation, conversation_id)
    citizen = session.get(Citizen, conversation.citizen_id)
    tenant = session.get(Tenant, tenant_id)
    preferred = [citizen.language] if citizen and citizen.language else []
    preferred += tenant.languages.split(",") if tenant else []

    def rank(language: str) -> int:
        base = language.split("_")[0]
        return preferred.index(base) if base in preferred else len(preferred)

    ordered = sorted(found, key=lambda t: (rank(t.language), t.name, t.language))
    return [TemplateOption(str(t.id), t.name, t.language, f"{t.name} ({t.language})", t.body, t.parameter_count) for t in ordered]
