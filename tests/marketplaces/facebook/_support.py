"""Shared helpers of the Facebook adapter tests: listings, offers, settings, flow driving."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr

import xborder as xb
from xborder.http import HttpRequest, HttpResponse
from xborder.marketplaces.facebook import FacebookAdapter, FacebookSettings
from xborder.offer import Offer

from .._flows import Responder as Responder  # re-exported
from .._flows import answer as answer
from .._flows import drive as drive
from .._flows import ops as ops

T = TypeVar("T")

ON = date(2026, 10, 1)
RULES_PATH = Path(__file__).resolve().parents[2] / "specs" / "meta" / "catalog_rules.json"
CATALOG_ID = "1234567890123456"
TOKEN = "EAAB-system-user-canary-4f1e"
APP_SECRET = "app-secret-canary-9b2c"
GRAPH = "https://graph.facebook.com/v25.0"
CATALOG = f"{GRAPH}/{CATALOG_ID}"


@cache
def rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    return data


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
        "gtin": "4006381333931",
        "images": (
            "https://images.example.com/mug-1.jpg",
            "https://images.example.com/mug-2.jpg",
        ),
        "url": "https://shop.example.com/products/mug-01",
        "translations": {
            "de": {
                "title": "Handgemachte Steinzeugtasse, 350 ml",
                "description": "Auf der Scheibe gedrehte Steinzeugtasse.",
            },
            "fr": {
                "title": "Tasse artisanale en grès, 350 ml",
                "description": "Tasse en grès tournée à la main.",
            },
        },
    }
    data.update(fields)
    return xb.Listing(**data)


def offer(item: xb.Listing | None = None, market: str = "GB") -> Offer:
    return xb.prepare(item or listing(), market, channel="facebook", rates=rates(), on=ON)


def clone(template: Offer, sku: str) -> Offer:
    """Return ``template`` under another SKU (as prepare would give it, without the cost)."""
    return dataclasses.replace(
        template,
        key=template.key._replace(sku=sku),
        listing=template.listing.model_copy(update={"sku": sku}),
        content=template.content._replace(sku=sku),
    )


def settings(**overrides: Any) -> FacebookSettings:
    data: dict[str, Any] = {
        "catalog_id": CATALOG_ID,
        "access_token": SecretStr(TOKEN),
        "base_market": "GB",
    }
    data.update(overrides)
    return FacebookSettings(**data)


def adapter(**overrides: Any) -> FacebookAdapter:
    return FacebookAdapter(settings(**overrides))


def body(request: HttpRequest) -> Any:
    return json.loads(request.content) if request.content else None


def counts(requests: Sequence[HttpRequest]) -> dict[str, int]:
    out: dict[str, int] = {}
    for request in requests:
        out[request.operation] = out.get(request.operation, 0) + 1
    return out


def requests_of(request: HttpRequest) -> list[Mapping[str, Any]]:
    return list(body(request)["requests"])


def handle_answer(handle: str = "H1", **extra: Any) -> HttpResponse:
    return answer(200, {"handles": [handle], **extra})


def finished(
    handle: str = "H1", invalid: Sequence[str] = (), errors: Sequence[Mapping[str, Any]] = ()
) -> HttpResponse:
    return answer(
        200,
        {
            "data": [
                {
                    "handle": handle,
                    "status": "finished",
                    "errors": list(errors),
                    "errors_total_count": len(invalid),
                    "warnings": [],
                    "warnings_total_count": 0,
                    "ids_of_invalid_requests": list(invalid),
                }
            ]
        },
    )


def started(handle: str = "H1") -> HttpResponse:
    return answer(200, {"data": [{"handle": handle, "status": "started"}]})


def _price_ok(value: object) -> bool:
    if not isinstance(value, str):
        return False
    amount, _, currency = value.partition(" ")
    whole, _, fraction = amount.partition(".")
    return whole.isdigit() and (fraction == "" or fraction.isdigit()) and len(currency) == 3


def problems_of(operation: str, content: Mapping[str, Any]) -> list[str]:
    """Check a batch body against the rules derived from Meta's specs; return the problems."""
    data = rules()
    edge = data["edges"][operation]
    item = data["item_types"]["PRODUCT_ITEM"]
    fields = item["fields"]
    out = [f"{p}: not a parameter of {operation}" for p in content if p not in edge["params"]]
    out += [f"{p}: required" for p in edge["required"] if p not in content]
    if content.get("item_type") != "PRODUCT_ITEM":
        out.append("item_type: not PRODUCT_ITEM")
    for index, element in enumerate(content.get("requests", [])):
        where = f"requests[{index}]"
        if element.get("method") not in item["methods"]:
            out.append(f"{where}.method: {element.get('method')!r}")
        record = element.get("data", {})
        if "id" not in record:
            out.append(f"{where}.data.id: missing")
        allowed = set(fields)
        if operation == "localized_items_batch":
            kind = element["localization"]["type"]
            allowed = set(data["overrides"]["fields"][kind])
        elif "localization" in element:
            out.append(f"{where}: localization in items_batch")
        for name, value in record.items():
            if name in item["legacy_names"]:
                out.append(f"{where}.data.{name}: a legacy /products name")
            elif name not in allowed:
                out.append(f"{where}.data.{name}: not allowed here")
            rule = fields.get(name, {})
            if "enum" in rule and value not in data["enums"][rule["enum"]]:
                out.append(f"{where}.data.{name}: {value!r} not in the enum")
            if rule.get("format") == "amount currency" and not _price_ok(value):
                out.append(f"{where}.data.{name}: {value!r} is not 'amount currency'")
            if rule.get("list") and not isinstance(value, list):
                out.append(f"{where}.data.{name}: not a list")
    return out


def check_bodies(requests: Sequence[HttpRequest]) -> None:
    """Assert every batch body the adapter sent follows the derived rules, and no token in URLs."""
    for request in requests:
        assert "access_token" not in request.url, request.url
        if request.operation in ("items_batch", "localized_items_batch"):
            assert request.headers["Content-Type"] == "application/json"
            problems = problems_of(request.operation, body(request))
            assert not problems, problems
        elif request.operation in rules()["edges"]:
            query = request.url.partition("?")[2]
            names = {part.partition("=")[0] for part in query.split("&") if part}
            edge = rules()["edges"][request.operation]
            assert set(edge["required"]) <= names
            extra = names - set(edge["params"]) - {"fields", "limit", "after", "keys", "type"}
            assert not extra, extra
