"""Client: threads, its httpx client, timeouts, and what it refuses."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import respx

from xborder.client import DEFAULT_TIMEOUT, AsyncClient, Client
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
    """A provider that counts how many callers asked for its token (by its cache key)."""

    def __init__(self, inner: TokenProvider) -> None:
        self.inner = inner
        self.asked = 0
        self.everyone_asked = threading.Event()
        self._lock = threading.Lock()

    @property
    def cache_key(self) -> str:
        with self._lock:
            self.asked += 1
            if self.asked >= CALLERS:
                self.everyone_asked.set()
        return self.inner.cache_key

    def token_flow(self) -> Flow[AccessToken]:
        return self.inner.token_flow()

    def authorize(self, request: HttpRequest, token: AccessToken) -> HttpRequest:
        return self.inner.authorize(request, token)


def test_50_threads_share_one_token_request(api: respx.MockRouter) -> None:
    provider = Counting(refresh_provider())

    def answer(request: httpx.Request) -> httpx.Response:
        # Hold the token answer until all 50 callers wait for the token.
        assert provider.everyone_asked.wait(timeout=10)
        return token_answer()

    token = api.post(TOKEN_URL).mock(side_effect=answer)
    items = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    adapter = ShopAdapter(providers={"default": provider})
    start = threading.Barrier(CALLERS)

    with Client(clock=FakeClock()) as client:

        def call(_: int) -> int:
            start.wait(timeout=10)
            return client.run(one(get()), adapter=adapter).status_code

        with ThreadPoolExecutor(max_workers=CALLERS) as pool:
            statuses = list(pool.map(call, range(CALLERS)))

    assert statuses == [200] * CALLERS
    assert token.call_count == 1
    assert items.call_count == CALLERS
    assert provider.asked >= CALLERS


def test_50_threads_refused_at_once_refresh_once(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=[token_answer(ACCESS_1), token_answer(ACCESS_2)])
    seen_old = threading.Barrier(CALLERS)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == f"Bearer {ACCESS_1}":
            seen_old.wait(timeout=10)  # every caller got its 401 with the old token
            return httpx.Response(401)
        return httpx.Response(200)

    api.get(f"{BASE}/items/A").mock(side_effect=answer)
    adapter = ShopAdapter()
    with Client(clock=FakeClock()) as client, ThreadPoolExecutor(max_workers=CALLERS) as pool:
        statuses = list(
            pool.map(lambda _: client.run(one(get()), adapter=adapter).status_code, range(CALLERS))
        )
    assert statuses == [200] * CALLERS
    assert token.call_count == 2  # the first token, and one refresh for all 50


# -- the httpx client ------------------------------------------------------------------------------


def test_an_injected_httpx_client_is_used_and_left_open() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, text="hi")

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with Client(http=http, clock=FakeClock()) as client:
        assert client.run(one(get())).content == b"hi"
    assert seen == [f"{BASE}/items/A"]
    assert not http.is_closed
    http.close()


def test_a_client_it_created_is_closed() -> None:
    client = Client()
    inner = client._http
    with client:
        pass
    assert inner.is_closed


def test_timeouts(api: respx.MockRouter) -> None:
    route = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    with Client(clock=FakeClock()) as client:
        client.run(one(get()))
    assert route.calls.last.request.extensions["timeout"] == DEFAULT_TIMEOUT.as_dict()
    with Client(clock=FakeClock(), timeout=2.5) as client:
        client.run(one(get()))
    assert route.calls.last.request.extensions["timeout"] == httpx.Timeout(2.5).as_dict()
    with httpx.Client(timeout=9) as http, Client(http=http, clock=FakeClock()) as client:
        client.run(one(get()))
    assert route.calls.last.request.extensions["timeout"] == httpx.Timeout(9).as_dict()


def test_redirects_are_followed_and_headers_sent(api: respx.MockRouter) -> None:
    api.get(f"{BASE}/old").mock(
        return_value=httpx.Response(301, headers={"Location": f"{BASE}/new"})
    )
    new = api.get(f"{BASE}/new").mock(return_value=httpx.Response(200, text="moved"))
    with Client(clock=FakeClock()) as client:
        response = client.run(
            one(HttpRequest("GET", f"{BASE}/old", headers={"Accept-Language": "de-DE"}))
        )
    assert response.content == b"moved" and response.url == f"{BASE}/new"
    assert new.calls.last.request.headers["accept-language"] == "de-DE"
    assert new.calls.last.request.headers["user-agent"].startswith("xborder/")


def test_response_headers_are_lower_case(api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(
        return_value=httpx.Response(200, headers={"X-Request-ID": "abc", "Content-Type": "a/b"})
    )
    with Client(clock=FakeClock()) as client:
        response = client.run(one(get()))
    assert response.headers["x-request-id"] == "abc"
    assert response.headers["content-type"] == "a/b"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"http": httpx.AsyncClient()}, TypeError, "use AsyncClient"),
        ({"timeout": 0}, ValueError, "timeout"),
        ({"timeout": "30"}, ValueError, "timeout"),
        ({"max_response_bytes": 0}, ValueError, "max_response_bytes"),
        ({"refresh_margin": -1}, ValueError, "refresh_margin"),
        ({"retry": 3}, TypeError, "RetryPolicy"),
        ({"on_event": "print"}, TypeError, "on_event"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        Client(**kwargs)  # type: ignore[arg-type]


def test_async_client_refuses_a_sync_httpx_client() -> None:
    with httpx.Client() as http, pytest.raises(TypeError, match="use Client"):
        AsyncClient(http=http)  # type: ignore[arg-type]


def test_a_flow_yielding_something_else(api: respx.MockRouter) -> None:
    def bad() -> Flow[None]:
        yield "GET /"  # type: ignore[misc]

    with Client(clock=FakeClock()) as client, pytest.raises(TypeError, match="yielded str"):
        client.run(bad())


def test_run_refuses_a_non_adapter() -> None:
    with Client(clock=FakeClock()) as client, pytest.raises(TypeError, match="Adapter"):
        client.run(one(get()), adapter=object())  # type: ignore[arg-type]


def test_a_flow_with_no_request_returns_at_once() -> None:
    def nothing() -> Flow[int]:
        return 42
        yield  # pragma: no cover

    with Client(clock=FakeClock()) as client:
        assert client.run(nothing()) == 42


def test_a_flow_that_raises_is_closed_and_the_error_propagates(api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    closed = []

    def flow() -> Flow[None]:
        try:
            yield get()
            raise LookupError("the flow's own error")
        finally:
            closed.append(True)

    with Client(clock=FakeClock()) as client, pytest.raises(LookupError):
        client.run(flow())
    assert closed == [True]


def test_repr_and_properties() -> None:
    clock = FakeClock()
    with Client(clock=clock) as client:
        assert client.clock is clock
        assert client.retry.max_attempts == 4
        assert repr(client).startswith("Client(clock=FakeClock(")
