"""Graph errors mapped to what the outbox does: wait, retry or give up with a reason the operator can act on."""

from __future__ import annotations

import httpx
import pytest

from integrations.base import PermanentChannelError, RateLimited, TransientChannelError
from integrations.whatsapp_errors import OUTSIDE_WINDOW_REASON, error_for


def graph_answer(status: int, code: int | None = None) -> httpx.Response:
    body = {"error": {"message": "refused", "type": "OAuthException", "code": code}} if code is not None else {}
    return httpx.Response(status, json=body)


def test_a_message_outside_the_24_hour_window_is_refused_for_good_with_the_reason() -> None:
    error = error_for(graph_answer(400, 131047))

    assert isinstance(error, PermanentChannelError)
    assert str(error) == f"{OUTSIDE_WINDOW_REASON} (131047)"


@pytest.mark.parametrize(("code", "seconds"), [(130429, 1.0), (131056, 6.0), (80007, 60.0)])
def test_rate_limits_say_how_long_to_wait(code: int, seconds: float) -> None:
    error = error_for(graph_answer(400, code))

    assert isinstance(error, RateLimited)
    assert error.retry_after == seconds


def test_a_server_error_without_a_graph_code_is_retried_and_a_refused_token_is_not() -> None:
    assert isinstance(error_for(graph_answer(503)), TransientChannelError)
    refused = error_for(graph_answer(401))
    assert isinstance(refused, PermanentChannelError)
    assert "access token was refused" in str(refused)
