"""Approved message templates of a channel: what an operator may send once the free-form window has closed.

The platform approves a template (name, language, body with `{{1}}`, `{{2}}`... placeholders) on its side; an
administrator records the same template here so that operators can choose it and fill in its parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from citymes_app.core.phrases import PhrasedError
from citymes_app.models import Channel, MessageTemplate, row_id
from integrations.base import free_form_window_for

NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,512}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
MAX_BODY = 1024
MAX_PARAM = 1024


class TemplateError(PhrasedError):
    """A template that cannot be recorded or filled in; the message (a template and its values) is for the person.

    `field` names what to correct ("name", "language", "body"), so a form can show the message beside it.
    """

    def __init__(self, message: str, field: str = "", **values: object) -> None:
        super().__init__(message, **values)
        self.field = field


@dataclass(frozen=True)
class Template:
    """A template as operators choose it."""

    id: int
    channel_id: int
    name: str
    language: str
    body: str
    parameter_count: int


def takes_templates(platform: str) -> bool:
    """Whether a platform's channels need approved templates (it has a free-form window outside which only they go)."""
    return free_form_window_for(platform) is not None


def parameter_count(body: str) -> int:
    """How many parameters a body takes: its highest placeholder number."""
    return max((int(n) for n in PLACEHOLDER.findall(body)), default=0)


def render(body: str, params: list[str] | tuple[str, ...]) -> str:
    """The body with its placeholders filled in, as the citizen will read it."""
    return PLACEHOLDER.sub(lambda m: params[int(m.group(1)) - 1] if 0 < int(m.group(1)) <= len(params) else m.group(0), body)


def _template(row: MessageTemplate) -> Template:
    return Template(row_id(row), row.channel_id, row.name, row.language, row.body, parameter_count(row.body))


def add_template(session: Session, *, channel: Channel, name: str, language: str, body: str) -> Template:
    """Record a template approved for `channel` (replacing the body of the same name and language)."""
    name, language, body = name.strip(), language.strip(), body.strip()
    if not NAME_PATTERN.match(name):
        raise TemplateError(
            "'{name}' is not a template name: use lowercase letters, digits and _, as approved", "name", name=name
        )
    if not LANGUAGE_PATTERN.match(language):
        raise TemplateError("'{language}' is not a template language code (e.g. ca, es, en_US)", "language", language=language)
    if not body or len(body) > MAX_BODY:
        raise TemplateError("the template body must have 1-{n} characters", "body", n=MAX_BODY)
    numbers = sorted({int(n) for n in PLACEHOLDER.findall(body)})
    if numbers != list(range(1, len(numbers) + 1)):
        raise TemplateError("the placeholders must be numbered {{1}}, {{2}}... without gaps", "body")
    row = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.channel_id == channel.id, MessageTemplate.name == name, MessageTemplate.language == language
        )
    ).first()
    if row is None:
        row = MessageTemplate(tenant_id=channel.tenant_id, channel_id=row_id(channel), name=name, language=language, body=body)
    row.body = body
    session.add(row)
    session.flush()
    return _template(row)


def list_templates(session: Session, *, channel_id: int) -> list[Template]:
    """The templates recorded for a channel, by name and language."""
    rows = session.exec(
        select(MessageTemplate)
        .where(MessageTemplate.channel_id == channel_id)
        .order_by(MessageTemplate.name, MessageTemplate.language)
    )
    return [_template(row) for row in rows]


def find_template(session: Session, *, channel_id: int, name: str, language: str | None = None) -> Template:
    """The channel's template `name` (in `language`, or its only language); `TemplateError` naming the choices."""
    candidates = [t for t in list_templates(session, channel_id=channel_id) if t.name == name]
    if language is not None:
        candidates = [t for t in candidates if t.language == language]
    if len(candidates) == 1:
        return candidates[0]
    available = ", ".join(f"{t.name} ({t.language})" for t in list_templates(session, channel_id=channel_id))
    if not candidates:
        wanted = f"'{name}'" + (f" in '{language}'" if language else "")
        raise TemplateError(
            "this channel has no approved template {wanted}; available: {available}",
            wanted=wanted,
            available=available or "none yet",
        )
    raise TemplateError("template '{name}' exists in several languages: choose one ({available})", name=name, available=available)


def check_params(template: Template, params: list[str] | tuple[str, ...]) -> list[str]:
    """The parameters, trimmed, if they fit the template; `TemplateError` otherwise."""
    cleaned = [p.strip() for p in params]
    if len(cleaned) != template.parameter_count:
        raise TemplateError(
            "template '{name}' takes {n} parameter(s), {given} given",
            name=template.name,
            n=template.parameter_count,
            given=len(cleaned),
        )
    for number, param in enumerate(cleaned, start=1):
        placeholder = "{{" + str(number) + "}}"
        if not param:
            raise TemplateError("parameter {number} of template '{name}' is empty", number=placeholder, name=template.name)
        if len(param) > MAX_PARAM or "\n" in param or "\t" in param:
            # Platforms refuse template parameters with new lines, tabs or more than 4 spaces in a row.
            raise TemplateError("parameter {number} must be one line of at most {n} characters", number=placeholder, n=MAX_PARAM)
        if "    " in param:
            raise TemplateError("parameter {number} must not hold four spaces in a row", number=placeholder)
    return cleaned
