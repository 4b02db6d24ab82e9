"""One error tree, mapped in one place: answers and httpx exceptions to xborder errors."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx
from pydantic import SecretStr

from xborder.client import REQUEST_ID_HEADERS, error_for_response, map_httpx_errors
from xborder.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    FieldError,
    InvalidRequestError,
    MarketplaceError,
    MarketplaceTransportError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    UnexpectedResponseError,
)
from xborder.http import HttpResponse
from xborder.marketplaces import Classification, StaticToken

from ._shop import BASE, Driver, ShopAdapter, get, mock_http, one, post


def adapter() -> ShopAdapter:
    return ShopAdapter(providers={"default": StaticToken(SecretStr("t"))})


# -- the table, through the clients ----------------------------------------------------------------

TABLE = [
    (400, {}, InvalidRequestError),
    (422, {}, InvalidRequestError),
    (403, {}, AuthenticationError),
    (404, {}, NotFoundError),
    (405, {}, ApiError),
    (409, {}, ConflictError),
    (410, {}, ApiError),
    (501, {}, ServerError),
    (505, {}, ServerError),
]


@pytest.mark.parametrize(("status", "headers", "error"), TABLE)
def test_final_answers_raise_the_mapped_error(
    driver: Driver,
    api: respx.MockRouter,
    status: int,
    headers: dict[str, str],
    error: type[ApiError],
) -> None:
    route = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(status, headers=headers))
    with pytest.raises(error) as info:
        driver.run(one(get()), adapter=adapter())
    assert type(info.value) is error
    assert info.value.status_code == status and info.value.marketplace == "shop"
    assert route.call_count == 1  # permanent: never retried


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (408, ServerError),
    ],
)
def test_retryable_answers_raise_the_mapped_error_when_exhausted(
    driver: Driver, api: respx.MockRouter, status: int, error: type[ApiError]
) -> None:
    route = api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(status))
    with pytest.raises(error):
        driver.run(one(get()), adapter=adapter())
    assert route.call_count == 4


def test_an_adapter_error_body_fills_message_code_and_fields(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.post(f"{BASE}/prices").mock(
        return_value=httpx.Response(
            400,
            headers={"x-shop-request-id": "shop-req-1"},
            json={
                "error": {
                    "code": 25709,
                    "message": "Invalid value for price",
                    "fields": {"price.value": "must be > 0"},
                }
            },
        )
    )
    with pytest.raises(InvalidRequestError) as info:
        driver.run(one(post()), adapter=adapter())
    error = info.value
    assert error.message == "Invalid value for price" and error.code == "25709"
    assert error.request_id == "shop-req-1" and error.operation == "post_prices"
    assert error.field_errors == (FieldError("price.value", None, "must be > 0"),)
    assert str(error) == (
        "[shop post_prices status=400 request_id=shop-req-1] Invalid value for price "
        "(price.value=None: must be > 0)"
    )


def test_raise_for_status_false_hands_the_answer_over(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(404, text="no such item"))
    response = driver.run(one(get(raise_for_status=False)), adapter=adapter())
    assert (response.status_code, response.content) == (404, b"no such item")


def test_a_classify_that_raises_is_an_unexpected_response(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(400, text="{not json"))
    with pytest.raises(UnexpectedResponseError, match="could not classify") as info:
        driver.run(one(get()), adapter=adapter())
    assert isinstance(info.value.__cause__, ValueError)
    assert info.value.status_code == 400


class _Broken(ShopAdapter):
    def classify(self, response: HttpResponse) -> Classification:
        return "ok"  # type: ignore[return-value]


def test_a_classify_that_returns_something_else(driver: Driver, api: respx.MockRouter) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200))
    with pytest.raises(UnexpectedResponseError, match="returned str"):
        driver.run(one(get()), adapter=_Broken(providers={}))


# -- max_response_bytes ----------------------------------------------------------------------------


class _Endless(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body of 1 KiB chunks that never ends, and counts how much was read."""

    def __init__(self) -> None:
        self.read = 0

    def _chunk(self) -> bytes:
        self.read += 1024
        if self.read > 10 * 1024 * 1024:  # pragma: no cover - the cap failed
            raise AssertionError("read far past the cap")
        return b"x" * 1024

    def __iter__(self) -> Iterator[bytes]:
        while True:
            yield self._chunk()

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        while True:
            yield self._chunk()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_streamed_body_is_cut_at_max_response_bytes(mode: str) -> None:
    from xborder.testing import FakeClock

    stream = _Endless()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream)

    http = mock_http(mode, handler)
    with pytest.raises(UnexpectedResponseError, match="max_response_bytes \\(4096 bytes\\)"):
        Driver(mode, FakeClock()).run(
            one(get()), adapter=adapter(), http=http, max_response_bytes=4096
        )
    assert stream.read <= 5 * 1024


