"""The inbox's clock on the tab (`inbox_clock.jsx`): how long a conversation has waited, kept current by the browser
between live updates, and the page's title with the number of citizen messages unread."""

from __future__ import annotations

import reflex as rx

from citymes_app.state.language import t, tn

_SOURCE = rx.asset("inbox_clock.jsx", shared=True)


class WaitingFor(rx.Component):
    """`WaitingFor` of `inbox_clock.jsx`: "12 min", "3 h", "2 d" since `since` (milliseconds since 1970)."""

    library = _SOURCE.importable_path
    tag = "WaitingFor"
    is_default = False

    since: rx.Var[int]
    minutes: rx.Var[str]
    hours: rx.Var[str]
    days: rx.Var[str]


class PageTitle(rx.Component):
    """`PageTitle` of `inbox_clock.jsx`: sets the document's title."""

    library = _SOURCE.importable_path
    tag = "PageTitle"
    is_default = False

    title: rx.Var[str]


def waiting_for(since: rx.Var[int]) -> rx.Component:
    """How long it has waited, in the tab's language."""
    return WaitingFor.create(since=since, minutes=t("{n} min"), hours=t("{n} h"), days=t("{n} d"), class_name="waited")


def page_title(unread: rx.Var[int], waiting: rx.Var[int]) -> rx.Component:
    """ "(3) Inbox · 11 waiting · CityMes" while 3 citizen messages are unread and 11 conversations wait for an operator;
    "Inbox · CityMes" when neither."""
    head = rx.cond(unread > 0, "(" + unread.to_string() + ") ", "") + t("Inbox")
    tail = rx.cond(waiting > 0, " · " + tn("{n} waiting", "{n} waiting", waiting), "")
    return PageTitle.create(title=head + tail + " · CityMes")
