"""Channels (administrators only): the organisation's bots and numbers, switching them off and on, and the approved
templates of the channels that need them (those with a free-form window, such as WhatsApp numbers).

Every handler resolves the session cookie again and calls `core.channel_desk.ChannelDesk`, which acts only for an
administrator, on the administrator's own tenant's channels. Credentials never leave the server: the
page shows a channel's public address (a bot's id, a number's id), never a token or a secret.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import reflex as rx

from citymes_app.core import templates, tenants
from citymes_app.core.auth import SignedInOperator
from citymes_app.core.channel_desk import ChannelListing
from citymes_app.i18n import N_, Words, words_for
from citymes_app.runtime import get_runtime
from citymes_app.state.auth_state import admin_page_visit, signed_in_admin
from citymes_app.state.language import on_language_switch
from citymes_app.state.wording import sentence, tab_words
from integrations.base import AddressKind, describe_channel
from integrations.simulator.client import SimulatorClient, SimulatorRefused, SimulatorUnreachable, simulator_handle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TemplateRow:
    """An approved template as listed."""

    key: str
    name: str
    language: str
    body: str
    parameter_count: int


@dataclass(frozen=True)
class ChannelRow:
    """One channel of the organisation as the page shows it."""

    id: int
    name: str
    platform: str
    mode: str
    enabled: bool
    address: str  # "Number id 600000000", "Bot id 700000001"
    webhook_url: str
    takes_templates: bool  # the platform has a free-form window, so operators need approved templates
    templates: list[TemplateRow] = field(default_factory=list)


@dataclass(frozen=True)
class ChannelChoice:
    """A channel the add-template form can record a template for."""

    id: str
    name: str


ADDRESS_LABELS = {AddressKind.BOT: N_("Bot id {id}"), AddressKind.NUMBER: N_("Number id {id}")}


def _address(channel: ChannelListing, words: Words) -> str:
    address = describe_channel(channel.platform, channel.credentials or {})
    return words.translate(ADDRESS_LABELS[address.kind]).format(id=address.public_id) if address else ""


def _row(listing: ChannelListing, words: Words) -> ChannelRow:
    return ChannelRow(
        id=listing.id,
        name=listing.name or words.t("Channel {id}", id=listing.id),
        platform=listing.platform,
        mode=listing.mode.value,
        enabled=listing.enabled,
        address=_address(listing, words),
        webhook_url=listing.webhook_url,
        takes_templates=listing.takes_templates,
        templates=[TemplateRow(str(t.id), t.name, t.language, t.body, t.parameter_count) for t in listing.templates],
    )


async def _approve_in_simulator(phone_number_id: str, template: templates.Template) -> str:
    """In the demo the simulator plays WhatsApp, which checks templates: approve it there too. Returns a problem or ""."""
    settings = get_runtime().settings
    if not phone_number_id or settings.whatsapp_api_base != settings.simulator_url:
        return ""  # a real number: Meta approves templates in its own dashboard
    simulator = SimulatorClient(settings.simulator_url, timeout=10)
    try:
        await simulator.whatsapp_approve_template(
            phone_number_id, name=template.name, language=template.language, body=template.body
        )
    except SimulatorUnreachable:
        return N_("the simulator is not answering, so it does not know this template yet")
    except SimulatorRefused:
        return N_("the simulator did not take it (is the number connected to it?)")
    return ""


class ChannelsState(rx.State):
    """The channels page of one administrator's tab."""

    channels: list[ChannelRow] = []
    # Switching a channel off asks first: its citizens' messages stop arriving.
    disable_id: int = 0
    disable_name: str = ""
    channel_error: str = ""
    # The add-template form.
    new_channel_id: str = ""
    new_name: str = ""
    new_language: str = ""
    new_body: str = ""
    template_error: str = ""
    template_error_field: str = ""  # name | language | body | "" (the whole form)
    template_notice: str = ""
    adding: bool = False

    @rx.var
    def template_channels(self) -> list[ChannelChoice]:
        """The channels that take templates, for the form's channel choice."""
        return [ChannelChoice(str(c.id), c.name) for c in self.channels if c.takes_templates]

    @rx.var
    def new_parameter_count(self) -> int:
        """How many parameters the body being written takes."""
        return templates.parameter_count(self.new_body)

    async def _reload(self, operator: SignedInOperator) -> None:
        words = words_for(operator.language)
        self.channels = [_row(listing, words) for listing in await get_runtime().channel_desk.list(by=operator)]
        choices = [str(c.id) for c in self.channels if c.takes_templates]
        if self.new_channel_id not in choices:
            self.new_channel_id = choices[0] if choices else ""

    @rx.event
    async def open_channels_page(self):
        """Page load: only an administrator gets the page (others see why); load the tenant's channels."""
        operator, instead = await admin_page_visit(self)
        if operator is None:
            return instead
        self.disable_id, self.disable_name, self.channel_error = 0, "", ""
        self.template_error, self.template_error_field, self.template_notice, self.adding = "", "", "", False
        await self._reload(operator)

    # Enabling and disabling.

    @rx.event
    async def toggle_channel(self, channel_id: int, enabled: bool):
        """The switch of a channel: on at once; off after the administrator confirms."""
        if not enabled:
            name = next((c.name for c in self.channels if c.id == channel_id), f"channel {channel_id}")
            self.disable_id, self.disable_name = channel_id, name
            return
        await self._set_enabled(channel_id, True)

    @rx.event
    def cancel_disable(self):
        """Keep the channel on."""
        self.disable_id, self.disable_name = 0, ""

    @rx.event
    def set_disable_dialog(self, value: bool):
        """The confirmation was dismissed."""
        if not value:
            self.disable_id, self.disable_name = 0, ""

    @rx.event
    async def confirm_disable(self):
        """Switch the channel off."""
        channel_id = self.disable_id
        self.disable_id, self.disable_name = 0, ""
        if channel_id:
            await self._set_enabled(channel_id, False)

    async def _set_enabled(self, channel_id: int, enabled: bool) -> None:
        operator = await signed_in_admin(self)
        if operator is None:
            self.channel_error = (await tab_words(self)).t("Only an administrator can switch channels on and off.")
            return
        try:
            await get_runtime().channel_desk.set_enabled(by=operator, channel_id=channel_id, enabled=enabled)
        except tenants.TenantError as exc:
            self.channel_error = sentence(exc, words_for(operator.language))
            return
        log.info("operator %s %s channel %s", operator.operator_id, "enabled" if enabled else "disabled", channel_id)
        self.channel_error = ""
        await self._reload(operator)

    # Approved templates.

    @rx.event
    def set_new_channel(self, value: str):
        """The channel the new template is for."""
        self.new_channel_id = value

    @rx.event
    def set_new_name(self, value: str):
        """The template's name, as approved."""
        if value != self.new_name:  # an input echoing the value just set is not the person typing
            self.new_name = value
            self._clear_error("name")

    @rx.event
    def set_new_language(self, value: str):
        """The template's language code, as approved."""
        if value != self.new_language:  # an input echoing the value just set is not the person typing
            self.new_language = value
            self._clear_error("language")

    @rx.event
    def set_new_body(self, value: str):
        """The template's text with its placeholders."""
        if value != self.new_body:  # an input echoing the value just set is not the person typing
            self.new_body = value
            self._clear_error("body")

    def _clear_error(self, field_name: str) -> None:
        self.template_notice = ""
        if self.template_error_field in (field_name, ""):
            self.template_error, self.template_error_field = "", ""

    @rx.event
    async def add_template(self, form_data: dict[str, str]):
        """Record an approved template for the chosen channel; a refusal shows beside the field to correct."""
        if self.adding:
            return
        operator = await signed_in_admin(self)
        if operator is None:
            self.template_error, self.template_error_field = (
                (await tab_words(self)).t("Only an administrator can add templates."),
                "",
            )
            return
        words = words_for(operator.language)
        if type(form_data) is dict:  # the fields as submitted: a key pressed just before may not have reached us yet
            self.new_name = str(form_data.get("name", self.new_name))
            self.new_language = str(form_data.get("language", self.new_language))
            self.new_body = str(form_data.get("body", self.new_body))
        if not self.new_channel_id.isdigit():
            self.template_error = words.t("Choose the channel the template was approved for.")
            self.template_error_field = ""
            return
        self.adding, self.template_notice = True, ""
        yield
        try:
            recorded = await get_runtime().channel_desk.add_template(
                by=operator,
                channel_id=int(self.new_channel_id),
                name=self.new_name,
                language=self.new_language,
                body=self.new_body,
            )
        except templates.TemplateError as exc:
            self.template_error, self.template_error_field = sentence(exc, words), exc.field
            return
        except tenants.TenantError as exc:
            self.template_error, self.template_error_field = sentence(exc, words), ""
            return
        finally:
            self.adding = False
        template = recorded.template
        number_id = simulator_handle(recorded.channel.platform, recorded.channel.credentials or {})
        problem = await _approve_in_simulator(number_id, template)
        log.info("operator %s recorded template %s (%s)", operator.operator_id, template.name, template.language)
        recorded_note = words.t("Template {name} ({language}) recorded", name=template.name, language=template.language)
        self.template_notice = (
            words.t("{recorded}; note: {problem}.", recorded=recorded_note, problem=words.translate(problem))
            if problem
            else f"{recorded_note}."
        )
        self.new_name, self.new_language, self.new_body = "", "", ""
        self.template_error, self.template_error_field = "", ""
        await self._reload(operator)

    @rx.event
    async def relabel(self):
        """The administrator switched language: the channels' descriptions again, without the messages worded before."""
        operator = await signed_in_admin(self)
        if operator is not None and self.channels:
            self.channel_error = self.template_error = self.template_notice = ""
            await self._reload(operator)


on_language_switch(ChannelsState.relabel)
