"""The token bucket, and how the clients wait on it and adapt it to answers."""

from __future__ import annotations

import httpx
import pytest
import respx
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from xborder.client import TokenBucket
from xborder.marketplaces import Classification, RateLimit, StaticToken

from ._shop import BASE, Driver, Facade, ShopAdapter, get, one


def adapter(**limits: RateLimit) -> ShopAdapter:
    return ShopAdapter(
        providers={"default": StaticToken(SecretStr("t"))},
        rate_limits=limits,
    )


# -- the bucket ------------------------------------------------------------------------------------


def test_a_full_bucket_lets_burst_through_then_spaces_by_rate() -> None:
    bucket = TokenBucket(2.0, burst=3)
    assert [bucket.reserve(0.0) for _ in range(5)] == [0.0, 0.0, 0.0, 0.5, 1.0]


def test_tokens_come_back_with_time() -> None:
    bucket = TokenBucket(1.0, burst=2)
    assert bucket.reserve(0.0) == 0.0 and bucket.reserve(0.0) == 0.0
    assert bucket.reserve(0.5) == pytest.approx(0.5)
    assert bucket.reserve(10.0) == 0.0  # refilled, but never above burst
    assert bucket.reserve(10.0) == 0.0
    assert bucket.reserve(10.0) == pytest.approx(1.0)


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (float("inf"), 1), (1, 0), (1, 1.5)])
def test_bad_bucket(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match=r"rate|burst"):
        TokenBucket(rate, burst)


@given(
    rate=st.floats(min_value=0.1, max_value=50),
    burst=st.integers(min_value=1, max_value=10),
    gaps=st.lists(st.floats(min_value=0, max_value=2), min_size=1, max_size=60),
    window=st.floats(min_value=0.01, max_value=20),
)
def test_never_more_than_burst_plus_rate_times_t(
    rate: float, burst: int, gaps: list[float], window: float
) -> None:
    """In any span of t seconds at most burst + rate * t requests go out."""
    bucket = TokenBucket(rate, burst)
    now = 0.0
    sent = []
    for gap in gaps:
        now += gap
        sent.append(now + bucket.reserve(now))
    sent.sort()
    for i, start in enumerate(sent):
        inside = sum(1 for t in sent[i:] if t <= start + window + 1e-9)
        assert inside <= burst + rate * window + 1e-6


@given(
    rate=st.floats(min_value=0.1, max_value=50),
    burst=st.integers(min_value=1, max_value=10),
    n=st.integers(min_value=1, max_value=80),
)
def test_n_requests_at_once_take_n_minus_burst_over_rate(rate: float, burst: int, n: int) -> None:
    bucket = TokenBucket(rate, burst)
    last = max(bucket.reserve(0.0) for _ in range(n))
    assert last == pytest.approx(max(0, n - burst) / rate)


# -- adapting --------------------------------------------------------------------------------------


def test_throttled_halves_down_to_the_floor_and_ok_recovers_additively() -> None:
    bucket = TokenBucket(10.0, burst=1)
    bucket.observe(Classification("throttled"), now=0)
    assert bucket.rate == 5.0
    for _ in range(10):
        bucket.observe(Classification("throttled"), now=0)
    assert bucket.rate == pytest.approx(0.5)  # 5% of the seeded 10/s
    bucket.observe(Classification("ok"), now=0)
    assert bucket.rate == pytest.approx(1.0)  # + 5% of the ceiling
    for _ in range(100):
        bucket.observe(Classification("ok"), now=0)
    assert bucket.rate == 10.0  # never above the ceiling


def test_an_announced_rate_becomes_the_ceiling() -> None:
    bucket = TokenBucket(10.0, burst=1)
    bucket.observe(Classification("ok", rate_limit=2.0), now=0)
    assert (bucket.rate, bucket.ceiling) == (2.0, 2.0)
    bucket.observe(Classification("ok", rate_limit=5.0), now=0)
    assert bucket.rate == 5.0
    for _ in range(50):
        bucket.observe(Classification("ok"), now=0)
    assert bucket.rate == 5.0


def test_an_announcement_does_not_undo_a_backoff() -> None:
    bucket = TokenBucket(10.0, burst=1)
    bucket.observe(Classification("throttled", rate_limit=10.0), now=0)
    assert bucket.rate == 5.0
    bucket.observe(Classification("ok", rate_limit=10.0), now=0)
    assert bucket.rate == pytest.approx(5.5)  # recovering, not jumping back


@pytest.mark.parametrize(
    ("usage", "rate"), [(0.5, 10.0), (0.8, 10.0), (0.9, 5.0), (0.95, 2.5), (1.0, 0.5)]
)
def test_high_usage_slows_down_proportionally(usage: float, rate: float) -> None:
    bucket = TokenBucket(10.0, burst=1)
    bucket.observe(Classification("ok", usage=usage), now=0)
    assert bucket.rate == pytest.approx(rate)


def test_a_slower_rate_spaces_requests_wider() -> None:
    bucket = TokenBucket(4.0, burst=1)
    assert bucket.reserve(0.0) == 0.0
    bucket.observe(Classification("throttled"), now=0.0)  # 2/s
    assert bucket.reserve(0.0) == pytest.approx(0.5)
    assert "TokenBucket(rate=2" in repr(bucket)


