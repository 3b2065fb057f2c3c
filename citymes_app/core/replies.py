"""The automatic texts citizens receive, in Catalan, Spanish and English.

A tenant may override the waiting notices per language (`Tenant.auto_replies`); everything else is fixed wording.
"""

from __future__ import annotations

from citymes_app.models import Tenant

DEFAULT_LANGUAGE = "ca"

TEXTS: dict[str, dict[str, str]] = {
    "ca": {
        "in_hours": "Gràcies pel vostre missatge. Un operador us respondrà aviat.",
        "out_of_hours": (
            "Gràcies pel vostre missatge. Ara l'oficina és tancada: els operadors tornen {next_opening} i us "
            "respondran llavors. Mentrestant, escriviu PARAULES CLAU per veure les respostes automàtiques."
        ),
        "out_of_hours_unknown": "Gràcies pel vostre missatge. Ara l'oficina és tancada; us respondrem tan aviat com puguem.",
        "contact_saved": "Gràcies: hem desat el vostre número per a les consultes personals.",
        "index_header": "Paraules clau (escriviu-ne una):",
        "index_footer": "Escriviu PARAULES CLAU TOTES per veure-les totes.",
        "index_empty": "Encara no hi ha paraules clau. Escriviu la vostra consulta i us respondrà un operador.",
        "all_header": "Totes les paraules clau (pàgina {page} de {pages}):",
        "all_next": "Escriviu PARAULES CLAU TOTES {next} per a la pàgina següent.",
        "did_you_mean": "Voleu dir {options}?",
        "or": "o",
        "code_wrong": "Aquest codi no és correcte. Reviseu-lo i torneu-ho a provar: {keyword} CODI.",
        "code_locked": (
            "Per seguretat, hem aturat les consultes amb codi durant una estona després de diversos intents "
            "incorrectes. Torneu-ho a provar més tard o escriviu-nos la consulta i us ajudarà un operador."
        ),
        "list_joined": "Us heu donat d'alta a la llista {name}. Per sortir-ne, escriviu {leave}.",
        "list_already_joined": "Ja sou a la llista {name}. Per sortir-ne, escriviu {leave}.",
        "list_left": "Us heu donat de baixa de la llista {name}.",
        "list_not_joined": "No sou a la llista {name}: no cal donar-vos de baixa.",
        "list_left_all": "Us heu donat de baixa de totes les llistes ({count}).",
        "list_left_none": "No sou a cap llista.",
        "lists_header": "Llistes de difusió (escriviu la frase per donar-vos d'alta):",
        "lists_line": "• {name}: {join}",
        "lists_line_mine": "• {name} ✓ (hi sou; per sortir-ne: {leave})",
        "lists_footer": "Escriviu BAIXA TOT per sortir de totes les llistes.",
        "lists_empty": "Encara no hi ha llistes de difusió.",
        "list_unknown": "Aquesta llista no existeix.",
        "code_other_phone": (
            "Aquesta resposta només es pot donar al telèfon associat al codi. Si sou la persona titular, "
            "comparteix el vostre contacte (a Telegram: botó de compartir contacte) i torneu-ho a provar."
        ),
    },
    "es": {
        "in_hours": "Gracias por su mensaje. Un operador le responderá pronto.",
        "out_of_hours": (
            "Gracias por su mensaje. Ahora la oficina está cerrada: los operadores vuelven el {next_opening} y le "
            "responderán entonces. Mientras tanto, escriba PALABRAS CLAVE para ver las respuestas automáticas."
        ),
        "out_of_hours_unknown": "Gracias por su mensaje. Ahora la oficina está cerrada; le responderemos lo antes posible.",
        "contact_saved": "Gracias: hemos guardado su número para las consultas personales.",
        "index_header": "Palabras clave (escriba una):",
        "index_footer": "Escriba PALABRAS CLAVE TODAS para verlas todas.",
        "index_empty": "Todavía no hay palabras clave. Escriba su consulta y le responderá un operador.",
        "all_header": "Todas las palabras clave (página {page} de {pages}):",
        "all_next": "Escriba PALABRAS CLAVE TODAS {next} para la página siguiente.",
        "did_you_mean": "¿Quiere decir {options}?",
        "or": "o",
        "code_wrong": "Este código no es correcto. Revíselo y vuelva a intentarlo: {keyword} CÓDIGO.",
        "code_locked": (
            "Por seguridad, hemos detenido las consultas con código durante un rato tras varios intentos "
            "incorrectos. Vuelva a intentarlo más tarde o escríbanos su consulta y le atenderá un operador."
        ),
        "list_joined": "Se ha dado de alta en la lista {name}. Para salir, escriba {leave}.",
        "list_already_joined": "Ya está en la lista {name}. Para salir, escriba {leave}.",
        "list_left": "Se ha dado de baja de la lista {name}.",
        "list_not_joined": "No está en la lista {name}: no hace falta darse de baja.",
        "list_left_all": "Se ha dado de baja de todas las listas ({count}).",
        "list_left_none": "No está en ninguna lista.",
        "lists_header": "Listas de difusión (escriba la frase para darse de alta):",
        "lists_line": "• {name}: {join}",
        "lists_line_mine": "• {name} ✓ (está en ella; para salir: {leave})",
        "lists_footer": "Escriba BAJA TODO para salir de todas las listas.",
        "lists_empty": "Todavía no hay listas de difusión.",
        "list_unknown": "Esa lista no existe.",
        "code_other_phone": (
            "Esta respuesta solo puede darse al teléfono asociado al código. Si es usted la persona titular, "
            "comparta su contacto (en Telegram: botón de compartir contacto) y vuelva a intentarlo."
        ),
    },
    "en": {
        "in_hours": "Thank you for your message. An operator will answer you soon.",
        "out_of_hours": (
            "Thank you for your message. The office is closed now: operators are back on {next_opening} and will "
            "answer you then. Meanwhile, send KEYWORDS to see the automatic answers."
        ),
        "out_of_hours_unknown": "Thank you for your message. The office is closed now; we will answer as soon as we can.",
        "contact_saved": "Thank you: your number is saved for personal look-ups.",
        "index_header": "Keywords (send one):",
        "index_footer": "Send KEYWORDS ALL to see them all.",
        "index_empty": "There are no keywords yet. Write your question and an operator will answer.",
        "all_header": "All keywords (page {page} of {pages}):",
        "all_next": "Send KEYWORDS ALL {next} for the next page.",
        "did_you_mean": "Did you mean {options}?",
        "or": "or",
        "code_wrong": "That code is not right. Check it and try again: {keyword} CODE.",
        "code_locked": (
            "For your security, code look-ups are paused for a while after several wrong tries. Try again later, "
            "or write your question and an operator will help you."
        ),
        "list_joined": "You have joined the list {name}. To leave it, send {leave}.",
        "list_already_joined": "You are already on the list {name}. To leave it, send {leave}.",
        "list_left": "You have left the list {name}.",
        "list_not_joined": "You are not on the list {name}: there is nothing to leave.",
        "list_left_all": "You have left every list ({count}).",
        "list_left_none": "You are not on any list.",
        "lists_header": "Distribution lists (send the phrase to join):",
        "lists_line": "• {name}: {join}",
        "lists_line_mine": "• {name} ✓ (you are on it; to leave: {leave})",
        "lists_footer": "Send LEAVE ALL to leave every list.",
        "lists_empty": "There are no distribution lists yet.",
        "list_unknown": "That list does not exist.",
        "code_other_phone": (
            "This answer can only be given to the phone number registered with the code. If that is you, share your "
            "contact (on Telegram: the share-contact button) and try again."
        ),
    },
}


def language_for(tenant: Tenant, preferred: str | None) -> str:
    """The language to answer in: the citizen's if the tenant offers it and we have texts for it."""
    offered = [code for code in tenant.languages.split(",") if code]
    if preferred and preferred in offered and preferred in TEXTS:
        return preferred
    for code in offered:
        if code in TEXTS:
            return code
    return DEFAULT_LANGUAGE


def text(tenant: Tenant, language: str, key: str, **values: object) -> str:
    """A fixed text in `language`, with the tenant's override for the waiting notices."""
    override = (tenant.auto_replies or {}).get(language, {}).get(key)
    template = override or TEXTS.get(language, TEXTS[DEFAULT_LANGUAGE])[key]
    return template.format(**values) if values else template
