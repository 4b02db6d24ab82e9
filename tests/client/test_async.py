"""AsyncClient: concurrency inside one event loop, and its httpx client."""

from __future__ import annotations

import asyncio

import httpx
import respx

from xborder.client import AsyncClient
from xborder.http import Flow, HttpRequest
from xborder.marketplaces import AccessToken, TokenProvider
from xborder.testing import FakeClock

from ._shop import (
    ACCESS_1,
    ACCESS_2,
    BASE,
    TOKEN_URL,
    ShopAdapter,
    get,
    one,
    refresh_provider,
    token_answer,
)

CALLERS = 50


class Counting:
    """A provider that counts the callers asking for its token (by its cache key)."""

    def __init__(self, inner: TokenProvider) -> None:
        self.inner = inner
        self.asked = 0
        self.everyone_asked = asyncio.Event()

    @property
    def cache_key(self) -> str:
        self.asked += 1
        if self.asked >= CALLERS:
            self.everyone_asked.set()
        return self.inner.cache_key

    def token_flow(self) -> Flow[AccessToken]:
        return self.inner.token_flow()

    def authorize(self, request: HttpRequest, token: AccessToken) -> HttpRequest:
        return self.inner.authorize(request, token)


def test_50_concurrent_tasks_share_one_token_request(api: respx.MockRouter) -> None:
    provider = Counting(refresh_provider())

    async def answer(request: httpx.Request) -> httpx.Response:
        # Hold the token answer until all 50 tasks wait for the token.
        await asyncio.wait_for(provider.everyone_asked.wait(), timeout=10)
        return token_answer()

    token = api.post(TOKEN_URL).mock(side_effect=answer)
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    adapter = ShopAdapter(providers={"default": provider})

    async def main() -> list[int]:
        async with AsyncClient(clock=FakeClock()) as client:
            responses = await asyncio.gather(
                *(client.run(one(get()), adapter=adapter) for _ in range(CALLERS))
            )
        return [r.status_code for r in responses]

    assert asyncio.run(main()) == [200] * CALLERS
    assert token.call_count == 1
    assert items.call_count == CALLERS


def test_50_concurrent_tasks_refused_at_once_refresh_once(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=[token_answer(ACCESS_1), token_answer(ACCESS_2)])
    arrived = 0
    all_arrived = asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal arrived
        if request.headers["authorization"] == f"Bearer {ACCESS_1}":
            arrived += 1
            if arrived == CALLERS:
                all_arrived.set()
            await asyncio.wait_for(all_arrived.wait(), timeout=10)
            return httpx.Response(401)
        return httpx.Response(200)

    api.get(f"{BASE}/items/A").mock(side_effect=answer)
    adapter = ShopAdapter()

    async def main() -> list[int]:
        async with AsyncClient(clock=FakeClock()) as client:
            responses = await asyncio.gather(
                *(client.run(one(get()), adapter=adapter) for _ in range(CALLERS))
            )
        return [r.status_code for r in responses]

    assert asyncio.run(main()) == [200] * CALLERS
    assert token.call_count == 2


def test_run_works_inside_a_running_loop_next_to_other_tasks(api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200, text="a"))
    ticks: list[int] = []

    async def ticker() -> None:
        for i in range(3):
            ticks.append(i)
            await asyncio.sleep(0)

    async def main() -> bytes:
        assert asyncio.get_running_loop().is_running()
        async with AsyncClient(clock=FakeClock()) as client:
            response, _ = await asyncio.gather(client.run(one(get())), ticker())
        return response.content

    assert asyncio.run(main()) == b"a"
    assert ticks == [0, 1, 2]


def test_an_injected_async_httpx_client_is_used_and_left_open() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=str(request.url))

    async def main() -> tuple[bytes, bool]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncClient(http=http, clock=FakeClock()) as client:
            content = (await client.run(one(get()))).content
        still_open = not http.is_closed
        await http.aclose()
        return content, still_open

    assert asyncio.run(main()) == (f"{BASE}/items/A".encode(), True)


def test_a_client_it_created_is_closed() -> None:
    async def main() -> bool:
        client = AsyncClient()
        async with client:
            pass
        return client._http.is_closed

    assert asyncio.run(main())


def test_repr_and_properties() -> None:
    clock = FakeClock()
    client = AsyncClient(clock=clock)
    assert client.clock is clock and client.retry.max_attempts == 4
    assert repr(client).startswith("AsyncClient(clock=FakeClock(")
    asyncio.run(client.aclose())
