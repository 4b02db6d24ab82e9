"""The two drivers are one pipeline: the same scenario gives the same outcome on both."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
import respx

from xborder.client import RetryPolicy
from xborder.errors import MarketplaceError
from xborder.http import HttpRequest
from xborder.marketplaces import RateLimit
from xborder.testing import FakeClock

from ._shop import (
    ACCESS_2,
    BASE,
    TOKEN_URL,
    Driver,
    Facade,
    ShopAdapter,
    get,
    key,
    offer,
    one,
    post,
    token_answer,
)


def scenario_routes(api: respx.MockRouter) -> None:
    api.post(TOKEN_URL).mock(side_effect=[token_answer(), token_answer(ACCESS_2)])
    api.get(f"{BASE}/items/A").mock(
        side_effect=[
            httpx.Response(429),
            httpx.Response(401),
            httpx.Response(200, headers={"x-ratelimit-limit": "4", "x-request-id": "a"}),
            httpx.Response(200),
        ]
    )
    api.get(f"{BASE}/items/Z").mock(return_value=httpx.Response(404))
    api.put(f"{BASE}/items/B").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200)]
    )
    api.post(f"{BASE}/prices").mock(return_value=httpx.Response(503, headers={"Retry-After": "1"}))


async def scenario(c: Facade) -> list[Any]:
    adapter = ShopAdapter(rate_limits={"get_item": RateLimit(2.0, burst=1)})
    outcome: list[Any] = []
    outcome.append((await c.run(one(get()), adapter=adapter)).status_code)
    outcome.append([r.state for r in await c.call(adapter, "status", [key("A"), key("Z")])])
    outcome.append(
        [r.status for r in await c.call(adapter, "upsert", [offer("B"), offer("C", "gpsr.x")])]
    )
    try:
        await c.run(one(post()), adapter=adapter)
    except MarketplaceError as exc:
        outcome.append((type(exc).__name__, str(exc), exc.retry_after))
    outcome.append(
        (await c.run(one(get("/items/Z", raise_for_status=False)), adapter=adapter)).status_code
    )
    outcome.append((await c.run(one(HttpRequest("GET", f"{BASE}/items/Z")))).status_code)
    return outcome


def run(mode: str) -> tuple[list[Any], list[Any], list[float]]:
    with respx.mock(assert_all_called=True) as api:
        scenario_routes(api)
        driver = Driver(mode, FakeClock())
        outcome = driver.go(scenario, retry=RetryPolicy(seed=5))
    events = [dataclasses.astuple(e) for e in driver.events]
    return outcome, events, driver.clock.slept


def test_client_and_async_client_give_equal_results_events_and_waits() -> None:
    sync = run("sync")
    assert sync == run("async")
    outcome, events, slept = sync
    assert outcome == [
        200,
        ["live", "absent"],
        ["ok", "failed"],
        ("ServerError", "[shop post_prices status=503] HTTP 503", 1.0),
        404,
        404,
    ]
    assert len(events) > 20 and len(slept) >= 3


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_each_driver_alone(mode: str) -> None:
    outcome, _, _ = run(mode)
    assert outcome[0] == 200
