"""The interface's language of a browser tab, and `t()` / `tn()`: a component's text read from the tab's catalog.

Reflex compiles the components to JavaScript once, so a text that follows the operator's language must come from
state. `LanguageState` keeps the language (a cookie: the login page remembers the last choice, and a reload paints
in it at once) and `words`, that language's catalog as one dict (`i18n.client_catalog`: about 15 KB for Catalan).
`words` is a cached computed var of the language, so a tab receives it once when it connects and once more on a
switch; nothing else (the live inbox's updates included) sends it again. `t("Inbox")` is a Var reading
`words["Inbox"]`, the English msgid itself when the catalog has no translation.

The language is chosen in the account menu or on the login page (`AuthState.choose_language`, which checks whose
it is); a signed-in tab follows its operator's stored choice each time the session is resolved.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex.event import EventHandler
from reflex.vars import StringVar, Var, VarData

from citymes_app.i18n import DEFAULT_LANGUAGE, PLURAL_SEPARATOR, client_catalog, supported
from citymes_app.state import access

LANGUAGE_COOKIE = "citymes_language"
ONE_YEAR = 365 * 24 * 3600


@access.public
class LanguageState(rx.State):
    """This tab's interface language and its catalog."""

    language: str = rx.Cookie("", name=LANGUAGE_COOKIE, path="/", same_site="lax", max_age=ONE_YEAR)

    @rx.var(cache=True)
    def lang(self) -> str:
        """The language in use ("ca", "es", "en"), for the switcher and the page's `lang`."""
        return supported(self.language) or DEFAULT_LANGUAGE

    @rx.var(cache=True)
    def words(self) -> dict[str, str]:
        """The language's catalog: msgid → text (only what differs from the English msgid)."""
        return client_catalog(supported(self.language) or DEFAULT_LANGUAGE)

    def follow(self, language: str) -> None:
        """Show the tab in `language` (the operator's stored choice); nothing is sent when it is already so."""
        if self.language != language:
            self.language = language


def _js(value: Any) -> str:
    """A Python literal or a Var as a JavaScript expression."""
    return str(value) if isinstance(value, Var) else json.dumps(value)


def _var_data(values: dict[str, Any]) -> VarData | None:
    found = [LanguageState.words._get_all_var_data()]
    found += [value._get_all_var_data() for value in values.values() if isinstance(value, Var)]
    return VarData.merge(*found)


def _filled(template_js: str, values: dict[str, Any]) -> str:
    """`template_js` with each `{name}` replaced by its value (a function, so `$` in a value is taken literally)."""
    for name, value in values.items():
        template_js = f"{template_js}.replaceAll({json.dumps('{' + name + '}')}, () => String({_js(value)}))"
    return template_js


def t(message: str, **values: Any) -> StringVar:
    """`message` (the English text, a literal: the catalogs are extracted from the code) in the tab's language, with
    `{name}` placeholders filled from `values` (Vars or plain values)."""
    words = str(LanguageState.words)
    text = f"({words}[{json.dumps(message)}] ?? {json.dumps(message)})"
    return Var(_js_expr=f"({_filled(text, values)})", _var_type=str, _var_data=_var_data(values)).to(str)


def tn(singular: str, plural: str, n: Any, **values: Any) -> StringVar:
    """A text with plural forms, the form chosen by `n` (a Var or a number); `{n}` and `values` filled in."""
    words, count = str(LanguageState.words), _js(n)
    index = f"(({count}) != 1 ? 1 : 0)"  # every language of ours: i18n.PLURAL_RULE
    english = f"(({count}) != 1 ? {json.dumps(plural)} : {json.dumps(singular)})"
    text = f"({words}[{json.dumps(singular + PLURAL_SEPARATOR)} + {index}] ?? {english})"
    filled = {"n": n, **values}
    return Var(_js_expr=f"({_filled(text, filled)})", _var_type=str, _var_data=_var_data(filled)).to(str)


def t_var(message: Var[str]) -> StringVar:
    """A msgid chosen at run time (marked with `i18n.N_` where it is written) in the tab's language."""
    words = str(LanguageState.words)
    return Var(
        _js_expr=f"({words}[{message}] ?? {message})",
        _var_type=str,
        _var_data=VarData.merge(LanguageState.words._get_all_var_data(), message._get_all_var_data()),
    ).to(str)


def t_marked(message: str) -> StringVar:
    """A msgid held in a constant (marked with `i18n.N_` where it is defined) in the tab's language."""
    return t_var(Var.create(message))


# What a signed-in tab redraws after its operator switches language (the texts its states worded on the server).
_relabels: list[EventHandler] = []  # each one an EventHandler of a page state


def on_language_switch(handler: Any) -> Any:  # noqa: ANN401 — an EventHandler, as the state class exposes it
    """Register a page state's event to run in a signed-in tab right after a switch; returns it unchanged."""
    _relabels.append(handler)
    return handler


def relabel_events() -> list[Callable[..., Any]]:
    """The events a signed-in tab runs after a switch."""
    return list(_relabels)
