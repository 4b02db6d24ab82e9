"""A small fake marketplace exercising every part of the FakeMarketplace base."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

import httpx
from pydantic import Field, SecretStr

from xborder import Listing, Money, rates
from xborder.errors import UnexpectedResponseError, UnsupportedOperationError
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.localize.channels import ChannelRules
from xborder.marketplaces import (
    API_VERSION,
    Capabilities,
    Classification,
    Issue,
    ItemResult,
    ListingState,
    MarketplaceSettings,
    OAuth2ClientCredentials,
    OfferKey,
    PriceQuantityUpdate,
    RateLimit,
    RemoteRef,
    TokenProvider,
    batched,
    classify_status,
)
from xborder.offer import Offer, prepare
from xborder.testing import Call, ClosedModel, FakeMarketplace, Job, route

BASE = "https://api.shop.example/v2"
TOKEN_URL = "https://auth.shop.example/oauth2/token"
CLIENT_ID = "shop-client"
CLIENT_SECRET = "shop-secret-canary-77"
NO_REFS: Mapping[OfferKey, RemoteRef] = {}


class Item(ClosedModel):
    title: Annotated[str, Field(min_length=1, max_length=20)]
    quantity: Annotated[int, Field(ge=0)]
    status: Literal["active", "paused"] = "active"


class BatchItem(Item):
    sku: str


class Batch(ClosedModel):
    items: list[BatchItem]


class ShopFake(FakeMarketplace):
    name: ClassVar[str] = "shop"
    base_url: ClassVar[str] = BASE
    default_rate_limits: ClassVar[dict[str, RateLimit]] = {"get_item": RateLimit(1, burst=2)}
    batch_limits: ClassVar[dict[str, int]] = {"batch_items": 3}
    default_clients: ClassVar[dict[str, str]] = {CLIENT_ID: CLIENT_SECRET}
    state_namespaces: ClassVar[tuple[str, ...]] = ("items",)

    completed: int = 0

    @route("POST", TOKEN_URL, auth=False, limited=False)
    def token(self, call: Call) -> httpx.Response:
        return self.oauth_token(call)

    @route("PUT", "/items/{sku}")
    def put_item(self, call: Call, sku: str) -> httpx.Response:
        item = self.parse(call, Item)
        self.store.put("items", sku, item.model_dump())
        return httpx.Response(200, json={"sku": sku, **item.model_dump()})

    @route("GET", "/items/{sku}")
    def get_item(self, call: Call, sku: str) -> httpx.Response:
        record = self.store.get("items", sku)
        if record is None:
            self.reject(404, "not_found", f"no item {sku}")
        return httpx.Response(200, json={"sku": sku, **record})

    @route("DELETE", "/items/{sku}")
    def delete_item(self, call: Call, sku: str) -> httpx.Response:
        self.store.delete("items", sku)
        # A write, then a refusal: the refusal must roll the write back.
        if call.query.get("refuse"):
            self.reject(409, "conflict", "refused after deleting")
        return httpx.Response(204)

    @route("POST", "/items:batch", batch=True)
    def batch_items(self, call: Call) -> httpx.Response:
        batch = self.parse(call, Batch)
        self.check_batch(call, batch.items)
        results: list[dict[str, Any]] = []
        for index, item in enumerate(batch.items):
            if call.fails_item(index):
                results.append({"sku": item.sku, "ok": False})
                continue
            self.store.put("items", item.sku, item.model_dump(exclude={"sku"}))
            results.append({"sku": item.sku, "ok": True})
        return httpx.Response(200, json={"results": results})

    @route("GET", "/files/{name:path}", auth=False)
    def get_file(self, call: Call, name: str) -> httpx.Response:
        return httpx.Response(200, text=f"file {name}", headers={"content-type": "text/plain"})

    @route("POST", "/feeds")
    def create_feed(self, call: Call) -> httpx.Response:
        body = self.body(call)
        job = self.start_job(
            call, "feed", body, polls=body.get("polls"), seconds=body.get("seconds")
        )
        return httpx.Response(202, json={"feedId": job.id})

    @route("GET", "/feeds/{feed_id}")
    def get_feed(self, call: Call, feed_id: str) -> httpx.Response:
        job = self.poll_job(feed_id)
        if job is None:
            self.reject(404, "not_found", f"no feed {feed_id}")
        return httpx.Response(200, json={"status": job.status, "result": job.result})

    def complete_job(self, job: Job) -> Any:
        self.completed += 1
        for sku in job.payload.get("skus", []):
            self.store.put("items", sku, {"title": "from feed", "quantity": 1, "status": "active"})
        return {"applied": len(job.payload.get("skus", []))}

    def force_unknown_state(self, key: OfferKey) -> bool:
        record = self.store.get("items", key.sku)
        if record is None:
            return False
        self.store.put("items", key.sku, {**record, "status": "hibernating"})
        return True


def token_for(fake: FakeMarketplace) -> dict[str, str]:
    """Authorization headers with a fresh token of ``fake``."""
    return {"authorization": f"Bearer {fake.issue_token()}"}


# -- an adapter for the shop, for the conformance kit's own tests ----------------------------

SHOP_CHANNEL = ChannelRules("shop", title_max=20, description_max=200)
SHOP_STATES: dict[object, ListingState] = {"active": "live", "paused": "inactive"}


class ShopSettings(MarketplaceSettings):
    client_id: str = CLIENT_ID
    client_secret: SecretStr = SecretStr(CLIENT_SECRET)


class ShopAdapter:
    """A plain, conforming adapter for ShopFake; tests break it one way at a time."""

    name: ClassVar[str] = "shop"
    api_version: ClassVar[int] = API_VERSION
    aliases: ClassVar[tuple[str, ...]] = ()
    batch_size: ClassVar[int] = 3

    def __init__(self, settings: ShopSettings | None = None) -> None:
        self.settings = settings or ShopSettings()
        self._auth = OAuth2ClientCredentials(
            TOKEN_URL, self.settings.client_id, self.settings.client_secret
        )

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            "shop",
            operations=frozenset({"upsert", "withdraw", "status"}),
            batch_limits={"upsert": 3, "withdraw": 1, "status": 1},
            rate_limits={"get_item": RateLimit(1, burst=2)},
        )

    def token_providers(self) -> Mapping[str, TokenProvider]:
        return {"default": self._auth}

    def classify(self, response: HttpResponse) -> Classification:
        verdict = classify_status(response)
        error = _error_of(response)
        field = error.get("field")
        return Classification(
            verdict.verdict,
            retry_after=verdict.retry_after,
            message=str(error.get("message") or verdict.message),
            code=str(error["code"]) if "code" in error else None,
            field_errors={field: str(error.get("message"))} if isinstance(field, str) else {},
        )

    def wire(self, offer: Offer) -> dict[str, Any]:
        return {"sku": offer.key.sku, "title": offer.content.title.text, "quantity": offer.quantity}

    def upsert(
        self, offers: Sequence[Offer], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
    ) -> Flow[list[ItemResult]]:
        results: list[ItemResult] = []
        for batch in batched(offers, self.batch_size):
            body = json.dumps({"items": [self.wire(offer) for offer in batch]}).encode()
            response = yield HttpRequest(
                "POST",
                f"{BASE}/items:batch",
                {"content-type": "application/json"},
                body,
                operation="batch_items",
                idempotent=True,
            )
            results += self.read_batch([offer.key for offer in batch], response)
        return results

    def read_batch(self, keys: list[OfferKey], response: HttpResponse) -> list[ItemResult]:
        try:
            entries = {e["sku"]: e for e in json.loads(response.content)["results"]}
        except (ValueError, KeyError, TypeError):
            raise UnexpectedResponseError(
                "unreadable batch answer", marketplace="shop", status_code=response.status_code
            ) from None
        results = []
        for key in keys:
            entry = entries.get(key.sku)
            if entry is not None and entry.get("ok") is True:
                results.append(ItemResult(key, "ok", state="live"))
            else:
                results.append(ItemResult(key, "failed", issues=(Issue("shop.refused", "no"),)))
        return results

    def withdraw(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
    ) -> Flow[list[ItemResult]]:
        results: list[ItemResult] = []
        for key in keys:
            yield HttpRequest("DELETE", f"{BASE}/items/{key.sku}", operation="delete_item")
            results.append(ItemResult(key, "ok", state="absent"))
        return results

    def update_price_quantity(
        self, updates: Sequence[PriceQuantityUpdate]
    ) -> Flow[list[ItemResult]]:
        raise UnsupportedOperationError("the shop cannot update prices")

    def status(
        self, keys: Sequence[OfferKey], *, known: Mapping[OfferKey, RemoteRef] = NO_REFS
    ) -> Flow[list[ItemResult]]:
        results: list[ItemResult] = []
        for key in keys:
            response = yield HttpRequest(
                "GET", f"{BASE}/items/{key.sku}", operation="get_item", raise_for_status=False
            )
            results.append(self.read_status(key, response))
        return results

    def read_status(self, key: OfferKey, response: HttpResponse) -> ItemResult:
        if response.status_code == 404:
            return ItemResult(key, "ok", state="absent")
        if response.status_code != 200:
            issue = Issue(str(_error_of(response).get("code", "http")), "status failed")
            return ItemResult(key, "failed", issues=(issue,))
        raw = _object(response).get("status")
        return ItemResult(key, "ok", state=self.state_of(raw))

    def state_of(self, raw: object) -> ListingState:
        return SHOP_STATES.get(raw, "pending")


def _object(response: HttpResponse) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise UnexpectedResponseError("not a JSON object", marketplace="shop")
    return body


def _error_of(response: HttpResponse) -> dict[str, Any]:
    try:
        error = json.loads(response.content).get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def shop_offers(count: int = 2) -> list[Offer]:
    """Offers for the shop channel (compliance does not matter to the kit)."""
    return [
        prepare(
            Listing(
                sku=f"MUG-{index}", title="Mug", price=Money("9.00", "EUR"), quantity=index + 1
            ),
            "DE",
            channel=SHOP_CHANNEL,
            rates=rates.bundled(),
            on=date(2026, 10, 1),
        )
        for index in range(count)
    ]
