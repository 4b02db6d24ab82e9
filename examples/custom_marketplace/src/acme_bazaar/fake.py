"""An in-memory Acme Bazaar for tests, built on ``xborder.testing.FakeMarketplace``.

It answers the API described in README.md: it validates every body as the real API would
(closed objects, required fields, enums, batch limits), keeps listings per market and SKU,
reviews new content for ``review_seconds`` on the clock before it goes live, rejects titles
with banned words, throttles past 10 requests per second (burst 20), and takes faults
injected with ``fake.inject(...)``. ``persist_to=path`` keeps its state in a SQLite file.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

import httpx
from pydantic import Field

from xborder.marketplaces import OfferKey, RateLimit
from xborder.testing import Call, ClosedModel, FakeMarketplace, route

__all__ = ["BazaarFake"]

#: Markets the Bazaar serves, with the one currency each accepts and its decimal digits.
CURRENCIES = {"DE": ("EUR", 2), "FR": ("EUR", 2), "NL": ("EUR", 2), "GB": ("GBP", 2),
              "US": ("USD", 2), "JP": ("JPY", 0)}  # fmt: skip
BANNED_WORDS = ("replica", "counterfeit")
LISTINGS = "listings"

SKU = r"^[A-Za-z0-9._-]{1,64}$"
Sku = Annotated[str, Field(pattern=SKU)]
Market = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class Price(ClosedModel):
    amount: Annotated[str, Field(pattern=r"^\d{1,9}(\.\d{1,2})?$")]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class ListingFields(ClosedModel):
    title: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=4000)] = ""
    price: Price
    quantity: Annotated[int, Field(ge=0, le=100_000)]
    condition: Literal["new", "used", "refurbished"]
    images: Annotated[list[Annotated[str, Field(pattern=r"^https://\S+$")]], Field(max_length=8)]
    brand: Annotated[str, Field(max_length=100)] | None = None
    gtin: Annotated[str, Field(pattern=r"^\d{8,14}$")] | None = None


class BatchListing(ListingFields):
    sku: Sku
    market: Market


class ListingsBatch(ClosedModel):
    listings: Annotated[list[BatchListing], Field(min_length=1)]


class InventoryUpdate(ClosedModel):
    sku: Sku
    market: Market
    price: Price | None = None
    quantity: Annotated[int, Field(ge=0, le=100_000)] | None = None


class InventoryBatch(ClosedModel):
    updates: Annotated[list[InventoryUpdate], Field(min_length=1)]


class BazaarFake(FakeMarketplace):
    """Acme Bazaar in memory (see the module docs)."""

    name: ClassVar[str] = "acme_bazaar"
    base_url: ClassVar[str] = "https://api.bazaar.example/v1"
    default_rate_limits: ClassVar[dict[str, RateLimit]] = {"*": RateLimit(10, burst=20)}
    batch_limits: ClassVar[dict[str, int]] = {"batch_upsert": 50, "batch_inventory": 100}
    #: Seconds new content stays ``pending`` before it is ``live``.
    review_seconds: ClassVar[float] = 60.0

    @route("POST", "/oauth/token", auth=False, limited=False)
    def token(self, call: Call) -> httpx.Response:
        return self.oauth_token(call, grant_types=("client_credentials",))

    @route("PUT", "/listings/{market}/{sku}")
    def put_listing(self, call: Call, market: str, sku: str) -> httpx.Response:
        if not re.fullmatch(SKU, sku):
            self.reject(400, "invalid_field", f"sku must match {SKU}", field="sku")
        fields = self.parse(call, ListingFields)
        error = self._problem(market, fields)
        if error is not None:
            self.reject(422, error["code"], error["message"], field=error["field"])
        return httpx.Response(200, json=self._public(self._write(market, sku, fields)))

    @route("POST", "/listings:batch", batch=True)
    def batch_upsert(self, call: Call) -> httpx.Response:
        batch = self.parse(call, ListingsBatch)
        self.check_batch(call, batch.listings)
        results: list[dict[str, Any]] = []
        for index, item in enumerate(batch.listings):
            where = {"sku": item.sku, "market": item.market}
            error = self._item_fault(call, index) or self._problem(item.market, item)
            if error is not None:
                error["field"] = error["field"] and f"listings[{index}].{error['field']}"
                results.append({**where, "ok": False, "error": error})
                continue
            listing = self._public(self._write(item.market, item.sku, item))
            results.append({**where, "ok": True, "listing": listing})
        return httpx.Response(200, json={"results": results})

    @route("POST", "/inventory:batch", batch=True)
    def batch_inventory(self, call: Call) -> httpx.Response:
        batch = self.parse(call, InventoryBatch)
        self.check_batch(call, batch.updates)
        results: list[dict[str, Any]] = []
        for index, update in enumerate(batch.updates):
            where = {"sku": update.sku, "market": update.market}
            key = f"{update.market}/{update.sku}"
            record = self.store.get(LISTINGS, key)
            error = self._item_fault(call, index)
            if error is None and record is None:
                error = _error("not_found", f"no listing {key}")
            if error is None and update.price is not None:
                error = self._price_problem(update.market, update.price)
            if error is not None:
                results.append({**where, "ok": False, "error": error})
                continue
            assert record is not None
            if update.price is not None:
                record["price"] = update.price.model_dump()
            if update.quantity is not None:
                record["quantity"] = update.quantity
            self.store.put(LISTINGS, key, record)
            results.append({**where, "ok": True, "listing": self._public(record)})
        return httpx.Response(200, json={"results": results})

    @route("GET", "/listings/{market}/{sku}")
    def get_listing(self, call: Call, market: str, sku: str) -> httpx.Response:
        return httpx.Response(200, json=self._public(self._existing(market, sku)))

    @route("DELETE", "/listings/{market}/{sku}")
    def delete_listing(self, call: Call, market: str, sku: str) -> httpx.Response:
        record = self._existing(market, sku)
        if record["state"] != "inactive":
            self.store.put(LISTINGS, f"{market}/{sku}", {**record, "state": "inactive"})
        return httpx.Response(204)

    def force_unknown_state(self, key: OfferKey) -> bool:
        """Give ``key`` a state this API version does not document (``"archived"``)."""
        record = self.store.get(LISTINGS, f"{key.market}/{key.sku}")
        if record is None:
            return False
        self.store.put(LISTINGS, f"{key.market}/{key.sku}", {**record, "state": "archived"})
        return True

    # -- the marketplace's rules --------------------------------------------------------------

    def _existing(self, market: str, sku: str) -> dict[str, Any]:
        record: dict[str, Any] | None = self.store.get(LISTINGS, f"{market}/{sku}")
        if record is None:
            self.reject(404, "not_found", f"no listing {market}/{sku}")
        return record

    def _write(self, market: str, sku: str, fields: ListingFields) -> dict[str, Any]:
        key = f"{market}/{sku}"
        content = fields.model_dump(exclude={"sku", "market"})
        old: dict[str, Any] | None = self.store.get(LISTINGS, key)
        if old is not None and old["state"] != "inactive" and _content(old) == content:
            return old  # nothing changed: no new review, as the real API does
        banned = [word for word in BANNED_WORDS if word in fields.title.lower()]
        record = {
            **content,
            "id": old["id"] if old else f"bz_{self.store.next_id(LISTINGS):06d}",
            "sku": sku,
            "market": market,
            "state": "rejected" if banned else "pending",
            "submitted_at": self.now().isoformat(),
            "issues": [
                _error("prohibited_item", f"titles may not say {word!r}", "title")
                for word in banned
            ],
        }
        self.store.put(LISTINGS, key, record)
        return record

    def _public(self, record: dict[str, Any]) -> dict[str, Any]:
        state = record["state"]
        reviewed = datetime.fromisoformat(record["submitted_at"]) + timedelta(
            seconds=self.review_seconds
        )
        if state == "pending" and self.now() >= reviewed:
            state = "live"
        return {**{k: v for k, v in record.items() if k != "submitted_at"}, "state": state}

    def _problem(self, market: str, fields: ListingFields) -> dict[str, Any] | None:
        if market not in CURRENCIES:
            return _error("unsupported_market", f"the Bazaar does not serve {market}", "market")
        return self._price_problem(market, fields.price)

    def _price_problem(self, market: str, price: Price) -> dict[str, Any] | None:
        currency, digits = CURRENCIES.get(market, ("", 0))
        if price.currency != currency:
            return _error("currency_mismatch", f"{market} sells in {currency}", "price.currency")
        if len(price.amount.partition(".")[2]) > digits:
            return _error("invalid_price", f"{currency} has {digits} decimals", "price.amount")
        return None

    def _item_fault(self, call: Call, index: int) -> dict[str, Any] | None:
        # A partial_batch fault: this item failed inside the Bazaar; sending it again helps.
        if call.fails_item(index):
            return _error("item_unavailable", "the item could not be saved; try again")
        return None


def _error(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field}


def _content(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k in ListingFields.model_fields}
