"""The client's own cost per request, and how much of a rate limit it achieves.

1. Overhead: the same GET, answered by the same in-memory ``httpx.MockTransport`` handler,
   sent by a bare ``httpx.Client`` and by ``xborder.Client`` running a flow with an adapter
   (classification, rate-limit bucket, event and log plumbing, retry wrapper). Rounds of
   both alternate in one run; the script prints the median microseconds per request of each
   and their ratio.
2. Rate limit: a fake marketplace that throttles above N requests/s (a token bucket on the
   FakeClock) and an adapter that declares N requests/s in its Capabilities. The client runs
   M requests; the script prints the share of N achieved (M / simulated seconds / N) and the
   share of answers that were throttled. Two more rows show the adaptation: an adapter that
   declares no limit, and one that declares twice the real limit.

    python benchmarks/bench_client.py [--rounds 7] [--requests 500] [--rate 5] [--total 1000]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx

import xborder as xb
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.marketplaces import (
    API_VERSION,
    Capabilities,
    Classification,
    RateLimit,
    TokenProvider,
    classify_status,
)
from xborder.testing import FakeClock, FakeMarketplace, route

URL = "https://api.bench.example/v1/items/1"


class BenchAdapter:
    """Just enough of an adapter for Client.run(flow, adapter=...): name, limits, classify."""

    name: ClassVar[str] = "bench"
    api_version: ClassVar[int] = API_VERSION
    aliases: ClassVar[tuple[str, ...]] = ()

    def __init__(self, limit: RateLimit | None = None) -> None:
        limits = {"get_item": limit} if limit is not None else {}
        self._caps = Capabilities("bench", rate_limits=limits)

    @property
    def capabilities(self) -> Capabilities:
        return self._caps

    def token_providers(self) -> Mapping[str, TokenProvider]:
        return {}

    def classify(self, response: HttpResponse) -> Classification:
        return classify_status(response)

    # The protocol's operations are not what this benchmark measures.
    settings = None

    def upsert(self, offers: Any, *, known: Any = None) -> Flow[list[Any]]:
        raise NotImplementedError

    update_price_quantity = withdraw = status = upsert


def gets(n: int) -> Flow[int]:
    ok = 0
    for _ in range(n):
        response = yield HttpRequest("GET", URL, operation="get_item")
        ok += response.status_code == 200
    return ok


# -- 1. overhead ---------------------------------------------------------------------------


def handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b'{"id": "1", "state": "live"}')


def bare_round(http: httpx.Client, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        response = http.request("GET", URL, headers={})
        response.read()
    return (time.perf_counter() - start) / n


def client_round(client: xb.Client, adapter: BenchAdapter, n: int) -> float:
    start = time.perf_counter()
    assert client.run(gets(n), adapter=adapter) == n
    return (time.perf_counter() - start) / n


def overhead(rounds: int, n: int) -> None:
    transport = httpx.MockTransport(handler)
    bare_times: list[float] = []
    client_times: list[float] = []
    adapter = BenchAdapter()
    with (
        httpx.Client(transport=transport) as bare,
        httpx.Client(transport=transport) as inner,
        xb.Client(http=inner) as client,
    ):
        bare_round(bare, n)  # warm up both
        client_round(client, adapter, n)
        for _ in range(rounds):
            bare_times.append(bare_round(bare, n))
            client_times.append(client_round(client, adapter, n))
    b = statistics.median(bare_times) * 1e6
    c = statistics.median(client_times) * 1e6
    print(f"1. overhead per request ({rounds} rounds x {n} GETs on one MockTransport)")
    print(f"   bare httpx.Client:      median {b:7.1f} us per request")
    print(f"   xborder.Client + flow:  median {c:7.1f} us per request")
    print(f"   ratio: {c / b:.2f}x   (client's own cost: {c - b:.1f} us per request)")


# -- 2. share of a rate limit ---------------------------------------------------------------


class LimitedShop(FakeMarketplace):
    """One GET route, throttled (HTTP 429) above the configured rate."""

    name: ClassVar[str] = "bench"
    base_url: ClassVar[str] = "https://api.bench.example/v1"
    state_namespaces: ClassVar[tuple[str, ...]] = ()

    @route("GET", "/items/{item}", auth=False)
    def get_item(self, call: Any, item: str) -> httpx.Response:
        return httpx.Response(200, json={"id": item})


def achieved(declared: RateLimit | None, real: RateLimit, total: int) -> tuple[float, float]:
    clock = FakeClock()
    fake = LimitedShop(clock=clock, rate_limits={"get_item": real})
    policy = xb.client.RetryPolicy(max_attempts=50, max_elapsed=1e9, seed=7)
    with fake, fake.http_client() as http, xb.Client(http=http, clock=clock, retry=policy) as c:
        start = clock.monotonic()
        assert c.run(gets(total), adapter=BenchAdapter(declared)) == total
        elapsed = clock.monotonic() - start
    throttled = fake.count("get_item", status=429)
    sent = fake.count("get_item")
    share = (total / elapsed) / real.rate if elapsed > 0 else float("inf")
    return share, throttled / sent


def rate_share(rate: float, burst: int, total: int) -> None:
    real = RateLimit(rate, burst=burst)
    print(
        f"\n2. share of a rate limit: a fake allowing {rate:g} requests/s (burst {burst}), "
        f"{total} GETs on the FakeClock"
    )
    cases: Sequence[tuple[str, RateLimit | None]] = (
        ("declared as documented", real),
        ("not declared (learned from 429s)", None),
        ("declared 2x too high", RateLimit(rate * 2, burst=burst * 2)),
    )
    for label, declared in cases:
        share, throttled = achieved(declared, real, total)
        print(f"   {label:34s} {share:6.1%} of the limit, {throttled:6.2%} throttled")
    print("   goal: >= 90% of the limit with <= 1% throttled when declared")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument("--total", type=int, default=1000)
    args = parser.parse_args(argv)
    logging.getLogger("xborder").setLevel(logging.WARNING)
    overhead(args.rounds, args.requests)
    rate_share(args.rate, args.burst, args.total)


if __name__ == "__main__":
    main()
