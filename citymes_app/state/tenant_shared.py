"""What every per-tenant shared state has in common (the live inbox, the live statistics): its secret token, the
tabs linked to it with the session each linked with, and cutting the tabs whose session ended.

A shared state lives under its token, and Reflex accepts whatever client token a browser sends: a guessable name
(`inbox-2`) would let anyone read it. The tokens are derived from the server secret instead.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol

from citymes_app.runtime import get_runtime

# The kinds of shared state, each the start of its tokens (hex after it: Reflex forbids `_` in tokens).
SHARED_KINDS = ("inbox", "stats")


class TenantShared(Protocol):
    """A per-tenant shared state that remembers which session each linked tab signed in with."""

    _linked_from: set[str]
    _viewers: dict[str, str]  # client token → digest of its session


def shared_token(kind: str, tenant_id: int) -> str:
    """The token of a tenant's shared state of `kind`, derived from the server secret so nobody outside can name it."""
    secret = get_runtime().settings.secret_key
    if not secret:
        raise RuntimeError("CITYMES_SECRET_KEY is not set: the live pages need a server secret")
    digest = hmac.new(secret.encode(), f"{kind}:{tenant_id}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}-{digest[:40]}"


async def cut_ended_viewers(shared: TenantShared, tenant_id: int) -> None:
    """Unlink the tabs whose session ended (or that never said which session they had) before anything is written."""
    viewers = {client: digest for client, digest in shared._viewers.items() if client in shared._linked_from}
    still_open = await get_runtime().signin.sessions_still_open(tenant_id=tenant_id, digests=set(viewers.values()))
    for client in list(shared._linked_from):
        if viewers.get(client) not in still_open:
            shared._linked_from.discard(client)
            viewers.pop(client, None)
    if viewers != shared._viewers:
        shared._viewers = viewers
