"""Retries: what is retried, how long the client waits, and when it stops (both clients)."""

from __future__ import annotations

import random

import httpx
import pytest
import respx

from xborder.client import RetryPolicy
from xborder.errors import (
    MarketplaceTransportError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)
from xborder.marketplaces import StaticToken

from ._shop import BASE, TOKEN_URL, Driver, ShopAdapter, get, one, post, token_answer


def adapter() -> ShopAdapter:
    from pydantic import SecretStr

    return ShopAdapter(providers={"default": StaticToken(SecretStr("static-test-token"))})


# -- throttled, then ok ----------------------------------------------------------------------------


def test_throttled_then_ok_waits_the_retry_after(driver: Driver, api: respx.MockRouter) -> None:
    route = api.get(f"{BASE}/items/A").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, json={"sku": "A"}),
        ]
    )
    response = driver.run(one(get()), adapter=adapter())
    assert response.status_code == 200
    assert route.call_count == 2
    assert driver.clock.slept == [7.0]
    retries = [e for e in driver.events if e.kind == "retry"]
    assert [(e.attempt, e.wait, e.status_code) for e in retries] == [(2, 7.0, 429)]


def test_throttled_without_retry_after_backs_off_with_seeded_jitter(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.get(f"{BASE}/items/A").mock(
        side_effect=[httpx.Response(429), httpx.Response(503), httpx.Response(200)]
    )
    driver.run(one(get()), adapter=adapter(), retry=RetryPolicy(seed=3))
    rng = random.Random(3)
    expected = [1.0 + rng.uniform(0, 1), 2.0 + rng.uniform(0, 1)]
    assert driver.clock.slept == pytest.approx(expected)


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(backoff_initial=1, backoff_max=5, backoff_jitter=0)
    rng = random.Random(0)
    assert [policy.backoff(n, rng) for n in range(1, 6)] == [1, 2, 4, 5, 5]


def test_meta_style_throttle_on_http_400_is_retried(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(
        side_effect=[
            httpx.Response(
                400, json={"error": {"code": 4, "message": "Application request limit reached"}}
            ),
            httpx.Response(200),
        ]
    )
    assert driver.run(one(get()), adapter=adapter()).status_code == 200
    assert len(driver.clock.slept) == 1


# -- exhausted -------------------------------------------------------------------------------------


def test_5xx_exhausted_raises_server_error_after_max_attempts(
    driver: Driver, api: respx.MockRouter
) -> None:
    route = api.get(f"{BASE}/items/A").mock(
        return_value=httpx.Response(503, headers={"x-request-id": "req-9"})
    )
    with pytest.raises(ServerError) as info:
        driver.run(one(get()), adapter=adapter())
    assert route.call_count == 4  # RetryPolicy().max_attempts
    assert len(driver.clock.slept) == 3
    error = info.value
    assert (error.marketplace, error.operation, error.status_code) == ("shop", "get_item", 503)
    assert error.request_id == "req-9"
    assert str(error).startswith("[shop get_item status=503 request_id=req-9]")
    assert [e.attempt for e in driver.events if e.kind == "request"] == [1, 2, 3, 4]
    (failed,) = [e for e in driver.events if e.kind == "error"]
    assert failed.attempt == 4 and failed.status_code == 503


def test_max_attempts_is_configurable(driver: Driver, api: respx.MockRouter) -> None:
    route = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(500))
    with pytest.raises(ServerError):
        driver.run(one(get()), adapter=adapter(), retry=RetryPolicy(max_attempts=2))
    assert route.call_count == 2


def test_max_attempts_1_turns_retrying_off(driver: Driver, api: respx.MockRouter) -> None:
    route = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(429))
    with pytest.raises(RateLimitError):
        driver.run(one(get()), adapter=adapter(), retry=RetryPolicy(max_attempts=1))
    assert route.call_count == 1 and driver.clock.slept == []


def test_stops_when_the_clock_budget_would_be_passed(driver: Driver, api: respx.MockRouter) -> None:
    route = api.get(f"{BASE}/items/A").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "100"})
    )
    with pytest.raises(RateLimitError) as info:
        driver.run(
            one(get()), adapter=adapter(), retry=RetryPolicy(max_attempts=10, max_elapsed=250)
        )
    # 0 → wait 100 → 100 → wait 100 → 200; a third wait would end at 300 > 250.
    assert route.call_count == 3
    assert driver.clock.slept == [100.0, 100.0]
    assert info.value.retry_after == 100.0


def test_exhausted_with_raise_for_status_false_hands_the_last_answer_over(
    driver: Driver, api: respx.MockRouter
) -> None:
    route = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(502, text="bad gateway"))
    response = driver.run(one(get(raise_for_status=False)), adapter=adapter())
    assert response.status_code == 502 and response.content == b"bad gateway"
    assert route.call_count == 4


# -- Retry-After above the cap ---------------------------------------------------------------------


def test_retry_after_above_the_cap_is_not_waited_for(driver: Driver, api: respx.MockRouter) -> None:
    route = api.get(f"{BASE}/items/A").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "3600"})
    )
    with pytest.raises(RateLimitError) as info:
        driver.run(one(get()), adapter=adapter())
    assert info.value.retry_after == 3600.0
    assert route.call_count == 1 and driver.clock.slept == []


def test_a_5xx_retry_after_above_the_cap_raises_server_error_at_once(
    driver: Driver, api: respx.MockRouter
) -> None:
    route = api.get(f"{BASE}/items/A").mock(
        return_value=httpx.Response(503, headers={"Retry-After": "500"})
    )
    with pytest.raises(ServerError) as info:
        driver.run(one(get()), adapter=adapter())
    assert info.value.retry_after == 500.0 and route.call_count == 1


