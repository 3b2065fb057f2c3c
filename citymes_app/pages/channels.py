"""`/admin/channels`: the organisation's bots and numbers, switching them on and off, and approved templates."""

from __future__ import annotations

import reflex as rx

from citymes_app.components.admin import (
    admin_column,
    admin_only,
    card,
    confirm_dialog,
    field_error,
    form_field,
    label,
    page_header,
    refusal,
)
from citymes_app.components.error_notice import error_notice
from citymes_app.components.frame import operator_frame
from citymes_app.components.queue_item import platform_badge
from citymes_app.state.channels_state import ChannelRow, ChannelsState, TemplateRow
from citymes_app.state.language import t, tn

ROUTE = "/admin/channels"
TITLE = t("Channels") + " · CityMes"
ON_LOAD = ChannelsState.open_channels_page

S = ChannelsState
CONTENT_WIDTH = "1080px"


def not_for_you() -> rx.Component:
    """What an operator who is not an administrator sees instead."""
    return refusal(
        t("Channels are managed by administrators"),
        t(
            "Your organisation's administrators add, switch off and configure its Telegram bots and WhatsApp "
            "numbers. Ask one of them if a channel needs changing."
        ),
        element_id="channels-admin-only",
        text_width="380px",
    )


def _template_line(template: rx.Var[TemplateRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(template.name, variant="ghost"), white_space="nowrap"),
        rx.table.cell(rx.badge(template.language, variant="soft", color_scheme="gray")),
        rx.table.cell(rx.text(template.body, size="2", white_space="pre-wrap"), class_name="template-body"),
        rx.table.cell(template.parameter_count, text_align="right"),
        class_name="template-row",
    )


def _templates(channel: rx.Var[ChannelRow]) -> rx.Component:
    return rx.cond(
        channel.takes_templates,
        rx.vstack(
            rx.text(t("Approved templates"), size="2", weight="medium"),
            rx.cond(
                channel.templates.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(t("Name")),
                            rx.table.column_header_cell(t("Language")),
                            rx.table.column_header_cell(t("Text")),
                            rx.table.column_header_cell(t("Parameters"), text_align="right"),
                        )
                    ),
                    rx.table.body(rx.foreach(channel.templates, _template_line)),
                    size="1",
                    variant="surface",
                    width="100%",
                ),
                rx.text(
                    t("None yet: outside the 24-hour window operators cannot write to these citizens until one is added."),
                    size="2",
                    color_scheme="amber",
                ),
            ),
            spacing="2",
            width="100%",
        ),
    )


def _channel_card(channel: rx.Var[ChannelRow]) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                platform_badge(channel.platform),
                rx.heading(channel.name, size="3", weight="medium", class_name="channel-name"),
                rx.spacer(),
                rx.text(
                    rx.cond(channel.enabled, t("Enabled"), t("Disabled")),
                    size="2",
                    color_scheme=rx.cond(channel.enabled, "grass", "gray"),
                    class_name="channel-state",
                ),
                rx.switch(
                    checked=channel.enabled,
                    on_change=lambda value: S.toggle_channel(channel.id, value),
                    color_scheme="grass",
                    class_name="channel-switch",
                    custom_attrs={"aria-label": t("Receive and send on this channel")},
                ),
                align="center",
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.text(channel.address, size="1", color_scheme="gray"),
                rx.text("·", size="1", color_scheme="gray"),
                rx.text(
                    rx.cond(channel.mode == "webhook", t("Receives by webhook"), t("Receives by polling")),
                    size="1",
                    color_scheme="gray",
                ),
                rx.cond(
                    channel.mode == "webhook",
                    rx.hstack(
                        rx.text("·", size="1", color_scheme="gray"),
                        rx.code(channel.webhook_url, size="1", variant="ghost", color_scheme="gray"),
                        spacing="2",
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                ~channel.enabled,
                rx.text(
                    t("Switched off: its citizens' messages are refused and replies wait until it is on again."),
                    size="1",
                    color_scheme="amber",
                ),
            ),
            _templates(channel),
            spacing="3",
            width="100%",
        ),
        padding="16px 18px",
        border=rx.cond(channel.enabled, "1px solid var(--gray-a5)", "1px dashed var(--gray-a7)"),
        border_radius="var(--radius-4)",
        background=rx.cond(channel.enabled, "var(--color-panel-solid)", "var(--gray-2)"),
        width="100%",
        class_name="channel",
        custom_attrs={"data-channel": channel.id.to_string(), "data-platform": channel.platform},
    )


