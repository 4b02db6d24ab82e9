"""Shared helpers of the eBay adapter tests: listings, offers, settings, and flow driving."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr

import xborder as xb
from xborder.http import HttpRequest
from xborder.marketplaces.ebay import EbayAdapter, EbaySettings
from xborder.offer import Offer
from xborder.testing.ebay import RequestRules

from .._flows import Responder as Responder  # re-exported
from .._flows import answer as answer
from .._flows import drive as drive
from .._flows import ops as ops

T = TypeVar("T")

ON = date(2026, 10, 1)
RULES_PATH = (
    Path(__file__).resolve().parents[3]
    / "src"
    / "xborder"
    / "testing"
    / "data"
    / "ebay_request_rules.json"
)
CLIENT_ID = "xborder-app-PRD-1234"
CLIENT_SECRET = "PRD-cert-canary-7c1d"
REFRESH_TOKEN = "v^1.1#i^1#refresh-canary-55aa"

#: The offer operationIds of the Inventory API by the adapter's wire operation names.
OPERATION_IDS = {
    "bulk_create_or_replace_inventory_item": "bulkCreateOrReplaceInventoryItem",
    "bulk_create_offer": "bulkCreateOffer",
    "update_offer": "updateOffer",
    "bulk_publish_offer": "bulkPublishOffer",
    "bulk_update_price_quantity": "bulkUpdatePriceQuantity",
    "get_offers": "getOffers",
    "withdraw_offer": "withdrawOffer",
    "delete_offer": "deleteOffer",
}


@cache
def rules() -> RequestRules:
    return RequestRules.load(RULES_PATH)


@cache
def rates() -> xb.RateSource:
    return xb.rates.bundled()


def listing(sku: str = "MUG-01", **fields: Any) -> xb.Listing:
    data: dict[str, Any] = {
        "sku": sku,
        "title": "Handmade stoneware mug, 350 ml",
        "description": "Wheel-thrown stoneware mug.",
        "price": xb.Money("24.00", "EUR"),
        "quantity": 5,
        "brand": "Ridgeline",
        "category": "home.drinkware",
        "images": ("https://images.example.com/mug-1.jpg",),
    }
    data.update(fields)
    return xb.Listing(**data)


def offer(item: xb.Listing | None = None, market: str = "DE") -> Offer:
    return xb.prepare(item or listing(), market, channel="ebay", rates=rates(), on=ON)


def site(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "fulfillment_policy_id": "6196932000",
        "payment_policy_id": "6196933000",
        "return_policy_id": "6196934000",
        "merchant_location_key": "WH1",
        "categories": {"home.drinkware": "20625"},
    }
    data.update(overrides)
    return data


def settings(**overrides: Any) -> EbaySettings:
    data: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": SecretStr(CLIENT_SECRET),
        "refresh_token": SecretStr(REFRESH_TOKEN),
        "ru_name": "xborder-xborder-PRD-abc",
        "sites": {"EBAY_DE": site(), "EBAY_GB": site(categories={"home.drinkware": "36027"})},
    }
    data.update(overrides)
    return EbaySettings(**data)


def adapter(**overrides: Any) -> EbayAdapter:
    return EbayAdapter(settings(**overrides))


def body(request: HttpRequest) -> Any:
    return json.loads(request.content) if request.content else None


def check_bodies(requests: Sequence[HttpRequest]) -> None:
    """Assert every request body validates against the rules derived from eBay's contract."""
    for request in requests:
        operation = OPERATION_IDS.get(request.operation)
        if operation is None:
            continue
        problems = rules().validate_request(operation, body(request))
        assert not problems, f"{request.operation}: {problems}"
        required = rules().operations[operation]["headers"]
        for header in required:
            assert header in request.headers, f"{request.operation} lacks {header}"


def counts(requests: Sequence[HttpRequest]) -> dict[str, int]:
    out: dict[str, int] = {}
    for request in requests:
        out[request.operation] = out.get(request.operation, 0) + 1
    return out


def items_of(request: HttpRequest) -> list[Mapping[str, Any]]:
    return list(body(request)["requests"])
