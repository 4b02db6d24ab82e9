"""Transport security: https only, certificates verified, a finite timeout on every call.

Issue #10. The design (docs/client.md, "Transport security"): production hosts are https;
a base-URL override with plain http is refused naming the field and the value, except for a
loopback host (a self-hosted LibreTranslate, a local fake); the Client refuses to send an
adapter's request over plain http to any other host, whatever the URL came from.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from xborder.client import DEFAULT_TIMEOUT, AsyncClient, Client, RetryPolicy
from xborder.errors import ConfigurationError, MarketplaceTransportError
from xborder.http import HttpRequest, require_https
from xborder.localize.translate import (
    DEEPL_FREE_URL,
    DEEPL_PRO_URL,
    DeepLTranslator,
    LibreTranslateTranslator,
)
from xborder.marketplaces import OAuth2ClientCredentials, OAuth2RefreshToken, OfferKey
from xborder.marketplaces.amazon import AmazonAdapter, AmazonSettings
from xborder.marketplaces.amazon._marketplaces import HOSTS, SANDBOX_HOSTS
from xborder.marketplaces.amazon._settings import LWA_TOKEN_URL
from xborder.marketplaces.ebay import EbayAdapter, EbaySettings
from xborder.marketplaces.facebook import FacebookAdapter, FacebookSettings
from xborder.marketplaces.facebook._settings import GRAPH_URL
from xborder.testing import FakeClock

PHASES = ("connect", "read", "write", "pool")


def ebay_settings(**overrides: Any) -> EbaySettings:
    data: dict[str, Any] = {
        "client_id": "xborder-app-PRD-1",
        "client_secret": SecretStr("ebay-cert-transport-1a2b"),
        "refresh_token": SecretStr("v^1.1#i^1#transport-refresh-3c4d"),
        "ru_name": "xborder-xborder-PRD-abc",
    }
    return EbaySettings(**(data | overrides))


def amazon_settings() -> AmazonSettings:
    return AmazonSettings(
        client_id="amzn1.application-oa2-client.transport",
        client_secret=SecretStr("amzn1.oa2-cs.v1.transport-5e6f"),
        refresh_token=SecretStr("Atzr|transport-refresh-7a8b"),
        seller_id="A2TRANSPORT1",
    )


def facebook_settings(**overrides: Any) -> FacebookSettings:
    data: dict[str, Any] = {
        "catalog_id": "1234567890123456",
        "access_token": SecretStr("EAAB-transport-token-9c0d"),
        "base_market": "GB",
    }
    return FacebookSettings(**(data | overrides))


# -- https for every production host -----------------------------------------------------------


def test_every_production_and_sandbox_host_is_https() -> None:
    urls = [LWA_TOKEN_URL, GRAPH_URL, DEEPL_PRO_URL, DEEPL_FREE_URL]
    urls += list(HOSTS.values()) + list(SANDBOX_HOSTS.values())
    for sandbox in (False, True):
        s = ebay_settings(sandbox=sandbox)
        urls += [s.api_host, s.inventory_url, s.token_url, s.authorize_url]
    settings = amazon_settings()
    urls += [settings.token_url]
    urls += [facebook_settings().graph_url, facebook_settings().catalog_url]
    urls += [DeepLTranslator(SecretStr("k-transport")).url]
    urls += [DeepLTranslator(SecretStr("k-transport:fx")).url]
    assert len(urls) >= 20
    for url in urls:
        assert url.startswith("https://"), url


@pytest.mark.parametrize("name", ["ebay", "amazon", "facebook"])
def test_every_request_an_adapter_sends_is_https(name: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith(("/oauth2/token", "/o2/token")):
            return httpx.Response(200, json={"access_token": "Atza|t-transport", "expires_in": 60})
        return httpx.Response(404, json={})

    adapter = {
        "ebay": lambda: EbayAdapter(ebay_settings()),
        "amazon": lambda: AmazonAdapter(amazon_settings()),
        "facebook": lambda: FacebookAdapter(facebook_settings()),
    }[name]()
    market = "GB" if name == "facebook" else "DE"
    # The outcome is not the point here: the URLs are.
    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        Client(http=http, clock=FakeClock(), retry=RetryPolicy(max_attempts=1)) as client,
        contextlib.suppress(Exception),
    ):
        client.marketplace(adapter).status([OfferKey(name, market, "MUG-01")])
    assert seen
    assert all(request.url.scheme == "https" for request in seen)


# -- http overrides refused, loopback allowed --------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://graph.example.com", "http://10.0.0.5:8080", "http://localhost.evil.example"]
)
def test_a_plain_http_graph_url_is_refused_naming_field_and_value(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        facebook_settings(graph_url=url)
    text = str(info.value)
    assert "graph_url" in text and url in text and "https" in text


@pytest.mark.parametrize("url", ["http://localhost:8080", "http://127.0.0.1:9", "http://[::1]:1"])
def test_loopback_http_is_allowed_for_local_fakes(url: str) -> None:
    if "[" not in url:  # the Graph host field takes a host name or IPv4 address
        assert facebook_settings(graph_url=url).graph_url == url
    assert LibreTranslateTranslator(url).url == url
    assert DeepLTranslator(SecretStr("k-transport"), server_url=url).server_url == url


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda url: DeepLTranslator(SecretStr("k-transport"), server_url=url), "server_url"),
        (lambda url: LibreTranslateTranslator(url), "url"),
    ],
)
def test_translators_refuse_plain_http_to_a_remote_host(make: Any, field: str) -> None:
    url = "http://translate.example.com"
    with pytest.raises(ConfigurationError) as info:
        make(url)
    assert field in str(info.value) and url in str(info.value)


@pytest.mark.parametrize("cls", [OAuth2ClientCredentials, OAuth2RefreshToken])
def test_token_endpoints_refuse_plain_http(cls: Any) -> None:
    args: list[Any] = ["http://auth.example.com/token", "id", SecretStr("s-transport-1")]
    if cls is OAuth2RefreshToken:
        args.append(SecretStr("r-transport-1"))
    with pytest.raises(ValueError, match=r"token_url.*http://auth\.example\.com/token"):
        cls(*args)
    args[0] = "http://127.0.0.1:8000/token"
    assert cls(*args).token_url == "http://127.0.0.1:8000/token"


def test_require_https_redacts_credentials_in_the_value_it_names() -> None:
    with pytest.raises(ValueError) as info:
        require_https("http://api.example.com/x?access_token=tok-transport-1", field="url")
    assert "tok-transport-1" not in str(info.value) and "access_token=***" in str(info.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_client_never_sends_an_adapter_request_over_plain_http(mode: str) -> None:
    # The URL may come from an answer (Amazon's feed document URL): checked at send time.
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    def flow() -> Any:
        response = yield HttpRequest("GET", "http://bucket.example.com/report", auth=None)
        return response

    adapter = FacebookAdapter(facebook_settings())

    def run_sync() -> None:
        with (
            httpx.Client(transport=httpx.MockTransport(handler)) as http,
            Client(http=http, clock=FakeClock()) as client,
        ):
            client.run(flow(), adapter=adapter)

    async def run_async() -> None:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http,
            AsyncClient(http=http, clock=FakeClock()) as client,
        ):
            await client.run(flow(), adapter=adapter)

    with pytest.raises(MarketplaceTransportError, match="only https") as info:
        run_sync() if mode == "sync" else asyncio.run(run_async())
    assert seen == []  # refused before anything was sent, and not retried
    assert isinstance(info.value.__cause__, httpx.UnsupportedProtocol)


# -- certificate verification ------------------------------------------------------------------


def ssl_context_of(http: httpx.Client | httpx.AsyncClient) -> ssl.SSLContext:
    transport = http._transport  # the real objects, not a description of them
    pool = transport._pool  # type: ignore[attr-defined]
    context = pool._ssl_context
    assert isinstance(context, ssl.SSLContext)
    return context


def test_the_client_verifies_certificates_and_host_names() -> None:
    with Client() as client:
        context = ssl_context_of(client._http)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert context.minimum_version >= ssl.TLSVersion.TLSv1_2

    async def main() -> None:
        async with AsyncClient() as client:
            context = ssl_context_of(client._http)
            assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname

    asyncio.run(main())


# -- a finite timeout on every call ------------------------------------------------------------


def finite(timeout: dict[str, float | None]) -> bool:
    return all(isinstance(timeout[p], float) and 0 < timeout[p] < 600 for p in PHASES)  # type: ignore[operator]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("given", ["none", "number", "own-unlimited"])
def test_every_call_token_requests_included_carries_a_finite_timeout(mode: str, given: str) -> None:
    seen: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(200, json={"access_token": "t-transport-77", "expires_in": 60})
        return httpx.Response(503)

    options: dict[str, Any] = {"clock": FakeClock(), "retry": RetryPolicy(max_attempts=2)}
    own: Any = {} if given != "own-unlimited" else {"timeout": None}
    if given == "number":
        options["timeout"] = 7
    adapter = EbayAdapter(ebay_settings())
    key = OfferKey("ebay", "DE", "MUG-01")
    transport = httpx.MockTransport(handler)
    if mode == "sync":
        with httpx.Client(transport=transport, **own) as http, Client(http=http, **options) as c:
            c.marketplace(adapter).status([key])
    else:

        async def main() -> None:
            async with (
                httpx.AsyncClient(transport=transport, **own) as http,
                AsyncClient(http=http, **options) as c,
            ):
                await c.marketplace(adapter).status([key])

        asyncio.run(main())
    assert len(seen) >= 3  # the token, then two attempts
    assert all(finite(t) for t in seen), seen
    if given == "number":
        assert all(t == httpx.Timeout(7).as_dict() for t in seen)
    if given == "own-unlimited":
        # A given httpx client without a timeout gets the default for every phase.
        assert all(t == DEFAULT_TIMEOUT.as_dict() for t in seen)


@pytest.mark.parametrize("cls", [Client, AsyncClient])
@pytest.mark.parametrize(
    ("timeout", "phase"),
    [
        (None, "None"),
        (httpx.Timeout(None), "connect"),
        (httpx.Timeout(10, pool=None), "pool"),
        (httpx.Timeout(10, read=None), "read"),
        (httpx.Timeout(10, write=0), "write"),
        (float("inf"), "timeout"),
        (-1, "timeout"),
    ],
)
def test_a_missing_or_unlimited_timeout_is_refused(cls: Any, timeout: Any, phase: str) -> None:
    with pytest.raises(ValueError, match=phase):
        cls(timeout=timeout)


def test_the_default_timeout_is_finite_for_every_phase() -> None:
    assert finite(DEFAULT_TIMEOUT.as_dict())
    with Client() as client:
        assert finite(client._http.timeout.as_dict())
        assert client._timeout == DEFAULT_TIMEOUT


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_redirect_to_plain_http_is_refused_before_it_is_sent(mode: str) -> None:
    # Flows are checked before sending, but httpx follows redirects itself: the request hook
    # of the client xborder builds refuses the downgraded request.
    from xborder.client._transport import http_client_kwargs

    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        if request.url.scheme == "https":
            return httpx.Response(302, headers={"Location": "http://rates.example/feed.xml"})
        return httpx.Response(200, text="<xml/>")

    request = HttpRequest("GET", "https://rates.example/feed.xml", operation="fetch")

    def flow() -> Any:
        response = yield request
        return response.status_code

    transport = httpx.MockTransport(handler)
    if mode == "sync":
        with (
            httpx.Client(transport=transport, **http_client_kwargs()) as http,
            Client(http=http, clock=FakeClock()) as client,
            pytest.raises(MarketplaceTransportError, match="plain http"),
        ):
            client.run(flow())
    else:

        async def main() -> None:
            async with (
                httpx.AsyncClient(
                    transport=transport, **http_client_kwargs(asynchronous=True)
                ) as http,
                AsyncClient(http=http, clock=FakeClock()) as client,
            ):
                await client.run(flow())

        with pytest.raises(MarketplaceTransportError, match="plain http"):
            asyncio.run(main())
    assert sent == ["https://rates.example/feed.xml"]  # the http request never left


def test_a_loopback_redirect_target_is_allowed() -> None:
    from xborder.client._transport import refuse_plain_http

    refuse_plain_http(httpx.Request("GET", "http://127.0.0.1:8080/x"))
    refuse_plain_http(httpx.Request("GET", "https://api.ebay.com/x"))
    with pytest.raises(httpx.UnsupportedProtocol, match="plain http"):
        refuse_plain_http(httpx.Request("GET", "http://api.ebay.com/x?token=abc"))


@pytest.mark.parametrize("url", ["http://mirror.example/eurofxref.xml", "ftp://x/y", "rates.xml"])
def test_the_ecb_feed_refuses_a_url_that_is_not_https(url: str) -> None:
    from xborder.rates._ecb import _feed_url

    with pytest.raises(ValueError, match="url"):
        _feed_url("daily", url)
    assert _feed_url("daily", "http://localhost:8000/eurofxref.xml").startswith("http://localhost")
