"""Canary secrets never show: not in logs (DEBUG), reprs, events or exception messages."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx
from pydantic import SecretStr

from xborder.client import Client, RetryPolicy
from xborder.errors import (
    AuthenticationError,
    MarketplaceError,
    MarketplaceTransportError,
    ServerError,
    UnexpectedResponseError,
)
from xborder.http import HttpRequest, HttpResponse
from xborder.marketplaces import (
    AccessToken,
    Classification,
    OAuth2ClientCredentials,
    StaticToken,
)
from xborder.testing import FakeClock

from ._shop import (
    ACCESS_1,
    ACCESS_2,
    BASE,
    CANARIES,
    CLIENT_ID,
    CLIENT_SECRET,
    GRAPH_TOKEN,
    TOKEN_URL,
    Driver,
    Facade,
    ShopAdapter,
    get,
    one,
    refresh_provider,
    token_answer,
)

GRAPH_URL = f"{BASE}/catalog/items?access_token={GRAPH_TOKEN}&fields=id"


def leaked(*texts: str) -> list[str]:
    return [canary for canary in CANARIES for text in texts if canary in text]


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_a_full_scenario_leaks_nothing(
    driver: Driver, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.post(TOKEN_URL).mock(side_effect=[token_answer(ACCESS_1), token_answer(ACCESS_2)])
    api.get(f"{BASE}/items/A").mock(
        side_effect=[httpx.Response(401), httpx.Response(503), httpx.Response(200)]
    )
    api.get(f"{BASE}/catalog/items").mock(
        side_effect=[
            httpx.ConnectError(f"cannot reach {GRAPH_URL}"),
            httpx.Response(500, headers={"x-request-id": "g-1"}),
        ]
    )
    shop = ShopAdapter()
    errors: list[MarketplaceError] = []

    async def scenario(c: Facade) -> None:
        await c.run(one(get()), adapter=shop)
        try:
            await c.run(one(HttpRequest("GET", GRAPH_URL, operation="graph")), adapter=shop)
        except ServerError as exc:
            errors.append(exc)

    with caplog.at_level(logging.DEBUG):
        driver.go(scenario, retry=RetryPolicy(max_attempts=2, seed=1))
    assert len(errors) == 1
    text = log_text(caplog)
    assert "access_token=***" in text  # the Graph URL is logged, redacted
    assert not leaked(text)
    assert not leaked(*(repr(e) for e in driver.events))
    assert not leaked(str(errors[0]), repr(errors[0]))
    assert not leaked(repr(shop.token_providers()["default"]))


def test_a_transport_error_message_is_scrubbed(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/catalog/items").mock(
        side_effect=httpx.ConnectError(f"cannot reach {GRAPH_URL} with Bearer {ACCESS_1}")
    )
    shop = ShopAdapter(providers={"default": StaticToken(SecretStr(ACCESS_1))})
    with pytest.raises(MarketplaceTransportError) as info:
        driver.run(
            one(HttpRequest("GET", GRAPH_URL, operation="graph")),
            adapter=shop,
            retry=RetryPolicy(max_attempts=1),
        )
    assert not leaked(str(info.value), repr(info.value))
    assert "access_token=***" in str(info.value)


class _Chatty(ShopAdapter):
    def classify(self, response: HttpResponse) -> Classification:
        raise ValueError(f"could not read the answer to {GRAPH_URL}")


def test_a_classify_error_message_is_scrubbed(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/catalog/items").mock(return_value=httpx.Response(200))
    with pytest.raises(UnexpectedResponseError) as info:
        driver.run(one(HttpRequest("GET", GRAPH_URL)), adapter=_Chatty(providers={}))
    assert not leaked(str(info.value))


def test_an_oauth_error_that_echoes_the_secret_is_scrubbed(
    driver: Driver, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.post(TOKEN_URL).mock(
        return_value=httpx.Response(
            401,
            json={"error": "invalid_client", "error_description": f"bad secret {CLIENT_SECRET}"},
        )
    )
    provider = OAuth2ClientCredentials(TOKEN_URL, CLIENT_ID, SecretStr(CLIENT_SECRET))
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as info:
        driver.run(one(get()), adapter=ShopAdapter(providers={"default": provider}))
    assert "invalid_client" in str(info.value)
    assert not leaked(str(info.value), repr(info.value), log_text(caplog))


def test_reprs_of_providers_requests_and_tokens() -> None:
    provider = refresh_provider()
    token = AccessToken(SecretStr(ACCESS_1), 3600)
    signed = provider.authorize(HttpRequest("GET", GRAPH_URL), token)
    token_request = next(provider.token_flow())
    texts = [
        repr(provider),
        provider.cache_key,
        repr(token),
        repr(signed),
        repr(token_request),
        repr(StaticToken(SecretStr(ACCESS_2))),
        StaticToken(SecretStr(ACCESS_2)).cache_key,
        repr(OAuth2ClientCredentials(TOKEN_URL, CLIENT_ID, SecretStr(CLIENT_SECRET))),
    ]
    assert not leaked(*texts)
    assert signed.headers["Authorization"] == f"Bearer {ACCESS_1}"  # sent, never shown


def test_the_client_repr_and_its_token_cache() -> None:
    with Client(clock=FakeClock()) as client:
        assert not leaked(repr(client), repr(client._engine.tokens))