def test_a_declared_length_above_the_cap_is_refused_unread(
    driver: Driver, api: respx.MockRouter
) -> None:
    api.get(f"{BASE}/items/A").mock(return_value=httpx.Response(200, content=b"y" * 2048))
    with pytest.raises(UnexpectedResponseError) as info:
        driver.run(one(get()), max_response_bytes=1024)
    assert info.value.status_code == 200 and info.value.marketplace == "http"
    assert driver.run(one(get()), max_response_bytes=2048).content == b"y" * 2048


def test_a_body_that_cannot_be_decoded(driver: Driver) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, stream=httpx.ByteStream(b"not gzip"), headers={"Content-Encoding": "gzip"}
        )

    with pytest.raises(UnexpectedResponseError, match="DecodingError"):
        driver.run(one(get()), http=mock_http(driver.mode, handler))


# -- error_for_response ----------------------------------------------------------------------------


def response(status: int, **headers: str) -> HttpResponse:
    return HttpResponse(status, headers=headers)


@pytest.mark.parametrize(
    ("status", "verdict", "error"),
    [
        (400, "throttled", RateLimitError),  # Meta throttles with HTTP 400
        (429, "throttled", RateLimitError),
        (503, "throttled", RateLimitError),
        (400, "auth_expired", AuthenticationError),
        (401, "permanent", AuthenticationError),
        (403, "permanent", AuthenticationError),
        (404, "permanent", NotFoundError),
        (409, "permanent", ConflictError),
        (400, "permanent", InvalidRequestError),
        (422, "permanent", InvalidRequestError),
        (500, "permanent", ServerError),
        (200, "transient", ServerError),
        (418, "permanent", ApiError),
        (200, "permanent", ApiError),
    ],
)
def test_error_for_response_precedence(status: int, verdict: str, error: type[ApiError]) -> None:
    made = error_for_response("shop", response(status), Classification(verdict))  # type: ignore[arg-type]
    assert type(made) is error
    assert made.status_code == status


def test_error_for_response_message_defaults_to_the_http_reason() -> None:
    assert error_for_response("shop", response(404), Classification("permanent")).message == (
        "HTTP 404 Not Found"
    )
    assert error_for_response("shop", response(599), Classification("permanent")).message == (
        "HTTP 599"
    )


@pytest.mark.parametrize("header", REQUEST_ID_HEADERS)
def test_request_id_from_common_headers(header: str) -> None:
    made = error_for_response(
        "shop", HttpResponse(500, {header: "id-1"}), Classification("transient")
    )
    assert made.request_id == "id-1"


def test_the_classifications_request_id_wins() -> None:
    made = error_for_response(
        "shop",
        HttpResponse(500, {"x-request-id": "header"}),
        Classification("transient", request_id="adapter", retry_after=3),
    )
    assert made.request_id == "adapter" and made.retry_after == 3


# -- map_httpx_errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (httpx.ConnectTimeout("c"), RequestTimeoutError),
        (httpx.ReadTimeout("r"), RequestTimeoutError),
        (httpx.WriteTimeout("w"), RequestTimeoutError),
        (httpx.PoolTimeout("p"), RequestTimeoutError),
        (httpx.ConnectError("c"), MarketplaceTransportError),
        (httpx.ProxyError("p"), MarketplaceTransportError),
        (httpx.TooManyRedirects("t"), MarketplaceTransportError),
        (httpx.DecodingError("d"), UnexpectedResponseError),
        (httpx.InvalidURL("bad"), MarketplaceTransportError),
    ],
)
def test_map_httpx_errors(exc: Exception, error: type[MarketplaceError]) -> None:
    with (
        pytest.raises(error) as info,
        map_httpx_errors(marketplace="shop", operation="op", method="GET", url=f"{BASE}/x"),
    ):
        raise exc
    assert type(info.value) is error
    assert info.value.__cause__ is exc
    assert (info.value.marketplace, info.value.operation) == ("shop", "op")


def test_map_httpx_errors_leaves_other_exceptions_alone() -> None:
    with (
        pytest.raises(KeyError),
        map_httpx_errors(marketplace="shop", operation="op", method="GET", url=BASE),
    ):
        raise KeyError("x")


def test_request_secrets_reads_the_body_only_when_asked() -> None:
    from xborder.client._errors import request_secrets
    from xborder.http import HttpRequest

    request = HttpRequest(
        "POST",
        "https://translate.example/translate",
        {"Authorization": "Bearer header-token-1234"},
        b'{"q": "Mug", "api_key": "body-key-5678"}',
    )
    assert set(request_secrets(request)) >= {"header-token-1234", "body-key-5678"}
    assert "body-key-5678" not in request_secrets(request, body=False)
    assert "header-token-1234" in request_secrets(request, body=False)
