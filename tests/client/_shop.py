"""A small sans-I/O adapter for the client tests, and the canary secrets they hunt for."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import SecretStr

from xborder.client import AsyncClient, Client, Event, RetryPolicy
from xborder.compliance import Report
from xborder.findings import Finding
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.marketplaces import (
    API_VERSION,
    Capabilities,
    Classification,
    Issue,
    ItemResult,
    MarketplaceSettings,
    OAuth2RefreshToken,
    OfferKey,
    PriceQuantityUpdate,
    RateLimit,
    RemoteRef,
    TokenProvider,
    classify_status,
)
from xborder.offer import Offer
from xborder.testing import FakeClock

T = TypeVar("T")

BASE = "https://api.shop.example/v1"
TOKEN_URL = "https://auth.shop.example/oauth2/token"
CLIENT_ID = "shop-app"

# Canaries: none of these may ever show in a log line, a repr, an event or an error.
CLIENT_SECRET = "canary-client-secret-7f3a1"
REFRESH_TOKEN = "canary-refresh-token-91b2c"
ACCESS_1 = "canary-access-token-one-c4d5"
ACCESS_2 = "canary-access-token-two-e6f7"
GRAPH_TOKEN = "canary-graph-token-a8b9d"
CANARIES = (CLIENT_SECRET, REFRESH_TOKEN, ACCESS_1, ACCESS_2, GRAPH_TOKEN)


def token_answer(value: str = ACCESS_1, expires_in: float = 3600) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": value, "expires_in": expires_in, "token_type": "Bearer"}
    )


def refresh_provider() -> OAuth2RefreshToken:
    return OAuth2RefreshToken(
        TOKEN_URL, CLIENT_ID, SecretStr(CLIENT_SECRET), SecretStr(REFRESH_TOKEN)
    )


class ShopSettings(MarketplaceSettings):
    shop: str = "main"


class ShopAdapter:
    """Items keyed by SKU: PUT/GET/DELETE per item, a POST price batch.

    ``classify``: the status code, corrected like the real adapters do: a 400 with
    ``{"error": {"code": 4}}`` is Meta's throttle, a 403 with ``"expired"`` in the body is
    Amazon's expired token; ``x-ratelimit-limit`` is an announced rate, ``x-usage`` a usage
    share (0–1).
    """

    name: ClassVar[str] = "shop"
    api_version: ClassVar[int] = API_VERSION
    aliases: ClassVar[tuple[str, ...]] = ("shop-alias",)

    def __init__(
        self,
        settings: ShopSettings | None = None,
        *,
        providers: Mapping[str, TokenProvider] | None = None,
        rate_limits: Mapping[str, RateLimit] | None = None,
        operations: frozenset[str] | None = None,
    ) -> None:
        self._settings = settings or ShopSettings()
        self._providers = (
            dict(providers) if providers is not None else {"default": refresh_provider()}
        )
        self._capabilities = Capabilities(
            "shop",
            rate_limits=dict(rate_limits or {}),
            **({"operations": operations} if operations is not None else {}),  # type: ignore[arg-type]
        )
        self.classified: list[int] = []

    @property
    def settings(self) -> ShopSettings:
        return self._settings

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    def token_providers(self) -> Mapping[str, TokenProvider]:
        return self._providers

    def classify(self, response: HttpResponse) -> Classification:
        self.classified.append(response.status_code)
        base = classify_status(response)
        limit = response.headers.get("x-ratelimit-limit")
        usage = response.headers.get("x-usage")
        extra: dict[str, Any] = {
            "rate_limit": float(limit) if limit else None,
            "usage": float(usage) if usage else None,
            "request_id": response.headers.get("x-shop-request-id"),
        }
        body: Any = None
        if response.content[:1] == b"{":
            body = json.loads(response.content)
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            extra["message"] = error.get("message", "")
            extra["code"] = str(error.get("code")) if error.get("code") is not None else None
            extra["field_errors"] = error.get("fields", {})
            if error.get("code") == 4:
                return Classification("throttled", **extra)
            if response.status_code == 403 and "expired" in error.get("message", ""):
                return Classification("auth_expired", **extra)
        return dataclasses.replace(base, **{k: v for k, v in extra.items() if v is not None})

    # -- operations

    def upsert(
        self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = {}
    ) -> Flow[list[ItemResult]]:
        results = []
        for offer in offers:
            response = yield HttpRequest(
                "PUT",
                f"{BASE}/items/{offer.key.sku}",
                headers={"Content-Type": "application/json"},
                content=json.dumps({"quantity": offer.quantity}).encode(),
                operation="put_item",
                raise_for_status=False,
            )
            results.append(self._result(offer.key, response))
        return results

    def update_price_quantity(
        self, updates: Sequence[PriceQuantityUpdate]
    ) -> Flow[list[ItemResult]]:
        response = yield HttpRequest(
            "POST",
            f"{BASE}/prices",
            content=json.dumps([u.key.sku for u in updates]).encode(),
            operation="post_prices",
        )
        assert response.status_code == 200
        return [ItemResult(u.key, "ok") for u in updates]

    def withdraw(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = {}
    ) -> Flow[list[ItemResult]]:
        results = []
        for key in keys:
            response = yield HttpRequest(
                "DELETE", f"{BASE}/items/{key.sku}", operation="delete_item"
            )
            results.append(self._result(key, response))
        return results

    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = {}
    ) -> Flow[list[ItemResult]]:
        results = []
        for key in keys:
            response = yield HttpRequest(
                "GET", f"{BASE}/items/{key.sku}", operation="get_item", raise_for_status=False
            )
            if response.status_code == 404:
                results.append(ItemResult(key, "ok", state="absent"))
            else:
                results.append(ItemResult(key, "ok", state="live"))
        return results

    @staticmethod
    def _result(key: OfferKey, response: HttpResponse) -> ItemResult:
        if response.status_code < 300:
            return ItemResult(key, "ok", remote=RemoteRef(id=key.sku))
        return ItemResult(key, "failed", issues=(Issue(str(response.status_code), "refused"),))


# -- flows -----------------------------------------------------------------------------------------


def one(request: HttpRequest) -> Flow[HttpResponse]:
    """A flow of one request that returns the answer."""
    response = yield request
    return response


def get(path: str = "/items/A", **fields: Any) -> HttpRequest:
    return HttpRequest(
        "GET", f"{BASE}{path}", operation=fields.pop("operation", "get_item"), **fields
    )


def post(path: str = "/prices", **fields: Any) -> HttpRequest:
    return HttpRequest(
        "POST",
        f"{BASE}{path}",
        content=b"{}",
        operation=fields.pop("operation", "post_prices"),
        **fields,
    )


# -- offers ----------------------------------------------------------------------------------------


def key(sku: str, marketplace: str = "shop") -> OfferKey:
    return OfferKey(marketplace, "DE", sku)


_BASE_OFFER: Offer | None = None


def offer(sku: str, *errors: str, marketplace: str = "shop") -> Offer:
    """A prepared offer re-keyed to ``sku``, with ``errors`` as error findings' codes."""
    global _BASE_OFFER
    if _BASE_OFFER is None:
        from xborder import Listing, Money, prepare, rates

        listing = Listing(
            sku="MUG-01",
            title="Stoneware coffee mug, 350 ml",
            price=Money("24.00", "USD"),
            quantity=5,
        )
        _BASE_OFFER = prepare(
            listing, "DE", channel="ebay", rates=rates.bundled(), on=date(2026, 10, 1)
        )
    findings = tuple(Finding(code, "error", f"{code} is wrong", field="title") for code in errors)
    report = Report(sku=sku, market="DE", channel="ebay", on=date(2026, 10, 1), findings=findings)
    return dataclasses.replace(_BASE_OFFER, key=key(sku, marketplace), report=report)


