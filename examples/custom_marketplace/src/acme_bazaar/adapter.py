"""The Acme Bazaar adapter: a third-party xborder marketplace plugin (API in README.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from pydantic import SecretStr

from xborder import marketplaces as mp
from xborder.errors import UnexpectedResponseError
from xborder.http import Flow, HttpRequest, HttpResponse
from xborder.localize.channels import ChannelRules, register_channel
from xborder.marketplaces import Issue, ItemResult, OfferKey, PriceQuantityUpdate
from xborder.offer import Offer

NAME = "acme_bazaar"
DOCS = "https://developer.bazaar.example/v1"
# Registered on import, so prepare(listing, market, channel="acme_bazaar", ...) works.
CHANNEL = ChannelRules(NAME, title_max=120, description_max=4000, max_images=8, label="Bazaar")
register_channel(CHANNEL, replace=True)
MARKETS = "DE:EUR:de-DE FR:EUR:fr-FR NL:EUR:nl-NL GB:GBP:en-GB US:USD:en-US JP:JPY:ja-JP"
STATES: dict[object, mp.ListingState] = {s: s for s in ("live", "pending", "rejected", "inactive")}
GONE: dict[int, mp.ListingState] = {204: "inactive", 404: "absent"}  # 404: nothing to withdraw
NO_REFS: Mapping[Any, Any] = {}
Results = Flow[list[ItemResult]]
Item = TypeVar("Item", Offer, PriceQuantityUpdate)


class BazaarSettings(mp.MarketplaceSettings):
    env_prefix: ClassVar[str] = "ACME_BAZAAR_"  # ACME_BAZAAR_CLIENT_ID, ..._CLIENT_SECRET
    client_id: str
    client_secret: SecretStr
    base_url: str = "https://api.bazaar.example/v1"


class BazaarAdapter:
    name: ClassVar[str] = NAME
    api_version: ClassVar[int] = mp.API_VERSION
    aliases: ClassVar[tuple[str, ...]] = ()
    capabilities = mp.Capabilities(
        NAME,
        batch_limits={"upsert": 50, "update_price_quantity": 100, "withdraw": 1, "status": 1},
        rate_limits={"*": mp.RateLimit(10, burst=20, source=f"{DOCS}#rate-limits")},
        sites={site[:2]: mp.Site(*site.split(":")) for site in MARKETS.split()},
        channel=NAME,
    )

    def __init__(self, settings: BazaarSettings | None = None) -> None:
        self.settings = settings if settings is not None else BazaarSettings.from_env()
        self._base, client_id = self.settings.base_url.rstrip("/"), self.settings.client_id
        token_url, secret = f"{self._base}/oauth/token", self.settings.client_secret
        self._auth = mp.OAuth2ClientCredentials(token_url, client_id, secret)

    def token_providers(self) -> Mapping[str, mp.TokenProvider]:
        return {"default": self._auth}

    def classify(self, response: HttpResponse) -> mp.Classification:
        verdict, error = mp.classify_status(response), _error(response)
        code, field = error.get("code"), error.get("field")
        return mp.Classification(
            "auth_expired" if code in ("token_expired", "invalid_token") else verdict.verdict,
            retry_after=verdict.retry_after,
            message=str(error.get("message") or verdict.message),
            code=code if isinstance(code, str) else None,
            request_id=response.headers.get("x-request-id"),
            field_errors={field: str(error.get("message"))} if isinstance(field, str) else {},
        )

    def upsert(self, offers: Sequence[Offer], *, known: Mapping[Any, Any] = NO_REFS) -> Results:
        return self._batches(offers, 50, "/listings:batch", "batch_upsert", "listings", _listing)

    def update_price_quantity(self, updates: Sequence[PriceQuantityUpdate]) -> Results:
        return self._batches(
            updates, 100, "/inventory:batch", "batch_inventory", "updates", _change
        )

    def withdraw(self, keys: Sequence[OfferKey], *, known: Mapping[Any, Any] = NO_REFS) -> Results:
        results: list[ItemResult] = []
        for key in keys:
            response = yield self._one("DELETE", key, "delete_listing")
            gone = GONE.get(response.status_code)
            results.append(ItemResult(key, "ok", state=gone) if gone else _failed(key, response))
        return results

    def status(self, keys: Sequence[OfferKey], *, known: Mapping[Any, Any] = NO_REFS) -> Results:
        results: list[ItemResult] = []
        for key in keys:
            response = yield self._one("GET", key, "get_listing")
            if response.status_code == 404:
                results.append(ItemResult(key, "ok", state="absent"))
            else:
                ok = response.status_code == 200
                results.append(_state(key, _object(response)) if ok else _failed(key, response))
        return results

    def _batches(
        self,
        items: Sequence[Item],
        size: int,
        path: str,
        operation: str,
        field: str,
        wire: Callable[[Item], dict[str, Any]],
    ) -> Results:
        results: list[ItemResult] = []
        for batch in mp.batched(items, size):
            body = json.dumps({field: [wire(item) for item in batch]}).encode()
            # Keyed by market and SKU: sending a batch twice changes nothing more (idempotent).
            headers = {"content-type": "application/json"}
            response = yield HttpRequest("POST", self._base + path, headers, body, operation, True)
            entries = [e for e in _object(response).get("results", ()) if isinstance(e, dict)]
            found = {(entry.get("market"), entry.get("sku")): entry for entry in entries}
            results += [_written(item.key, response, found.get(item.key[1:])) for item in batch]
        return results

    def _one(self, method: str, key: OfferKey, operation: str) -> HttpRequest:
        url = f"{self._base}/listings/{key.market}/{key.sku}"
        return HttpRequest(method, url, operation=operation, raise_for_status=False)


def _listing(offer: Offer) -> dict[str, Any]:
    listing, text, price = offer.listing, offer.content, offer.price
    optional = {"brand": listing.brand, "gtin": listing.gtin}
    return {
        "sku": offer.key.sku,
        "market": offer.key.market,
        "title": text.title.text,
        "description": text.description.text,
        "price": {"amount": str(price.amount), "currency": price.currency},
        "quantity": offer.quantity,
        "condition": listing.condition if listing.condition in ("new", "refurbished") else "used",
        "images": [str(url) for url in listing.images[:8]],
    } | {name: value for name, value in optional.items() if value}


def _change(update: PriceQuantityUpdate) -> dict[str, Any]:
    change: dict[str, Any] = {"sku": update.key.sku, "market": update.key.market}
    if update.price is not None:
        change["price"] = {"amount": str(update.price.amount), "currency": update.price.currency}
    return change if update.quantity is None else change | {"quantity": update.quantity}


def _written(key: OfferKey, response: HttpResponse, entry: dict[str, Any] | None) -> ItemResult:
    listing = (entry or {}).get("listing")
    if entry is None or entry.get("ok") is not True or not isinstance(listing, dict):
        return _failed(key, response, (entry or {}).get("error", {"code": f"{NAME}.no_result"}))
    found = _state(key, listing)
    if found.state != "rejected":
        return found
    issues = found.issues or (Issue(f"{NAME}.rejected", "the Bazaar rejected the listing"),)
    return ItemResult(key, "failed", found.remote, issues, "rejected")


def _state(key: OfferKey, listing: dict[str, Any]) -> ItemResult:
    raw = listing.get("state")
    issues = [_issue(issue) for issue in listing.get("issues") or () if isinstance(issue, dict)]
    if raw not in STATES:  # a state this adapter does not know yet: never "live" until it is
        issues.append(Issue(f"{NAME}.unknown_state", f"state {raw!r}", severity="warning"))
    ids = mp.RemoteRef(id=listing["id"]) if isinstance(listing.get("id"), str) else None
    return ItemResult(key, "ok", ids, tuple(issues), STATES.get(raw, "pending"))


def _failed(key: OfferKey, response: HttpResponse, error: object = None) -> ItemResult:
    found = error if isinstance(error, dict) else _error(response)
    return ItemResult(key, "failed", issues=(_issue({"code": response.status_code, **found}),))


def _issue(error: dict[str, Any]) -> Issue:
    code, message, field = error.get("code"), error.get("message"), error.get("field")
    return Issue(
        str(code or "unknown"), str(message or ""), field if isinstance(field, str) else None
    )


def _object(response: HttpResponse) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    raise UnexpectedResponseError(
        f"expected a JSON object, got {response.content[:40]!r}",
        marketplace=NAME,
        status_code=response.status_code,
        request_id=response.headers.get("x-request-id"),
    )


def _error(response: HttpResponse) -> dict[str, Any]:
    try:
        error = json.loads(response.content).get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}
