"""Events for callers that are not a terminal, and log lines on the "xborder.client" logger."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx
from pydantic import SecretStr

from xborder.client import EVENT_KINDS, Event, RetryPolicy
from xborder.errors import ServerError
from xborder.marketplaces import RateLimit, StaticToken

from ._shop import BASE, TOKEN_URL, Driver, Facade, ShopAdapter, get, one, token_answer


def test_the_events_of_a_call_that_waits_refreshes_and_retries(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.post(TOKEN_URL).mock(return_value=token_answer())
    api.get(f"{BASE}/items/A").mock(
        side_effect=[
            httpx.Response(200),
            httpx.Response(503, headers={"Retry-After": "2", "x-request-id": "r-1"}),
            httpx.Response(200, headers={"x-request-id": "r-2"}),
        ]
    )
    shop = ShopAdapter(rate_limits={"get_item": RateLimit(1.0)})

    async def scenario(c: Facade) -> None:
        await c.run(one(get()), adapter=shop)
        await c.run(one(get()), adapter=shop)

    driver.go(scenario)
    assert driver.kinds() == [
        "request",  # the token request
        "response",
        "token",  # fetched before the first request
        "request",
        "response",
        "wait",  # the bucket: 1/s
        "request",
        "response",
        "retry",  # Retry-After: 2
        "request",
        "response",
    ]
    token_request, _, token, *_ = driver.events
    assert (token_request.operation, token_request.url) == ("token", TOKEN_URL)
    assert (token.marketplace, token.operation, token.detail) == ("shop", "token", "fetched")
    wait = driver.events[5]
    assert (wait.wait, wait.attempt, wait.at) == (1.0, 1, 0.0)
    retry = driver.events[8]
    assert (retry.attempt, retry.wait, retry.status_code, retry.request_id) == (2, 2.0, 503, "r-1")
    assert retry.at == 1.0 and "503" in retry.detail
    last = driver.events[-1]
    assert (last.kind, last.status_code, last.request_id, last.attempt, last.at) == (
        "response",
        200,
        "r-2",
        2,
        3.0,
    )
    own = driver.events[3:]
    assert {e.method for e in own} == {"GET"} and {e.url for e in own} == {f"{BASE}/items/A"}
    assert all(e.kind in EVENT_KINDS for e in driver.events)


def test_an_error_event_ends_a_failed_call(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(500))
    shop = ShopAdapter(providers={"default": StaticToken(SecretStr("t"))})
    with pytest.raises(ServerError):
        driver.run(one(get()), adapter=shop, retry=RetryPolicy(max_attempts=2))
    error = driver.events[-1]
    assert (error.kind, error.status_code, error.attempt) == ("error", 500, 2)
    assert error.detail.startswith("ServerError: [shop get_item status=500]")


def test_a_callback_that_raises_is_logged_and_the_call_goes_on(
    driver: Driver, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    seen: list[Event] = []

    def callback(event: Event) -> None:
        seen.append(event)
        raise RuntimeError("the progress bar broke")

    with caplog.at_level(logging.WARNING, logger="xborder.client"):
        assert driver.run(one(get()), on_event=callback).status_code == 200
    assert [e.kind for e in seen] == ["request", "response"]
    assert "on_event callback raised" in caplog.text and "the progress bar broke" in caplog.text


def test_plain_flows_report_as_http(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(404))
    driver.run(one(get()))
    assert {e.marketplace for e in driver.events} == {"http"}
    assert driver.events[-1].status_code == 404


# -- logging ---------------------------------------------------------------------------------------


def test_log_levels(
    driver: Driver, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.post(TOKEN_URL).mock(return_value=token_answer())
    api.get(f"{BASE}/items/A").mock(
        side_effect=[
            httpx.Response(503, headers={"x-request-id": "r-7"}),
            httpx.Response(500),
        ]
    )
    with caplog.at_level(logging.DEBUG, logger="xborder.client"), pytest.raises(ServerError):
        driver.run(one(get()), adapter=ShopAdapter(), retry=RetryPolicy(max_attempts=2, seed=1))
    records = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "xborder.client"]
    debug = [m for level, m in records if level == "DEBUG"]
    info = [m for level, m in records if level == "INFO"]
    warning = [m for level, m in records if level == "WARNING"]
    assert f"shop get_item: GET {BASE}/items/A (attempt 1)" in debug
    assert any(
        m.startswith(f"shop get_item: GET {BASE}/items/A -> 503 transient (request_id=r-7")
        for m in debug
    )
    assert any(m.startswith("shop: access token fetched (valid 3600 s)") for m in info)
    assert any(
        "failed (HTTP 503 Service Unavailable, transient); attempt 2 of 2" in m for m in info
    )
    assert len(warning) == 1
    assert warning[0].startswith(f"shop get_item: GET {BASE}/items/A failed after 2 attempt(s)")
    assert "ServerError" in warning[0]


def test_rate_limit_waits_are_logged_at_info(
    driver: Driver, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    shop = ShopAdapter(
        providers={"default": StaticToken(SecretStr("t"))},
        rate_limits={"get_item": RateLimit(0.5)},
    )

    async def scenario(c: Facade) -> None:
        await c.run(one(get()), adapter=shop)
        await c.run(one(get()), adapter=shop)

    with caplog.at_level(logging.INFO, logger="xborder.client"):
        driver.go(scenario)
    assert f"shop get_item: GET {BASE}/items/A waits 2.000 s for the rate limit" in caplog.text
