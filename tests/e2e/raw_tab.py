"""A browser tab as an attacker would write one: python-socketio speaking Reflex's event protocol to `/_event`,
with whatever client token, session cookie and events it likes (the frames a real Chromium tab sends, recorded
once, are the model)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import socketio

from citymes_app.state.auth_state import AuthState
from tests.e2e.support import Site

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
COOKIE_VAR = f"{AuthState.get_full_name()}.session_token_rx_state_"


class Refused(Exception):
    """The server refused the websocket connection."""


class RawTab:
    """One websocket connection with its client token; everything the server sends it is kept in `updates`."""

    def __init__(self, site: Site, token: str | None = None) -> None:
        self.site = site
        self.token = str(uuid.uuid4()) if token is None else token
        self.updates: list[dict[str, Any]] = []
        self.session_cookie = ""
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self.client = socketio.Client(reconnection=False)
        self.client.on("event", self._received, namespace=NAMESPACE)

    def _received(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.updates.append(update)
            self._last = time.monotonic()

    def connect(self, path: str = "/inbox", session_cookie: str = "") -> RawTab:
        """Open the socket the way the front end does: the hydrate event rides in the CONNECT packet."""
        self.session_cookie = session_cookie
        hydrate = {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": {"vars": {COOKIE_VAR: session_cookie}} if session_cookie else {},
            "router_data": {"pathname": path, "asPath": path},
        }
        try:
            self.client.connect(
                f"{self.site.url}?token={self.token}",
                socketio_path="_event",
                namespaces=[NAMESPACE],
                transports=["websocket"],
                auth={"event": hydrate},
                wait_timeout=15,
            )
        except socketio.exceptions.ConnectionError as exc:
            raise Refused(str(exc)) from exc
        self.settle()
        return self

    def send(self, state: Any, handler: str, path: str = "/inbox", **payload: Any) -> None:
        """Send one event to a state's handler, as if from the page at `path`."""
        name = f"{state.get_full_name()}.{handler}"
        self.client.emit(
            "event",
            {"name": name, "payload": payload, "router_data": {"pathname": path, "asPath": path}},
            namespace=NAMESPACE,
        )
        self.settle()

    def load_page(self, path: str) -> None:
        """Navigate: the page's on_load handlers run, as after a click on a link."""
        self.client.emit(
            "event",
            {
                "name": f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal",
                "payload": {},
                "router_data": {"pathname": path, "asPath": path},
            },
            namespace=NAMESPACE,
        )
        self.settle()

    def settle(self, quiet: float = 0.7, limit: float = 15.0) -> None:
        """Wait until the server has been quiet for `quiet` seconds (bounded by `limit`)."""
        deadline = time.monotonic() + limit
        time.sleep(quiet)
        while time.monotonic() < deadline and time.monotonic() - self._last < quiet:
            time.sleep(0.1)

    def sign_in(self, email: str, password: str) -> str:
        """Sign in through the login form's handler; returns the session cookie the server handed out."""
        self.send(AuthState, "sign_in", path="/login", form_data={"email": email, "password": password})
        # The password hash takes a while on a busy machine: wait for the answer rather than for a quiet moment.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with self._lock:
                updates = list(self.updates)
            for update in reversed(updates):
                auth = update.get("delta", {}).get(AuthState.get_full_name(), {})
                if auth.get("session_token_rx_state_"):
                    return auth["session_token_rx_state_"]
            time.sleep(0.1)
        raise AssertionError("the sign-in gave no session cookie")

    def text(self) -> str:
        """Everything received, as one string to search."""
        with self._lock:
            return json.dumps(self.updates, ensure_ascii=False)

    def states_received(self) -> set[str]:
        """The names of the states any update carried values of."""
        with self._lock:
            return {name for update in self.updates for name in update.get("delta", {})}

    def redirects(self) -> list[str]:
        with self._lock:
            return [
                event["payload"]["path"]
                for update in self.updates
                for event in update.get("events", [])
                if event.get("name") == "_redirect"
            ]

    def clear(self) -> None:
        with self._lock:
            self.updates.clear()

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


def session_cookie(site: Site, email: str, password: str) -> str:
    """The session cookie of `email`, signed in through the login page's own events on a tab that is then closed."""
    login = RawTab(site).connect("/login")
    try:
        return login.sign_in(email, password)
    finally:
        login.close()
