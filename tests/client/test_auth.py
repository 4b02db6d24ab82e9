"""Auth in the pipeline: token caching, refresh ahead of expiry, re-auth once (both clients)."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest
import respx
from pydantic import SecretStr

from xborder.errors import (
    AuthenticationError,
    ConfigurationError,
    MarketplaceTransportError,
    ServerError,
    UnexpectedResponseError,
)
from xborder.http import Flow, HttpRequest
from xborder.marketplaces import AccessToken, StaticToken

from ._shop import (
    ACCESS_1,
    ACCESS_2,
    BASE,
    REFRESH_TOKEN,
    TOKEN_URL,
    Driver,
    Facade,
    ShopAdapter,
    get,
    one,
    post,
    token_answer,
)


def bearer(route: respx.Route, call: int = -1) -> str:
    return str(route.calls[call].request.headers["authorization"])


# -- fetching and caching --------------------------------------------------------------------------


def test_the_token_is_fetched_once_and_signs_every_request(
    driver: Driver, api: respx.MockRouter
) -> None:
    token = api.post(TOKEN_URL).mock(return_value=token_answer())
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    adapter = ShopAdapter()

    async def scenario(c: Facade) -> None:
        for _ in range(3):
            await c.run(one(get()), adapter=adapter)

    driver.go(scenario)
    assert token.call_count == 1
    assert items.call_count == 3
    assert {bearer(items, i) for i in range(3)} == {f"Bearer {ACCESS_1}"}
    sent = token.calls.last.request
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": [REFRESH_TOKEN],
    }
    assert "token" in driver.kinds()


def test_the_token_is_refreshed_ahead_of_expiry_on_the_clock(
    driver: Driver, api: respx.MockRouter
) -> None:
    token = api.post(TOKEN_URL).mock(
        side_effect=[token_answer(ACCESS_1, 7200), token_answer(ACCESS_2, 7200)]
    )
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    adapter = ShopAdapter()

    async def scenario(c: Facade) -> None:
        await c.run(one(get()), adapter=adapter)
        driver.clock.advance(7200 - 61)  # still more than the 60 s margin left
        await c.run(one(get()), adapter=adapter)
        driver.clock.advance(2)  # now inside the margin
        await c.run(one(get()), adapter=adapter)

    driver.go(scenario)
    assert token.call_count == 2
    assert [bearer(items, i) for i in range(3)] == [
        f"Bearer {ACCESS_1}",
        f"Bearer {ACCESS_1}",
        f"Bearer {ACCESS_2}",
    ]
    assert [e.detail for e in driver.events if e.kind == "token"] == ["fetched", "refreshed"]


def test_a_short_lived_token_is_refreshed_at_90_percent_of_its_life(
    driver: Driver, api: respx.MockRouter
) -> None:
    token = api.post(TOKEN_URL).mock(
        side_effect=[token_answer(ACCESS_1, 100), token_answer(ACCESS_2)]
    )
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    adapter = ShopAdapter()

    async def scenario(c: Facade) -> None:
        await c.run(one(get()), adapter=adapter)
        driver.clock.advance(89)
        await c.run(one(get()), adapter=adapter)
        assert token.call_count == 1
        driver.clock.advance(1)
        await c.run(one(get()), adapter=adapter)

    driver.go(scenario)
    assert token.call_count == 2


def test_the_refresh_margin_is_configurable(driver: Driver, api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(return_value=token_answer(ACCESS_1, 3600))
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    adapter = ShopAdapter()

    async def scenario(c: Facade) -> None:
        await c.run(one(get()), adapter=adapter)
        driver.clock.advance(3600 - 300)
        await c.run(one(get()), adapter=adapter)

    driver.go(scenario, refresh_margin=300)
    assert token.call_count == 2


def test_tokens_are_shared_by_cache_key_across_adapters(
    driver: Driver, api: respx.MockRouter
) -> None:
    token = api.post(TOKEN_URL).mock(return_value=token_answer())
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))

    async def scenario(c: Facade) -> None:
        await c.run(one(get()), adapter=ShopAdapter())
        await c.run(one(get()), adapter=ShopAdapter())  # a new provider, same credentials

    driver.go(scenario)
    assert token.call_count == 1


# -- auth expired ----------------------------------------------------------------------------------


def test_auth_expired_then_refreshed_and_sent_again(driver: Driver, api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=[token_answer(ACCESS_1), token_answer(ACCESS_2)])
    items = api.get(f"{BASE}/items/A").mock(
        side_effect=[httpx.Response(401), httpx.Response(200, json={"ok": True})]
    )
    response = driver.run(one(get()), adapter=ShopAdapter())
    assert response.status_code == 200
    assert token.call_count == 2
    assert [bearer(items, 0), bearer(items, 1)] == [f"Bearer {ACCESS_1}", f"Bearer {ACCESS_2}"]
    assert driver.clock.slept == []  # re-authentication is not a retry: no wait
    assert [e.detail for e in driver.events if e.kind == "token"] == ["fetched", "refreshed"]


def test_a_second_auth_expired_raises_authentication_error(
    driver: Driver, api: respx.MockRouter
) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=[token_answer(ACCESS_1), token_answer(ACCESS_2)])
    items = api.get(f"{BASE}/items/A").mock(
        return_value=httpx.Response(401, headers={"x-request-id": "r-401"})
    )
    with pytest.raises(AuthenticationError) as info:
        driver.run(one(get()), adapter=ShopAdapter())
    assert token.call_count == 2 and items.call_count == 2
    assert info.value.status_code == 401 and info.value.request_id == "r-401"


def test_auth_expired_even_with_raise_for_status_false_raises(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.post(TOKEN_URL).mock(return_value=token_answer())
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(401))
    with pytest.raises(AuthenticationError):
        driver.run(one(get(raise_for_status=False)), adapter=ShopAdapter())


def test_amazon_style_403_expired_is_reauthenticated(driver: Driver, api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=[token_answer(ACCESS_1), token_answer(ACCESS_2)])
    api.get(f"{BASE}/items/A").mock(
        side_effect=[
            httpx.Response(
                403, json={"error": {"code": "Unauthorized", "message": "token expired"}}
            ),
            httpx.Response(200),
        ]
    )
    assert driver.run(one(get()), adapter=ShopAdapter()).status_code == 200
    assert token.call_count == 2


def test_a_non_idempotent_request_is_sent_again_after_reauthentication(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.post(TOKEN_URL).mock(side_effect=[token_answer(ACCESS_1), token_answer(ACCESS_2)])
    prices = api.post(f"{BASE}/prices").mock(side_effect=[httpx.Response(401), httpx.Response(200)])
    assert driver.run(one(post()), adapter=ShopAdapter()).status_code == 200
    assert prices.call_count == 2


def test_a_static_token_refused_twice_raises(driver: Driver, api: respx.MockRouter) -> None:
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(401))
    adapter = ShopAdapter(providers={"default": StaticToken(SecretStr(ACCESS_1))})
    with pytest.raises(AuthenticationError):
        driver.run(one(get()), adapter=adapter)
    assert items.call_count == 2
    assert bearer(items) == f"Bearer {ACCESS_1}"


# -- which provider signs --------------------------------------------------------------------------


def test_auth_none_sends_no_credentials(driver: Driver, api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(return_value=token_answer())
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    driver.run(one(get(auth=None)), adapter=ShopAdapter())
    assert token.call_count == 0
    assert "authorization" not in items.calls.last.request.headers


def test_no_default_provider_means_no_auth(driver: Driver, api: respx.MockRouter) -> None:
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    driver.run(one(get()), adapter=ShopAdapter(providers={}))
    assert "authorization" not in items.calls.last.request.headers


def test_a_named_provider_signs(driver: Driver, api: respx.MockRouter) -> None:
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    adapter = ShopAdapter(
        providers={
            "default": StaticToken(SecretStr("user-token")),
            "app": StaticToken(SecretStr("app-token"), header="x-app-token", scheme=""),
        }
    )
    driver.run(one(get(auth="app")), adapter=adapter)
    sent = items.calls.last.request.headers
    assert sent["x-app-token"] == "app-token" and "authorization" not in sent


def test_an_unknown_provider_name_is_a_configuration_error(
    driver: Driver, api: respx.MockRouter
) -> None:
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    with pytest.raises(ConfigurationError, match=r"shop: .*'app'.*has: default"):
        driver.run(one(get(auth="app")), adapter=ShopAdapter())
    assert items.call_count == 0


def test_plain_flows_never_sign(driver: Driver, api: respx.MockRouter) -> None:
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    driver.run(one(get()))
    assert "authorization" not in items.calls.last.request.headers


# -- failures of the token request -----------------------------------------------------------------


def test_a_refused_refresh_token_raises_authentication_error_named_for_the_marketplace(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.post(TOKEN_URL).mock(
        return_value=httpx.Response(
            400,
            json={
                "error": "invalid_grant",
                "error_description": "the refresh token was issued to another client",
            },
        )
    )
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    with pytest.raises(AuthenticationError, match=r"invalid_grant.*another client") as info:
        driver.run(one(get()), adapter=ShopAdapter())
    assert info.value.marketplace == "shop" and info.value.operation == "token"
    assert info.value.code == "invalid_grant"
    assert items.call_count == 0


def test_a_token_endpoint_5xx_raises_server_error(driver: Driver, api: respx.MockRouter) -> None:
    api.post(TOKEN_URL).mock(return_value=httpx.Response(503))
    with pytest.raises(ServerError) as info:
        driver.run(one(get()), adapter=ShopAdapter())
    assert info.value.marketplace == "shop"


def test_a_token_endpoint_that_cannot_be_reached(driver: Driver, api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(MarketplaceTransportError) as info:
        driver.run(one(get()), adapter=ShopAdapter())
    assert info.value.marketplace == "shop" and info.value.operation == "token"
    assert token.call_count == 4


class _Odd:
    cache_key = "odd"

    def token_flow(self) -> Flow[AccessToken]:
        return "not a token"  # type: ignore[return-value]
        yield  # pragma: no cover

    def authorize(self, request: HttpRequest, token: AccessToken) -> HttpRequest:
        return request  # pragma: no cover


def test_a_provider_returning_no_token(driver: Driver) -> None:
    with pytest.raises(UnexpectedResponseError, match="returned str, not an AccessToken"):
        driver.run(one(get()), adapter=ShopAdapter(providers={"default": _Odd()}))
