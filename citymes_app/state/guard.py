"""Who may talk to the app's state over the websocket, checked on the server before any state is loaded or sent.

* A connection must bring a client token of the form the browser makes (a random UUID, or the one the server
  hands out for a duplicated tab). Anything else — above all the name of a shared state — is refused when the
  socket connects, before Reflex links it to any state (`GuardedEventNamespace`).
* Page state belongs to signed-in operators (`SignedInGate`, an app middleware that sees every event before its
  handler runs): an event for a page's state from a browser whose session is missing, expired or ended elsewhere
  is not run; instead the tab's page states are emptied, its live links cut, and it is sent to the login page. A
  (re)connecting browser that is not signed in gets its page states emptied before the snapshot Reflex sends, so
  it receives nothing beyond the login page's state. The login page and the demo's citizen phone are public.

Reflex itself offers no hook for the first point: the namespace is replaced once, at wiring time (`install`), by a
subclass that adds the check and otherwise defers to Reflex's own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import urllib.parse
from typing import Any

import reflex as rx
from reflex.app import EventNamespace
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.event import Event
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from citymes_app.state.access import empty_page_states, page_state_names
from citymes_app.state.auth_state import LOGIN_ROUTE, AuthState, forget_resolved, resolve_for_event

log = logging.getLogger(__name__)

# The token Reflex's front end generates (a version-4 UUID shape; its variant digit runs 8-f) and the server issues.
CLIENT_TOKEN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89a-f][0-9a-f]{3}-[0-9a-f]{12}")


def is_client_token(token: str) -> bool:
    """Whether `token` has the form of a browser tab's client token."""
    return CLIENT_TOKEN.fullmatch(token) is not None


class GuardedEventNamespace(EventNamespace):
    """Reflex's event namespace, refusing connections whose client token is not of the browser's form, and sending
    the tabs that are not signed in (`signed_out`, kept by `SignedInGate`) no page state at all."""

    def __init__(self, namespace: str, app: rx.App):
        super().__init__(namespace, app)
        self.signed_out: set[str] = set()

    async def on_connect(self, sid: str, environ: dict, auth: Any = None):
        tokens = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("token", [])
        if len(tokens) != 1 or not is_client_token(tokens[0]):
            log.warning("websocket connection refused: its client token is not of the browser's form")
            raise SocketRefused("invalid client token")
        return await super().on_connect(sid, environ, auth)

    def on_disconnect(self, sid: str) -> asyncio.Task | None:
        if (token := self.sid_to_token.get(sid)) is not None:
            self.signed_out.discard(token)
        return super().on_disconnect(sid)

    async def emit_update(self, update: StateUpdate, token: str) -> None:
        if token in self.signed_out and update.delta:
            delta = {name: values for name, values in update.delta.items() if name not in page_state_names()}
            update = dataclasses.replace(update, delta=delta)
        await super().emit_update(update, token)


def _session_cookie(payload: object) -> str:
    """The session cookie a (re)connecting browser sends with its hydrate event."""
    values = payload.get("vars") if isinstance(payload, dict) else None
    if not isinstance(values, dict):
        return ""
    value = values.get(f"{AuthState.get_full_name()}.session_token{FIELD_MARKER}")
    return value if isinstance(value, str) else ""


async def _signed_in(session_token: str) -> bool:
    return await resolve_for_event(session_token) is not None


class SignedInGate(Middleware):
    """Runs page-state events only for signed-in browsers; empties a signed-out browser's page states."""

    def __init__(self, namespace: GuardedEventNamespace) -> None:
        self.namespace = namespace

    async def preprocess(self, app: rx.App, state: BaseState, event: Event) -> StateUpdate | None:
        forget_resolved()  # what an earlier event resolved must not stand for this one
        root = state._get_root_state()
        client_token = root.router.session.client_token
        if event.name == f"{root.get_full_name()}.hydrate_and_load":
            # The snapshot this event sends must hold no page state unless the browser is signed in.
            if await _signed_in(_session_cookie(event.payload)):
                self.namespace.signed_out.discard(client_token)
            else:
                self.namespace.signed_out.add(client_token)
                await empty_page_states(root)
                (await root.get_state(AuthState)).forget_operator()
                root._clean()
            return None
        if event.name.rpartition(".")[0] not in page_state_names():
            return None
        auth = await root.get_state(AuthState)
        if await _signed_in(auth.session_token):
            self.namespace.signed_out.discard(client_token)
            return None
        log.info("event refused: the browser is not signed in")
        self.namespace.signed_out.add(client_token)
        await empty_page_states(root)
        auth.forget_operator()
        delta = await root._get_resolved_delta()
        root._clean()
        return StateUpdate(delta=delta, events=Event.from_event_type(rx.redirect(LOGIN_ROUTE)))


def install(app: rx.App) -> None:
    """Put the guards in front of the app's state (the wiring calls this once, after creating the app)."""
    if app.event_namespace is None or app.sio is None:
        raise RuntimeError("the app has no state: nothing to guard")
    namespace = GuardedEventNamespace(app.event_namespace.namespace, app)
    app.sio.register_namespace(namespace)
    app._event_namespace = namespace
    app.add_middleware(SignedInGate(namespace), index=0)