# -- through the clients ---------------------------------------------------------------------------


def test_n_requests_at_rate_r_take_n_minus_burst_over_r_simulated_seconds(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    shop = adapter(get_item=RateLimit(2.0, burst=3))
    n = 10

    async def scenario(c: Facade) -> None:
        for _ in range(n):
            await c.run(one(get()), adapter=shop)

    driver.go(scenario)
    assert driver.clock.monotonic() == pytest.approx((n - 3) / 2.0)
    assert driver.clock.slept == pytest.approx([0.5] * 7)
    waits = [e for e in driver.events if e.kind == "wait"]
    assert len(waits) == 7 and waits[0].wait == pytest.approx(0.5)
    assert waits[0].operation == "get_item" and waits[0].marketplace == "shop"


def test_concurrent_async_requests_queue_on_the_bucket(api: respx.MockRouter) -> None:
    import asyncio

    from xborder.client import AsyncClient
    from xborder.testing import FakeClock

    clock = FakeClock()
    sent: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(clock.monotonic())
        return httpx.Response(200)

    api.get(f"{BASE}/items/A").mock(side_effect=answer)
    shop = adapter(get_item=RateLimit(5.0, burst=2))

    async def main() -> None:
        async with AsyncClient(clock=clock) as client:
            await asyncio.gather(*(client.run(one(get()), adapter=shop) for _ in range(12)))

    asyncio.run(main())
    assert len(sent) == 12 and sent[:2] == [0.0, 0.0]
    # Each waiting task reserved its own slot: the ten beyond the burst of 2 took 10/5 s of
    # simulated time in all (a FakeClock runs the waits one after the other).
    assert clock.monotonic() == pytest.approx((12 - 2) / 5.0)
    assert clock.slept == pytest.approx([0.2] * 10)


def test_buckets_are_per_operation_with_a_star_default(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    api.get(f"{BASE}/items/B").mock(return_value=httpx.Response(200))
    shop = adapter(get_item=RateLimit(1.0), **{"*": RateLimit(1.0)})

    async def scenario(c: Facade) -> None:
        await c.run(one(get()), adapter=shop)
        await c.run(one(get("/items/B", operation="other")), adapter=shop)  # own bucket
        await c.run(one(get()), adapter=shop)  # waits 1 s on get_item

    driver.go(scenario)
    assert driver.clock.slept == [1.0]


def test_no_documented_limit_no_waiting(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))

    async def scenario(c: Facade) -> None:
        for _ in range(20):
            await c.run(one(get()), adapter=adapter())

    driver.go(scenario)
    assert driver.clock.slept == []


def test_rate_limiting_can_be_turned_off(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    shop = adapter(get_item=RateLimit(1.0))

    async def scenario(c: Facade) -> None:
        for _ in range(5):
            await c.run(one(get()), adapter=shop)

    driver.go(scenario, rate_limiting=False)
    assert driver.clock.slept == []


def test_an_announced_rate_limit_header_paces_the_next_requests(
    driver: Driver, api: respx.MockRouter
) -> None:
    # Amazon-style: x-amzn-RateLimit-Limit (here x-ratelimit-limit) read by the adapter.
    api.get(f"{BASE}/items/A").mock(
        return_value=httpx.Response(200, headers={"x-ratelimit-limit": "0.5"})
    )
    shop = adapter(get_item=RateLimit(10.0, burst=1))

    async def scenario(c: Facade) -> None:
        for _ in range(3):
            await c.run(one(get()), adapter=shop)

    driver.go(scenario)
    assert driver.clock.slept == pytest.approx([2.0, 2.0])  # 1 / 0.5 s


def test_an_announced_rate_creates_a_bucket_when_none_was_documented(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.get(f"{BASE}/items/A").mock(
        return_value=httpx.Response(200, headers={"x-ratelimit-limit": "2"})
    )

    async def scenario(c: Facade) -> None:
        for _ in range(3):
            await c.run(one(get()), adapter=adapter())

    driver.go(scenario)
    assert driver.clock.slept == pytest.approx([0.5])  # a new bucket starts full (burst 1)


def test_throttled_answers_slow_the_bucket_down(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "0"}),
            httpx.Response(200),
            httpx.Response(200),
        ]
    )
    shop = adapter(get_item=RateLimit(4.0, burst=1))

    async def scenario(c: Facade) -> None:
        await c.run(one(get()), adapter=shop)  # 429 (rate → 2/s), retried at once, 200
        await c.run(one(get()), adapter=shop)

    driver.go(scenario)
    # Retry-After 0, then the bucket's own spacing at 2/s (+5% of 4/s after the ok): 0.5 s;
    # then 1 / 2.2 s.
    assert driver.clock.slept == pytest.approx([0.0, 0.5, 1 / 2.2])


def test_meta_usage_headers_slow_the_bucket_down(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200, headers={"x-usage": "0.9"}))
    shop = adapter(get_item=RateLimit(2.0, burst=1))

    async def scenario(c: Facade) -> None:
        for _ in range(3):
            await c.run(one(get()), adapter=shop)

    driver.go(scenario)
    assert driver.clock.slept == pytest.approx([1.0, 1.0])  # half of 2/s