def channels_card() -> rx.Component:
    """Every bot and number of the organisation."""
    return card(
        t("Bots and numbers"),
        "radio-tower",
        error_notice(S.channel_error, "channel-error"),
        rx.cond(
            S.channels.length() > 0,
            rx.vstack(rx.foreach(S.channels, _channel_card), spacing="3", width="100%", id="channel-list"),
            rx.text(
                t("No channel yet: add one with `python -m citymes_app.cli channel add SLUG telegram|whatsapp …`."),
                size="2",
                color_scheme="gray",
            ),
        ),
    )


def add_template_card() -> rx.Component:
    """Record a template the platform approved, so operators can send it outside the window."""
    refused = S.template_error != ""
    return card(
        t("Add an approved template"),
        "file-plus",
        rx.text(
            t(
                "Templates are approved by Meta in the WhatsApp Manager; record each one here exactly as approved "
                "(name, language and text) so operators can pick it once a citizen's 24-hour window has closed."
            ),
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                rx.cond(
                    S.template_channels.length() > 1,
                    form_field(
                        label(t("Channel"), "template-channel"),
                        rx.select.root(
                            rx.select.trigger(width="100%", id="template-channel"),
                            rx.select.content(rx.foreach(S.template_channels, lambda c: rx.select.item(c.name, value=c.id))),
                            value=S.new_channel_id,
                            on_change=S.set_new_channel,
                        ),
                    ),
                ),
                rx.grid(
                    form_field(
                        label(t("Name"), "template-name", t("lowercase, digits and _")),
                        rx.input(
                            value=S.new_name,
                            on_change=S.set_new_name,
                            placeholder="seguiment",
                            id="template-name",
                            name="name",
                            width="100%",
                        ),
                        field_error(refused & (S.template_error_field == "name"), S.template_error, "template-name-error"),
                    ),
                    form_field(
                        label(t("Language"), "template-language", t("ca, es, en_US…")),
                        rx.input(
                            value=S.new_language,
                            on_change=S.set_new_language,
                            placeholder="ca",
                            id="template-language",
                            name="language",
                            width="100%",
                        ),
                        field_error(
                            refused & (S.template_error_field == "language"), S.template_error, "template-language-error"
                        ),
                    ),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                form_field(
                    label(t("Text"), "template-body", t("write {{1}}, {{2}}… where the parameters go")),
                    rx.text_area(
                        value=S.new_body,
                        on_change=S.set_new_body,
                        placeholder="Hola {{1}}, us escrivim de l'Ajuntament sobre la vostra consulta.",
                        id="template-body",
                        name="body",
                        rows="3",
                        width="100%",
                    ),
                    field_error(refused & (S.template_error_field == "body"), S.template_error, "template-body-error"),
                    rx.text(tn("{n} parameter", "{n} parameters", S.new_parameter_count), size="1", color_scheme="gray"),
                ),
                field_error(refused & (S.template_error_field == ""), S.template_error, "template-form-error"),
                rx.hstack(
                    rx.cond(
                        S.template_notice != "",
                        rx.text(S.template_notice, size="2", color_scheme="grass", id="template-notice"),
                    ),
                    rx.spacer(),
                    rx.button(rx.icon("plus", size=14), t("Add template"), type="submit", loading=S.adding, id="add-template"),
                    align="center",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.add_template,
            width="100%",
        ),
        id="add-template-card",
    )


def disable_dialog() -> rx.Component:
    """Switching a channel off asks first."""
    return confirm_dialog(
        rx.fragment(t("Switch off {name}?", name=S.disable_name)),
        t(
            "Citizens' messages to this channel will be refused and replies will wait until it is switched on again. "
            "Operators keep its conversations."
        ),
        keep=rx.button(t("Keep it on"), variant="soft", color_scheme="gray", on_click=S.cancel_disable),
        confirm=rx.button(t("Switch off"), color_scheme="red", on_click=S.confirm_disable, id="confirm-disable"),
        open=S.disable_id > 0,
        on_open_change=S.set_disable_dialog,
    )


def page() -> rx.Component:
    """The channels page."""
    return operator_frame(
        "channels",
        admin_column(
            admin_only(
                page_header(t("Channels"), t("The organisation's Telegram bots and WhatsApp numbers, and their templates.")),
                channels_card(),
                rx.cond(S.template_channels.length() > 0, add_template_card()),
                disable_dialog(),
                content_width=CONTENT_WIDTH,
                refused=not_for_you(),
            ),
        ),
    )