def test_the_cap_is_configurable(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "600"}), httpx.Response(200)]
    )
    policy = RetryPolicy(max_retry_after=900, max_elapsed=1000)
    assert driver.run(one(get()), adapter=adapter(), retry=policy).status_code == 200
    assert driver.clock.slept == [600.0]


# -- non-idempotent requests are never retried -----------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(503), ServerError),
        (httpx.Response(429, headers={"Retry-After": "1"}), RateLimitError),
        (httpx.ReadTimeout("read timed out"), RequestTimeoutError),
        (httpx.ConnectError("connection refused"), MarketplaceTransportError),
    ],
    ids=["503", "429", "timeout", "connect-error"],
)
def test_a_non_idempotent_post_is_never_retried(
    driver: Driver,
    api: respx.MockRouter,
    answer: httpx.Response | Exception,
    error: type[Exception],
) -> None:
    route = api.post(f"{BASE}/prices").mock(side_effect=[answer, httpx.Response(200)])
    with pytest.raises(error):
        driver.run(one(post()), adapter=adapter())
    assert route.call_count == 1
    assert driver.clock.slept == []
    assert "retry" not in driver.kinds()


def test_a_post_marked_idempotent_is_retried(driver: Driver, api: respx.MockRouter) -> None:
    route = api.post(f"{BASE}/prices").mock(side_effect=[httpx.Response(503), httpx.Response(200)])
    assert driver.run(one(post(idempotent=True)), adapter=adapter()).status_code == 200
    assert route.call_count == 2


def test_a_put_marked_not_idempotent_is_not_retried(driver: Driver, api: respx.MockRouter) -> None:
    route = api.put(f"{BASE}/items/A").mock(return_value=httpx.Response(503))
    request = get(idempotent=False)
    with pytest.raises(ServerError):
        driver.run(one(type(request)("PUT", request.url, idempotent=False)), adapter=adapter())
    assert route.call_count == 1


# -- transport errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (httpx.ConnectError("connection refused"), MarketplaceTransportError),
        (httpx.ReadTimeout("read timed out"), RequestTimeoutError),
        (httpx.ConnectTimeout("connect timed out"), RequestTimeoutError),
        (httpx.RemoteProtocolError("peer closed connection"), MarketplaceTransportError),
        (httpx.ReadError("connection reset"), MarketplaceTransportError),
    ],
    ids=["connect", "read-timeout", "connect-timeout", "protocol", "read"],
)
def test_transport_errors_are_mapped_and_retried_for_idempotent_requests(
    driver: Driver, api: respx.MockRouter, exc: Exception, error: type[Exception]
) -> None:
    route = api.get(f"{BASE}/items/A").mock(side_effect=exc)
    with pytest.raises(error) as info:
        driver.run(one(get()), adapter=adapter())
    assert type(info.value) is error
    assert route.call_count == 4
    assert info.value.marketplace == "shop" and info.value.operation == "get_item"
    assert info.value.status_code is None
    assert isinstance(info.value.__cause__, type(exc))
    assert type(exc).__name__ in str(info.value)
    assert f"GET {BASE}/items/A" in str(info.value)


def test_a_transport_error_then_ok(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(200)]
    )
    assert driver.run(one(get()), adapter=adapter()).status_code == 200
    assert len(driver.clock.slept) == 2


def test_an_unsupported_protocol_is_not_retried(driver: Driver) -> None:
    from xborder.http import HttpRequest

    with pytest.raises(MarketplaceTransportError, match="UnsupportedProtocol"):
        driver.run(one(HttpRequest("GET", "ftp://files.example/x")))
    assert driver.clock.slept == []


def test_plain_flows_retry_transport_errors_and_hand_statuses_over(
    driver: Driver, api: respx.MockRouter
) -> None:
    route = api.get("https://www.ecb.example/d.xml").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(200)]
    )
    from xborder.http import HttpRequest

    response = driver.run(one(HttpRequest("GET", "https://www.ecb.example/d.xml")))
    assert response.status_code == 503  # no adapter: the flow reads its own statuses
    assert route.call_count == 2
    posted = api.post("https://www.ecb.example/d.xml").mock(side_effect=httpx.ConnectError("x"))
    with pytest.raises(MarketplaceTransportError) as info:
        driver.run(one(HttpRequest("POST", "https://www.ecb.example/d.xml")))
    assert info.value.marketplace == "http"
    assert posted.call_count == 1


def test_token_requests_are_retried_on_transport_errors(
    driver: Driver, api: respx.MockRouter
) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=[httpx.ConnectError("refused"), token_answer()])
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    assert driver.run(one(get()), adapter=ShopAdapter()).status_code == 200
    assert token.call_count == 2


# -- the policy ------------------------------------------------------------------------------------


def test_policy_defaults() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.max_elapsed, policy.max_retry_after) == (4, 300.0, 120.0)
    assert (policy.backoff_initial, policy.backoff_max, policy.backoff_jitter) == (1.0, 30.0, 1.0)
    assert policy.seed is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": True},
        {"max_attempts": 2.0},
        {"max_elapsed": -1},
        {"max_retry_after": float("nan")},
        {"backoff_initial": "1"},
        {"backoff_max": float("inf")},
        {"seed": "x"},
    ],
)
def test_policy_refuses_bad_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="RetryPolicy"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_same_seed_same_waits(api: respx.MockRouter) -> None:
    from xborder.testing import FakeClock

    waits = []
    for _ in range(2):
        clock = FakeClock()
        api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(503))
        with pytest.raises(ServerError):
            Driver("sync", clock).run(one(get()), adapter=adapter(), retry=RetryPolicy(seed=11))
        waits.append(clock.slept)
    assert waits[0] == waits[1] and len(waits[0]) == 3