# -- running the same scenario through both clients ------------------------------------------------


class Facade:
    """Gives a Client and an AsyncClient the same (awaitable) face, so one scenario runs on both."""

    def __init__(self, client: Client | AsyncClient) -> None:
        self.client = client

    async def run(self, flow: Flow[T], *, adapter: Any = None) -> T:
        if isinstance(self.client, AsyncClient):
            return await self.client.run(flow, adapter=adapter)
        return self.client.run(flow, adapter=adapter)

    async def call(self, adapter: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
        bound = self.client.marketplace(adapter)
        result = getattr(bound, operation)(*args, **kwargs)
        if isinstance(self.client, AsyncClient):
            return await result
        return result


class Driver:
    """Builds a Client or an AsyncClient (``mode``) with a FakeClock and runs a scenario."""

    def __init__(self, mode: str, clock: FakeClock) -> None:
        self.mode = mode
        self.clock = clock
        self.events: list[Event] = []

    def client_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("clock", self.clock)
        kwargs.setdefault("retry", RetryPolicy(seed=7))
        kwargs.setdefault("on_event", self.events.append)
        return kwargs

    def go(self, scenario: Callable[[Facade], Awaitable[T]], **kwargs: Any) -> T:
        options = self.client_kwargs(**kwargs)

        async def main() -> T:
            if self.mode == "async":
                async with AsyncClient(**options) as client:
                    return await scenario(Facade(client))
            with Client(**options) as sync_client:
                return await scenario(Facade(sync_client))

        return asyncio.run(main())

    def run(self, flow: Flow[T], *, adapter: Any = None, **kwargs: Any) -> T:
        async def scenario(c: Facade) -> T:
            return await c.run(flow, adapter=adapter)

        return self.go(scenario, **kwargs)

    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]


def mock_http(
    mode: str, handler: Callable[[httpx.Request], httpx.Response]
) -> httpx.Client | httpx.AsyncClient:
    """An httpx client of the kind ``mode`` needs, answering through ``handler``."""
    transport = httpx.MockTransport(handler)
    if mode == "sync":
        return httpx.Client(transport=transport)
    return httpx.AsyncClient(transport=transport)


def iter_text(*objects: object) -> Iterator[str]:
    for obj in objects:
        yield repr(obj)
        yield str(obj)
